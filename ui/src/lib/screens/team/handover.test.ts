/**
 * Handing a member's open cases over to another (with `cases.oversee`), and what the team
 * lead sees when a member with open cases is set as having left.
 */
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type { Permission } from '$lib/ipc';
import {
	ALL_PERMISSIONS,
	fail,
	installBackend,
	member,
	status,
	team,
	type Handler
} from '../../../../tests/backend';

async function openTeam(permissions: Permission[] = ALL_PERMISSIONS, extra: Record<string, Handler> = {}) {
	const core = installBackend({
		vault_status: () => status('unlocked', { member, permissions }),
		vault_lock: () => status('locked'),
		team_overview: () => team(permissions.includes('team.manage')),
		case_list: () => ({ cases: [], next: null }),
		...extra
	});
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-team'));
	await screen.findAllByTestId('team-member');
	return { core, user };
}

function rowOf(name: string): HTMLElement {
	const row = screen.getAllByTestId('team-member').find((r) => r.textContent?.includes(name));
	if (!row) throw new Error(`no row for ${name}`);
	return row;
}

function optionValues(select: HTMLElement): string[] {
	return [...select.querySelectorAll('option')].map((option) => option.value);
}

describe('handing over cases', () => {
	it('moves a member’s open cases to another active member and says how many', async () => {
		const { core, user } = await openTeam(ALL_PERMISSIONS, { cases_hand_over: () => ({ cases: 2, tasks: 3 }) });

		// Only active members have cases to hand over.
		expect(screen.getAllByTestId('member-handover')).toHaveLength(2);
		expect(within(rowOf('Anan Kaewmanee')).queryByTestId('member-handover')).not.toBeInTheDocument();

		await user.click(within(rowOf('Somchai Jaidee')).getByTestId('member-handover'));
		const to = screen.getByTestId('handover-to');
		expect(to).toHaveFocus();
		// Someone else, still on the team.
		expect(optionValues(to)).toEqual(['', 'm-2']);
		await user.selectOptions(to, 'm-2');
		await user.type(screen.getByTestId('handover-note'), 'Visit Ban Pa Sak on Monday');
		await user.click(screen.getByTestId('handover-submit'));

		const done = await screen.findByTestId('handover-done');
		expect(done).toHaveTextContent('2 open cases and 3 unfinished tasks handed over to Malee Srisuk.');
		expect(core.callsTo('cases_hand_over')[0].args).toEqual({
			handOver: { fromMemberId: 'm-1', toMemberId: 'm-2', note: 'Visit Ban Pa Sak on Monday' }
		});
		expect(screen.queryByTestId('handover-form')).not.toBeInTheDocument();
		expect(within(rowOf('Somchai Jaidee')).getByTestId('member-handover')).toHaveFocus();
	});

	it('says “case” for one case, and works for a member who oversees cases without managing the team', async () => {
		const { core, user } = await openTeam(['cases.oversee'], { cases_hand_over: () => ({ cases: 1, tasks: 0 }) });

		expect(screen.queryByTestId('member-edit')).not.toBeInTheDocument();
		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-handover'));
		await user.selectOptions(screen.getByTestId('handover-to'), 'm-1');
		await user.click(screen.getByTestId('handover-submit'));

		expect(await screen.findByTestId('handover-done')).toHaveTextContent(
			'1 open case handed over to Somchai Jaidee.'
		);
		expect(core.callsTo('cases_hand_over')[0].args).toEqual({
			handOver: { fromMemberId: 'm-2', toMemberId: 'm-1', note: '' }
		});
	});

	it('asks for the handover note when the core says it is missing', async () => {
		const { user } = await openTeam(ALL_PERMISSIONS, {
			cases_hand_over: () => fail('invalid', { field: 'note', message: 'write a handover note' })
		});

		await user.click(within(rowOf('Somchai Jaidee')).getByTestId('member-handover'));
		await user.selectOptions(screen.getByTestId('handover-to'), 'm-2');
		await user.click(screen.getByTestId('handover-submit'));

		const alert = await screen.findByTestId('handover-error');
		expect(alert).toHaveTextContent('Please check “Handover note”');
		const note = screen.getByTestId('handover-note');
		expect(note).toHaveAttribute('aria-invalid', 'true');
		expect(note).toHaveFocus();
		expect(screen.queryByTestId('handover-done')).not.toBeInTheDocument();
	});

	it('is not offered without cases.oversee', async () => {
		await openTeam(['team.manage']);
		expect(screen.getAllByTestId('member-edit')).toHaveLength(3);
		expect(screen.queryByTestId('member-handover')).not.toBeInTheDocument();
	});

	it('shows the core’s error about the member taking over next to that choice', async () => {
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			cases_hand_over: () => fail('invalid', { field: 'to_member_id', message: 'is not a member of the team' })
		});

		await user.click(within(rowOf('Somchai Jaidee')).getByTestId('member-handover'));
		await user.click(screen.getByTestId('handover-submit'));

		const alert = await screen.findByTestId('handover-error');
		expect(core.callsTo('cases_hand_over')[0].args).toEqual({
			handOver: { fromMemberId: 'm-1', toMemberId: '', note: '' }
		});
		expect(alert).toHaveTextContent('Please check “Member taking over”');
		expect(alert).toHaveTextContent('is not a member of the team');
		const to = screen.getByTestId('handover-to');
		expect(to).toHaveAttribute('aria-invalid', 'true');
		expect(to.closest('.field')?.nextElementSibling).toBe(alert);
		expect(to).toHaveFocus();
		expect(screen.queryByTestId('handover-done')).not.toBeInTheDocument();
	});

	it('shows an error about the member handing over under the explanation', async () => {
		const { user } = await openTeam(ALL_PERMISSIONS, {
			cases_hand_over: () => fail('invalid', { field: 'from_member_id', message: 'is not a member of the team' })
		});

		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-handover'));
		await user.selectOptions(screen.getByTestId('handover-to'), 'm-1');
		await user.click(screen.getByTestId('handover-submit'));

		const alert = await screen.findByTestId('handover-error');
		expect(alert).toHaveTextContent('Please check “Member handing over”');
		expect(alert.previousElementSibling).toHaveAttribute('id', 'handover-explain');
		expect(screen.getByTestId('handover-to')).not.toHaveAttribute('aria-invalid');
	});
});

describe('a member who leaves with open cases', () => {
	it('shows the core’s reason next to the status', async () => {
		const reason = 'status: Malee Srisuk is still on 2 open cases; hand them over to another member first';
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			member_update: () => fail('invalid', { field: 'status', message: reason })
		});

		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-edit'));
		const statusSelect = screen.getByTestId('member-edit-status');
		await user.selectOptions(statusSelect, 'left');
		await user.click(screen.getByTestId('member-edit-submit'));

		const alert = await screen.findByTestId('member-edit-error');
		await waitFor(() => expect(core.callsTo('member_update')).toHaveLength(1));
		expect(alert).toHaveTextContent('Malee Srisuk is still on 2 open cases; hand them over to another member first');
		expect(statusSelect.closest('.field')?.nextElementSibling).toBe(alert);
		expect(statusSelect).toHaveAttribute('aria-invalid', 'true');
		expect(statusSelect.getAttribute('aria-describedby')).toContain(alert.id);
		expect(statusSelect).toHaveFocus();
	});
});
