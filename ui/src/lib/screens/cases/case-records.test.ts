/**
 * The case list a page at a time, and what a case's record lets a member change: notes
 * (correct, delete), attachments (delete), people (add, correct, remove), nothing once the
 * case is closed. The core is the fake one of `tests/backend.ts`.
 */
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import { _, type Translate } from '$lib/i18n';
import { describeTimeline } from '$lib/i18n/cases';
import type { AttachmentInfo, CaseFile, CasePage, CaseSummary, Note, Permission } from '$lib/ipc';
import { get } from 'svelte/store';
import {
	ALL_PERMISSIONS,
	caseFile,
	caseSummary,
	fail,
	installBackend,
	person,
	status,
	team,
	type Handler
} from '../../../../tests/backend';

function note(overrides: Partial<Note> = {}): Note {
	return {
		id: 'n-1',
		section: 'social',
		body: 'Met Kham at the shelter.',
		authorId: 'm-1',
		authorName: 'Somchai Jaidee',
		createdAt: '2026-11-20T04:00:00.000Z',
		editedAt: null,
		mayChange: true,
		...overrides
	};
}

function attachment(overrides: Partial<AttachmentInfo> = {}): AttachmentInfo {
	return {
		id: 'f-1',
		section: 'social',
		fileName: 'photo.png',
		mediaType: 'image/png',
		size: 2048,
		createdAt: '2026-11-27T04:00:00.000Z',
		addedBy: 'm-1',
		mayChange: true,
		...overrides
	};
}

/** A case with one note and one attachment the member may change, as `case_open` answers. */
function openFile(overrides: Partial<CaseFile> = {}, summary: Partial<CaseSummary> = {}): CaseFile {
	return caseFile({ notes: [note()], attachments: [attachment()], timeline: [], ...overrides }, summary);
}

function page(cases: CaseSummary[], next: string | null = null): CasePage {
	return { cases, next };
}

async function openCases(handlers: Record<string, Handler> = {}, permissions: Permission[] = ALL_PERMISSIONS) {
	const core = installBackend({
		vault_status: () => status('unlocked', { permissions }),
		vault_lock: () => status('locked'),
		team_overview: () => team(permissions.includes('team.manage')),
		case_list: () => page([caseSummary()]),
		...handlers
	});
	const user = userEvent.setup();
	render(App);
	await screen.findByTestId('section-cases');
	return { core, user };
}

async function openCase(file: CaseFile, handlers: Record<string, Handler> = {}) {
	const opened = await openCases({ case_open: () => file, ...handlers });
	const rows = await screen.findAllByTestId('case-row');
	await opened.user.click(within(rows[0]).getByRole('button'));
	await screen.findByTestId('case-file');
	return opened;
}

function personRow(party: string): HTMLElement {
	const row = screen.getAllByTestId('case-person').find((element) => element.dataset.party === party);
	if (!row) throw new Error(`no person who is ${party}`);
	return row;
}

describe('case list, a page at a time', () => {
	it('appends the next page on “Show more cases” and starts again from the first page on a reload', async () => {
		const { core, user } = await openCases({
			case_list: (args) =>
				args.after === null
					? page([caseSummary(), caseSummary({ id: 'c-2', subjectName: 'Somsri Boonmee' })], 'after-c-2')
					: page([
							// Changed since the first page was read: it still shows once.
							caseSummary({ id: 'c-2', subjectName: 'Somsri Boonmee' }),
							caseSummary({ id: 'c-3', subjectName: 'Ai Lao' })
						])
		});

		expect(await screen.findAllByTestId('case-row')).toHaveLength(2);
		expect(core.callsTo('case_list')[0].args).toEqual({ mineOnly: false, after: null });

		await user.click(screen.getByTestId('cases-more'));
		await waitFor(() => expect(screen.getAllByTestId('case-row')).toHaveLength(3));
		expect(core.callsTo('case_list')[1].args).toEqual({ mineOnly: false, after: 'after-c-2' });
		const rows = screen.getAllByTestId('case-row');
		expect(rows.map((row) => row.dataset.caseId)).toEqual(['c-1', 'c-2', 'c-3']);
		// The last page: nothing more to ask for; focus is on the first case it added.
		expect(screen.queryByTestId('cases-more')).not.toBeInTheDocument();
		expect(within(rows[2]).getByRole('button')).toHaveFocus();

		await user.click(screen.getByTestId('case-mine-only'));
		await waitFor(() => expect(core.callsTo('case_list')).toHaveLength(3));
		expect(core.callsTo('case_list')[2].args).toEqual({ mineOnly: true, after: null });
		await waitFor(() => expect(screen.getAllByTestId('case-row')).toHaveLength(2));
		expect(screen.getByTestId('cases-more')).toBeInTheDocument();
	});

	it('shows no “Show more cases” when the first page is the last', async () => {
		const { core } = await openCases({ case_list: () => page([caseSummary()], null) });
		expect(await screen.findAllByTestId('case-row')).toHaveLength(1);
		expect(core.callsTo('case_list')).toHaveLength(1);
		expect(screen.queryByTestId('cases-more')).not.toBeInTheDocument();
	});
});

describe('notes', () => {
	it('corrects a note: sends its id and the new text, then shows the case as answered', async () => {
		const corrected = openFile({
			notes: [note({ body: 'Met Kham at the Mae Sai shelter.', editedAt: '2026-11-28T05:00:00.000Z' })]
		});
		const { core, user } = await openCase(openFile(), { case_note_edit: () => corrected });

		const shown = screen.getByTestId('case-note');
		expect(within(shown).queryByTestId('note-edited')).not.toBeInTheDocument();
		await user.click(within(shown).getByTestId('note-edit'));
		const body = screen.getByTestId('note-edit-body');
		expect(body).toHaveFocus();
		expect(body).toHaveValue('Met Kham at the shelter.');
		await user.clear(body);
		await user.type(body, 'Met Kham at the Mae Sai shelter.');
		await user.click(screen.getByTestId('note-edit-save'));

		await waitFor(() => expect(screen.queryByTestId('note-edit-body')).not.toBeInTheDocument());
		expect(core.callsTo('case_note_edit')[0].args).toEqual({
			edit: { noteId: 'n-1', body: 'Met Kham at the Mae Sai shelter.' }
		});
		const after = screen.getByTestId('case-note');
		expect(within(after).getByTestId('case-note-body')).toHaveTextContent('Met Kham at the Mae Sai shelter.');
		expect(within(after).getByTestId('note-edited')).toHaveTextContent(/^edited /);
		expect(within(after).getByTestId('note-edit')).toHaveFocus();
	});

	it('Escape puts the note back as it was; Ctrl+Enter saves', async () => {
		const { core, user } = await openCase(openFile(), { case_note_edit: () => openFile() });

		await user.click(screen.getByTestId('note-edit'));
		await user.type(screen.getByTestId('note-edit-body'), ' More.');
		await user.keyboard('{Escape}');
		expect(screen.queryByTestId('note-edit-body')).not.toBeInTheDocument();
		expect(screen.getByTestId('case-note-body')).toHaveTextContent('Met Kham at the shelter.');
		expect(screen.getByTestId('note-edit')).toHaveFocus();
		expect(core.callsTo('case_note_edit')).toHaveLength(0);

		await user.click(screen.getByTestId('note-edit'));
		await user.type(screen.getByTestId('note-edit-body'), ' More.');
		await user.keyboard('{Control>}{Enter}{/Control}');
		await waitFor(() => expect(core.callsTo('case_note_edit')).toHaveLength(1));
		expect(core.callsTo('case_note_edit')[0].args).toEqual({
			edit: { noteId: 'n-1', body: 'Met Kham at the shelter. More.' }
		});
	});

	it('shows the core’s refusal of the text by the text, and keeps it to fix', async () => {
		const { user } = await openCase(openFile(), {
			case_note_edit: () => fail('invalid', { field: 'body', message: 'is empty' })
		});

		await user.click(screen.getByTestId('note-edit'));
		await user.clear(screen.getByTestId('note-edit-body'));
		await user.click(screen.getByTestId('note-edit-save'));

		const alert = await screen.findByTestId('note-edit-error');
		expect(alert).toHaveTextContent('Please check “Note”');
		expect(alert).toHaveTextContent('is empty');
		const body = screen.getByTestId('note-edit-body');
		expect(body).toHaveAttribute('aria-invalid', 'true');
		expect(body.getAttribute('aria-describedby')).toContain(alert.id);
		expect(body).toHaveFocus();
	});

	it('deletes a note only once the deletion is confirmed', async () => {
		const { core, user } = await openCase(openFile(), {
			case_note_delete: () => openFile({ notes: [] })
		});

		await user.click(screen.getByTestId('note-delete'));
		expect(screen.getByTestId('case-note')).toHaveTextContent(
			'Delete this note? It disappears from the case and from search.'
		);
		expect(core.callsTo('case_note_delete')).toHaveLength(0);
		await user.click(screen.getByTestId('note-delete-cancel'));
		expect(screen.queryByTestId('note-delete-confirm')).not.toBeInTheDocument();
		expect(screen.getByTestId('note-delete')).toHaveFocus();
		expect(core.callsTo('case_note_delete')).toHaveLength(0);

		await user.click(screen.getByTestId('note-delete'));
		await user.click(screen.getByTestId('note-delete-confirm'));
		await screen.findByTestId('case-notes-empty');
		expect(core.callsTo('case_note_delete')[0].args).toEqual({ noteId: 'n-1' });
		expect(screen.queryByTestId('case-note')).not.toBeInTheDocument();
	});

	it('offers to change only the notes and attachments the core marks as changeable', async () => {
		await openCase(
			openFile({
				notes: [
					note({ id: 'n-2', body: 'Mine.' }),
					note({ id: 'n-3', body: 'Malee’s.', authorId: 'm-2', authorName: 'Malee Srisuk', mayChange: false })
				],
				attachments: [
					attachment({ id: 'f-2', fileName: 'mine.png' }),
					attachment({ id: 'f-3', fileName: 'theirs.pdf', addedBy: 'm-2', mayChange: false })
				]
			})
		);

		const [mine, theirs] = screen.getAllByTestId('case-note');
		expect(within(mine).getByTestId('note-edit')).toBeInTheDocument();
		expect(within(mine).getByTestId('note-delete')).toBeInTheDocument();
		expect(within(theirs).queryByTestId('note-edit')).not.toBeInTheDocument();
		expect(within(theirs).queryByTestId('note-delete')).not.toBeInTheDocument();
		const [ours, other] = screen.getAllByTestId('case-attachment');
		expect(within(ours).getByTestId('attachment-delete')).toBeInTheDocument();
		expect(within(other).queryByTestId('attachment-delete')).not.toBeInTheDocument();
	});
});

describe('attachments', () => {
	it('deletes an attachment only once the deletion is confirmed', async () => {
		const { core, user } = await openCase(openFile(), {
			case_attachment_delete: () => openFile({ attachments: [] })
		});

		await user.click(screen.getByTestId('attachment-delete'));
		expect(screen.getByTestId('case-attachment')).toHaveTextContent('Delete photo.png?');
		expect(screen.getByTestId('attachment-delete-cancel')).toHaveFocus();
		expect(core.callsTo('case_attachment_delete')).toHaveLength(0);
		await user.click(screen.getByTestId('attachment-delete-confirm'));

		await screen.findByTestId('case-attachments-empty');
		expect(core.callsTo('case_attachment_delete')[0].args).toEqual({ attachmentId: 'f-1' });
	});

	it('shows the core’s refusal by the question, and keeps the attachment', async () => {
		const { user } = await openCase(openFile(), {
			case_attachment_delete: () => fail('forbidden')
		});

		await user.click(screen.getByTestId('attachment-delete'));
		await user.click(screen.getByTestId('attachment-delete-confirm'));

		const alert = await screen.findByTestId('attachment-delete-error');
		expect(alert).toHaveAttribute('data-code', 'forbidden');
		expect(screen.getByTestId('case-attachment')).toHaveTextContent('photo.png');
	});
});

describe('a closed case', () => {
	it('takes no new or changed record, and says who can reopen it', async () => {
		await openCase(openFile({}, { status: 'closed', outcome: 'resolved_district' }));

		expect(screen.getByTestId('case-closed-readonly')).toHaveTextContent(
			'This case is closed. A team lead can reopen it to change its record.'
		);
		expect(screen.queryByTestId('note-body')).not.toBeInTheDocument();
		expect(screen.queryByTestId('note-add-submit')).not.toBeInTheDocument();
		expect(screen.queryByTestId('attachment-file')).not.toBeInTheDocument();
		expect(screen.queryByTestId('attachment-add-submit')).not.toBeInTheDocument();
		expect(screen.queryByTestId('note-edit')).not.toBeInTheDocument();
		expect(screen.queryByTestId('note-delete')).not.toBeInTheDocument();
		expect(screen.queryByTestId('attachment-delete')).not.toBeInTheDocument();
		expect(screen.queryByTestId('person-add')).not.toBeInTheDocument();
		expect(screen.queryByTestId('person-edit')).not.toBeInTheDocument();
		expect(screen.queryByTestId('person-remove')).not.toBeInTheDocument();
		// What it holds still shows.
		expect(screen.getByTestId('case-note-body')).toHaveTextContent('Met Kham at the shelter.');
		expect(screen.getByTestId('case-attachment')).toHaveTextContent('photo.png');
		expect(screen.getAllByTestId('case-person')).toHaveLength(2);
	});

	it('offers every change again while it is open', async () => {
		await openCase(openFile());
		expect(screen.queryByTestId('case-closed-readonly')).not.toBeInTheDocument();
		expect(screen.getByTestId('note-add-submit')).toBeInTheDocument();
		expect(screen.getByTestId('attachment-add-submit')).toBeInTheDocument();
		expect(screen.getByTestId('person-add')).toBeInTheDocument();
	});
});

describe('people', () => {
	it('adds a person: an empty form, no second child, sent with no person id', async () => {
		const added = openFile({
			people: [...openFile().people, person({ id: 'p-3', party: 'witness', name: 'Lung Chai', relation: 'neighbour' })]
		});
		const { core, user } = await openCase(openFile(), { case_person_save: () => added });

		await user.click(screen.getByTestId('person-add'));
		const name = screen.getByTestId('person-name');
		expect(name).toHaveFocus();
		expect(name).toHaveValue('');
		const party = screen.getByTestId('person-party');
		expect([...party.querySelectorAll('option')].map((option) => option.value)).toEqual([
			'guardian',
			'alleged_perpetrator',
			'witness',
			'other'
		]);
		await user.selectOptions(party, 'witness');
		await user.type(name, 'Lung Chai');
		await user.type(screen.getByTestId('person-relation'), 'neighbour');
		await user.click(screen.getByTestId('person-save'));

		await waitFor(() => expect(screen.getAllByTestId('case-person')).toHaveLength(3));
		expect(core.callsTo('case_person_save')[0].args).toEqual({
			change: {
				caseId: 'c-1',
				personId: null,
				person: {
					party: 'witness',
					name: 'Lung Chai',
					relation: 'neighbour',
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
			}
		});
		expect(screen.queryByTestId('person-form')).not.toBeInTheDocument();
		expect(personRow('witness')).toHaveTextContent('Lung Chai');
		expect(screen.getByTestId('person-add')).toHaveFocus();
	});

	it('corrects the child from a form filled with their details; the child stays the subject and cannot be removed', async () => {
		const { core, user } = await openCase(openFile(), { case_person_save: () => openFile() });

		const child = personRow('subject');
		expect(within(child).queryByTestId('person-remove')).not.toBeInTheDocument();
		expect(within(personRow('guardian')).getByTestId('person-remove')).toBeInTheDocument();
		await user.click(within(child).getByTestId('person-edit'));

		expect(screen.getByTestId('person-name')).toHaveValue('Nang Kham');
		expect(screen.getByTestId('person-alias')).toHaveValue('Kham');
		expect(screen.getByTestId('person-village')).toHaveValue('Ban Pa Sak');
		expect(screen.getByTestId('person-languages')).toHaveValue('Shan, Thai');
		expect(screen.getByTestId('person-birth-year')).toHaveValue(2014);
		expect(screen.getByTestId('person-party')).toHaveValue('subject');
		expect(screen.getByTestId('person-party')).toBeDisabled();
		await user.clear(screen.getByTestId('person-village'));
		await user.type(screen.getByTestId('person-village'), 'Ban Huai Khrai{Enter}');

		await waitFor(() => expect(core.callsTo('case_person_save')).toHaveLength(1));
		expect(core.callsTo('case_person_save')[0].args).toMatchObject({
			change: {
				caseId: 'c-1',
				personId: 'p-1',
				person: { party: 'subject', name: 'Nang Kham', village: 'Ban Huai Khrai', languages: ['Shan', 'Thai'] }
			}
		});
	});

	it('shows the core’s error about a person’s field next to it', async () => {
		const { user } = await openCase(openFile(), {
			case_person_save: () => fail('invalid', { field: 'others.name', message: 'is empty' })
		});

		await user.click(screen.getByTestId('person-add'));
		await user.click(screen.getByTestId('person-save'));

		const alert = await screen.findByTestId('person-error');
		expect(alert).toHaveTextContent('Please check “Other person’s name”');
		expect(alert).toHaveTextContent('is empty');
		const name = screen.getByTestId('person-name');
		expect(name).toHaveAttribute('aria-invalid', 'true');
		expect(name.closest('.field')?.nextElementSibling).toBe(alert);
		expect(name).toHaveFocus();
	});

	it('removes someone other than the child only once the removal is confirmed', async () => {
		const { core, user } = await openCase(openFile(), {
			case_person_remove: () => openFile({ people: [person()] })
		});

		await user.click(within(personRow('guardian')).getByTestId('person-remove'));
		expect(personRow('guardian')).toHaveTextContent('Remove Nang Ying from this case?');
		expect(core.callsTo('case_person_remove')).toHaveLength(0);
		await user.click(screen.getByTestId('person-remove-confirm'));

		await waitFor(() => expect(screen.getAllByTestId('case-person')).toHaveLength(1));
		expect(core.callsTo('case_person_remove')[0].args).toEqual({
			removal: { caseId: 'c-1', personId: 'p-2' }
		});
	});
});

describe('timeline', () => {
	const t: Translate = (id, options) => get(_)(id, options);
	const at = '2026-11-28T04:00:00.000Z';

	it('says in words who was added, corrected, removed or handed over', () => {
		const line = (kind: string, summary: string) =>
			describeTimeline({ at, kind, section: null, summary, actorName: null }, t);
		expect(line('person_added', '{"party":"witness"}')).toBe('Person added: Witness');
		expect(line('person_updated', '{"party":"subject"}')).toBe('Details corrected: Child');
		expect(line('person_removed', '{"party":"guardian"}')).toBe('Person removed: Guardian');
		expect(line('handover', '{"from":"Anan Kaewmanee","to":"Malee Srisuk","responsibility":"lead"}')).toBe(
			'Handed over from Anan Kaewmanee to Malee Srisuk (Lead)'
		);
	});
});
