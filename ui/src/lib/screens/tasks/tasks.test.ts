/**
 * The Tasks section: my tasks as the core lists them, the due filter, the review queue
 * (approve, return with a comment), a task opened in full from either list, the team board
 * (moving cards with the keyboard, the core refusing a move, a new task), the navigation
 * badge and the case's board. The core is the fake one of `tests/backend.ts`.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type { Board } from '$lib/ipc';
import { clearAll } from '$lib/stores/vault.svelte';
import { tasksBadge } from '$lib/tasks.svelte';
import {
	board,
	card,
	cardDetail,
	caseFile,
	caseSummary,
	fail,
	installBackend,
	status,
	taskItem,
	team,
	type Handler
} from '../../../../tests/backend';

async function openTasks(handlers: Record<string, Handler> = {}) {
	const core = installBackend({
		vault_status: () => status('unlocked'),
		team_overview: () => team(),
		...handlers
	});
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-tasks'));
	await screen.findByTestId('tasks');
	return { core, user };
}

async function openBoard(handlers: Record<string, Handler> = {}) {
	const opened = await openTasks(handlers);
	await opened.user.click(screen.getByTestId('tasks-tab-board'));
	await screen.findByTestId('board');
	return opened;
}

function column(stage: string): HTMLElement {
	const found = screen.getAllByTestId('board-column').find((element) => element.dataset.stage === stage);
	if (!found) throw new Error(`no ${stage} column`);
	return found;
}

function cardIds(stage: string): (string | undefined)[] {
	return within(column(stage))
		.queryAllByTestId('board-card')
		.map((element) => element.dataset.cardId);
}

const LATE = taskItem({ overdue: true }, { id: 'k-late', title: 'Call the aunt', dueOn: '2026-11-20' });
const TODAY = taskItem({ dueToday: true }, { id: 'k-today', title: 'File the report' });
const LATER = taskItem({}, { id: 'k-later', title: 'Plan the home visit', dueOn: null });

describe('my tasks', () => {
	it('lists the tasks in the core’s order, marks the late ones and counts them on the badge', async () => {
		expect(tasksBadge.count).toBe(0);
		const { core } = await openTasks({ my_tasks: () => [LATE, TODAY, LATER] });

		const items = await screen.findAllByTestId('my-task');
		expect(items.map((item) => item.dataset.cardId)).toEqual(['k-late', 'k-today', 'k-later']);
		expect(items.map((item) => item.dataset.overdue)).toEqual(['true', 'false', 'false']);
		expect(within(items[0]).getByTestId('task-overdue')).toHaveTextContent('Overdue');
		expect(within(items[1]).getByTestId('task-due-today')).toHaveTextContent('Due today');
		expect(within(items[2]).queryByTestId('task-overdue')).not.toBeInTheDocument();
		expect(within(items[2]).queryByTestId('task-due-today')).not.toBeInTheDocument();
		expect(screen.getByTestId('tasks-tab-mine')).toHaveAttribute('aria-selected', 'true');

		// One overdue and one due today.
		expect(await screen.findByTestId('nav-tasks-badge')).toHaveTextContent('2');
		expect(core.callsTo('my_tasks')[0].args).toEqual({ query: { due: null, caseId: null, boardId: null } });
	});

	it('shows no badge when nothing is late, and forgets the count on lock', async () => {
		await openTasks({ my_tasks: () => [LATER] });
		await screen.findAllByTestId('my-task');
		expect(screen.queryByTestId('nav-tasks-badge')).not.toBeInTheDocument();

		tasksBadge.count = 3;
		clearAll();
		expect(tasksBadge.count).toBe(0);
	});

	it('asks the core again with the chosen due filter, and says when nothing matches', async () => {
		const { core, user } = await openTasks({
			my_tasks: (args) => ((args.query as { due: string | null }).due === null ? [LATE, TODAY] : [])
		});
		await screen.findAllByTestId('my-task');

		await user.selectOptions(screen.getByTestId('my-tasks-due'), 'overdue');
		await waitFor(() => expect(core.callsTo('my_tasks')).toHaveLength(2));
		expect(core.callsTo('my_tasks')[1].args).toEqual({ query: { due: 'overdue', caseId: null, boardId: null } });
		expect(await screen.findByTestId('my-tasks-empty')).toHaveTextContent('No tasks here.');
		// A filtered list does not change the badge, which counts all my tasks.
		expect(screen.getByTestId('nav-tasks-badge')).toHaveTextContent('2');

		await user.selectOptions(screen.getByTestId('my-tasks-due'), 'week');
		await waitFor(() => expect(core.callsTo('my_tasks')).toHaveLength(3));
		expect(core.callsTo('my_tasks')[2].args).toEqual({ query: { due: 'week', caseId: null, boardId: null } });
	});
});

/** The list's button that opens card `cardId` in full. */
function openButton(testid: string, cardId: string): HTMLElement {
	const found = screen.getAllByTestId(testid).find((element) => element.dataset.cardId === cardId);
	if (!found) throw new Error(`no ${testid} for ${cardId}`);
	return found;
}

describe('a task opened from my tasks', () => {
	/** `card_get` for the tasks above: each as the core shows it in full. */
	const detailOf = (args: Record<string, unknown>) =>
		args.cardId === 'k-today'
			? cardDetail({}, { id: 'k-today', title: 'File the report' })
			: cardDetail({}, { id: 'k-late', title: 'Call the aunt', dueOn: '2026-11-20' });

	it('opens the task named by its title, with its stage and history without a board, and Escape puts the focus back', async () => {
		const { core, user } = await openTasks({ my_tasks: () => [LATE, TODAY], card_get: detailOf });
		const items = await screen.findAllByTestId('my-task');
		const open = within(items[1]).getByTestId('my-task-open');
		expect(open).toBe(screen.getByRole('button', { name: 'File the report' }));
		expect(open).toHaveAttribute('aria-haspopup', 'dialog');
		expect(core.callsTo('card_get')).toHaveLength(0);

		await user.click(open);

		const dialog = await screen.findByTestId('card-detail');
		await within(dialog).findByTestId('card-summary');
		expect(core.callsTo('card_get')).toEqual([{ cmd: 'card_get', args: { cardId: 'k-today' } }]);
		expect(screen.getByRole('dialog', { name: 'File the report' })).toBe(dialog);
		expect(dialog).toHaveAttribute('data-card-id', 'k-today');
		expect(dialog).toContainElement(document.activeElement as HTMLElement);
		// No board's columns here: the stage is named, and the history names no column id.
		expect(within(dialog).queryByTestId('card-column')).not.toBeInTheDocument();
		expect(within(dialog).getByTestId('card-stage')).toHaveTextContent('To do');
		expect(within(dialog).getByTestId('card-stage').previousElementSibling).toHaveTextContent('Stage');
		const history = within(dialog).getByTestId('card-event');
		await waitFor(() => expect(history.querySelector('span')).toHaveTextContent(/^Somchai Jaidee added the task$/));
		expect(history).not.toHaveTextContent('col-todo');

		await user.keyboard('{Escape}');
		expect(screen.queryByTestId('card-detail')).not.toBeInTheDocument();
		expect(openButton('my-task-open', 'k-today')).toHaveFocus();
		// Looking is not a change: the list is not asked again.
		expect(core.callsTo('my_tasks')).toHaveLength(1);
	});

	it('asks for the list and the badge again after a tick in the task, and Close puts the focus back', async () => {
		let mine = [LATE, TODAY];
		const { core, user } = await openTasks({
			my_tasks: () => mine,
			card_get: detailOf,
			card_tick: () => {
				mine = [LATE, taskItem({ dueToday: true }, { id: 'k-today', title: 'File the report', review: 'waiting' })];
				return cardDetail(
					{
						checklist: [
							{ id: 'i-1', text: 'Call the shelter', done: true },
							{ id: 'i-2', text: 'Bring the consent form', done: true }
						]
					},
					{ id: 'k-today', title: 'File the report' }
				);
			}
		});
		await screen.findAllByTestId('my-task');
		await waitFor(() => expect(core.callsTo('task_counts')).toHaveLength(1));
		await user.click(openButton('my-task-open', 'k-today'));
		const dialog = await screen.findByTestId('card-detail');
		await within(dialog).findByTestId('card-summary');

		const box = within(dialog)
			.getAllByTestId('card-item-done')
			.find((element) => element.dataset.itemId === 'i-2');
		if (!box) throw new Error('item i-2 is not shown');
		await user.click(box);

		await waitFor(() => expect(core.callsTo('my_tasks')).toHaveLength(2));
		expect(core.callsTo('card_tick')).toEqual([
			{ cmd: 'card_tick', args: { tick: { cardId: 'k-today', itemId: 'i-2', done: true } } }
		]);
		// The same list as before (all my tasks), and the badge's counts.
		expect(core.callsTo('my_tasks')[1].args).toEqual({ query: { due: null, caseId: null, boardId: null } });
		await waitFor(() => expect(core.callsTo('task_counts')).toHaveLength(2));
		const row = () => openButton('my-task-open', 'k-today').closest('li') as HTMLElement;
		await waitFor(() => expect(row()).toHaveTextContent('Waiting for review'));
		expect(screen.getAllByTestId('card-detail')).toHaveLength(1);

		await user.click(within(dialog).getByTestId('card-detail-close'));
		expect(screen.queryByTestId('card-detail')).not.toBeInTheDocument();
		expect(openButton('my-task-open', 'k-today')).toHaveFocus();
	});

	it('closes after a delete, asks for the list again, and puts the focus on the filter', async () => {
		let mine = [LATE, TODAY];
		const { core, user } = await openTasks({
			my_tasks: () => mine,
			card_get: detailOf,
			card_delete: () => {
				mine = [TODAY];
				return board();
			}
		});
		await screen.findAllByTestId('my-task');
		await user.click(openButton('my-task-open', 'k-late'));
		await within(await screen.findByTestId('card-detail')).findByTestId('card-summary');

		await user.click(screen.getByTestId('card-delete'));
		await user.click(screen.getByTestId('card-delete-confirm'));

		await waitFor(() => expect(screen.queryByTestId('card-detail')).not.toBeInTheDocument());
		expect(core.callsTo('card_delete')).toEqual([{ cmd: 'card_delete', args: { cardId: 'k-late' } }]);
		await waitFor(() =>
			expect(screen.getAllByTestId('my-task').map((element) => element.dataset.cardId)).toEqual(['k-today'])
		);
		expect(core.callsTo('my_tasks')).toHaveLength(2);
		expect(screen.getByTestId('my-tasks-due')).toHaveFocus();
	});
});

describe('the Tasks badge', () => {
	it('shows the core’s counts as soon as the member is signed in, and follows the daily reminder', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked'),
			team_overview: () => team(),
			task_counts: () => ({ overdue: 1, dueToday: 2, toReview: 5 })
		});
		render(App);
		await screen.findByTestId('main');

		// Overdue and due today; cards to review are in the review queue, not on the badge.
		expect(await screen.findByTestId('nav-tasks-badge')).toHaveTextContent('3');
		expect(screen.getByTestId('section-cases')).toBeInTheDocument();
		expect(core.callsTo('task_counts')).toEqual([{ cmd: 'task_counts', args: {} }]);
		expect(core.callsTo('my_tasks')).toHaveLength(0);

		await core.emit('tasks-due', { counts: { overdue: 4, dueToday: 1, toReview: 0 } });
		await waitFor(() => expect(screen.getByTestId('nav-tasks-badge')).toHaveTextContent('5'));
		expect(screen.getByTestId('nav-tasks-badge')).toHaveTextContent('5 overdue or due today');

		await core.emit('tasks-due', { counts: { overdue: 0, dueToday: 0, toReview: 2 } });
		await waitFor(() => expect(screen.queryByTestId('nav-tasks-badge')).not.toBeInTheDocument());
		// The event sets the badge by itself: the core is not asked again.
		expect(core.callsTo('task_counts')).toHaveLength(1);
	});

	it('keeps the badge as it was when the core cannot count', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked'),
			task_counts: () => fail('internal')
		});
		render(App);
		await screen.findByTestId('main');
		await waitFor(() => expect(core.callsTo('task_counts')).toHaveLength(1));
		expect(screen.queryByTestId('nav-tasks-badge')).not.toBeInTheDocument();
		expect(screen.queryByRole('alert')).not.toBeInTheDocument();
	});
});

describe('review queue', () => {
	const WAITING = taskItem(
		{ stage: 'review' },
		{ id: 'k-review', title: 'Police statement taken', review: 'waiting', reviewerId: 'm-1' }
	);

	it('approves a card with no comment, then asks for the queue again', async () => {
		let queue = [WAITING];
		const { core, user } = await openTasks({
			review_queue: () => queue,
			card_review: () => {
				queue = [];
				return board();
			}
		});
		await user.click(screen.getByTestId('tasks-tab-review'));
		const item = await screen.findByTestId('review-item');
		expect(item).toHaveTextContent('Police statement taken');

		await user.click(within(item).getByTestId('review-approve'));

		expect(await screen.findByTestId('review-empty')).toHaveTextContent('Nothing is waiting for your review.');
		expect(core.callsTo('card_review')[0].args).toEqual({
			review: { cardId: 'k-review', approve: true, comment: null }
		});
		expect(core.callsTo('review_queue')).toHaveLength(2);
		expect(screen.getByTestId('review-done')).toHaveTextContent('Approved and signed off.');
	});

	it('returns a card only through its form, with the comment; the core’s refusal shows by field', async () => {
		let queue = [WAITING];
		const { core, user } = await openTasks({
			review_queue: () => queue,
			card_review: (args) => {
				const review = args.review as { comment: string | null };
				if (review.comment === null) fail('invalid', { field: 'comment' });
				queue = [];
				return board();
			}
		});
		await user.click(screen.getByTestId('tasks-tab-review'));
		const item = await screen.findByTestId('review-item');

		expect(screen.queryByTestId('review-comment')).not.toBeInTheDocument();
		await user.click(within(item).getByTestId('review-return'));
		expect(core.callsTo('card_review')).toHaveLength(0);
		const comment = screen.getByTestId('review-comment');
		expect(comment).toHaveFocus();

		await user.click(screen.getByTestId('review-return-submit'));
		const error = await screen.findByTestId('review-error');
		expect(error).toHaveAttribute('data-field', 'comment');
		expect(error).toHaveTextContent('Comment');
		expect(comment).toHaveAttribute('aria-invalid', 'true');
		expect(core.callsTo('card_review')[0].args).toEqual({
			review: { cardId: 'k-review', approve: false, comment: null }
		});

		await user.type(comment, 'Please add the interpreter’s name.');
		await user.click(screen.getByTestId('review-return-submit'));

		expect(await screen.findByTestId('review-empty')).toBeInTheDocument();
		expect(core.callsTo('card_review')[1].args).toEqual({
			review: { cardId: 'k-review', approve: false, comment: 'Please add the interpreter’s name.' }
		});
		expect(screen.getByTestId('review-done')).toHaveTextContent('Returned with your comment.');
	});

	it('opens a card from the queue, asks for the queue again after a comment, and Close puts the focus back', async () => {
		const reviewing = { id: 'k-review', title: 'Police statement taken', review: 'waiting' as const };
		const { core, user } = await openTasks({
			review_queue: () => [WAITING],
			card_get: () => cardDetail({ stage: 'review' }, reviewing),
			card_comment: () =>
				cardDetail(
					{
						stage: 'review',
						comments: [
							{ id: 'cm-9', body: 'Statement read back to her.', authorId: 'm-1', createdAt: '2026-11-22T03:00:00.000Z' }
						]
					},
					reviewing
				)
		});
		await user.click(screen.getByTestId('tasks-tab-review'));
		const item = await screen.findByTestId('review-item');
		const open = within(item).getByTestId('review-open');
		expect(open).toHaveAccessibleName('Police statement taken');
		// Approve and return stay as they were.
		expect(within(item).getByTestId('review-approve')).toHaveTextContent('Approve');
		expect(within(item).getByTestId('review-return')).toHaveTextContent('Return');
		await waitFor(() => expect(core.callsTo('task_counts')).toHaveLength(1));

		await user.click(open);

		const dialog = await screen.findByRole('dialog', { name: 'Police statement taken' });
		await within(dialog).findByTestId('card-summary');
		expect(core.callsTo('card_get')).toEqual([{ cmd: 'card_get', args: { cardId: 'k-review' } }]);
		expect(within(dialog).getByTestId('card-stage')).toHaveTextContent('Waiting for review');
		expect(core.callsTo('review_queue')).toHaveLength(1);

		await user.type(within(dialog).getByTestId('card-comment-body'), 'Statement read back to her.');
		await user.click(within(dialog).getByTestId('card-comment-add'));

		await waitFor(() => expect(core.callsTo('review_queue')).toHaveLength(2));
		expect(core.callsTo('card_comment')).toEqual([
			{ cmd: 'card_comment', args: { comment: { cardId: 'k-review', body: 'Statement read back to her.' } } }
		]);
		await waitFor(() => expect(core.callsTo('task_counts')).toHaveLength(2));
		expect(within(dialog).getByTestId('card-comment')).toHaveTextContent('Statement read back to her.');
		expect(core.callsTo('card_review')).toHaveLength(0);

		await user.click(within(dialog).getByTestId('card-detail-close'));
		expect(screen.queryByTestId('card-detail')).not.toBeInTheDocument();
		expect(openButton('review-open', 'k-review')).toHaveFocus();
	});
});

describe('team board', () => {
	const TWO_CARDS = board({}, { 'col-todo': [card(), card({ id: 'k-2', title: 'Book an interpreter', position: 1 })] });

	it('shows the four columns by their stage’s name and the cards with their details', async () => {
		await openBoard({
			board_open: () =>
				board({}, {
					'col-todo': [card({ priority: 'urgent', reviewerId: 'm-2', review: 'pending' })],
					'col-done': [
						card({
							id: 'k-done',
							title: 'Statement signed',
							columnId: 'col-done',
							review: 'approved',
							signedOffBy: 'm-2',
							signedOffAt: '2026-11-25T04:00:00.000Z'
						})
					]
				})
		});
		const columns = screen.getAllByTestId('board-column');
		expect(columns.map((element) => element.dataset.stage)).toEqual(['todo', 'in_progress', 'review', 'done']);
		expect(columns.map((element) => element.querySelector('h3')?.textContent?.replace(/\d+$/, '').trim())).toEqual([
			'To do',
			'In progress',
			'Waiting for review',
			'Done'
		]);
		const todo = within(column('todo')).getByTestId('board-card');
		expect(todo).toHaveTextContent('Visit the shelter');
		expect(todo).toHaveTextContent('Due 1 Dec 2026');
		expect(todo).toHaveTextContent('Urgent');
		expect(within(todo).getByTestId('card-review')).toHaveTextContent('Needs review');
		// A real button: focusable, with its keyboard moves announced.
		expect(todo.tagName).toBe('BUTTON');
		expect(todo).toHaveAttribute('aria-keyshortcuts', 'Alt+ArrowLeft Alt+ArrowRight Alt+ArrowUp Alt+ArrowDown');
		expect(await within(column('done')).findByTestId('card-signed-off')).toHaveTextContent(
			'Signed off by Malee Srisuk, 25 Nov 2026'
		);
	});

	it('moves a card to the top of the next column with Alt+ArrowRight, and keeps focus on it', async () => {
		const moved = board({}, {
			'col-todo': [card({ id: 'k-2', title: 'Book an interpreter' })],
			'col-in_progress': [card({ columnId: 'col-in_progress' })]
		});
		const { core, user } = await openBoard({ board_open: () => TWO_CARDS, card_move: () => moved });
		const first = within(column('todo')).getAllByTestId('board-card')[0];
		first.focus();

		await user.keyboard('{Alt>}{ArrowRight}{/Alt}');

		await waitFor(() => expect(cardIds('in_progress')).toEqual(['k-1']));
		expect(core.callsTo('card_move')).toHaveLength(1);
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-1', columnId: 'col-in_progress', position: 0 }
		});
		expect(cardIds('todo')).toEqual(['k-2']);
		expect(within(column('in_progress')).getByTestId('board-card')).toHaveFocus();
	});

	it('moves a card down within its column with Alt+ArrowDown, and not past the first column', async () => {
		const { core, user } = await openBoard({ board_open: () => TWO_CARDS, card_move: () => TWO_CARDS });
		within(column('todo')).getAllByTestId('board-card')[0].focus();

		// Nothing left of the first column: nothing is asked.
		await user.keyboard('{Alt>}{ArrowLeft}{/Alt}');
		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');

		await waitFor(() => expect(core.callsTo('card_move')).toHaveLength(1));
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-1', columnId: 'col-todo', position: 1 }
		});
	});

	it('shows the core’s refusal above the board and leaves the board as it was', async () => {
		const { core, user } = await openBoard({
			board_open: () => TWO_CARDS,
			card_move: () => fail('invalid', { field: 'column_id', message: 'needs review before done' })
		});
		within(column('todo')).getAllByTestId('board-card')[0].focus();

		await user.keyboard('{Alt>}{ArrowRight}{/Alt}');

		const error = await screen.findByTestId('board-error');
		expect(error).toHaveAttribute('data-field', 'column_id');
		expect(error).toHaveTextContent('Column');
		expect(core.callsTo('card_move')).toHaveLength(1);
		expect(cardIds('todo')).toEqual(['k-1', 'k-2']);
		expect(cardIds('in_progress')).toEqual([]);
	});

	it('creates a task on the team board (case null) with its due day, priority, assignee and reviewer', async () => {
		let answer: Board = board();
		const { core, user } = await openBoard({
			card_create: () => {
				answer = board({}, { 'col-todo': [card({ id: 'k-new', title: 'Ask the school' })] });
				return answer;
			}
		});
		await user.click(screen.getByTestId('card-new'));
		expect(screen.getByTestId('card-title')).toHaveFocus();

		// Active members only: Anan has left the team.
		const reviewer = screen.getByTestId('card-reviewer');
		await waitFor(() =>
			expect([...reviewer.querySelectorAll('option')].map((option) => option.textContent)).toEqual([
				'No review needed',
				'Somchai Jaidee',
				'Malee Srisuk'
			])
		);
		await user.type(screen.getByTestId('card-title'), 'Ask the school');
		await fireEvent.input(screen.getByTestId('card-due'), { target: { value: '2026-12-05' } });
		await user.selectOptions(screen.getByTestId('card-priority'), 'high');
		await user.selectOptions(reviewer, 'm-2');
		await user.selectOptions(screen.getByTestId('card-assignee'), 'm-1');
		await user.click(screen.getByTestId('card-create-submit'));

		await waitFor(() => expect(cardIds('todo')).toEqual(['k-new']));
		expect(core.callsTo('card_create')[0].args).toEqual({
			card: {
				caseId: null,
				columnId: null,
				title: 'Ask the school',
				description: null,
				agencyId: null,
				startsOn: null,
				dueOn: '2026-12-05',
				priority: 'high',
				assigneeIds: ['m-1'],
				reviewerId: 'm-2'
			}
		});
		expect(screen.queryByTestId('card-form')).not.toBeInTheDocument();
		expect(screen.getByTestId('card-new')).toHaveFocus();
		expect(core.callsTo('board_open')[0].args).toEqual({ caseId: null });
	});
});

describe('a case’s board', () => {
	it('shows the case’s own board in the case file', async () => {
		const { core, user } = await openTasks({
			case_list: () => ({ cases: [caseSummary()], next: null }),
			case_open: () => caseFile(),
			board_open: (args) => board({ id: 'b-case', caseId: args.caseId as string }, { 'col-todo': [card({ caseId: 'c-1' })] })
		});
		await user.click(screen.getByTestId('nav-cases'));
		const rows = await screen.findAllByTestId('case-row');
		await user.click(within(rows[0]).getByRole('button'));

		const caseBoard = await screen.findByTestId('case-board');
		expect(await within(caseBoard).findByTestId('board')).toHaveAttribute('data-board-id', 'b-case');
		expect(within(caseBoard).getByTestId('board-card')).toHaveTextContent('Visit the shelter');
		expect(core.callsTo('board_open').at(-1)?.args).toEqual({ caseId: 'c-1' });
	});
});
