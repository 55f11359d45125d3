/**
 * Editing a board's columns: the toggle shows each column's tools and a column to add; a
 * name, a move and a removal each ask the core, whose answer replaces the board; a refusal
 * shows above the board. The core is the fake one of `tests/backend.ts`, answering
 * `BoardPanel` rendered on its own.
 */
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Board, Column } from '$lib/ipc';
import { board, card, fail, installBackend, team, type Handler } from '../../../../tests/backend';
import BoardPanel from './BoardPanel.svelte';

async function openPanel(handlers: Record<string, Handler>) {
	const core = installBackend({ team_overview: () => team(), ...handlers });
	const user = userEvent.setup();
	render(BoardPanel, { caseId: null, testid: 'team-board' });
	await screen.findByTestId('board');
	return { core, user };
}

function columnById(id: string): HTMLElement {
	const found = screen.getAllByTestId('board-column').find((element) => element.dataset.columnId === id);
	if (!found) throw new Error(`no column ${id}`);
	return found;
}

function headings(): (string | undefined)[] {
	return screen
		.getAllByTestId('board-column')
		.map((element) => element.querySelector('h3')?.textContent?.replace(/\d+$/, '').trim());
}

const ADDED: Column = { id: 'col-police', name: 'Waiting for police', stage: null, cards: [], total: 0 };

function withAdded(from: Board): Board {
	return { ...from, columns: [...from.columns, ADDED] };
}

describe('editing a board’s columns', () => {
	it('shows the tools only once asked, and adds a column named as typed, last', async () => {
		const { core, user } = await openPanel({ column_save: () => withAdded(board()) });
		expect(screen.queryByTestId('column-name')).not.toBeInTheDocument();
		expect(screen.queryByTestId('column-add-name')).not.toBeInTheDocument();

		const toggle = screen.getByTestId('board-columns-edit');
		expect(toggle).toHaveAttribute('aria-pressed', 'false');
		await user.click(toggle);
		expect(toggle).toHaveAttribute('aria-pressed', 'true');
		expect(screen.getAllByTestId('column-name')).toHaveLength(4);
		// The starting columns carry the review flow: none of them can be removed.
		expect(screen.queryByTestId('column-delete')).not.toBeInTheDocument();

		await user.type(screen.getByTestId('column-add-name'), 'Waiting for police');
		await user.click(screen.getByTestId('column-add-save'));

		await waitFor(() => expect(screen.getAllByTestId('board-column')).toHaveLength(5));
		expect(core.callsTo('column_save')).toEqual([
			{ cmd: 'column_save', args: { save: { boardId: 'b-team', columnId: null, name: 'Waiting for police', position: null } } }
		]);
		expect(headings().at(-1)).toBe('Waiting for police');
		expect(screen.getByTestId('column-add-name')).toHaveValue('');

		await user.click(toggle);
		expect(screen.queryByTestId('column-name')).not.toBeInTheDocument();
	});

	it('renames a starting column, and moves it right, keeping the focus on the button', async () => {
		const renamed: Board = {
			...board(),
			columns: board().columns.map((column) => (column.id === 'col-todo' ? { ...column, name: 'Inbox' } : column))
		};
		const moved: Board = { ...renamed, columns: [renamed.columns[1], renamed.columns[0], ...renamed.columns.slice(2)] };
		const { core, user } = await openPanel({
			column_save: (args) => ((args.save as { position: number | null }).position === null ? renamed : moved)
		});
		await user.click(screen.getByTestId('board-columns-edit'));
		const todo = columnById('col-todo');
		const name = within(todo).getByTestId('column-name');
		// No name of its own: its stage names it, and an empty name keeps that.
		expect(name).toHaveValue('');
		expect(name).toHaveAttribute('placeholder', 'To do');
		expect(within(todo).getByTestId('column-move-left')).toBeDisabled();

		await user.type(name, 'Inbox');
		await user.click(within(todo).getByTestId('column-rename-save'));
		await waitFor(() => expect(headings()[0]).toBe('Inbox'));
		expect(core.callsTo('column_save')[0].args).toEqual({
			save: { boardId: 'b-team', columnId: 'col-todo', name: 'Inbox', position: null }
		});
		expect(within(columnById('col-todo')).getByTestId('column-name')).toHaveValue('Inbox');

		await user.click(within(columnById('col-todo')).getByTestId('column-move-right'));
		await waitFor(() => expect(headings()).toEqual(['In progress', 'Inbox', 'Waiting for review', 'Done']));
		expect(core.callsTo('column_save')[1].args).toEqual({
			save: { boardId: 'b-team', columnId: 'col-todo', name: null, position: 1 }
		});
		await waitFor(() => expect(within(columnById('col-todo')).getByTestId('column-move-right')).toHaveFocus());
	});

	it('removes only a column the team added; the core’s refusal shows above the board', async () => {
		let refuse = true;
		const { core, user } = await openPanel({
			board_open: () => withAdded(board()),
			column_delete: () => {
				if (refuse) {
					refuse = false;
					fail('invalid', { field: 'column_id', message: 'still holds 2 cards; move them to another column first' });
				}
				return board();
			}
		});
		await user.click(screen.getByTestId('board-columns-edit'));
		const removals = screen.getAllByTestId('column-delete');
		expect(removals).toHaveLength(1);
		expect(columnById('col-police')).toContainElement(removals[0]);

		await user.click(removals[0]);
		const error = await screen.findByTestId('board-error');
		expect(error).toHaveAttribute('data-field', 'column_id');
		expect(error).toHaveTextContent('still holds 2 cards; move them to another column first');
		expect(screen.getAllByTestId('board-column')).toHaveLength(5);

		await user.click(screen.getByTestId('column-delete'));
		await waitFor(() => expect(screen.getAllByTestId('board-column')).toHaveLength(4));
		expect(core.callsTo('column_delete').map((call) => call.args)).toEqual([
			{ columnId: 'col-police' },
			{ columnId: 'col-police' }
		]);
		expect(screen.queryByTestId('board-error')).not.toBeInTheDocument();
		expect(screen.getByTestId('column-add-name')).toHaveFocus();
	});

	it('keeps a refused name as typed', async () => {
		const { core, user } = await openPanel({
			board_open: () => withAdded(board({}, { 'col-todo': [card()] })),
			column_save: () => fail('invalid', { field: 'name', message: 'is empty' })
		});
		await user.click(screen.getByTestId('board-columns-edit'));
		const name = within(columnById('col-police')).getByTestId('column-name');
		expect(name).toHaveValue('Waiting for police');
		await user.clear(name);
		await user.type(name, '   ');
		await user.click(within(columnById('col-police')).getByTestId('column-rename-save'));

		expect(await screen.findByTestId('board-error')).toHaveAttribute('data-field', 'name');
		expect(core.callsTo('column_save')[0].args).toEqual({
			save: { boardId: 'b-team', columnId: 'col-police', name: '   ', position: null }
		});
		expect(name).toHaveValue('   ');
		expect(headings().at(-1)).toBe('Waiting for police');
	});
});
