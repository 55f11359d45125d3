import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '$lib/App.svelte';
import { describeTimeline, snippetParts } from '$lib/i18n/cases';
import { _, type Translate } from '$lib/i18n';
import type { CaseFile, NewCase, Permission, TimelineItem } from '$lib/ipc';
import { clearAll } from '$lib/stores/vault.svelte';
import { get } from 'svelte/store';
import {
	ALL_PERMISSIONS,
	caseFile,
	caseSummary,
	deferred,
	fail,
	installBackend,
	member,
	status,
	team,
	type Handler
} from './backend';

/** Lets every pending promise and re-render run. */
async function settle() {
	for (let round = 0; round < 5; round++) await new Promise((resolve) => setTimeout(resolve, 0));
}

async function openCases(permissions: Permission[] = ALL_PERMISSIONS, handlers: Record<string, Handler> = {}) {
	const core = installBackend({
		vault_status: () => status('unlocked', { permissions }),
		vault_lock: () => status('locked'),
		team_overview: () => team(permissions.includes('team.manage')),
		case_list: () => ({
			cases: [
				caseSummary(),
				caseSummary({
					id: 'c-2',
					subjectName: 'Somsri Boonmee',
					subjectAlias: null,
					subjectAge: null,
					status: 'intake',
					risk: 'low',
					level: 'village',
					concerns: ['neglect'],
					myResponsibility: null,
					closeRequested: 'resolved_district'
				})
			],
			next: null
		}),
		case_open: () => caseFile(),
		...handlers
	});
	const user = userEvent.setup();
	render(App);
	await screen.findByTestId('section-cases');
	return { core, user };
}

async function openCase(
	permissions: Permission[] = ALL_PERMISSIONS,
	handlers: Record<string, Handler> = {}
) {
	const opened = await openCases(permissions, handlers);
	const rows = await screen.findAllByTestId('case-row');
	await opened.user.click(within(rows[0]).getByRole('button'));
	await screen.findByTestId('case-file');
	return opened;
}

function optionValues(select: HTMLElement): string[] {
	return [...select.querySelectorAll('option')].map((option) => option.value);
}

function sentCase(call: { args: Record<string, unknown> }): NewCase {
	return call.args.newCase as NewCase;
}

describe('case list', () => {
	it('shows the cases the core answers, and only mine when asked', async () => {
		const { core, user } = await openCases();

		const rows = await screen.findAllByTestId('case-row');
		expect(rows).toHaveLength(2);
		expect(rows[0]).toHaveAttribute('data-case-id', 'c-1');
		expect(rows[0]).toHaveTextContent('Nang Kham');
		expect(rows[0]).toHaveTextContent('“Kham”');
		expect(rows[0]).toHaveTextContent('12 years');
		expect(rows[0]).toHaveTextContent('Assessment');
		expect(rows[0]).toHaveTextContent('Risk: High');
		expect(rows[0]).toHaveTextContent('District');
		expect(rows[0]).toHaveTextContent('Trafficking, Labour exploitation');
		expect(rows[0]).toHaveTextContent('You: Lead');
		expect(within(rows[0]).queryByTestId('case-close-requested-badge')).not.toBeInTheDocument();
		expect(rows[1]).toHaveTextContent('Somsri Boonmee');
		expect(rows[1]).toHaveTextContent('Not on this case');
		expect(within(rows[1]).getByTestId('case-close-requested-badge')).toHaveTextContent('Closure requested');
		expect(core.callsTo('case_list')[0].args).toEqual({ mineOnly: false, after: null });
		// The list alone needs nothing of the team.
		expect(core.callsTo('team_overview')).toHaveLength(0);

		await user.click(screen.getByTestId('case-mine-only'));
		await waitFor(() => expect(core.callsTo('case_list')).toHaveLength(2));
		expect(core.callsTo('case_list')[1].args).toEqual({ mineOnly: true, after: null });
	});

	it('searches: hits show the child, the section and the matched words highlighted, as text', async () => {
		const { core, user } = await openCases(ALL_PERMISSIONS, {
			case_search: () => [
				{
					caseId: 'c-1',
					subjectName: 'Nang Kham',
					section: 'social',
					source: 'note',
					snippet: '…met at the «shelter» <b>in</b> Mae Sai…'
				}
			]
		});

		await user.type(screen.getByTestId('case-search-input'), 'shelter{Enter}');

		const hit = await screen.findByTestId('case-search-hit');
		expect(core.callsTo('case_search')[0].args).toEqual({ query: 'shelter' });
		expect(hit).toHaveTextContent('Nang Kham');
		expect(hit).toHaveTextContent('Social');
		const marks = hit.querySelectorAll('mark');
		expect(marks).toHaveLength(1);
		expect(marks[0].textContent).toBe('shelter');
		// The core's text is text: nothing in it becomes markup.
		expect(hit.querySelector('b')).toBeNull();
		expect(within(hit).getByTestId('case-search-snippet').textContent).toBe('…met at the shelter <b>in</b> Mae Sai…');

		await user.click(within(hit).getByRole('button'));
		expect(await screen.findByTestId('case-file')).toBeInTheDocument();
		expect(core.callsTo('case_open')[0].args).toEqual({ caseId: 'c-1' });
	});

	it('shows the core’s refusal of a short search by the search box', async () => {
		const { user } = await openCases(ALL_PERMISSIONS, {
			case_search: () => fail('invalid', { field: 'query', message: 'type at least 3 characters' })
		});

		await user.type(screen.getByTestId('case-search-input'), 'ab');
		await user.click(screen.getByTestId('case-search-submit'));

		const error = await screen.findByTestId('case-search-error');
		expect(error).toHaveTextContent('Please check “Search”');
		expect(error).toHaveTextContent('type at least 3 characters');
		expect(screen.getByTestId('case-search-input')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.queryByTestId('case-search-hit')).not.toBeInTheDocument();
	});

	it('offers a new case only with cases.create', async () => {
		await openCases(['audit.read']);
		await screen.findAllByTestId('case-row');
		expect(screen.queryByTestId('case-new-open')).not.toBeInTheDocument();
	});
});

describe('new case', () => {
	it('sends the case as typed and opens it', async () => {
		const created = caseFile({}, { id: 'c-9', subjectName: 'Nang Kham', status: 'intake' });
		const { core, user } = await openCases(ALL_PERMISSIONS, { case_create: () => created });

		await user.click(screen.getByTestId('case-new-open'));
		expect(screen.getByTestId('case-new-form')).toBeInTheDocument();
		expect(screen.getByTestId('case-subject-name')).toHaveFocus();
		await user.type(screen.getByTestId('case-subject-name'), 'Nang Kham');
		await user.type(screen.getByTestId('case-subject-alias'), 'Kham');
		await user.selectOptions(screen.getByTestId('case-subject-sex'), 'female');
		await user.type(screen.getByTestId('case-subject-birth-year'), '2014');
		await user.type(screen.getByTestId('case-subject-nationality'), 'Myanmar');
		await user.selectOptions(screen.getByTestId('case-subject-documentation'), 'stateless');
		await user.type(screen.getByTestId('case-subject-village'), 'Ban Pa Sak');
		await user.type(screen.getByTestId('case-subject-languages'), 'Shan, Thai, ');
		await user.click(screen.getByTestId('case-concern-trafficking'));
		await user.click(screen.getByTestId('case-concern-labour_exploitation'));
		await user.selectOptions(screen.getByTestId('case-risk'), 'high');
		await user.selectOptions(screen.getByTestId('case-level'), 'district');
		await user.type(screen.getByTestId('case-guardian-name'), 'Nang Ying');
		await user.type(screen.getByTestId('case-guardian-relation'), 'aunt');
		await user.click(screen.getByTestId('case-new-submit'));

		expect(await screen.findByTestId('case-file')).toHaveAttribute('data-case-id', 'c-9');
		expect(sentCase(core.callsTo('case_create')[0])).toEqual({
			subject: {
				party: 'subject',
				name: 'Nang Kham',
				alias: 'Kham',
				sex: 'female',
				birthDate: null,
				birthYearEstimate: 2014,
				nationality: 'Myanmar',
				documentation: 'stateless',
				languages: ['Shan', 'Thai'],
				village: 'Ban Pa Sak',
				relation: null,
				contact: null
			},
			others: [
				{
					party: 'guardian',
					name: 'Nang Ying',
					relation: 'aunt',
					alias: null,
					sex: 'unknown',
					birthDate: null,
					birthYearEstimate: null,
					nationality: null,
					documentation: 'unknown',
					languages: [],
					village: null,
					contact: null
				}
			],
			concerns: ['trafficking', 'labour_exploitation'],
			risk: 'high',
			level: 'district',
			duplicatesReviewed: false
		});
		// Opened from the answer itself: no second trip to the core.
		expect(core.callsTo('case_open')).toHaveLength(0);
	});

	it.each([
		['subject.birth_date', 'case-subject-birth-date', 'Child’s date of birth', 'is in the future'],
		['risk', 'case-risk', 'Risk', '“” is not one of: low, medium, high']
	])('shows the core’s error about %s next to that field', async (field, testid, label, message) => {
		const { core, user } = await openCases(ALL_PERMISSIONS, {
			case_create: () => fail('invalid', { field, message })
		});

		await user.click(screen.getByTestId('case-new-open'));
		await user.type(screen.getByTestId('case-subject-name'), 'Nang Kham');
		await user.type(screen.getByTestId('case-subject-birth-date'), '2030-01-01');
		await user.click(screen.getByTestId('case-concern-neglect'));
		await user.click(screen.getByTestId('case-new-submit'));

		const alert = await screen.findByTestId('case-new-error');
		expect(alert).toHaveTextContent(`Please check “${label}”: the value was not accepted.`);
		expect(alert).toHaveTextContent(message);
		const input = screen.getByTestId(testid);
		expect(input).toHaveAttribute('aria-invalid', 'true');
		expect(input).toHaveFocus();
		expect(input.closest('.field')?.nextElementSibling).toBe(alert);
		expect(input.getAttribute('aria-describedby')).toContain(alert.id);
		expect(screen.getAllByTestId('case-new-error')).toHaveLength(1);
		expect(screen.queryByTestId('case-file')).not.toBeInTheDocument();
		// What was not chosen is sent as it is, for the core to refuse.
		expect(sentCase(core.callsTo('case_create')[0])).toMatchObject({
			subject: { birthDate: '2030-01-01', birthYearEstimate: null },
			risk: '',
			level: '',
			others: []
		});
	});

	it('shows possible duplicates when the core asks, and goes on only when told to', async () => {
		let reviewed: boolean | undefined;
		const { core, user } = await openCases(ALL_PERMISSIONS, {
			case_create: (args) => {
				reviewed = (args.newCase as NewCase).duplicatesReviewed;
				return reviewed
					? caseFile({}, { id: 'c-10' })
					: fail('conflict', { field: 'duplicates_reviewed', message: '1 case(s) you can see…' });
			},
			case_duplicates: () => [caseSummary()]
		});

		await user.click(screen.getByTestId('case-new-open'));
		await user.type(screen.getByTestId('case-subject-name'), 'Nang Kham');
		await user.type(screen.getByTestId('case-subject-birth-date'), '2014-03-02');
		await user.click(screen.getByTestId('case-concern-trafficking'));
		await user.selectOptions(screen.getByTestId('case-risk'), 'high');
		await user.selectOptions(screen.getByTestId('case-level'), 'district');
		await user.click(screen.getByTestId('case-new-submit'));

		const panel = await screen.findByTestId('case-duplicates');
		expect(core.callsTo('case_duplicates')[0].args).toEqual({ name: 'Nang Kham', birthYear: 2014 });
		expect(within(panel).getAllByTestId('case-duplicate')).toHaveLength(1);
		expect(panel).toHaveTextContent('Nang Kham');
		expect(screen.queryByTestId('case-new-error')).not.toBeInTheDocument();
		expect(screen.queryByTestId('case-file')).not.toBeInTheDocument();

		await user.click(screen.getByTestId('case-duplicates-continue'));
		expect(await screen.findByTestId('case-file')).toHaveAttribute('data-case-id', 'c-10');
		const calls = core.callsTo('case_create');
		expect(calls).toHaveLength(2);
		expect(sentCase(calls[1])).toEqual({ ...sentCase(calls[0]), duplicatesReviewed: true });
	});

	it('opens a possible duplicate instead', async () => {
		const { core, user } = await openCases(ALL_PERMISSIONS, {
			case_create: () => fail('conflict', { field: 'duplicates_reviewed' }),
			case_duplicates: () => [caseSummary({ id: 'c-1' })]
		});
		await user.click(screen.getByTestId('case-new-open'));
		await user.type(screen.getByTestId('case-subject-name'), 'Nang Kham');
		await user.click(screen.getByTestId('case-new-submit'));
		await user.click(await screen.findByTestId('case-duplicate-open'));
		expect(await screen.findByTestId('case-file')).toHaveAttribute('data-case-id', 'c-1');
		expect(core.callsTo('case_open')[0].args).toEqual({ caseId: 'c-1' });
		expect(core.callsTo('case_duplicates')[0].args).toEqual({ name: 'Nang Kham', birthYear: null });
	});
});

describe('case view', () => {
	it('shows the case as the core answered it, with the timeline in words', async () => {
		await openCase();

		expect(screen.getByTestId('case-subject-shown')).toHaveTextContent('Nang Kham');
		expect(screen.getByTestId('case-status')).toHaveTextContent('Assessment');
		expect(screen.getByTestId('case-level-shown')).toHaveTextContent('District');
		expect(screen.getByTestId('case-risk-shown')).toHaveTextContent('High');
		expect(screen.queryByTestId('case-outcome')).not.toBeInTheDocument();
		expect(screen.getByTestId('case-concerns')).toHaveTextContent('Trafficking');
		const people = screen.getAllByTestId('case-person');
		expect(people[0]).toHaveTextContent('Stateless');
		expect(people[0]).toHaveTextContent('Shan, Thai');
		expect(people[0]).toHaveTextContent('Ban Pa Sak');
		expect(people[1]).toHaveTextContent('Guardian');
		expect(people[1]).toHaveTextContent('aunt');
		expect(screen.getByTestId('case-members')).toHaveTextContent('Malee Srisuk');
		expect(screen.getByTestId('case-members')).toHaveTextContent('Support');

		const note = screen.getByTestId('case-note');
		expect(note).toHaveAttribute('data-section', 'social');
		expect(within(note).getByTestId('case-note-body').textContent).toBe(
			'Met Kham at the shelter.\nShe asked to call her aunt.'
		);
		const items = within(screen.getByTestId('case-timeline')).getAllByTestId('timeline-item');
		expect(items.map((item) => item.getAttribute('data-kind'))).toEqual(['note', 'status', 'created']);
		expect(items[0]).toHaveTextContent('Social: Met Kham at the shelter.');
		expect(items[0]).not.toHaveTextContent('She asked');
		expect(items[1]).toHaveTextContent('Status: Intake → Assessment');
		expect(items[2]).toHaveTextContent('Case opened');
	});

	it('offers only the sections the core says this member sees, for notes and attachments', async () => {
		const after = caseFile({
			notes: [
				{
					id: 'n-2',
					section: 'general',
					body: 'Called the aunt.',
					authorId: 'm-1',
					authorName: 'Somchai Jaidee',
					createdAt: '2026-11-21T04:00:00.000Z',
					editedAt: null,
					mayChange: true
				},
				...caseFile().notes
			]
		});
		const { core, user } = await openCase(ALL_PERMISSIONS, { case_note_add: () => after });

		expect(optionValues(screen.getByTestId('note-section'))).toEqual(['social', 'general']);
		expect(optionValues(screen.getByTestId('attachment-section'))).toEqual(['social', 'general']);

		await user.selectOptions(screen.getByTestId('note-section'), 'general');
		await user.type(screen.getByTestId('note-body'), 'Called the aunt.');
		await user.click(screen.getByTestId('note-add-submit'));

		await waitFor(() => expect(screen.getAllByTestId('case-note')).toHaveLength(2));
		expect(core.callsTo('case_note_add')[0].args).toEqual({
			note: { caseId: 'c-1', section: 'general', body: 'Called the aunt.' }
		});
		expect(screen.getByTestId('note-body')).toHaveValue('');
		// The choice stays for the next note.
		expect(screen.getByTestId('note-section')).toHaveValue('general');
	});

	it('a health officer’s case file offers the health section', async () => {
		await openCase(ALL_PERMISSIONS, {
			case_open: () => caseFile({ sections: ['health', 'general'] })
		});
		expect(optionValues(screen.getByTestId('note-section'))).toEqual(['health', 'general']);
		expect(optionValues(screen.getByTestId('attachment-section'))).toEqual(['health', 'general']);
	});

	it('changes the status and shows the case the core answers', async () => {
		const { core, user } = await openCase(ALL_PERMISSIONS, {
			case_status_set: () => caseFile({}, { status: 'plan' })
		});
		expect(optionValues(screen.getByTestId('case-status-select'))).toEqual([
			'intake',
			'assessment',
			'plan',
			'in_progress'
		]);
		await user.selectOptions(screen.getByTestId('case-status-select'), 'plan');
		await user.click(screen.getByTestId('case-status-save'));
		await waitFor(() => expect(screen.getByTestId('case-status')).toHaveTextContent('Plan'));
		expect(core.callsTo('case_status_set')[0].args).toEqual({ caseId: 'c-1', status: 'plan' });
	});

	it('closing without an outcome shows the core’s error; with cases.approve it closes at once', async () => {
		const { core, user } = await openCase(ALL_PERMISSIONS, {
			case_close: (args) => {
				const request = args.request as { outcome: string | null };
				return request.outcome === null
					? fail('invalid', { field: 'outcome', message: 'is required to close a case' })
					: caseFile({}, { status: 'closed', outcome: 'resolved_district' });
			}
		});

		expect(screen.getByTestId('case-close-open')).toHaveTextContent('Close the case');
		await user.click(screen.getByTestId('case-close-open'));
		expect(screen.getByTestId('case-close-outcome')).toHaveValue('');
		await user.click(screen.getByTestId('case-close-submit'));

		const error = await screen.findByTestId('case-close-error');
		expect(error).toHaveTextContent('Please check “Outcome”');
		expect(error).toHaveTextContent('is required to close a case');
		expect(screen.getByTestId('case-close-outcome')).toHaveAttribute('aria-invalid', 'true');
		expect(core.callsTo('case_close')[0].args).toEqual({ request: { caseId: 'c-1', outcome: null } });

		await user.selectOptions(screen.getByTestId('case-close-outcome'), 'resolved_district');
		await user.click(screen.getByTestId('case-close-submit'));
		expect(await screen.findByTestId('case-outcome')).toHaveTextContent('Resolved at district level');
		expect(screen.getByTestId('case-status')).toHaveTextContent('Closed');
		expect(screen.queryByTestId('case-close-open')).not.toBeInTheDocument();
		expect(screen.queryByTestId('case-status-select')).not.toBeInTheDocument();
		expect(screen.getByTestId('case-reopen')).toBeInTheDocument();
	});

	it('without cases.approve, closing asks a lead; the request shows without approve or decline', async () => {
		const { core, user } = await openCase(['cases.create'], {
			case_close: () => caseFile({}, { closeRequested: 'referred_agency' })
		});

		expect(screen.getByTestId('case-close-open')).toHaveTextContent('Ask a lead to close the case');
		await user.click(screen.getByTestId('case-close-open'));
		expect(screen.getByTestId('case-close-submit')).toHaveTextContent('Send the request');
		await user.selectOptions(screen.getByTestId('case-close-outcome'), 'referred_agency');
		await user.click(screen.getByTestId('case-close-submit'));

		const banner = await screen.findByTestId('case-close-requested');
		expect(banner).toHaveTextContent('Referred to an agency');
		expect(screen.queryByTestId('case-close-approve')).not.toBeInTheDocument();
		expect(screen.queryByTestId('case-close-decline')).not.toBeInTheDocument();
		expect(core.callsTo('case_close')[0].args).toEqual({
			request: { caseId: 'c-1', outcome: 'referred_agency' }
		});
	});

	it('with cases.approve, a requested closure can be approved or declined', async () => {
		const { core, user } = await openCase(ALL_PERMISSIONS, {
			case_open: () => caseFile({}, { closeRequested: 'resolved_district' }),
			case_closure_decide: (args) =>
				args.approve
					? caseFile({}, { status: 'closed', outcome: 'resolved_district' })
					: caseFile()
		});

		expect(screen.getByTestId('case-close-requested')).toHaveTextContent('Resolved at district level');
		await user.click(screen.getByTestId('case-close-decline'));
		await waitFor(() => expect(screen.queryByTestId('case-close-requested')).not.toBeInTheDocument());
		expect(core.callsTo('case_closure_decide')[0].args).toEqual({ caseId: 'c-1', approve: false });
	});

	it('approving closes the case, and a lead may reopen it', async () => {
		const { core, user } = await openCase(ALL_PERMISSIONS, {
			case_open: () => caseFile({}, { closeRequested: 'resolved_district' }),
			case_closure_decide: () => caseFile({}, { status: 'closed', outcome: 'resolved_district' }),
			case_reopen: () => caseFile({}, { status: 'in_progress' })
		});

		await user.click(screen.getByTestId('case-close-approve'));
		expect(await screen.findByTestId('case-outcome')).toHaveTextContent('Resolved at district level');
		expect(core.callsTo('case_closure_decide')[0].args).toEqual({ caseId: 'c-1', approve: true });

		await user.click(screen.getByTestId('case-reopen'));
		await waitFor(() => expect(screen.getByTestId('case-status')).toHaveTextContent('In progress'));
		expect(core.callsTo('case_reopen')[0].args).toEqual({ caseId: 'c-1' });
	});

	it('offers changing members to the case lead or with cases.oversee only', async () => {
		const { core, user } = await openCase(ALL_PERMISSIONS, {
			case_member_change: () =>
				fail('invalid', {
					field: 'responsibility',
					message: 'this member is the case’s only lead; make someone else its lead first'
				})
		});
		await waitFor(() => expect(optionValues(screen.getByTestId('case-member-select'))).toContain('m-3'));
		await user.selectOptions(screen.getByTestId('case-member-select'), 'm-1');
		expect(screen.getByTestId('case-member-responsibility')).toHaveValue('lead');
		await user.selectOptions(screen.getByTestId('case-member-responsibility'), '');
		await user.click(screen.getByTestId('case-member-submit'));
		expect(await screen.findByTestId('case-member-error')).toHaveTextContent('only lead');
		expect(core.callsTo('case_member_change')[0].args).toEqual({
			change: { caseId: 'c-1', memberId: 'm-1', responsibility: null }
		});
	});

	it('hides the member form from a supporting member without cases.oversee', async () => {
		await openCase(['cases.create'], {
			case_open: () => caseFile({}, { myResponsibility: 'support' })
		});
		expect(screen.getByTestId('case-members')).toBeInTheDocument();
		expect(screen.queryByTestId('case-member-select')).not.toBeInTheDocument();
	});

	it('refers with what was typed and shows the core’s refusal by the agency', async () => {
		const referred = caseFile({
			referrals: [
				{
					id: 'r-1',
					section: 'general',
					fromLevel: 'district',
					fromAgencyId: null,
					toLevel: 'province',
					toAgencyId: 'a-2',
					reason: 'Needs a shelter in the province.',
					referredOn: '2026-11-27',
					status: 'sent',
					outcome: null,
					consentOverrideReason: 'Immediate danger to the child.',
					createdBy: 'm-1'
				}
			]
		});
		let refuse = true;
		const { core, user } = await openCase(ALL_PERMISSIONS, {
			case_refer: () =>
				refuse
					? fail('invalid', {
							field: 'to_agency_id',
							message: 'the person has not agreed to share with this agency'
						})
					: referred,
			case_referral_update: () => referred
		});

		await user.click(screen.getByTestId('referral-open'));
		await waitFor(() => expect(optionValues(screen.getByTestId('referral-to-agency'))).toEqual(['', 'a-1', 'a-2']));
		await user.selectOptions(screen.getByTestId('referral-to-level'), 'province');
		await user.selectOptions(screen.getByTestId('referral-to-agency'), 'a-2');
		await user.type(screen.getByTestId('referral-reason'), 'Needs a shelter in the province.');
		await user.clear(screen.getByTestId('referral-date'));
		await user.type(screen.getByTestId('referral-date'), '2026-11-27');
		await user.click(screen.getByTestId('referral-submit'));

		const error = await screen.findByTestId('referral-error');
		expect(error).toHaveTextContent('Please check “Agency referred to”');
		expect(screen.getByTestId('referral-to-agency')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.getByTestId('referral-to-agency').closest('.field')?.nextElementSibling).toBe(error);

		refuse = false;
		await user.type(screen.getByTestId('referral-override-reason'), 'Immediate danger to the child.');
		await user.click(screen.getByTestId('referral-submit'));
		const referral = await screen.findByTestId('case-referral');
		expect(core.callsTo('case_refer')[1].args).toEqual({
			referral: {
				caseId: 'c-1',
				section: 'general',
				toLevel: 'province',
				toAgencyId: 'a-2',
				reason: 'Needs a shelter in the province.',
				referredOn: '2026-11-27',
				consentOverrideReason: 'Immediate danger to the child.'
			}
		});
		expect(referral).toHaveTextContent('District → Province');
		expect(referral).toHaveTextContent('Mae Sai Police Station');
		expect(referral).toHaveTextContent('27 Nov 2026');
		expect(referral).toHaveTextContent('Immediate danger to the child.');

		await user.selectOptions(within(referral).getByTestId('referral-status'), 'accepted');
		await user.click(within(referral).getByTestId('referral-status-save'));
		await waitFor(() => expect(core.callsTo('case_referral_update')).toHaveLength(1));
		expect(core.callsTo('case_referral_update')[0].args).toEqual({
			update: { caseId: 'c-1', referralId: 'r-1', status: 'accepted', outcome: null }
		});
	});

	it('records consent with the agencies ticked', async () => {
		const { core, user } = await openCase(ALL_PERMISSIONS, {
			case_consent_record: () =>
				caseFile({
					consents: [
						{
							id: 'k-1',
							givenBy: 'guardian',
							services: true,
							reporting: false,
							shareWith: ['a-1'],
							givenOn: '2026-11-26',
							recordedBy: 'm-1'
						}
					]
				})
		});

		await user.click(screen.getByTestId('consent-open'));
		await user.selectOptions(screen.getByTestId('consent-given-by'), 'guardian');
		await user.click(screen.getByTestId('consent-services'));
		await user.click(await screen.findByTestId('consent-share-a-1'));
		await user.clear(screen.getByTestId('consent-date'));
		await user.type(screen.getByTestId('consent-date'), '2026-11-26');
		await user.click(screen.getByTestId('consent-submit'));

		const consent = await screen.findByTestId('case-consent');
		expect(core.callsTo('case_consent_record')[0].args).toEqual({
			consent: {
				caseId: 'c-1',
				givenBy: 'guardian',
				services: true,
				reporting: false,
				shareWith: ['a-1'],
				givenOn: '2026-11-26'
			}
		});
		expect(consent).toHaveTextContent('Given by: The guardian (26 Nov 2026)');
		expect(consent).toHaveTextContent('Chiang Rai Social Development Office');
		expect(consent).toHaveTextContent('Somchai Jaidee');
	});

	it('attaches a file as base64 and shows a photo when opened', async () => {
		const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
		const withPhoto = caseFile({
			attachments: [
				{
					id: 'f-1',
					section: 'general',
					fileName: 'photo.png',
					mediaType: 'image/png',
					size: 2048,
					createdAt: '2026-11-27T04:00:00.000Z',
					addedBy: 'm-1',
					mayChange: true
				}
			]
		});
		const { core, user } = await openCase(ALL_PERMISSIONS, {
			case_attachment_add: () => withPhoto,
			case_attachment_get: () => ({ fileName: 'photo.png', mediaType: 'image/png', contentBase64: 'iVBORw0KGgo=' })
		});

		await user.selectOptions(screen.getByTestId('attachment-section'), 'general');
		await user.upload(screen.getByTestId('attachment-file'), new File([png], 'photo.png', { type: 'image/png' }));
		await user.click(screen.getByTestId('attachment-add-submit'));

		const item = await screen.findByTestId('case-attachment');
		expect(core.callsTo('case_attachment_add')[0].args).toEqual({
			attachment: { caseId: 'c-1', section: 'general', fileName: 'photo.png', contentBase64: 'iVBORw0KGgo=' }
		});
		expect(item).toHaveTextContent('photo.png');
		expect(item).toHaveTextContent('General');
		expect(item).toHaveTextContent('2.0 KB');

		await user.click(within(item).getByTestId('case-attachment-open'));
		const image = await screen.findByTestId('attachment-preview-image');
		expect(image).toHaveAttribute('src', 'data:image/png;base64,iVBORw0KGgo=');
		expect(core.callsTo('case_attachment_get')[0].args).toEqual({ attachmentId: 'f-1' });
		await user.click(screen.getByTestId('attachment-preview-close'));
		expect(screen.queryByTestId('attachment-preview')).not.toBeInTheDocument();
	});

	it('offers a PDF as a download, and revokes its link when the vault locks', async () => {
		const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:ruam/pdf-1');
		const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
		const { user } = await openCase(ALL_PERMISSIONS, {
			case_open: () =>
				caseFile({
					attachments: [
						{
							id: 'f-2',
							section: 'social',
							fileName: 'report.pdf',
							mediaType: 'application/pdf',
							size: 3 * 1048576,
							createdAt: '2026-11-27T04:00:00.000Z',
							addedBy: 'm-2',
							mayChange: false
						}
					]
				}),
			case_attachment_get: () => ({ fileName: 'report.pdf', mediaType: 'application/pdf', contentBase64: 'JVBERi0=' })
		});

		const item = screen.getByTestId('case-attachment');
		expect(item).toHaveTextContent('3.0 MB');
		await user.click(within(item).getByTestId('case-attachment-open'));
		const link = await screen.findByTestId('attachment-download');
		expect(link).toHaveAttribute('href', 'blob:ruam/pdf-1');
		expect(link).toHaveAttribute('download', 'report.pdf');
		expect(created).toHaveBeenCalledTimes(1);

		await user.click(screen.getByTestId('lock'));
		expect(await screen.findByTestId('lock-screen')).toBeInTheDocument();
		expect(revoked).toHaveBeenCalledWith('blob:ruam/pdf-1');
	});

	it('back goes to the list, which is asked for again', async () => {
		const { core, user } = await openCase();
		await user.click(screen.getByTestId('case-back'));
		expect(await screen.findAllByTestId('case-row')).toHaveLength(2);
		expect(screen.queryByTestId('case-file')).not.toBeInTheDocument();
		expect(core.callsTo('case_list')).toHaveLength(2);
	});
});

describe('case data and the lock', () => {
	it('clearAll wipes the list, the search hits and the open case', async () => {
		const { user } = await openCases(ALL_PERMISSIONS, {
			case_search: () => [
				{ caseId: 'c-1', subjectName: 'Nang Kham', section: 'social', source: 'note', snippet: '«shelter»' }
			]
		});
		await user.type(screen.getByTestId('case-search-input'), 'shelter{Enter}');
		await screen.findByTestId('case-search-hit');
		expect(screen.getAllByTestId('case-row')).toHaveLength(2);

		clearAll();
		await settle();
		expect(screen.queryByTestId('case-row')).not.toBeInTheDocument();
		expect(screen.queryByTestId('case-search-hit')).not.toBeInTheDocument();
		expect(screen.getByTestId('case-search-input')).toHaveValue('');
		expect(document.body).not.toHaveTextContent('Nang Kham');
		expect(document.body).not.toHaveTextContent('Somsri Boonmee');
	});

	it('clearAll closes the open case', async () => {
		await openCase();
		expect(document.body).toHaveTextContent('Met Kham at the shelter.');
		clearAll();
		await settle();
		expect(screen.queryByTestId('case-file')).not.toBeInTheDocument();
		expect(document.body).not.toHaveTextContent('Nang Kham');
		expect(document.body).not.toHaveTextContent('Met Kham at the shelter.');
	});

	it('drops a case that arrives after the vault data was wiped', async () => {
		const late = deferred<CaseFile>();
		const { user } = await openCases(ALL_PERMISSIONS, { case_open: () => late.promise });
		const rows = await screen.findAllByTestId('case-row');
		await user.click(within(rows[0]).getByRole('button'));

		// Wiped while the view is still there (the lock screen comes right after).
		clearAll();
		late.resolve(caseFile());
		await settle();
		expect(screen.queryByTestId('case-file')).not.toBeInTheDocument();
		expect(document.body).not.toHaveTextContent('Nang Kham');
	});

	it('on the core’s lock event, the open case goes with the rest', async () => {
		const { core } = await openCase();
		await core.emit('vault-locked', { reason: 'idle' });
		expect(await screen.findByTestId('lock-screen')).toBeInTheDocument();
		expect(document.body).not.toHaveTextContent('Nang Kham');
		expect(document.body).not.toHaveTextContent('Met Kham at the shelter.');
	});

	it('drops search hits that arrive after the vault data was wiped', async () => {
		const late = deferred<unknown>();
		const { user } = await openCases(ALL_PERMISSIONS, { case_search: () => late.promise });
		await user.type(screen.getByTestId('case-search-input'), 'shelter{Enter}');

		clearAll();
		late.resolve([
			{ caseId: 'c-1', subjectName: 'Nang Kham', section: 'social', source: 'note', snippet: '«shelter»' }
		]);
		await settle();
		expect(screen.queryByTestId('case-search-hit')).not.toBeInTheDocument();
		expect(document.body).not.toHaveTextContent('Nang Kham');
	});

	it('a late list after clearAll does not come back', async () => {
		const late = deferred<unknown>();
		installBackend({
			vault_status: () => status('unlocked', { member }),
			case_list: () => late.promise
		});
		render(App);
		await screen.findByTestId('section-cases');
		clearAll();
		late.resolve({ cases: [caseSummary()], next: null });
		await settle();
		expect(screen.queryByTestId('case-row')).not.toBeInTheDocument();
	});
});

describe('case words', () => {
	const t = (): Translate => get(_) as Translate;
	const item = (kind: string, summary: string, section: TimelineItem['section'] = null): TimelineItem => ({
		at: '2026-11-20T04:00:00.000Z',
		kind,
		section,
		summary,
		actorName: null
	});

	it('phrase every event of the timeline', () => {
		const say = (kind: string, summary: string) => describeTimeline(item(kind, summary), t());
		expect(say('closed', '{"outcome":"resolved_district"}')).toBe('Closed: Resolved at district level');
		expect(say('close_requested', '{"outcome":"referred_agency"}')).toBe('Closure requested: Referred to an agency');
		expect(say('close_declined', '{"outcome":"transferred"}')).toBe('Closure declined: Transferred');
		expect(say('reopened', '{}')).toBe('Case reopened');
		expect(say('member', '{"member":"Malee Srisuk","responsibility":"support"}')).toBe(
			'On the case: Malee Srisuk (Support)'
		);
		expect(say('member', '{"member":"Malee Srisuk","responsibility":null}')).toBe(
			'Taken off the case: Malee Srisuk'
		);
		expect(say('level', '{"from":"district","to":"province"}')).toBe('Level: District → Province');
		expect(say('consent', '{"given_by":"guardian"}')).toBe('Consent recorded, given by: The guardian');
		expect(say('referral', '{"from":"district","to":"province","status":"sent"}')).toBe(
			'Referral: District → Province (Sent)'
		);
		expect(say('something_new', 'as recorded')).toBe('something_new: as recorded');
	});

	it('split a snippet at its marks', () => {
		expect(snippetParts('a «b» c «d»')).toEqual([
			{ text: 'a ', match: false },
			{ text: 'b', match: true },
			{ text: ' c ', match: false },
			{ text: 'd', match: true }
		]);
		expect(snippetParts('«open')).toEqual([{ text: 'open', match: true }]);
		expect(snippetParts('plain')).toEqual([{ text: 'plain', match: false }]);
	});

	it('speak Thai, with Buddhist-era dates', async () => {
		installBackend({
			vault_status: () => status('unlocked', {}, { language: 'th' }),
			team_overview: () => team(),
			case_list: () => ({ cases: [caseSummary()], next: null }),
			case_open: () =>
				caseFile({
					referrals: [
						{
							id: 'r-1',
							section: 'general',
							fromLevel: 'village',
							fromAgencyId: null,
							toLevel: 'district',
							toAgencyId: null,
							reason: 'ต้องการที่พักพิง',
							referredOn: '2026-11-27',
							status: 'sent',
							outcome: null,
							consentOverrideReason: null,
							createdBy: 'm-1'
						}
					]
				})
		});
		const user = userEvent.setup();
		render(App);
		const row = await screen.findByTestId('case-row');
		expect(row).toHaveTextContent('การค้ามนุษย์');
		expect(row).toHaveTextContent('การแสวงประโยชน์จากแรงงาน');
		expect(row).toHaveTextContent('อำเภอ');
		await user.click(within(row).getByRole('button'));
		await screen.findByTestId('case-file');
		expect(screen.getByTestId('case-level-shown')).toHaveTextContent('อำเภอ');
		expect(screen.getAllByTestId('case-person')[0]).toHaveTextContent('ไร้สัญชาติ');
		expect(screen.getAllByTestId('case-person')[0]).toHaveTextContent('พ.ศ. 2557');
		const referral = screen.getByTestId('case-referral');
		expect(referral).toHaveTextContent('จากหมู่บ้าน ไปอำเภอ');
		expect(referral).toHaveTextContent('2569');
		expect(referral).not.toHaveTextContent('2026');
		expect(screen.getAllByTestId('timeline-item')[1]).toHaveTextContent('สถานะ: รับแจ้งเรื่อง → ประเมินสภาพปัญหา');
	});
});
