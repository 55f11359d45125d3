import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type {
	AgendaItem,
	Committee,
	MeetingSummary,
	MeetingView,
	Permission,
	ReviewedCase
} from '$lib/ipc';
import { ALL_PERMISSIONS, caseFile, caseSummary, fail, installBackend, status, type Handler } from './backend';

/** A case worker: no `team.manage`. */
const WORKER: Permission[] = ['cases.create', 'funds.request'];

function committee(overrides: Partial<Committee> = {}): Committee {
	return {
		id: 'co-1',
		name: 'District child protection committee',
		kind: 'committee',
		frequency: 'monthly',
		chairId: 'm-1',
		memberIds: ['m-1', 'm-2'],
		handoverNote: null,
		...overrides
	};
}

function summary(overrides: Partial<MeetingSummary> = {}): MeetingSummary {
	return {
		id: 'mt-1',
		committeeId: 'co-1',
		committeeName: 'District child protection committee',
		startsAt: '2026-12-10T09:30',
		minutesLong: 90,
		place: 'Mae Sai District Office',
		status: 'planned',
		...overrides
	};
}

function review(overrides: Partial<ReviewedCase> = {}): ReviewedCase {
	return {
		caseId: 'c-1',
		subjectName: 'Nang Kham',
		minutes: null,
		minutesSection: null,
		minutesWritten: false,
		...overrides
	};
}

/** A case review the reader may not see, as the core sends it: nothing of the case. */
const HIDDEN: ReviewedCase = {
	caseId: null,
	subjectName: null,
	minutes: null,
	minutesSection: null,
	minutesWritten: true
};

function item(overrides: Partial<AgendaItem> = {}): AgendaItem {
	return { id: 'it-1', position: 0, kind: 'topic', title: 'Shelter places for the dry season', review: null, ...overrides };
}

function meetingView(overrides: Partial<MeetingView> = {}, summaryOverrides: Partial<MeetingSummary> = {}): MeetingView {
	return {
		summary: summary(summaryOverrides),
		attendees: [
			{ memberId: 'm-1', attendance: 'invited' },
			{ memberId: 'm-2', attendance: 'invited' }
		],
		agenda: [item(), item({ id: 'it-2', position: 1, kind: 'case_review', title: null, review: review() })],
		minutes: null,
		decisions: [],
		actionItems: [],
		mayRun: true,
		...overrides
	};
}

/** Lets every pending promise and re-render run. */
async function settle() {
	for (let round = 0; round < 5; round++) await new Promise((resolve) => setTimeout(resolve, 0));
}

async function openMeetings(handlers: Record<string, Handler> = {}, permissions: Permission[] = ALL_PERMISSIONS) {
	const core = installBackend({
		vault_status: () => status('unlocked', { permissions }),
		committee_list: () => [committee()],
		meeting_list: (args) => (args.upcoming ? [] : [summary()]),
		meeting_get: () => meetingView(),
		case_list: () => ({ cases: [caseSummary()], next: null }),
		...handlers
	});
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-meetings'));
	await screen.findByTestId('meetings');
	return { core, user };
}

/** Opens the meeting of the list's first row. */
async function openMeeting(handlers: Record<string, Handler> = {}, permissions: Permission[] = ALL_PERMISSIONS) {
	const opened = await openMeetings(handlers, permissions);
	const [row] = await screen.findAllByTestId('meeting-row');
	await opened.user.click(within(row).getByRole('button'));
	await screen.findByTestId('meeting-view');
	return opened;
}

describe('meetings', () => {
	it('lists the committees and the meetings, the latest first, and the meetings to come on asking', async () => {
		const { core, user } = await openMeetings({
			committee_list: () => [
				committee(),
				committee({ id: 'co-2', name: 'Village working group', kind: 'working_group', frequency: 'as_needed', chairId: null, memberIds: ['m-2'] })
			],
			meeting_list: (args) =>
				args.upcoming
					? [summary({ id: 'mt-3', startsAt: '2027-01-14T13:00' })]
					: [summary({ id: 'mt-2', startsAt: '2026-12-20T10:00', status: 'held' }), summary()]
		});

		const committees = screen.getAllByTestId('committee-row');
		expect(committees).toHaveLength(2);
		expect(committees[0]).toHaveTextContent('District child protection committee');
		expect(committees[0]).toHaveTextContent('Committee');
		expect(committees[0]).toHaveTextContent('Monthly');
		expect(committees[0]).toHaveTextContent('Somchai Jaidee');
		expect(committees[0]).toHaveTextContent('2 members');
		expect(committees[1]).toHaveTextContent('Working group');
		expect(committees[1]).toHaveTextContent('When needed');
		expect(committees[1]).toHaveTextContent('No chair');
		expect(committees[1]).toHaveTextContent('1 member');

		// As the core ordered them (all: the latest first).
		expect(core.callsTo('meeting_list').at(-1)?.args).toEqual({ upcoming: false });
		const rows = screen.getAllByTestId('meeting-row');
		expect(rows.map((row) => row.dataset.meetingId)).toEqual(['mt-2', 'mt-1']);
		expect(rows[0]).toHaveTextContent('20 Dec 2026, 10:00');
		expect(rows[0]).toHaveTextContent('Held');
		expect(rows[1]).toHaveTextContent('10 Dec 2026, 09:30');
		expect(rows[1]).toHaveTextContent('Mae Sai District Office');
		expect(rows[1]).toHaveTextContent('Planned');

		await user.click(screen.getByTestId('meeting-upcoming'));
		await waitFor(() => expect(core.callsTo('meeting_list').at(-1)?.args).toEqual({ upcoming: true }));
		await waitFor(() => expect(screen.getAllByTestId('meeting-row').map((row) => row.dataset.meetingId)).toEqual(['mt-3']));
	});

	it('shows the note the last chair left when they handed a committee over', async () => {
		await openMeetings({
			committee_list: () => [
				committee({ handoverNote: 'The December meeting moves to the district office' }),
				committee({ id: 'co-2', name: 'Village working group', kind: 'working_group' })
			]
		});
		const [handed, other] = screen.getAllByTestId('committee-row');
		expect(within(handed).getByTestId('committee-handover-note')).toHaveTextContent(
			'Handover note from the last chair: The December meeting moves to the district office'
		);
		expect(within(other).queryByTestId('committee-handover-note')).not.toBeInTheDocument();
	});

	it('plans a meeting with its agenda, sending what the core takes, and opens it', async () => {
		const planned = meetingView({}, { id: 'mt-9', startsAt: '2026-12-15T13:30', minutesLong: 120, place: 'Wiang Phang Kham health centre' });
		const { core, user } = await openMeetings({
			committee_list: () => [committee(), committee({ id: 'co-2', name: 'Village working group', memberIds: ['m-1'] })],
			meeting_plan: () => planned
		});

		await user.click(screen.getByTestId('meeting-plan-open'));
		expect(document.activeElement).toBe(screen.getByTestId('meeting-committee'));
		await user.selectOptions(screen.getByTestId('meeting-committee'), 'co-2');
		await fireEvent.input(screen.getByTestId('meeting-starts-at'), { target: { value: '2026-12-15T13:30' } });
		expect(screen.getByTestId('meeting-minutes-long')).toHaveValue(90);
		await user.clear(screen.getByTestId('meeting-minutes-long'));
		await user.type(screen.getByTestId('meeting-minutes-long'), '120');
		await user.type(screen.getByTestId('meeting-place'), 'Wiang Phang Kham health centre');
		// A topic, added with Enter (not the whole meeting sent), then a case review.
		await user.type(screen.getByTestId('agenda-topic'), 'Shelter places{Enter}');
		expect(core.callsTo('meeting_plan')).toHaveLength(0);
		await waitFor(() => expect(screen.getByTestId('agenda-case')).toHaveTextContent('Nang Kham'));
		// Every case the planner may see is offered, not only their own.
		expect(core.callsTo('case_list').at(-1)?.args).toEqual({ mineOnly: false, after: null });
		await user.selectOptions(screen.getByTestId('agenda-case'), 'c-1');
		await user.click(screen.getByTestId('agenda-case-add'));
		const lines = screen.getAllByTestId('agenda-line');
		expect(lines[0]).toHaveTextContent('Shelter places');
		expect(lines[1]).toHaveTextContent('Case review: Nang Kham');

		await user.click(screen.getByTestId('meeting-plan-submit'));

		await waitFor(() => expect(core.callsTo('meeting_plan')).toHaveLength(1));
		expect(core.callsTo('meeting_plan')[0].args).toEqual({
			meeting: {
				committeeId: 'co-2',
				startsAt: '2026-12-15T13:30',
				minutesLong: 120,
				place: 'Wiang Phang Kham health centre',
				agenda: [
					{ title: 'Shelter places', caseId: null },
					{ title: null, caseId: 'c-1' }
				]
			}
		});
		const view = await screen.findByTestId('meeting-view');
		expect(view).toHaveAttribute('data-meeting-id', 'mt-9');
		expect(document.activeElement).toBe(screen.getByTestId('meeting-title'));
		expect(screen.getByTestId('meeting-when')).toHaveTextContent('15 Dec 2026, 13:30');
		expect(screen.getByTestId('meeting-when')).toHaveTextContent('120 minutes');
	});

	it('shows the field the core refuses in a plan next to it, and focuses it', async () => {
		const { user } = await openMeetings({
			meeting_plan: () => fail('invalid', { field: 'starts_at', message: '“” is not a day and time (YYYY-MM-DDTHH:MM)' })
		});
		await user.click(screen.getByTestId('meeting-plan-open'));
		await user.type(screen.getByTestId('meeting-place'), 'District office');
		await user.click(screen.getByTestId('meeting-plan-submit'));

		const alert = await screen.findByTestId('meeting-plan-error');
		expect(alert).toHaveTextContent('Start time');
		expect(alert).toHaveTextContent('is not a day and time');
		expect(document.activeElement).toBe(screen.getByTestId('meeting-starts-at'));
		expect(screen.getByTestId('meeting-starts-at')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.getByTestId('meeting-starts-at')).toHaveAttribute('aria-describedby', 'meeting-plan-error');
	});

	it('asks for the length in digits before sending', async () => {
		const { core, user } = await openMeetings();
		await user.click(screen.getByTestId('meeting-plan-open'));
		await user.clear(screen.getByTestId('meeting-minutes-long'));
		await user.click(screen.getByTestId('meeting-plan-submit'));
		expect(await screen.findByText('Type the length in minutes, in digits.')).toBeInTheDocument();
		expect(document.activeElement).toBe(screen.getByTestId('meeting-minutes-long'));
		expect(core.callsTo('meeting_plan')).toHaveLength(0);
	});

	it('offers planning only to a committee’s members (or those who manage the team)', async () => {
		// A case worker on no committee: no plan, no committee form, the lists as for anyone.
		await openMeetings({ committee_list: () => [committee({ chairId: 'm-2', memberIds: ['m-2'] })] }, WORKER);
		expect(screen.getAllByTestId('committee-row')).toHaveLength(1);
		expect(screen.getAllByTestId('meeting-row')).toHaveLength(1);
		expect(screen.queryByTestId('meeting-plan-open')).not.toBeInTheDocument();
		expect(screen.queryByTestId('committee-add-open')).not.toBeInTheDocument();
		expect(screen.queryByTestId('committee-edit')).not.toBeInTheDocument();
	});

	it('offers a member of a committee to plan its meetings only', async () => {
		const { user } = await openMeetings(
			{
				committee_list: () => [
					committee({ chairId: 'm-2', memberIds: ['m-2'] }),
					committee({ id: 'co-2', name: 'Village working group', chairId: null, memberIds: ['m-1'] })
				]
			},
			WORKER
		);
		await user.click(screen.getByTestId('meeting-plan-open'));
		const options = within(screen.getByTestId('meeting-committee')).getAllByRole('option');
		expect(options.map((option) => option.textContent)).toEqual(['Village working group']);
	});

	it('adds a committee with its chair and members, for one who manages the team', async () => {
		const { core, user } = await openMeetings({
			committee_add: (args) => ({ id: 'co-5', ...(args.committee as object) })
		});
		await user.click(screen.getByTestId('committee-add-open'));
		expect(document.activeElement).toBe(screen.getByTestId('committee-name'));
		await user.type(screen.getByTestId('committee-name'), 'Provincial case conference');
		await user.selectOptions(screen.getByTestId('committee-kind'), 'working_group');
		await user.selectOptions(screen.getByTestId('committee-frequency'), 'quarterly');
		// Only the team's active members are offered (Anan left).
		await waitFor(() => expect(screen.getAllByTestId('committee-member')).toHaveLength(2));
		await user.selectOptions(screen.getByTestId('committee-chair'), 'm-2');
		const [somchai] = screen.getAllByTestId('committee-member');
		await user.click(somchai);
		await user.click(screen.getByTestId('committee-submit'));

		await waitFor(() => expect(core.callsTo('committee_add')).toHaveLength(1));
		expect(core.callsTo('committee_add')[0].args).toEqual({
			committee: {
				name: 'Provincial case conference',
				kind: 'working_group',
				frequency: 'quarterly',
				chairId: 'm-2',
				memberIds: ['m-1']
			}
		});
		const saved = await screen.findByTestId('committee-saved');
		expect(saved).toHaveTextContent('Provincial case conference was added.');
		expect(document.activeElement).toBe(saved);
	});

	it('edits a committee in the same form, and shows the field the core refuses', async () => {
		const { core, user } = await openMeetings({
			committee_update: () => fail('invalid', { field: 'member_ids', message: 'names someone who is not an active member' })
		});
		await user.click(screen.getByTestId('committee-edit'));
		expect(screen.getByTestId('committee-name')).toHaveValue('District child protection committee');
		await waitFor(() => expect(screen.getAllByTestId('committee-member')).toHaveLength(2));
		expect(screen.getAllByTestId('committee-member').map((box) => (box as HTMLInputElement).checked)).toEqual([true, true]);
		await user.click(screen.getAllByTestId('committee-member')[1]);
		await user.click(screen.getByTestId('committee-submit'));

		await waitFor(() => expect(core.callsTo('committee_update')).toHaveLength(1));
		expect(core.callsTo('committee_update')[0].args).toEqual({
			update: {
				id: 'co-1',
				committee: {
					name: 'District child protection committee',
					kind: 'committee',
					frequency: 'monthly',
					chairId: 'm-1',
					memberIds: ['m-1']
				}
			}
		});
		const alert = await screen.findByTestId('committee-error');
		expect(alert).toHaveTextContent('Members');
		expect(alert).toHaveTextContent('names someone who is not an active member');
		expect(document.activeElement).toBe(screen.getAllByTestId('committee-member')[0]);
	});

	it('shows a meeting with its header, and writes its .ics and PDF where the core says', async () => {
		const { core, user } = await openMeeting({
			meeting_ics_export: () => ({ path: '/home/somchai/Downloads/ruam-meeting-20261210.ics', entries: 1 }),
			meeting_pdf_export: () => ({ path: '/home/somchai/Downloads/ruam-minutes-20261210.pdf', entries: 1 })
		});
		expect(core.callsTo('meeting_get')[0].args).toEqual({ meetingId: 'mt-1' });
		expect(document.activeElement).toBe(screen.getByTestId('meeting-title'));
		expect(screen.getByTestId('meeting-title')).toHaveTextContent('District child protection committee');
		expect(screen.getByTestId('meeting-when')).toHaveTextContent('10 Dec 2026, 09:30');
		expect(screen.getByTestId('meeting-when')).toHaveTextContent('90 minutes');
		expect(screen.getByTestId('meeting-place-shown')).toHaveTextContent('Mae Sai District Office');
		expect(screen.getByTestId('meeting-status-shown')).toHaveTextContent('Planned');

		await user.click(screen.getByTestId('meeting-ics'));
		const exported = await screen.findByTestId('meeting-exported');
		expect(exported).toHaveTextContent('Saved to /home/somchai/Downloads/ruam-meeting-20261210.ics');
		expect(document.activeElement).toBe(exported);
		expect(core.callsTo('meeting_ics_export')[0].args).toEqual({ meetingId: 'mt-1' });

		await user.click(screen.getByTestId('meeting-pdf'));
		await waitFor(() =>
			expect(screen.getByTestId('meeting-exported')).toHaveTextContent('Saved to /home/somchai/Downloads/ruam-minutes-20261210.pdf')
		);
		expect(core.callsTo('meeting_pdf_export')[0].args).toEqual({ meetingId: 'mt-1' });

		// Back to the list, on the meeting's row.
		await user.click(screen.getByTestId('meeting-back'));
		const [row] = await screen.findAllByTestId('meeting-row');
		await waitFor(() => expect(document.activeElement).toBe(within(row).getByRole('button')));
	});

	it('shows a hidden case review only as a case reviewed, whoever runs the meeting', async () => {
		await openMeeting({
			meeting_get: () =>
				meetingView({
					agenda: [
						item(),
						item({ id: 'it-2', position: 1, kind: 'case_review', title: null, review: HIDDEN }),
						item({ id: 'it-3', position: 2, kind: 'case_review', title: null, review: { ...HIDDEN, minutesWritten: false } })
					]
				})
		});
		const items = screen.getAllByTestId('agenda-item');
		expect(items).toHaveLength(3);
		expect(items[0]).toHaveTextContent('Shelter places for the dry season');
		expect(items[1]).toHaveTextContent(/^A case you cannot see was reviewed · minutes written$/);
		expect(items[2]).toHaveTextContent(/^A case you cannot see was reviewed$/);
		for (const hidden of [items[1], items[2]]) {
			expect(within(hidden).queryByTestId('agenda-open-case')).not.toBeInTheDocument();
			expect(within(hidden).queryByTestId('review-minutes-form')).not.toBeInTheDocument();
			expect(within(hidden).queryByRole('button')).not.toBeInTheDocument();
		}
		// No board of a case the reader does not see is offered for an action item.
		const boards = within(screen.getByTestId('action-board')).getAllByRole('option');
		expect(boards.map((option) => option.textContent)).toEqual(["The team's board"]);
	});

	it('names a visible case review, opens its case, and shows its minutes when the reader sees them', async () => {
		const opened = caseFile();
		const { core, user } = await openMeeting({
			meeting_get: () =>
				meetingView({
					agenda: [
						item({ id: 'it-2', kind: 'case_review', title: null, review: review({ minutes: 'Kham goes back to school in January.', minutesSection: 'social', minutesWritten: true }) }),
						item({ id: 'it-3', position: 1, kind: 'case_review', title: null, review: review({ caseId: 'c-4', subjectName: 'Dek Chai', minutesWritten: true }) })
					]
				}),
			case_open: () => opened
		});
		const [kham, chai] = screen.getAllByTestId('agenda-item');
		expect(within(kham).getByTestId('agenda-case-name')).toHaveTextContent('Nang Kham');
		expect(within(kham).getByTestId('review-minutes')).toHaveTextContent('in the Social section of the case');
		expect(within(kham).getByTestId('review-minutes')).toHaveTextContent('Kham goes back to school in January.');
		expect(within(kham).queryByTestId('review-minutes-form')).not.toBeInTheDocument();
		// Written in a section the reader does not see: said, not shown.
		expect(within(chai).getByTestId('review-minutes-elsewhere')).toHaveTextContent('a section of the case you do not see');
		expect(within(chai).queryByTestId('review-minutes-form')).not.toBeInTheDocument();

		await user.click(within(kham).getByTestId('agenda-open-case'));

		expect(await screen.findByTestId('case-file')).toBeInTheDocument();
		expect(screen.getByTestId('nav-cases')).toHaveAttribute('aria-current', 'page');
		expect(core.callsTo('case_open')[0].args).toEqual({ caseId: 'c-1' });
	});

	it('writes a review’s minutes with the item, the section chosen and the text', async () => {
		const written = meetingView({
			agenda: [
				item(),
				item({
					id: 'it-2',
					position: 1,
					kind: 'case_review',
					title: null,
					review: review({ minutes: 'Refer to the district hospital.', minutesSection: 'health', minutesWritten: true })
				})
			]
		});
		const { core, user } = await openMeeting({ meeting_review_minutes: () => written });
		const form = screen.getByTestId('review-minutes-form');
		expect(form).toHaveTextContent(
			'The minutes are kept as a note on the case, in this section, seen only by those who see that section.'
		);
		const sections = within(form).getByTestId('review-minutes-section');
		expect(within(sections).getAllByRole('option').map((option) => option.textContent)).toEqual([
			'General',
			'Social',
			'Health',
			'Police'
		]);
		await user.selectOptions(sections, 'health');
		await user.type(within(form).getByTestId('review-minutes-body'), 'Refer to the district hospital.');
		await user.click(within(form).getByTestId('review-minutes-submit'));

		await waitFor(() => expect(core.callsTo('meeting_review_minutes')).toHaveLength(1));
		expect(core.callsTo('meeting_review_minutes')[0].args).toEqual({
			review: { itemId: 'it-2', section: 'health', body: 'Refer to the district hospital.' }
		});
		const minutes = await screen.findByTestId('review-minutes');
		expect(minutes).toHaveTextContent('in the Health section of the case');
		expect(minutes).toHaveTextContent('Refer to the district hospital.');
		expect(screen.queryByTestId('review-minutes-form')).not.toBeInTheDocument();
		expect(document.activeElement).toBe(minutes);
	});

	it('shows the core’s refusal of a review’s minutes, with the text kept and focused', async () => {
		const { user } = await openMeeting({
			meeting_review_minutes: () => fail('forbidden')
		});
		await user.type(screen.getByTestId('review-minutes-body'), 'Police to interview the aunt.');
		await user.selectOptions(screen.getByTestId('review-minutes-section'), 'police');
		await user.click(screen.getByTestId('review-minutes-submit'));
		const alert = await screen.findByTestId('review-minutes-error');
		expect(alert).toHaveAttribute('data-code', 'forbidden');
		expect(screen.getByTestId('review-minutes-body')).toHaveValue('Police to interview the aunt.');
		expect(document.activeElement).toBe(screen.getByTestId('review-minutes-body'));
	});

	it('adds an action item on a reviewed case’s board, sending the meeting and the card', async () => {
		const after = meetingView({
			actionItems: [
				{ cardId: 'k-7', title: 'Ask the school to re-admit Kham', caseId: 'c-1', dueOn: '2026-12-20', assigneeIds: ['m-2'], stage: 'todo' }
			]
		});
		const { core, user } = await openMeeting({ meeting_action_add: () => after });
		const board = screen.getByTestId('action-board');
		expect(within(board).getAllByRole('option').map((option) => option.textContent)).toEqual([
			"The team's board",
			"Board of Nang Kham's case"
		]);
		await user.type(screen.getByTestId('action-title'), 'Ask the school to re-admit Kham');
		await waitFor(() => expect(within(screen.getByTestId('action-assignee')).getAllByRole('option')).toHaveLength(3));
		await user.selectOptions(screen.getByTestId('action-assignee'), 'm-2');
		await fireEvent.input(screen.getByTestId('action-due'), { target: { value: '2026-12-20' } });
		await user.selectOptions(board, 'c-1');
		await user.click(screen.getByTestId('action-submit'));

		await waitFor(() => expect(core.callsTo('meeting_action_add')).toHaveLength(1));
		expect(core.callsTo('meeting_action_add')[0].args).toEqual({
			action: {
				meetingId: 'mt-1',
				card: {
					caseId: 'c-1',
					columnId: null,
					title: 'Ask the school to re-admit Kham',
					description: null,
					assigneeIds: ['m-2'],
					agencyId: null,
					startsOn: null,
					dueOn: '2026-12-20',
					priority: null,
					reviewerId: null
				}
			}
		});
		const row = await screen.findByTestId('action-row');
		expect(row).toHaveTextContent('Ask the school to re-admit Kham');
		expect(within(row).getByTestId('action-row-due')).toHaveTextContent('20 Dec 2026');
		expect(within(row).getByTestId('action-row-assignees')).toHaveTextContent('Malee Srisuk');
		expect(within(row).getByTestId('action-row-stage')).toHaveTextContent('To do');
		expect(row).toHaveTextContent("Board of Nang Kham's case");
		const added = screen.getByTestId('action-added');
		expect(added).toHaveTextContent("“Ask the school to re-admit Kham” was added to Board of Nang Kham's case.");
		expect(document.activeElement).toBe(added);
		expect(screen.getByTestId('action-title')).toHaveValue('');
	});

	it('sends an action item for the team’s board with no case, and shows the field the core refuses', async () => {
		const { core, user } = await openMeeting({
			meeting_action_add: () => fail('invalid', { field: 'due_on', message: 'is before the start' })
		});
		await user.type(screen.getByTestId('action-title'), 'Book the room for January');
		await user.click(screen.getByTestId('action-submit'));
		await waitFor(() => expect(core.callsTo('meeting_action_add')).toHaveLength(1));
		expect(core.callsTo('meeting_action_add')[0].args.action).toMatchObject({
			meetingId: 'mt-1',
			card: { caseId: null, title: 'Book the room for January', assigneeIds: [], dueOn: null }
		});
		const alert = await screen.findByTestId('action-error');
		expect(alert).toHaveTextContent('Due date');
		expect(document.activeElement).toBe(screen.getByTestId('action-due'));
	});

	it('records the attendance, the minutes and status, and a decision', async () => {
		let view = meetingView();
		const { core, user } = await openMeeting({
			meeting_get: () => view,
			meeting_attendance: () => view,
			meeting_minutes: (args) => {
				const update = args.update as { minutes: string | null; status: MeetingView['summary']['status'] };
				view = meetingView({ minutes: update.minutes }, { status: update.status });
				return view;
			},
			meeting_decision_add: () => {
				view = { ...view, decisions: [{ id: 'd-1', text: 'Open a shelter bed for Kham', createdBy: 'm-1', createdAt: '2026-12-10T03:00:00Z' }] };
				return view;
			}
		});
		const rows = screen.getAllByTestId('attendee-row');
		expect(rows.map((row) => row.dataset.memberId)).toEqual(['m-1', 'm-2']);
		expect(screen.getByLabelText('Malee Srisuk')).toBe(within(rows[1]).getByTestId('attendance-select'));
		// Each select is labelled with the member's name, and has an id of its member.
		await user.selectOptions(document.getElementById('attendance-m-1') as HTMLElement, 'present');
		await user.selectOptions(within(rows[1]).getByTestId('attendance-select'), 'apologies');
		await user.click(screen.getByTestId('attendance-submit'));
		await waitFor(() => expect(core.callsTo('meeting_attendance')).toHaveLength(1));
		expect(core.callsTo('meeting_attendance')[0].args).toEqual({
			update: {
				meetingId: 'mt-1',
				attendees: [
					{ memberId: 'm-1', attendance: 'present' },
					{ memberId: 'm-2', attendance: 'apologies' }
				]
			}
		});
		expect(document.activeElement).toBe(await screen.findByTestId('attendance-saved'));

		await user.type(screen.getByTestId('meeting-minutes-body'), 'Quorum present. Two cases reviewed.');
		await user.selectOptions(screen.getByTestId('meeting-status'), 'held');
		await user.click(screen.getByTestId('meeting-minutes-submit'));
		await waitFor(() => expect(core.callsTo('meeting_minutes')).toHaveLength(1));
		expect(core.callsTo('meeting_minutes')[0].args).toEqual({
			update: { meetingId: 'mt-1', minutes: 'Quorum present. Two cases reviewed.', status: 'held' }
		});
		await waitFor(() => expect(screen.getByTestId('meeting-status-shown')).toHaveTextContent('Held'));
		expect(document.activeElement).toBe(screen.getByTestId('meeting-minutes-saved'));

		await user.type(screen.getByTestId('decision-text'), 'Open a shelter bed for Kham');
		await user.click(screen.getByTestId('decision-submit'));
		await waitFor(() => expect(core.callsTo('meeting_decision_add')).toHaveLength(1));
		expect(core.callsTo('meeting_decision_add')[0].args).toEqual({
			decision: { meetingId: 'mt-1', text: 'Open a shelter bed for Kham' }
		});
		const decision = await screen.findByTestId('decision-row');
		expect(decision).toHaveTextContent('Open a shelter bed for Kham');
		expect(decision).toHaveTextContent('Recorded by Somchai Jaidee');
		expect(screen.getByTestId('decision-text')).toHaveValue('');
	});

	it('adds a topic and a case review to an existing meeting', async () => {
		let view = meetingView({ agenda: [item()] });
		const { core, user } = await openMeeting({
			meeting_get: () => view,
			meeting_agenda_add: (args) => {
				const added = args.item as { title: string | null; caseId: string | null };
				const next = view.agenda.length;
				view = {
					...view,
					agenda: [
						...view.agenda,
						added.caseId
							? item({ id: `it-${next + 1}`, position: next, kind: 'case_review', title: null, review: review() })
							: item({ id: `it-${next + 1}`, position: next, title: added.title })
					]
				};
				return view;
			}
		});
		await user.type(screen.getByTestId('agenda-add-topic'), 'Budget for school fees{Enter}');
		await waitFor(() => expect(core.callsTo('meeting_agenda_add')).toHaveLength(1));
		expect(core.callsTo('meeting_agenda_add')[0].args).toEqual({
			meetingId: 'mt-1',
			item: { title: 'Budget for school fees', caseId: null }
		});
		expect(document.activeElement).toBe(await screen.findByTestId('agenda-added'));

		await waitFor(() => expect(screen.getByTestId('agenda-add-case')).toHaveTextContent('Nang Kham'));
		await user.selectOptions(screen.getByTestId('agenda-add-case'), 'c-1');
		await user.click(screen.getByTestId('agenda-add-case-submit'));
		await waitFor(() => expect(core.callsTo('meeting_agenda_add')).toHaveLength(2));
		expect(core.callsTo('meeting_agenda_add')[1].args).toEqual({ meetingId: 'mt-1', item: { title: null, caseId: 'c-1' } });
		const items = screen.getAllByTestId('agenda-item');
		expect(items).toHaveLength(3);
		expect(items[1]).toHaveTextContent('Budget for school fees');
		expect(within(items[2]).getByTestId('agenda-case-name')).toHaveTextContent('Nang Kham');
	});

	it('shows a meeting the reader may not run without any recording form', async () => {
		await openMeeting(
			{
				meeting_get: () =>
					meetingView({
						mayRun: false,
						minutes: 'Quorum present.',
						attendees: [{ memberId: 'm-1', attendance: 'present' }],
						actionItems: [{ cardId: 'k-1', title: 'Book the room', caseId: null, dueOn: null, assigneeIds: [], stage: null }]
					})
			},
			WORKER
		);
		expect(screen.getByTestId('meeting-read-only')).toBeInTheDocument();
		for (const form of [
			'attendance-submit',
			'attendance-select',
			'review-minutes-form',
			'agenda-add',
			'meeting-minutes-body',
			'meeting-status',
			'decision-text',
			'action-form'
		]) {
			expect(screen.queryByTestId(form), form).not.toBeInTheDocument();
		}
		// The attendees the core listed, then the committee's members not listed yet (invited).
		const attendees = screen.getAllByTestId('attendee-row');
		expect(attendees.map((row) => row.dataset.memberId)).toEqual(['m-1', 'm-2']);
		expect(attendees[0]).toHaveTextContent('Somchai Jaidee');
		expect(attendees[0]).toHaveTextContent('Present');
		expect(attendees[1]).toHaveTextContent('Malee Srisuk');
		expect(attendees[1]).toHaveTextContent('Invited');
		expect(screen.getByTestId('meeting-minutes-text')).toHaveTextContent('Quorum present.');
		const row = screen.getByTestId('action-row');
		expect(row).toHaveTextContent('Book the room');
		expect(row).toHaveTextContent('No due date');
		expect(row).toHaveTextContent('No one yet');
		expect(row).toHaveTextContent("The team's board");
		// The exports are for every reader.
		expect(screen.getByTestId('meeting-ics')).toBeEnabled();
		expect(screen.getByTestId('meeting-pdf')).toBeEnabled();
	});
});

describe('home screen', () => {
	it('lists the next five meetings above the cases, and opens one in the Meetings section', async () => {
		const coming = Array.from({ length: 6 }, (_, index) =>
			summary({ id: `mt-${index + 1}`, startsAt: `2026-12-1${index}T09:00`, place: `Room ${index + 1}` })
		);
		const core = installBackend({
			vault_status: () => status('unlocked'),
			meeting_list: (args) => (args.upcoming ? coming : []),
			meeting_get: (args) => meetingView({}, { id: args.meetingId as string, startsAt: '2026-12-11T09:00', place: 'Room 2' })
		});
		const user = userEvent.setup();
		render(App);
		const panel = await screen.findByTestId('home-upcoming-meetings');
		expect(screen.getByTestId('nav-cases')).toHaveAttribute('aria-current', 'page');
		const meetings = await within(panel).findAllByTestId('home-meeting');
		expect(core.callsTo('meeting_list')[0].args).toEqual({ upcoming: true });
		expect(meetings).toHaveLength(5);
		expect(meetings[0]).toHaveTextContent('10 Dec 2026, 09:00');
		expect(meetings[0]).toHaveTextContent('District child protection committee');
		expect(meetings[0]).toHaveTextContent('Room 1');
		expect(meetings.map((button) => button.dataset.meetingId)).not.toContain('mt-6');
		// The cases show below it as always.
		expect(await screen.findByTestId('case-list-empty')).toBeInTheDocument();

		meetings[1].focus();
		await user.keyboard('{Enter}');

		const view = await screen.findByTestId('meeting-view');
		expect(view).toHaveAttribute('data-meeting-id', 'mt-2');
		expect(screen.getByTestId('nav-meetings')).toHaveAttribute('aria-current', 'page');
		expect(core.callsTo('meeting_get')[0].args).toEqual({ meetingId: 'mt-2' });
		expect(screen.getByTestId('meeting-place-shown')).toHaveTextContent('Room 2');
		await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('meeting-title')));
	});

	it('says in one line that no meeting is planned', async () => {
		installBackend({ vault_status: () => status('unlocked') });
		render(App);
		expect(await screen.findByTestId('home-meetings-none')).toHaveTextContent('No meeting is planned.');
		expect(screen.queryByTestId('home-meeting')).not.toBeInTheDocument();
	});

	it('keeps the cases when the meetings cannot be loaded', async () => {
		installBackend({
			vault_status: () => status('unlocked'),
			meeting_list: () => fail('internal', { message: 'disk I/O error' }),
			case_list: () => ({ cases: [caseSummary()], next: null })
		});
		render(App);
		expect(await screen.findByTestId('home-meetings-failed')).toHaveTextContent(
			'The upcoming meetings could not be loaded.'
		);
		expect(await screen.findByTestId('case-row')).toHaveTextContent('Nang Kham');
		expect(screen.queryByRole('alert')).not.toBeInTheDocument();
		await settle();
		expect(screen.getByTestId('cases')).toBeInTheDocument();
	});
});
