/**
 * A large board and dragging cards: a column shows its first 40 cards and more on asking,
 * its heading counts them all, a keyboard move further down shows and focuses the card, the
 * windows shown survive the core's answer, a drop asks the core for the right place (and
 * neither shows more cards nor moves the focus), and the first paint is timed once. The core is the fake one of `tests/backend.ts`, answering
 * `BoardPanel` rendered on its own.
 */
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Board, CardSummary } from '$lib/ipc';
import { board, card, installBackend, team, type Handler } from '../../../../tests/backend';
import BoardPanel from './BoardPanel.svelte';

async function openPanel(handlers: Record<string, Handler>) {
	const core = installBackend({ team_overview: () => team(), ...handlers });
	const user = userEvent.setup();
	render(BoardPanel, { caseId: null, testid: 'team-board' });
	await screen.findByTestId('board');
	return { core, user };
}

function column(stage: string): HTMLElement {
	const found = screen.getAllByTestId('board-column').find((element) => element.dataset.stage === stage);
	if (!found) throw new Error(`no ${stage} column`);
	return found;
}

function cards(stage: string): HTMLElement[] {
	return within(column(stage)).queryAllByTestId('board-card');
}

function cardButton(id: string): HTMLElement {
	const found = screen.getAllByTestId('board-card').find((element) => element.dataset.cardId === id);
	if (!found) throw new Error(`card ${id} is not shown`);
	return found;
}

/** `count` cards in a column, `k-<prefix>0`…, each at its index. */
function many(columnId: string, count: number, prefix = ''): CardSummary[] {
	return Array.from({ length: count }, (_, index) =>
		card({ id: `k-${prefix}${index}`, title: `Task ${prefix}${index}`, columnId, position: index })
	);
}

/** The board with the cards of `columnId` in a new order. */
function reordered(from: Board, columnId: string, order: (cards: CardSummary[]) => CardSummary[]): Board {
	return {
		...from,
		columns: from.columns.map((each) =>
			each.id === columnId
				? { ...each, cards: order(each.cards).map((item, position) => ({ ...item, position })) }
				: each
		)
	};
}

/**
 * A drag event as the webview sends it. happy-dom may have no DataTransfer, so the events
 * of one drag share a stand-in. Answers whether a handler took the event (prevented it).
 */
function dragEvent(target: Element, type: 'dragstart' | 'dragover' | 'drop', transfer: object): boolean {
	const event = new Event(type, { bubbles: true, cancelable: true });
	Object.defineProperty(event, 'dataTransfer', { value: transfer });
	return !target.dispatchEvent(event);
}

/** Drags `source` onto `target`; answers whether the target accepted it while dragged over. */
function dragOnto(source: Element, target: Element): boolean {
	const data = new Map<string, string>();
	const transfer = {
		setData: (format: string, value: string) => data.set(format, value),
		getData: (format: string) => data.get(format) ?? '',
		effectAllowed: '',
		dropEffect: ''
	};
	dragEvent(source, 'dragstart', transfer);
	const accepted = dragEvent(target, 'dragover', transfer);
	dragEvent(target, 'drop', transfer);
	return accepted;
}

describe('a large board', () => {
	const LARGE = board({}, { 'col-todo': many('col-todo', 500), 'col-in_progress': many('col-in_progress', 3, 'p') });

	it('shows a column’s first 40 cards, counts all 500, and shows 40 more on asking', async () => {
		const { user } = await openPanel({ board_open: () => LARGE });

		expect(cards('todo')).toHaveLength(40);
		expect(cards('todo').map((element) => element.dataset.cardId)).toEqual(
			LARGE.columns[0].cards.slice(0, 40).map((item) => item.id)
		);
		expect(column('todo').querySelector('.count')).toHaveTextContent('500');
		// A short column shows all its cards and no button.
		expect(cards('in_progress')).toHaveLength(3);
		expect(within(column('in_progress')).queryByTestId('board-column-more')).not.toBeInTheDocument();

		const more = within(column('todo')).getByTestId('board-column-more');
		expect(more).toHaveTextContent('Show more (460 left)');
		await user.click(more);

		expect(cards('todo')).toHaveLength(80);
		expect(more).toHaveTextContent('Show more (420 left)');
		expect(column('todo').querySelector('.count')).toHaveTextContent('500');
	});

	it('shows 40 more when the end of the column scrolls into view', async () => {
		// happy-dom's IntersectionObserver never reports: this one reports when told to.
		type Watcher = { report: (seen: boolean) => void; target: Element | null; observations: number };
		const observed: Watcher[] = [];
		class ReportingObserver {
			watcher: Watcher;
			constructor(callback: (entries: { isIntersecting: boolean }[]) => void) {
				this.watcher = { report: (seen) => callback([{ isIntersecting: seen }]), target: null, observations: 0 };
				observed.push(this.watcher);
			}
			observe(target: Element) {
				this.watcher.target = target;
				this.watcher.observations += 1;
			}
			unobserve() {
				this.watcher.target = null;
			}
			disconnect() {
				this.watcher.target = null;
			}
		}
		vi.stubGlobal('IntersectionObserver', ReportingObserver);
		try {
			await openPanel({ board_open: () => LARGE });
			// One mark, at the end of the long column only.
			const watching = observed.filter((watcher) => watcher.target !== null);
			expect(watching).toHaveLength(1);
			expect(column('todo').contains(watching[0].target)).toBe(true);

			watching[0].report(false);
			await new Promise((resolve) => setTimeout(resolve, 0));
			expect(cards('todo')).toHaveLength(40);

			watching[0].report(true);
			await waitFor(() => expect(cards('todo')).toHaveLength(80));
			// Watched afresh after the step, since the mark may still be in view.
			expect(watching[0].target).not.toBeNull();
			expect(watching[0].observations).toBe(2);
		} finally {
			vi.unstubAllGlobals();
		}
	});

	it('keeps the cards shown when the core’s answer replaces the board', async () => {
		const moved = reordered(LARGE, 'col-todo', ([first, second, ...others]) => [second, first, ...others]);
		const { core, user } = await openPanel({ board_open: () => LARGE, card_move: () => moved });
		await user.click(within(column('todo')).getByTestId('board-column-more'));
		expect(cards('todo')).toHaveLength(80);

		cardButton('k-0').focus();
		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');

		await waitFor(() => expect(cards('todo')[1].dataset.cardId).toBe('k-0'));
		expect(core.callsTo('card_move')[0].args).toEqual({ request: { cardId: 'k-0', columnId: 'col-todo', position: 1 } });
		expect(cards('todo')).toHaveLength(80);
		expect(cardButton('k-0')).toHaveFocus();
	});

	it('shows and focuses a card that Alt+ArrowDown moves past the cards shown', async () => {
		// The last card shown (index 39) goes down one, to index 40.
		const moved = reordered(LARGE, 'col-todo', (all) => [...all.slice(0, 39), all[40], all[39], ...all.slice(41)]);
		const { core, user } = await openPanel({ board_open: () => LARGE, card_move: () => moved });
		const last = cards('todo').at(-1);
		expect(last?.dataset.cardId).toBe('k-39');
		last?.focus();

		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');

		await waitFor(() => expect(cardButton('k-39')).toHaveFocus());
		expect(core.callsTo('card_move')).toHaveLength(1);
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-39', columnId: 'col-todo', position: 40 }
		});
		expect(cards('todo')[40].dataset.cardId).toBe('k-39');
		expect(cards('todo')).toHaveLength(80);
		expect(column('todo').querySelector('.count')).toHaveTextContent('500');
	});
});

describe('dragging a card', () => {
	const FIVE = many('col-todo', 5);

	it('dropped on a card of another column: asks for that card’s place', async () => {
		const start = board({}, { 'col-todo': FIVE, 'col-in_progress': many('col-in_progress', 4, 'p') });
		const { core } = await openPanel({ board_open: () => start, card_move: () => start });

		const accepted = dragOnto(cardButton('k-0'), cardButton('k-p2'));

		expect(accepted).toBe(true);
		await waitFor(() => expect(core.callsTo('card_move')).toHaveLength(1));
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-0', columnId: 'col-in_progress', position: 2 }
		});
	});

	it('dropped on a column of 500 cards, 40 of them shown: asks for the last place, 500, and shows no more', async () => {
		const start = board({}, { 'col-todo': many('col-todo', 500), 'col-in_progress': many('col-in_progress', 2, 'p') });
		// The core's answer: the card last of 501 in the long column.
		const dropped = board(
			{},
			{
				'col-todo': [...many('col-todo', 500), card({ id: 'k-p1', title: 'Task p1', columnId: 'col-todo', position: 500 })],
				'col-in_progress': many('col-in_progress', 1, 'p')
			}
		);
		const { core } = await openPanel({ board_open: () => start, card_move: () => dropped });
		expect(cards('todo')).toHaveLength(40);

		const accepted = dragOnto(cardButton('k-p1'), column('todo'));

		expect(accepted).toBe(true);
		await waitFor(() => expect(core.callsTo('card_move')).toHaveLength(1));
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-p1', columnId: 'col-todo', position: 500 }
		});
		await waitFor(() => expect(cards('in_progress')).toHaveLength(1));
		await new Promise((resolve) => setTimeout(resolve, 20));
		// The board took the answer, but the long column still shows its first 40 cards only,
		// and the dropped card (not rendered) took no focus.
		expect(column('todo').querySelector('.count')).toHaveTextContent('501');
		expect(cards('todo')).toHaveLength(40);
		expect(cards('todo').some((element) => element.dataset.cardId === 'k-p1')).toBe(false);
		expect(within(column('todo')).getByTestId('board-column-more')).toHaveTextContent('Show more (461 left)');
		expect(document.activeElement).toBe(document.body);
	});

	it('dropped within the cards shown: the board shows the answer and the focus stays where it was', async () => {
		const start = board({}, { 'col-todo': FIVE });
		const moved = reordered(start, 'col-todo', ([first, ...others]) => [...others.slice(0, 2), first, ...others.slice(2)]);
		const { core } = await openPanel({ board_open: () => start, card_move: () => moved });

		dragOnto(cardButton('k-0'), cardButton('k-3'));

		await waitFor(() => expect(cards('todo').map((element) => element.dataset.cardId)).toEqual(['k-1', 'k-2', 'k-0', 'k-3', 'k-4']));
		expect(core.callsTo('card_move')[0].args).toEqual({ request: { cardId: 'k-0', columnId: 'col-todo', position: 2 } });
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(cardButton('k-0')).not.toHaveFocus();
	});

	it('dropped further down its own column: counts the place without the card itself', async () => {
		const start = board({}, { 'col-todo': FIVE });
		const { core } = await openPanel({ board_open: () => start, card_move: () => start });

		// From index 1 onto the card at index 3: it lands before that card, at index 2.
		dragOnto(cardButton('k-1'), cardButton('k-3'));

		await waitFor(() => expect(core.callsTo('card_move')).toHaveLength(1));
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-1', columnId: 'col-todo', position: 2 }
		});
	});

	it('asks nothing when something other than a card is dropped', async () => {
		const start = board({}, { 'col-todo': FIVE });
		const { core } = await openPanel({ board_open: () => start, card_move: () => start });
		const transfer = { setData() {}, getData: () => '', effectAllowed: '', dropEffect: '' };

		expect(dragEvent(cardButton('k-3'), 'dragover', transfer)).toBe(false);
		dragEvent(cardButton('k-3'), 'drop', transfer);

		await new Promise((resolve) => setTimeout(resolve, 0));
		expect(core.callsTo('card_move')).toHaveLength(0);
	});
});

describe('the first paint', () => {
	it('is measured once, from the question and from the answer, and then marked painted', async () => {
		const measure = vi.spyOn(performance, 'measure');
		const start = board({}, { 'col-todo': many('col-todo', 2) });
		const { user } = await openPanel({ board_open: () => start, card_move: () => start });

		const panel = screen.getByTestId('team-board');
		await waitFor(() => expect(panel).toHaveAttribute('data-painted', 'true'));
		expect(measure.mock.calls.map(([name]) => name)).toEqual(['ruam-board-open', 'ruam-board-render']);
		for (const [, options] of measure.mock.calls) {
			expect(options).toEqual({ start: expect.any(Number), end: expect.any(Number) });
		}

		// A move replaces the board; it is not timed again.
		cardButton('k-0').focus();
		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
		await waitFor(() => expect(cardButton('k-0')).toHaveFocus());
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(measure).toHaveBeenCalledTimes(2);
	});

	it('still shows the board and marks it painted when the webview cannot measure', async () => {
		vi.spyOn(performance, 'measure').mockImplementation(() => {
			throw new TypeError('performance.measure is not a function');
		});
		await openPanel({ board_open: () => board({}, { 'col-todo': many('col-todo', 2) }) });

		await waitFor(() => expect(screen.getByTestId('team-board')).toHaveAttribute('data-painted', 'true'));
		expect(cards('todo')).toHaveLength(2);
	});
});
