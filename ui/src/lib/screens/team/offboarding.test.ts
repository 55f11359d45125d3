/**
 * A member leaving the team (with `cases.oversee`): what they hold listed from the core, handed
 * over item by item or all that is picked, the core's refusals next to the field they name,
 * and the account closed after a confirmation once nothing is held. Also what the team lead
 * sees when a member is set as having left in the member form.
 */
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import { setLanguage } from '$lib/i18n';
import type { HeldItem, Member, Permission } from '$lib/ipc';
import {
	ALL_PERMISSIONS,
	fail,
	installBackend,
	member,
	status,
	team,
	teamMember,
	type Handler
} from '../../../../tests/backend';

const KANYA = teamMember({
	id: 'm-4',
	displayName: 'Kanya Thongdee',
	signInName: 'kanya',
	role: 'case_worker',
	agencyId: null,
	phone: null,
	email: null
});

/** What Malee Srisuk (m-2) holds, as the core lists it. */
const HELD: HeldItem[] = [
	{ kind: 'case', id: 'c-1', label: 'Nang Kham', part: 'lead', caseId: 'c-1' },
	{ kind: 'case', id: 'c-2', label: 'Ai Lao', part: 'support', caseId: 'c-2' },
	{ kind: 'task', id: 'k-1', label: 'Visit the family', part: null, caseId: 'c-1' },
	{ kind: 'review', id: 'k-2', label: 'Check the shelter report', part: null, caseId: null },
	{ kind: 'request', id: 'r-3', label: 'Child protection fund 2026 #3', part: 'pending', caseId: 'c-1' },
	{ kind: 'committee', id: 'co-1', label: 'District child protection committee', part: null, caseId: null }
];

function members(manager: boolean, malee: Partial<Member> = {}): Member[] {
	const [somchai, maleeNow, anan] = team(manager).members;
	const kanya = manager ? KANYA : { ...KANYA, signInName: null, mustChangePassphrase: null };
	return [somchai, { ...maleeNow, ...malee }, anan, kanya];
}

async function openTeam(permissions: Permission[] = ALL_PERMISSIONS, extra: Record<string, Handler> = {}) {
	const manager = permissions.includes('team.manage');
	const core = installBackend({
		vault_status: () => status('unlocked', { member, permissions }),
		vault_lock: () => status('locked'),
		team_overview: () => team(manager, { members: members(manager) }),
		case_list: () => ({ cases: [], next: null }),
		member_holdings: () => ({ member: members(manager)[1], items: HELD }),
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

/** Opens Malee Srisuk's offboarding; answers once what she holds is listed. */
async function openMalee(user: ReturnType<typeof userEvent.setup>) {
	await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-offboard'));
	const panel = screen.getByTestId('offboarding');
	await within(panel).findAllByTestId('held-item');
	return panel;
}

function heldRow(kind: string, id: string): HTMLElement {
	const row = screen.getAllByTestId('held-item').find((r) => r.dataset.kind === kind && r.dataset.id === id);
	if (!row) throw new Error(`no held ${kind} ${id}`);
	return row;
}

function picks(): boolean[] {
	return screen.getAllByTestId('held-item-pick').map((box) => (box as HTMLInputElement).checked);
}

function optionValues(select: HTMLElement): string[] {
	return [...select.querySelectorAll('option')].map((option) => option.value);
}

describe('offboarding a member', () => {
	it('lists what the member holds with its kind and their part, everything picked', async () => {
		const { core, user } = await openTeam();

		// Active members other than the one signed in; not Anan, who has left.
		expect(screen.getAllByTestId('member-offboard')).toHaveLength(2);
		expect(within(rowOf('Somchai Jaidee')).queryByTestId('member-offboard')).not.toBeInTheDocument();
		expect(within(rowOf('Anan Kaewmanee')).queryByTestId('member-offboard')).not.toBeInTheDocument();

		const panel = await openMalee(user);
		expect(core.callsTo('member_holdings')[0].args).toEqual({ memberId: 'm-2' });
		const rows = within(panel).getAllByTestId('held-item');
		expect(rows.map((row) => [row.dataset.kind, row.dataset.id])).toEqual(HELD.map((item) => [item.kind, item.id]));
		const shown = (kind: string, id: string) =>
			['held-item-kind', 'held-item-label', 'held-item-part'].map(
				(testid) => within(heldRow(kind, id)).queryByTestId(testid)?.textContent ?? null
			);
		expect(shown('case', 'c-1')).toEqual(['Case', 'Nang Kham', 'Lead']);
		expect(shown('case', 'c-2')).toEqual(['Case', 'Ai Lao', 'Support']);
		expect(shown('task', 'k-1')).toEqual(['Task', 'Visit the family', null]);
		expect(shown('review', 'k-2')).toEqual(['Task to review', 'Check the shelter report', null]);
		expect(shown('request', 'r-3')).toEqual(['Spending request', 'Child protection fund 2026 #3', 'Waiting for approval']);
		expect(shown('committee', 'co-1')).toEqual(['Committee chair', 'District child protection committee', null]);
		expect(picks()).toEqual(HELD.map(() => true));
		expect(within(panel).getByTestId('offboarding-held')).toHaveTextContent('6 items are still held by Malee Srisuk');
		expect(within(panel).queryByTestId('member-close-account')).not.toBeInTheDocument();
		expect(within(panel).queryByTestId('offboarding-clear')).not.toBeInTheDocument();
		// The active members besides the one leaving; the core decides about the one signed in.
		expect(optionValues(within(panel).getByTestId('handover-to'))).toEqual(['', 'm-1', 'm-4']);

		setLanguage('th');
		await waitFor(() => expect(within(heldRow('case', 'c-1')).getByTestId('held-item-kind')).toHaveTextContent('กรณี'));
		expect(within(heldRow('case', 'c-1')).getByTestId('held-item-part')).toHaveTextContent('ผู้รับผิดชอบหลัก');
		expect(within(heldRow('committee', 'co-1')).getByTestId('held-item-kind')).toHaveTextContent('ประธานคณะกรรมการ');
	});

	it('hands over one item alone, says what moved, clears the note and lists again what is held', async () => {
		let held = HELD;
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			member_holdings: () => ({ member: members(true)[1], items: held }),
			member_hand_over: () => {
				held = HELD.filter((item) => item.id !== 'k-1');
				return { cases: 0, tasks: 1, reviews: 0, requests: 0, committees: 0 };
			}
		});
		const panel = await openMalee(user);

		await user.click(within(heldRow('task', 'k-1')).getByTestId('held-item-handover'));
		expect(picks()).toEqual(HELD.map((item) => item.id === 'k-1'));
		const to = within(panel).getByTestId('handover-to');
		expect(to).toHaveFocus();
		// Everything can be picked again in one step, and one item alone again.
		await user.click(within(panel).getByTestId('held-pick-all'));
		expect(picks()).toEqual(HELD.map(() => true));
		expect(within(panel).queryByTestId('held-pick-all')).not.toBeInTheDocument();
		await user.click(within(heldRow('task', 'k-1')).getByTestId('held-item-handover'));
		await user.selectOptions(to, 'm-4');
		await user.type(within(panel).getByTestId('handover-note'), 'The family expects a visit on Monday');
		await user.click(within(panel).getByTestId('handover-submit'));

		const done = await within(panel).findByTestId('handover-done');
		expect(done).toHaveTextContent('Handed over to Kanya Thongdee: 1 unfinished task.');
		expect(core.callsTo('member_hand_over')[0].args).toEqual({
			handOver: {
				fromMemberId: 'm-2',
				toMemberId: 'm-4',
				note: 'The family expects a visit on Monday',
				items: [{ kind: 'task', id: 'k-1' }]
			}
		});
		await waitFor(() => expect(within(panel).getAllByTestId('held-item')).toHaveLength(5));
		expect(core.callsTo('member_holdings')).toHaveLength(2);
		expect(picks()).toEqual([true, true, true, true, true]);
		expect(within(panel).getByTestId('handover-note')).toHaveValue('');
		expect(within(panel).getByTestId('offboarding-held')).toHaveTextContent('5 items are still held');
		expect(done).toHaveFocus();
	});

	it('hands over everything picked at once, in one call, to the member chosen', async () => {
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			member_hand_over: () => ({ cases: 2, tasks: 1, reviews: 1, requests: 1, committees: 0 })
		});
		const panel = await openMalee(user);

		// The committee goes to someone else later.
		await user.click(within(heldRow('committee', 'co-1')).getByTestId('held-item-pick'));
		await user.selectOptions(within(panel).getByTestId('handover-to'), 'm-1');
		await user.type(within(panel).getByTestId('handover-note'), 'All on the shared drive');
		await user.click(within(panel).getByTestId('handover-submit'));

		expect(await within(panel).findByTestId('handover-done')).toHaveTextContent(
			'Handed over to Somchai Jaidee: 2 open cases, 1 unfinished task, 1 task to review and 1 spending request.'
		);
		expect(core.callsTo('member_hand_over')).toHaveLength(1);
		expect(core.callsTo('member_hand_over')[0].args).toEqual({
			handOver: {
				fromMemberId: 'm-2',
				toMemberId: 'm-1',
				note: 'All on the shared drive',
				items: HELD.filter((item) => item.kind !== 'committee').map(({ kind, id }) => ({ kind, id }))
			}
		});
	});

	it('shows the core’s refusal of the member taking over next to the select, and focuses it', async () => {
		const message = 'Kanya Thongdee is not on the case of the task “Visit the family”: hand over the case too';
		const { user } = await openTeam(ALL_PERMISSIONS, {
			member_hand_over: () => fail('invalid', { field: 'to_member_id', message })
		});
		const panel = await openMalee(user);

		await user.click(within(heldRow('task', 'k-1')).getByTestId('held-item-handover'));
		await user.selectOptions(within(panel).getByTestId('handover-to'), 'm-4');
		await user.click(within(panel).getByTestId('handover-submit'));

		const alert = await within(panel).findByTestId('offboarding-error');
		expect(alert).toHaveTextContent('Please check “Member taking over”');
		expect(alert).toHaveTextContent(message);
		const to = within(panel).getByTestId('handover-to');
		expect(to).toHaveAttribute('aria-invalid', 'true');
		expect(to.getAttribute('aria-describedby')).toContain(alert.id);
		expect(to.closest('.field')?.nextElementSibling).toBe(alert);
		expect(to).toHaveFocus();
		expect(within(panel).queryByTestId('handover-done')).not.toBeInTheDocument();
		// What was picked stays as it was.
		expect(picks()).toEqual(HELD.map((item) => item.id === 'k-1'));
	});

	it('shows a missing note next to the note, and an error about the items at the top', async () => {
		let refusal = { field: 'note', message: 'write a handover note' };
		const { user } = await openTeam(ALL_PERMISSIONS, {
			member_hand_over: () => fail('invalid', refusal)
		});
		const panel = await openMalee(user);
		await user.selectOptions(within(panel).getByTestId('handover-to'), 'm-4');
		await user.click(within(panel).getByTestId('handover-submit'));

		const alert = await within(panel).findByTestId('offboarding-error');
		expect(alert).toHaveTextContent('Please check “Handover note”');
		const note = within(panel).getByTestId('handover-note');
		expect(note).toHaveAttribute('aria-invalid', 'true');
		expect(note.closest('.field')?.nextElementSibling).toBe(alert);
		expect(note).toHaveFocus();

		refusal = { field: 'items', message: 'pick at least one item to hand over' };
		await user.type(note, 'n');
		await user.click(within(panel).getByTestId('handover-submit'));
		await waitFor(() => expect(within(panel).getByTestId('offboarding-error')).toHaveTextContent('Please check “What to hand over”'));
		expect(within(panel).getByTestId('offboarding-error').previousElementSibling).toHaveAttribute('id', 'offboarding-explain');
		expect(note).not.toHaveAttribute('aria-invalid');
		expect(within(panel).getAllByTestId('held-item-pick')[0]).toHaveFocus();
	});

	it('offers to close the account only once nothing is held, and closes it after a confirmation', async () => {
		let left = false;
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			team_overview: () => team(true, { members: members(true, left ? { status: 'left' } : {}) }),
			member_holdings: () => ({ member: members(true)[1], items: [] }),
			member_close_account: () => {
				left = true;
				return { ...members(true)[1], status: 'left' };
			}
		});
		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-offboard'));
		const panel = screen.getByTestId('offboarding');

		expect(await within(panel).findByTestId('offboarding-clear')).toHaveTextContent('Nothing left to hand over');
		expect(within(panel).queryByTestId('held-item')).not.toBeInTheDocument();
		expect(within(panel).queryByTestId('handover-submit')).not.toBeInTheDocument();
		const closeButton = within(panel).getByTestId('member-close-account');

		// Asked first; Escape takes the question back, not the panel.
		await user.click(closeButton);
		const ask = within(panel).getByTestId('close-account-ask');
		expect(ask).toHaveTextContent('Close the account of Malee Srisuk?');
		expect(within(ask).getByTestId('close-account-cancel')).toHaveFocus();
		await user.keyboard('{Escape}');
		expect(within(panel).queryByTestId('close-account-ask')).not.toBeInTheDocument();
		expect(screen.getByTestId('offboarding')).toBe(panel);
		expect(within(panel).getByTestId('member-close-account')).toHaveFocus();
		expect(core.callsTo('member_close_account')).toHaveLength(0);

		await user.click(within(panel).getByTestId('member-close-account'));
		await user.click(within(panel).getByTestId('close-account-confirm'));

		const notice = await screen.findByTestId('member-closed');
		expect(notice).toHaveTextContent('The account of Malee Srisuk is closed');
		expect(core.callsTo('member_close_account')[0].args).toEqual({ memberId: 'm-2' });
		expect(screen.queryByTestId('offboarding')).not.toBeInTheDocument();
		await waitFor(() => expect(within(rowOf('Malee Srisuk')).getByTestId('member-left')).toBeInTheDocument());
		expect(within(rowOf('Malee Srisuk')).queryByTestId('member-offboard')).not.toBeInTheDocument();
		expect(notice).toHaveFocus();
	});

	it('shows the core’s refusal to close at the top, and lists again what is held', async () => {
		let held: HeldItem[] = [];
		const reason = 'Malee Srisuk still holds 1 open case; hand them over to another member first';
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			member_holdings: () => ({ member: members(true)[1], items: held }),
			member_close_account: () => {
				// Synced from another laptop meanwhile.
				held = [HELD[0]];
				return fail('invalid', { field: 'status', message: reason });
			}
		});
		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-offboard'));
		const panel = screen.getByTestId('offboarding');
		await user.click(await within(panel).findByTestId('member-close-account'));
		await user.click(within(panel).getByTestId('close-account-confirm'));

		const alert = await within(panel).findByTestId('offboarding-error');
		expect(alert).toHaveTextContent(reason);
		expect(alert.previousElementSibling).toHaveAttribute('id', 'offboarding-explain');
		await waitFor(() => expect(within(panel).getAllByTestId('held-item')).toHaveLength(1));
		expect(core.callsTo('member_holdings')).toHaveLength(2);
		expect(within(panel).queryByTestId('member-close-account')).not.toBeInTheDocument();
		expect(screen.queryByTestId('member-closed')).not.toBeInTheDocument();
	});

	it('closes on Escape, back on the button that opened it', async () => {
		const { user } = await openTeam();
		await openMalee(user);
		await user.click(within(heldRow('case', 'c-1')).getByTestId('held-item-pick'));
		await user.keyboard('{Escape}');
		expect(screen.queryByTestId('offboarding')).not.toBeInTheDocument();
		expect(within(rowOf('Malee Srisuk')).getByTestId('member-offboard')).toHaveFocus();
	});

	it('works for a member who oversees cases without managing the team', async () => {
		const { user } = await openTeam(['cases.oversee']);
		expect(screen.queryByTestId('member-edit')).not.toBeInTheDocument();
		const panel = await openMalee(user);
		expect(within(panel).getAllByTestId('held-item')).toHaveLength(HELD.length);
	});

	it('is not offered without cases.oversee', async () => {
		await openTeam(['team.manage']);
		expect(screen.getAllByTestId('member-edit')).toHaveLength(4);
		expect(screen.queryByTestId('member-offboard')).not.toBeInTheDocument();
	});
});

describe('a member set as having left in the member form', () => {
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
