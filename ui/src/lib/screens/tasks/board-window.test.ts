/**
 * A large board and dragging cards. The core sends each column's first 50 cards with its
 * total, and the next ones a page at a time (`board_column_cards`): a column shows its first
 * 40 cards and more on asking (asking the core for the next page when they are not here), its
 * heading counts them all, a keyboard move further down shows and focuses the card, the
 * windows shown survive the core's answer (their pages asked again before it shows), a page a
 * newer board made stale is dropped, a drop asks the core for the right place (and neither
 * shows more cards nor moves the focus), and the first paint is timed once. The core is the
 * fake one of `tests/backend.ts`, answering `BoardPanel` rendered on its own.
 */
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { CardSummary } from '$lib/ipc';
import {
	board,
	card,
	columnCards,
	deferred,
	fail,
	installBackend,
	team,
	type Handler
} from '../../../../tests/backend';
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

/** All the cards of a board's columns, by column id, as the core holds them. */
type Held = Record<string, CardSummary[]>;

/** The cards of `columnId` in a new order, each at its index. */
function reordered(from: Held, columnId: string, order: (cards: CardSummary[]) => CardSummary[]): Held {
	return { ...from, [columnId]: order(from[columnId] ?? []).map((item, position) => ({ ...item, position })) };
}

/**
 * A core holding `cards`: `board_open` sends each column's first 50 with its total,
 * `board_column_cards` the next ones, and `card_move` makes it hold `moved` and answers that.
 */
function holding(cards: Held, moved: Held = cards): Record<string, Handler> {
	let held = cards;
	return {
		board_open: () => board({}, held),
		board_column_cards: columnCards(() => held),
		card_move: () => {
			held = moved;
			return board({}, held);
		}
	};
}

function ids(stage: string): (string | undefined)[] {
	return cards(stage).map((element) => element.dataset.cardId);
}

/** The ids `k-<from>`… `k-<to - 1>`. */
function range(from: number, to: number): string[] {
	return Array.from({ length: to - from }, (_, index) => `k-${from + index}`);
}

/** The places `board_column_cards` was asked from, in order. */
function pagesAsked(core: ReturnType<typeof installBackend>): unknown[] {
	return core.callsTo('board_column_cards').map((call) => call.args);
}

function page(from: number) {
	return { page: { columnId: 'col-todo', from } };
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
	const LARGE: Held = { 'col-todo': many('col-todo', 500), 'col-in_progress': many('col-in_progress', 3, 'p') };

	it('counts all 500 cards while 40 of the 50 sent show, and asks the core for the next ones past the 50th', async () => {
		const { core, user } = await openPanel(holding(LARGE));

		expect(ids('todo')).toEqual(range(0, 40));
		expect(column('todo').querySelector('.count')).toHaveTextContent('500');
		expect(pagesAsked(core)).toEqual([]);
		// A short column shows all its cards and no button.
		expect(cards('in_progress')).toHaveLength(3);
		expect(within(column('in_progress')).queryByTestId('board-column-more')).not.toBeInTheDocument();

		const more = within(column('todo')).getByTestId('board-column-more');
		expect(more).toHaveTextContent('Show more (460 left)');
		await user.click(more);

		await waitFor(() => expect(cards('todo')).toHaveLength(80));
		expect(ids('todo')).toEqual(range(0, 80));
		expect(pagesAsked(core)).toEqual([page(50)]);
		expect(more).toHaveTextContent('Show more (420 left)');
		expect(column('todo').querySelector('.count')).toHaveTextContent('500');

		// 100 are here: the next 40 need the page from the 100th.
		await user.click(more);
		await waitFor(() => expect(cards('todo')).toHaveLength(120));
		expect(ids('todo')).toEqual(range(0, 120));
		expect(pagesAsked(core)).toEqual([page(50), page(100)]);
		expect(more).toHaveTextContent('Show more (380 left)');
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
			const { core } = await openPanel(holding(LARGE));
			// One mark, at the end of the long column only.
			const watching = observed.filter((watcher) => watcher.target !== null);
			expect(watching).toHaveLength(1);
			expect(column('todo').contains(watching[0].target)).toBe(true);

			watching[0].report(false);
			await new Promise((resolve) => setTimeout(resolve, 0));
			expect(cards('todo')).toHaveLength(40);

			watching[0].report(true);
			await waitFor(() => expect(cards('todo')).toHaveLength(80));
			expect(pagesAsked(core)).toEqual([page(50)]);
			// Watched afresh after each step (the 50 here, then the 80), since the mark may still be in view.
			expect(watching[0].target).not.toBeNull();
			expect(watching[0].observations).toBe(3);
		} finally {
			vi.unstubAllGlobals();
		}
	});

	it('shows the core’s refusal of a page above the board, and the cards that are here', async () => {
		const { core, user } = await openPanel({
			...holding(LARGE),
			board_column_cards: () => fail('internal', { message: 'the vault could not be read' })
		});

		await user.click(within(column('todo')).getByTestId('board-column-more'));

		expect(await screen.findByTestId('board-error')).toHaveTextContent('the vault could not be read');
		expect(pagesAsked(core)).toEqual([page(50)]);
		expect(ids('todo')).toEqual(range(0, 50));
		expect(within(column('todo')).getByTestId('board-column-more')).toHaveTextContent('Show more (450 left)');
	});

	it('keeps the cards shown when the core’s answer replaces the board, asking their pages again first', async () => {
		const moved = reordered(LARGE, 'col-todo', ([first, second, ...others]) => [second, first, ...others]);
		const late = deferred<unknown>();
		const core0 = holding(LARGE, moved);
		let asked = 0;
		const { core, user } = await openPanel({
			...core0,
			// The page asked again after the move comes late.
			board_column_cards: (args) => (++asked === 2 ? late.promise.then(() => core0.board_column_cards(args)) : core0.board_column_cards(args))
		});
		await user.click(within(column('todo')).getByTestId('board-column-more'));
		await waitFor(() => expect(cards('todo')).toHaveLength(80));

		cardButton('k-0').focus();
		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');

		await waitFor(() => expect(pagesAsked(core)).toEqual([page(50), page(50)]));
		expect(core.callsTo('card_move')[0].args).toEqual({ request: { cardId: 'k-0', columnId: 'col-todo', position: 1 } });
		// Until the page is back the board stays as it was: the column never shrinks to the 50 sent.
		expect(ids('todo')).toEqual(range(0, 80));

		late.resolve(null);
		await waitFor(() => expect(ids('todo').slice(0, 2)).toEqual(['k-1', 'k-0']));
		expect(ids('todo')).toEqual(['k-1', 'k-0', ...range(2, 80)]);
		expect(cardButton('k-0')).toHaveFocus();
	});

	it('shows and focuses a card that Alt+ArrowDown moves past the cards shown', async () => {
		// The last card shown (index 39) goes down one, to index 40.
		const moved = reordered(LARGE, 'col-todo', (all) => [...all.slice(0, 39), all[40], all[39], ...all.slice(41)]);
		const { core, user } = await openPanel(holding(LARGE, moved));
		const last = cards('todo').at(-1);
		expect(last?.dataset.cardId).toBe('k-39');
		last?.focus();

		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');

		await waitFor(() => expect(cardButton('k-39')).toHaveFocus());
		expect(core.callsTo('card_move')).toHaveLength(1);
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-39', columnId: 'col-todo', position: 40 }
		});
		// Its window is the next 40, which reach past the 50 sent.
		expect(pagesAsked(core)).toEqual([page(50)]);
		expect(cards('todo')[40].dataset.cardId).toBe('k-39');
		expect(cards('todo')).toHaveLength(80);
		expect(column('todo').querySelector('.count')).toHaveTextContent('500');
	});

	it('asks for the page of a card a keyboard move puts past the 50 sent, then focuses it', async () => {
		// The card at index 59 goes down one, to index 60: the core's answer carries it no more.
		const moved = reordered(LARGE, 'col-todo', (all) => [...all.slice(0, 59), all[60], all[59], ...all.slice(61)]);
		const { core, user } = await openPanel(holding(LARGE, moved));
		await user.click(within(column('todo')).getByTestId('board-column-more'));
		await waitFor(() => expect(cards('todo')).toHaveLength(80));
		cardButton('k-59').focus();

		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');

		await waitFor(() => expect(cards('todo')[60]?.dataset.cardId).toBe('k-59'));
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-59', columnId: 'col-todo', position: 60 }
		});
		expect(pagesAsked(core)).toEqual([page(50), page(50)]);
		await waitFor(() => expect(cardButton('k-59')).toHaveFocus());
		expect(cards('todo')).toHaveLength(80);
	});

	it('moves the last card here further down: its place counts among all 500', async () => {
		// 200 shown, 200 here: card 199 goes down one, to a place no page brought yet.
		const moved = reordered(LARGE, 'col-todo', (all) => [...all.slice(0, 199), all[200], all[199], ...all.slice(201)]);
		const { core, user } = await openPanel(holding(LARGE, moved));
		for (const shown of [80, 120, 160, 200]) {
			await user.click(within(column('todo')).getByTestId('board-column-more'));
			await waitFor(() => expect(cards('todo')).toHaveLength(shown));
		}
		expect(pagesAsked(core)).toEqual([page(50), page(100), page(150)]);
		cardButton('k-199').focus();

		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');

		await waitFor(() => expect(core.callsTo('card_move')).toHaveLength(1));
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-199', columnId: 'col-todo', position: 200 }
		});
		// Place 200 is past the window: the window grows to 240 to show it.
		await waitFor(() => expect(cardButton('k-199')).toHaveFocus());
		expect(cards('todo')).toHaveLength(240);
		expect(cards('todo')[200].dataset.cardId).toBe('k-199');
		expect(pagesAsked(core)).toEqual([page(50), page(100), page(150), page(50), page(100), page(150), page(200)]);
	});

	it('does not show a board whose pages a newer answer overtook', async () => {
		const moved = reordered(LARGE, 'col-todo', ([first, second, ...others]) => [second, first, ...others]);
		const late = deferred<unknown>();
		const core0 = holding(LARGE, moved);
		let asked = 0;
		const { core, user } = await openPanel({
			...core0,
			// The page asked again after the move comes late; the rename's answer comes before it.
			board_column_cards: (args) => (++asked === 2 ? late.promise.then(() => core0.board_column_cards(args)) : core0.board_column_cards(args)),
			column_save: () => {
				const next = board({}, moved);
				return { ...next, columns: next.columns.map((each) => (each.id === 'col-todo' ? { ...each, name: 'Inbox' } : each)) };
			}
		});
		await user.click(within(column('todo')).getByTestId('board-column-more'));
		await waitFor(() => expect(cards('todo')).toHaveLength(80));
		cardButton('k-0').focus();
		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
		await waitFor(() => expect(pagesAsked(core)).toHaveLength(2));

		await user.click(screen.getByTestId('board-columns-edit'));
		await user.type(within(column('todo')).getByTestId('column-name'), 'Inbox');
		await user.click(within(column('todo')).getByTestId('column-rename-save'));
		await waitFor(() => expect(column('todo').querySelector('h3')).toHaveTextContent('Inbox'));
		expect(ids('todo')).toEqual(['k-1', 'k-0', ...range(2, 80)]);

		late.resolve(null);
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(column('todo').querySelector('h3')).toHaveTextContent('Inbox');
		expect(ids('todo')).toEqual(['k-1', 'k-0', ...range(2, 80)]);
		expect(pagesAsked(core)).toEqual([page(50), page(50), page(50)]);
	});

	it('drops a page a newer board made stale, and its refusal too', async () => {
		const moved = reordered(LARGE, 'col-todo', ([first, second, ...others]) => [second, first, ...others]);
		const stale = deferred<unknown>();
		const core0 = holding(LARGE, moved);
		let asked = 0;
		const { core, user } = await openPanel({
			...core0,
			// The first page (asked by "Show more") is still on its way when the move's answer comes.
			board_column_cards: (args) => (++asked === 1 ? stale.promise : core0.board_column_cards(args))
		});
		await user.click(within(column('todo')).getByTestId('board-column-more'));
		expect(cards('todo')).toHaveLength(50);

		cardButton('k-0').focus();
		await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
		await waitFor(() => expect(ids('todo')).toEqual(['k-1', 'k-0', ...range(2, 80)]));

		stale.reject({ code: 'internal', message: 'the vault could not be read' });
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(screen.queryByTestId('board-error')).not.toBeInTheDocument();
		expect(ids('todo')).toEqual(['k-1', 'k-0', ...range(2, 80)]);
		expect(pagesAsked(core)).toEqual([page(50), page(50)]);
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
		const start: Held = { 'col-todo': many('col-todo', 500), 'col-in_progress': many('col-in_progress', 2, 'p') };
		// The core's answer: the card last of 501 in the long column.
		const dropped: Held = {
			'col-todo': [...many('col-todo', 500), card({ id: 'k-p1', title: 'Task p1', columnId: 'col-todo', position: 500 })],
			'col-in_progress': many('col-in_progress', 1, 'p')
		};
		const { core } = await openPanel(holding(start, dropped));
		expect(cards('todo')).toHaveLength(40);

		const accepted = dragOnto(cardButton('k-p1'), column('todo'));

		expect(accepted).toBe(true);
		await waitFor(() => expect(core.callsTo('card_move')).toHaveLength(1));
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-p1', columnId: 'col-todo', position: 500 }
		});
		await waitFor(() => expect(cards('in_progress')).toHaveLength(1));
		await new Promise((resolve) => setTimeout(resolve, 20));
		// The board took the answer, but the long column still shows its first 40 cards only
		// (no page asked), and the dropped card (not rendered) took no focus.
		expect(column('todo').querySelector('.count')).toHaveTextContent('501');
		expect(ids('todo')).toEqual(range(0, 40));
		expect(pagesAsked(core)).toEqual([]);
		expect(within(column('todo')).getByTestId('board-column-more')).toHaveTextContent('Show more (461 left)');
		expect(document.activeElement).toBe(document.body);
	});

	it('dropped on a card past the 50 sent: asks for that card’s place among all', async () => {
		const start: Held = { 'col-todo': many('col-todo', 500), 'col-in_progress': many('col-in_progress', 2, 'p') };
		const { core, user } = await openPanel(holding(start));
		await user.click(within(column('todo')).getByTestId('board-column-more'));
		await waitFor(() => expect(cards('todo')).toHaveLength(80));

		expect(dragOnto(cardButton('k-p0'), cardButton('k-70'))).toBe(true);

		await waitFor(() => expect(core.callsTo('card_move')).toHaveLength(1));
		expect(core.callsTo('card_move')[0].args).toEqual({
			request: { cardId: 'k-p0', columnId: 'col-todo', position: 70 }
		});
	});

	it('dropped within the cards shown: the board shows the answer and the focus stays where it was', async () => {
		const start: Held = { 'col-todo': FIVE };
		const moved = reordered(start, 'col-todo', ([first, ...others]) => [...others.slice(0, 2), first, ...others.slice(2)]);
		const { core } = await openPanel(holding(start, moved));

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
