/**
 * A card opened in full from the board: what it shows, editing it (the whole form sent, the
 * core's refusal kept with what was typed), ticking, commenting, attaching, deleting after a
 * confirmation, a reader who may only contribute, the keyboard (Escape, focus back on the
 * card), linking a team-board card to a case, and the history as sentences. The core is the fake one of `tests/backend.ts`,
 * answering `BoardPanel` rendered on its own.
 */
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { setLanguage } from '$lib/i18n';
import type { Board, CardDetail, CardEvent } from '$lib/ipc';
import {
	board,
	card,
	cardDetail,
	caseSummary,
	fail,
	installBackend,
	team,
	type Handler
} from '../../../../tests/backend';
import BoardPanel from './BoardPanel.svelte';

const BOARD = board({}, { 'col-todo': [card(), card({ id: 'k-2', title: 'Book an interpreter', position: 1 })] });

async function openBoard(handlers: Record<string, Handler>) {
	const core = installBackend({
		team_overview: () => team(),
		board_open: () => BOARD,
		card_get: () => cardDetail(),
		...handlers
	});
	const user = userEvent.setup();
	render(BoardPanel, { caseId: null, testid: 'team-board' });
	await screen.findByTestId('board');
	return { core, user };
}

function cardButton(id: string): HTMLElement {
	const found = screen.getAllByTestId('board-card').find((element) => element.dataset.cardId === id);
	if (!found) throw new Error(`card ${id} is not shown`);
	return found;
}

/** Opens the board, then card `id` by pressing it; answers once the card is shown in full. */
async function openCard(handlers: Record<string, Handler> = {}, id = 'k-1') {
	const opened = await openBoard(handlers);
	await opened.user.click(cardButton(id));
	const dialog = await screen.findByTestId('card-detail');
	await within(dialog).findByTestId('card-summary');
	return { ...opened, dialog };
}

function item(id: string): HTMLInputElement {
	const found = screen.getAllByTestId('card-item-done').find((element) => element.dataset.itemId === id);
	if (!found) throw new Error(`item ${id} is not shown`);
	return found as HTMLInputElement;
}

describe('a card opened from the board', () => {
	it('asks the core for the card and shows it in full, in a dialog named by its title', async () => {
		const { core, dialog } = await openCard({
			card_get: () =>
				cardDetail(
					{ startsOn: '2026-11-28' },
					{ reviewerId: 'm-2', review: 'pending', priority: 'high', caseId: 'c-7', assigneeIds: ['m-1', 'm-2'] }
				)
		});

		expect(core.callsTo('card_get')).toEqual([{ cmd: 'card_get', args: { cardId: 'k-1' } }]);
		expect(screen.getByRole('dialog', { name: 'Visit the shelter' })).toBe(dialog);
		expect(dialog).toHaveAttribute('aria-modal', 'true');
		expect(dialog).toContainElement(document.activeElement as HTMLElement);
		expect(within(dialog).getByTestId('card-column')).toHaveTextContent('To do');
		expect(within(dialog).getByTestId('card-priority')).toHaveTextContent('High');
		expect(within(dialog).getByTestId('card-starts')).toHaveTextContent('28 Nov 2026');
		expect(within(dialog).getByTestId('card-due')).toHaveTextContent('1 Dec 2026');
		expect(within(dialog).getByTestId('card-review-state')).toHaveTextContent('Needs review');
		await waitFor(() =>
			expect(within(dialog).getByTestId('card-assignees')).toHaveTextContent('Somchai Jaidee, Malee Srisuk')
		);
		expect(within(dialog).getByTestId('card-reviewer')).toHaveTextContent('Malee Srisuk');
		// On the team's board, the case the card is linked to.
		expect(within(dialog).getByTestId('card-case')).toHaveTextContent('c-7');
		expect(within(dialog).getByTestId('card-labels')).toHaveTextContent('shelter');
		expect(within(dialog).getByTestId('card-description')).toHaveTextContent('Check the room and meet the house mother.');
		expect(item('i-1')).toBeChecked();
		expect(item('i-2')).not.toBeChecked();
		const comment = within(dialog).getByTestId('card-comment');
		expect(comment).toHaveTextContent('Malee Srisuk');
		expect(comment).toHaveTextContent('The house mother is there on weekdays.');
	});

	it('shows no linked case for a card on a case’s own board', async () => {
		const { dialog } = await openCard({ card_get: () => cardDetail({ boardCaseId: 'c-1' }, { caseId: 'c-1' }) });
		expect(within(dialog).queryByTestId('card-case')).not.toBeInTheDocument();
	});

	it('shows the core’s refusal to open the card', async () => {
		const { core, user } = await openBoard({ card_get: () => fail('forbidden') });
		await user.click(cardButton('k-1'));

		const error = await screen.findByTestId('card-error');
		expect(error).toHaveTextContent('Your role does not allow this.');
		expect(core.callsTo('card_get')).toHaveLength(1);
		expect(screen.queryByTestId('card-summary')).not.toBeInTheDocument();
	});
});

describe('editing a card', () => {
	it('sends the whole form, keeping the ids of the items on the card, and shows the answer on the card and the board', async () => {
		let current: Board = BOARD;
		const saved = cardDetail(
			{
				checklist: [
					{ id: 'i-2', text: 'Bring the signed consent form', done: false },
					{ id: 'i-3', text: 'Ask about school', done: false }
				],
				labels: ['school', 'shelter']
			},
			{ title: 'Visit the shelter on Monday', dueOn: '2026-12-03', assigneeIds: ['m-1', 'm-2'], reviewerId: 'm-2', review: 'pending' }
		);
		const { core, user, dialog } = await openCard({
			board_open: () => current,
			card_update: () => {
				current = board({}, { 'col-todo': [card({ title: 'Visit the shelter on Monday' })] });
				return saved;
			}
		});
		expect(within(dialog).queryByTestId('card-edit-form')).not.toBeInTheDocument();

		await user.click(within(dialog).getByTestId('card-edit'));
		const title = screen.getByTestId('card-edit-title');
		expect(title).toHaveFocus();
		expect(title).toHaveValue('Visit the shelter');
		await user.clear(title);
		await user.type(title, 'Visit the shelter on Monday');
		const items = screen.getAllByTestId('card-edit-item');
		expect(items.map((each) => (each as HTMLInputElement).value)).toEqual(['Call the shelter', 'Bring the consent form']);
		await user.clear(items[1]);
		await user.type(items[1], 'Bring the signed consent form');
		await user.click(screen.getAllByTestId('card-edit-item-remove')[0]);
		await user.type(screen.getByTestId('card-edit-item-new'), 'Ask about school{Enter}');
		expect(screen.getByTestId('card-edit-item-new')).toHaveValue('');
		expect(screen.getByTestId('card-edit-item-new')).toHaveFocus();
		await user.clear(screen.getByTestId('card-edit-due'));
		await user.type(screen.getByTestId('card-edit-due'), '2026-12-03');
		const malee = screen.getAllByTestId('card-edit-assignee').find((box) => box.dataset.memberId === 'm-2');
		if (!malee) throw new Error('Malee is not offered');
		await user.click(malee);
		await user.selectOptions(screen.getByTestId('card-edit-reviewer'), 'm-2');
		await user.clear(screen.getByTestId('card-edit-labels'));
		await user.type(screen.getByTestId('card-edit-labels'), 'shelter, school, ');
		expect(core.callsTo('card_update')).toHaveLength(0);
		await user.click(screen.getByTestId('card-save'));

		await waitFor(() => expect(screen.queryByTestId('card-edit-form')).not.toBeInTheDocument());
		expect(core.callsTo('card_update')).toEqual([
			{
				cmd: 'card_update',
				args: {
					change: {
						cardId: 'k-1',
						title: 'Visit the shelter on Monday',
						description: 'Check the room and meet the house mother.',
						assigneeIds: ['m-1', 'm-2'],
						agencyId: null,
						startsOn: null,
						dueOn: '2026-12-03',
						priority: 'normal',
						reviewerId: 'm-2',
						labels: ['shelter', 'school'],
						checklist: [
							{ id: 'i-2', text: 'Bring the signed consent form', done: false },
							{ id: null, text: 'Ask about school', done: false }
						],
						caseId: null
					}
				}
			}
		]);
		expect(screen.getByRole('dialog', { name: 'Visit the shelter on Monday' })).toBe(dialog);
		expect(within(dialog).getByTestId('card-due')).toHaveTextContent('3 Dec 2026');
		expect(within(dialog).getAllByTestId('card-item-done').map((box) => box.dataset.itemId)).toEqual(['i-2', 'i-3']);
		expect(within(dialog).getByTestId('card-saved')).toHaveTextContent('Changes saved.');
		expect(within(dialog).getByTestId('card-edit')).toHaveFocus();
		// The board is asked again and shows the change; so is the Tasks badge.
		await waitFor(() => expect(cardButton('k-1')).toHaveTextContent('Visit the shelter on Monday'));
		expect(core.callsTo('board_open')).toHaveLength(2);
		await waitFor(() => expect(core.callsTo('task_counts')).toHaveLength(1));
	});

	it('shows the core’s refusal by its field and keeps what was typed', async () => {
		const { core, user } = await openCard({
			card_update: () => fail('invalid', { field: 'title', message: 'must be at most 200 characters' })
		});
		await user.click(screen.getByTestId('card-edit'));
		const title = screen.getByTestId('card-edit-title');
		await user.clear(title);
		await user.type(title, 'A title far too long for the core');
		await user.type(screen.getByTestId('card-edit-item-new'), 'Phone the school{Enter}');
		await user.click(screen.getByTestId('card-save'));

		const error = await screen.findByTestId('card-edit-error');
		expect(error).toHaveAttribute('data-field', 'title');
		expect(error).toHaveTextContent('Please check “Title”');
		expect(error).toHaveTextContent('must be at most 200 characters');
		expect(title).toHaveValue('A title far too long for the core');
		expect(title).toHaveAttribute('aria-invalid', 'true');
		expect(title).toHaveFocus();
		expect(screen.getAllByTestId('card-edit-item').map((each) => (each as HTMLInputElement).value)).toEqual([
			'Call the shelter',
			'Bring the consent form',
			'Phone the school'
		]);
		expect(core.callsTo('card_update')).toHaveLength(1);
		// Nothing changed: the board is not asked again.
		expect(core.callsTo('board_open')).toHaveLength(1);
		expect(screen.getByRole('dialog', { name: 'Visit the shelter' })).toBeInTheDocument();
	});

	it('Escape in the form closes the form only', async () => {
		const { user, dialog } = await openCard();
		await user.click(screen.getByTestId('card-edit'));
		await user.keyboard('{Escape}');

		expect(screen.queryByTestId('card-edit-form')).not.toBeInTheDocument();
		expect(screen.getByTestId('card-detail')).toBe(dialog);
		expect(screen.getByTestId('card-edit')).toHaveFocus();
	});
});

describe('linking a card to a case', () => {
	const MY_CASES = {
		cases: [
			caseSummary(),
			caseSummary({ id: 'c-2', subjectName: 'Aye Aye', subjectAlias: null, subjectAge: null, myResponsibility: 'support' })
		],
		next: null
	};

	function caseOptions(): { value: string; label: string }[] {
		return [...(screen.getByTestId('card-edit-case') as HTMLSelectElement).options].map((option) => ({
			value: option.value,
			label: option.textContent ?? ''
		}));
	}

	function sentCaseIds(core: ReturnType<typeof installBackend>): unknown[] {
		return core.callsTo('card_update').map((call) => (call.args.change as { caseId: unknown }).caseId);
	}

	it('on the team’s board, offers “No case” and the member’s own cases, and sends the one chosen', async () => {
		const { core, user } = await openCard({ case_list: () => MY_CASES, card_update: () => cardDetail({}, { caseId: 'c-2' }) });
		await user.click(screen.getByTestId('card-edit'));

		await waitFor(() => expect(caseOptions()).toHaveLength(3));
		expect(core.callsTo('case_list')).toEqual([{ cmd: 'case_list', args: { mineOnly: true, after: null } }]);
		expect(caseOptions()).toEqual([
			{ value: '', label: 'No case' },
			{ value: 'c-1', label: 'Nang Kham “Kham” · 12 years' },
			{ value: 'c-2', label: 'Aye Aye' }
		]);
		const select = screen.getByTestId('card-edit-case');
		expect(select).toHaveValue('');
		expect(select).toHaveAccessibleName('Case');
		expect(select).toHaveAccessibleDescription('A task linked to a case is seen only by those who may see the case.');

		await user.selectOptions(select, 'c-2');
		await user.click(screen.getByTestId('card-save'));
		await waitFor(() => expect(screen.queryByTestId('card-edit-form')).not.toBeInTheDocument());
		expect(sentCaseIds(core)).toEqual(['c-2']);
	});

	it('takes a card off its case with “No case”, and keeps the choice when the core refuses', async () => {
		const { core, user } = await openCard({
			card_get: () => cardDetail({}, { caseId: 'c-1' }),
			case_list: () => MY_CASES,
			card_update: () => fail('forbidden')
		});
		await user.click(screen.getByTestId('card-edit'));
		await waitFor(() => expect(caseOptions()).toHaveLength(3));
		const select = screen.getByTestId('card-edit-case');
		expect(select).toHaveValue('c-1');

		await user.selectOptions(select, '');
		await user.click(screen.getByTestId('card-save'));

		expect(await screen.findByTestId('card-edit-error')).toHaveTextContent('Your role does not allow this.');
		expect(sentCaseIds(core)).toEqual([null]);
		expect(select).toHaveValue('');
		expect(screen.getByTestId('card-edit-form')).toBeInTheDocument();
	});

	it('keeps offering a linked case that is not among the member’s, so that saving keeps the link', async () => {
		const { core, user } = await openCard({
			card_get: () => cardDetail({}, { caseId: 'c-7' }),
			case_list: () => MY_CASES,
			card_update: () => cardDetail({}, { caseId: 'c-7' })
		});
		await user.click(screen.getByTestId('card-edit'));
		await waitFor(() => expect(caseOptions()).toHaveLength(4));
		expect(caseOptions().map((option) => option.value)).toEqual(['', 'c-7', 'c-1', 'c-2']);
		expect(caseOptions()[1].label).toBe('Case c-7 (linked now)');
		expect(screen.getByTestId('card-edit-case')).toHaveValue('c-7');
		await user.click(screen.getByTestId('card-save'));
		await waitFor(() => expect(screen.queryByTestId('card-edit-form')).not.toBeInTheDocument());
		expect(sentCaseIds(core)).toEqual(['c-7']);
	});

	it('when the core refuses the list, still offers “No case” and the link, and nothing breaks', async () => {
		const { core, user } = await openCard({
			card_get: () => cardDetail({}, { caseId: 'c-7' }),
			case_list: () => fail('internal')
		});
		await user.click(screen.getByTestId('card-edit'));
		await waitFor(() => expect(core.callsTo('case_list')).toHaveLength(1));
		expect(caseOptions().map((option) => option.value)).toEqual(['', 'c-7']);
		expect(screen.getByTestId('card-edit-case')).toHaveValue('c-7');
		expect(screen.queryByTestId('card-edit-error')).not.toBeInTheDocument();
	});

	it('on a case’s board, offers no choice and sends the board’s case', async () => {
		const { core, user } = await openCard({
			card_get: () => cardDetail({ boardCaseId: 'c-1' }, { caseId: 'c-1' }),
			card_update: () => cardDetail({ boardCaseId: 'c-1' }, { caseId: 'c-1' })
		});
		await user.click(screen.getByTestId('card-edit'));

		expect(screen.getByTestId('card-edit-form')).toBeInTheDocument();
		expect(screen.queryByTestId('card-edit-case')).not.toBeInTheDocument();
		await user.click(screen.getByTestId('card-save'));
		await waitFor(() => expect(screen.queryByTestId('card-edit-form')).not.toBeInTheDocument());
		expect(sentCaseIds(core)).toEqual(['c-1']);
		expect(core.callsTo('case_list')).toHaveLength(0);
	});
});

describe('working on a card', () => {
	it('ticks an item through the core, and puts it back when the core refuses', async () => {
		const ticked = cardDetail({
			checklist: [
				{ id: 'i-1', text: 'Call the shelter', done: true },
				{ id: 'i-2', text: 'Bring the consent form', done: true }
			]
		});
		const { core, user } = await openCard({
			card_tick: (args) => ((args.tick as { itemId: string }).itemId === 'i-2' ? ticked : fail('forbidden'))
		});

		await user.click(item('i-2'));
		await waitFor(() => expect(core.callsTo('card_tick')).toHaveLength(1));
		expect(core.callsTo('card_tick')[0].args).toEqual({ tick: { cardId: 'k-1', itemId: 'i-2', done: true } });
		await waitFor(() => expect(item('i-2')).not.toBeDisabled());
		expect(item('i-2')).toBeChecked();
		await waitFor(() => expect(core.callsTo('board_open')).toHaveLength(2));

		await user.click(item('i-1'));
		expect(await screen.findByTestId('card-error')).toHaveTextContent('Your role does not allow this.');
		expect(core.callsTo('card_tick')[1].args).toEqual({ tick: { cardId: 'k-1', itemId: 'i-1', done: false } });
		expect(item('i-1')).toBeChecked();
	});

	it('adds a comment and shows it with its author', async () => {
		const commented = cardDetail({
			comments: [
				...cardDetail().comments,
				{ id: 'cm-2', body: 'Booked for Monday 10:00.', authorId: 'm-1', createdAt: '2026-11-22T03:00:00.000Z' }
			]
		});
		const { core, user } = await openCard({ card_comment: () => commented });
		await screen.findByText('Malee Srisuk');

		await user.type(screen.getByTestId('card-comment-body'), 'Booked for Monday 10:00.');
		await user.click(screen.getByTestId('card-comment-add'));

		await waitFor(() => expect(screen.getAllByTestId('card-comment')).toHaveLength(2));
		expect(core.callsTo('card_comment')).toEqual([
			{ cmd: 'card_comment', args: { comment: { cardId: 'k-1', body: 'Booked for Monday 10:00.' } } }
		]);
		const added = screen.getAllByTestId('card-comment')[1];
		expect(added).toHaveTextContent('Somchai Jaidee');
		expect(added).toHaveTextContent('Booked for Monday 10:00.');
		expect(screen.getByTestId('card-comment-body')).toHaveValue('');
	});

	it('attaches a file as base64 and opens an attachment through the core', async () => {
		const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:ruam/card-pdf');
		vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
		const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]);
		const attached = cardDetail({
			attachments: [
				{
					id: 'f-1',
					fileName: 'consent.pdf',
					mediaType: 'application/pdf',
					size: 2048,
					addedBy: 'm-1',
					createdAt: '2026-11-22T03:00:00.000Z'
				}
			]
		});
		const { core, user } = await openCard({
			card_attachment_add: () => attached,
			card_attachment_get: () => ({ fileName: 'consent.pdf', mediaType: 'application/pdf', contentBase64: 'JVBERi0=' })
		});

		await user.upload(screen.getByTestId('card-attachment-file'), new File([pdf], 'consent.pdf', { type: 'application/pdf' }));
		await user.click(screen.getByTestId('card-attachment-add'));

		const attachment = await screen.findByTestId('card-attachment');
		expect(core.callsTo('card_attachment_add')[0].args).toEqual({
			attachment: { cardId: 'k-1', fileName: 'consent.pdf', contentBase64: 'JVBERi0=' }
		});
		expect(attachment).toHaveTextContent('consent.pdf');
		expect(attachment).toHaveTextContent('2.0 KB');

		await user.click(within(attachment).getByTestId('card-attachment-open'));
		const link = await screen.findByTestId('card-attachment-download');
		expect(core.callsTo('card_attachment_get')[0].args).toEqual({ attachmentId: 'f-1' });
		expect(link).toHaveAttribute('href', 'blob:ruam/card-pdf');
		expect(link).toHaveAttribute('download', 'consent.pdf');
		expect(created).toHaveBeenCalledTimes(1);
	});

	it('deletes only after a confirmation, then closes and gives the board the core’s answer', async () => {
		const without = board({}, { 'col-todo': [card({ id: 'k-2', title: 'Book an interpreter' })] });
		const { core, user } = await openCard({ card_delete: () => without });

		await user.click(screen.getByTestId('card-delete'));
		expect(core.callsTo('card_delete')).toHaveLength(0);
		expect(screen.getByTestId('card-delete-ask')).toHaveTextContent('Delete “Visit the shelter”?');
		expect(screen.getByTestId('card-delete-cancel')).toHaveFocus();
		await user.click(screen.getByTestId('card-delete-cancel'));
		expect(screen.queryByTestId('card-delete-ask')).not.toBeInTheDocument();
		expect(screen.getByTestId('card-delete')).toHaveFocus();

		await user.click(screen.getByTestId('card-delete'));
		await user.click(screen.getByTestId('card-delete-confirm'));

		await waitFor(() => expect(screen.queryByTestId('card-detail')).not.toBeInTheDocument());
		expect(core.callsTo('card_delete')).toEqual([{ cmd: 'card_delete', args: { cardId: 'k-1' } }]);
		expect(screen.getAllByTestId('board-card').map((element) => element.dataset.cardId)).toEqual(['k-2']);
		expect(screen.getByTestId('card-new')).toHaveFocus();
		// The board came with the answer: it is not asked again.
		expect(core.callsTo('board_open')).toHaveLength(1);
	});
});

describe('what a reader may do with a card', () => {
	it('without `mayEdit`: no form and no delete, but ticking and commenting; without `mayContribute`: neither', async () => {
		const { core, user, dialog } = await openCard({
			card_get: (args) =>
				args.cardId === 'k-1'
					? cardDetail({ mayEdit: false, mayDelete: false, mayContribute: true })
					: cardDetail({ mayEdit: false, mayDelete: false, mayContribute: false }, { id: 'k-2', title: 'Book an interpreter' })
		});

		expect(within(dialog).queryByTestId('card-edit')).not.toBeInTheDocument();
		expect(within(dialog).queryByTestId('card-edit-form')).not.toBeInTheDocument();
		expect(within(dialog).queryByTestId('card-save')).not.toBeInTheDocument();
		expect(within(dialog).queryByTestId('card-delete')).not.toBeInTheDocument();
		expect(item('i-2')).toBeEnabled();
		expect(within(dialog).getByTestId('card-comment-body')).toBeInTheDocument();
		expect(within(dialog).getByTestId('card-comment-add')).toBeInTheDocument();
		expect(within(dialog).getByTestId('card-attachment-file')).toBeInTheDocument();

		await user.click(screen.getByTestId('card-detail-close'));
		await user.click(cardButton('k-2'));
		const other = await screen.findByRole('dialog', { name: 'Book an interpreter' });
		await within(other).findByTestId('card-summary');
		expect(core.callsTo('card_get').map((call) => call.args)).toEqual([{ cardId: 'k-1' }, { cardId: 'k-2' }]);
		expect(item('i-2')).toBeDisabled();
		expect(within(other).queryByTestId('card-comment-body')).not.toBeInTheDocument();
		expect(within(other).queryByTestId('card-attachment-file')).not.toBeInTheDocument();
		expect(within(other).queryByTestId('card-edit')).not.toBeInTheDocument();
	});
});

describe('the dialog and the keyboard', () => {
	it('opens with Enter on a card, closes with Escape, and puts the focus back on the card', async () => {
		const { core, user } = await openBoard({});
		cardButton('k-2').focus();

		await user.keyboard('{Enter}');
		const dialog = await screen.findByTestId('card-detail');
		expect(core.callsTo('card_get')[0].args).toEqual({ cardId: 'k-2' });
		expect(dialog).toContainElement(document.activeElement as HTMLElement);

		await user.keyboard('{Escape}');
		expect(screen.queryByTestId('card-detail')).not.toBeInTheDocument();
		expect(cardButton('k-2')).toHaveFocus();
		// Closing moved nothing.
		expect(core.callsTo('card_move')).toHaveLength(0);
	});

	it('closes with its Close button too, and keeps Tab inside', async () => {
		const { user, dialog } = await openCard();
		const close = within(dialog).getByTestId('card-detail-close');
		close.focus();
		await user.keyboard('{Shift>}{Tab}{/Shift}');
		expect(dialog).toContainElement(document.activeElement as HTMLElement);
		expect(close).not.toHaveFocus();
		await user.tab();
		expect(close).toHaveFocus();

		await user.click(close);
		expect(screen.queryByTestId('card-detail')).not.toBeInTheDocument();
		expect(cardButton('k-1')).toHaveFocus();
	});
});

describe('a card’s history', () => {
	const event = (kind: string, detail: string, actor = 'm-2'): CardEvent => ({
		kind,
		detail,
		actor,
		at: '2026-11-21T04:00:00.000Z'
	});
	const HISTORY: CardDetail['history'] = [
		event('created', '{"column_id":"col-todo"}', 'm-1'),
		event('moved', '{"from":"col-todo","to":"col-in_progress","position":0}'),
		event('moved', 'not json'),
		event('review', '{"review":"waiting"}'),
		event('review', '{"review":"returned"}'),
		event('review', '{"review":"approved"}'),
		event('edited', '{"fields":["title","due_on"]}', 'm-1'),
		event('edited', '{"fields":[]}', 'm-1'),
		event('checklist', '{"item":"i-1","done":true}'),
		event('checklist', '{"item":"i-gone","done":false}'),
		event('comment', '{"comment":"cm-1"}'),
		event('attachment', '{"attachment":"f-1","file_name":"consent.pdf"}'),
		event('handover', '{"from":"m-1","to":"m-2","assignee":true,"reviewer":false}'),
		event('deleted', '{}', 'm-9'),
		event('archived', '[]')
	];

	it('reads as one sentence a line, with who and when, in English and in Thai', async () => {
		await openCard({ card_get: () => cardDetail({ history: HISTORY }) });
		await screen.findByText('Malee Srisuk');
		const lines = () => within(screen.getByTestId('card-history')).getAllByTestId('card-event');

		await waitFor(() => expect(lines()[0]).toHaveTextContent('Somchai Jaidee added the task to To do'));
		expect(lines().map((line) => line.dataset.kind)).toEqual(HISTORY.map((each) => each.kind));
		expect(lines().map((line) => line.querySelector('span')?.textContent)).toEqual([
			'Somchai Jaidee added the task to To do',
			'Malee Srisuk moved it to In progress',
			'Malee Srisuk moved it',
			'Malee Srisuk sent it for review',
			'Malee Srisuk returned it for more work',
			'Malee Srisuk approved it',
			'Somchai Jaidee edited title, due date',
			'Somchai Jaidee edited it',
			'Malee Srisuk ticked off “Call the shelter”',
			'Malee Srisuk unticked an item of the checklist',
			'Malee Srisuk commented',
			'Malee Srisuk attached consent.pdf',
			'Malee Srisuk handed it over from Somchai Jaidee to Malee Srisuk',
			'Someone deleted it',
			'Malee Srisuk changed it'
		]);
		expect(lines()[0].querySelector('time')).toHaveAttribute('datetime', '2026-11-21T04:00:00.000Z');

		setLanguage('th');
		await waitFor(() => expect(lines()[1]).toHaveTextContent('Malee Srisuk ย้ายงานไปที่ กำลังทำ'));
		expect(lines()[5]).toHaveTextContent('Malee Srisuk ตรวจรับงานนี้แล้ว');
		expect(lines()[6]).toHaveTextContent('Somchai Jaidee แก้ไขชื่องาน, วันครบกำหนด');
	});

	it('gives the note of a handover, with the members’ names when they are known', async () => {
		const history = [
			event('handover', '{"from":"m-2","to":"m-1","note":"Call the shelter on Monday","assignee":true,"reviewer":false}', 'm-1'),
			event('handover', '{"from":"m-9","to":"m-1","note":"The family moved to Ban Pa Sak","assignee":false,"reviewer":true}', 'm-1'),
			event('handover', '{"from":"m-2","to":"m-1","note":"  ","assignee":true,"reviewer":false}', 'm-1')
		];
		await openCard({ card_get: () => cardDetail({ history }) });
		const lines = () => within(screen.getByTestId('card-history')).getAllByTestId('card-event');

		await waitFor(() =>
			expect(lines()[0].querySelector('span')).toHaveTextContent(
				'Somchai Jaidee handed it over from Malee Srisuk to Somchai Jaidee: Call the shelter on Monday'
			)
		);
		expect(lines()[1].querySelector('span')).toHaveTextContent('Somchai Jaidee handed it over: The family moved to Ban Pa Sak');
		expect(lines()[2].querySelector('span')?.textContent).toBe(
			'Somchai Jaidee handed it over from Malee Srisuk to Somchai Jaidee'
		);

		setLanguage('th');
		await waitFor(() =>
			expect(lines()[0]).toHaveTextContent('Somchai Jaidee โอนงานจาก Malee Srisuk ให้ Somchai Jaidee: Call the shelter on Monday')
		);
		expect(lines()[1]).toHaveTextContent('Somchai Jaidee โอนงานนี้ให้ผู้อื่น: The family moved to Ban Pa Sak');
	});

	it('says which meeting an action item came from, and opens that meeting', async () => {
		const { user, dialog } = await openCard({
			card_get: () =>
				cardDetail({
					meeting: { meetingId: 'mt-1', committeeName: 'Child protection working group', startsAt: '2027-01-14T09:30' }
				})
		});
		const line = within(dialog).getByTestId('card-meeting');
		expect(line.textContent).toContain('Child protection working group');
		expect(line.textContent).toContain('2027');
		await user.click(within(dialog).getByTestId('card-meeting-open'));
		const { app } = await import('$lib/stores/app.svelte');
		const { takeMeetingWanted } = await import('$lib/navigation');
		expect(app.section).toBe('meetings');
		expect(takeMeetingWanted()).toBe('mt-1');
	});

	it('shows no meeting for a card that did not come from one', async () => {
		const { dialog } = await openCard();
		expect(within(dialog).queryByTestId('card-meeting')).toBeNull();
	});
});
