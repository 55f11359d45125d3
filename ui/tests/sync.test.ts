import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type { SyncDevice } from '$lib/ipc';
import { fail, installBackend, status, syncStatus } from './backend';

const active = syncStatus({
	configured: true,
	relayUrl: 'https://relay.example',
	deviceId: 'd-lead',
	hasTeamKey: true,
	lastSyncedAt: '2026-12-02T08:00:00.000Z',
	pendingChanges: 3
});

function device(overrides: Partial<SyncDevice> = {}): SyncDevice {
	return {
		deviceId: 'd-lead',
		status: 'active',
		admin: true,
		memberId: 'm-1',
		shortCode: null,
		thisDevice: true,
		lastSeenMs: null,
		...overrides
	};
}

async function openSettings(handlers: Parameters<typeof installBackend>[0]) {
	const core = installBackend({ vault_status: () => status('unlocked'), ...handlers });
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-settings'));
	return { core, user, panel: await screen.findByTestId('sync-panel') };
}

describe('Settings → Devices and sync', () => {
	it('lets a lead put the team on a relay, then lists the laptops', async () => {
		let configured = false;
		const { core, user, panel } = await openSettings({
			sync_status: () => (configured ? active : syncStatus()),
			sync_start_team: () => {
				configured = true;
				return active;
			},
			sync_devices: () => [device()]
		});
		await user.type(within(panel).getByTestId('sync-relay'), 'https://relay.example');
		await user.click(within(panel).getByTestId('sync-start-submit'));
		expect(await within(panel).findByTestId('sync-status')).toHaveTextContent('https://relay.example');
		expect(core.callsTo('sync_start_team')[0].args).toEqual({ relayUrl: 'https://relay.example' });
		expect(within(panel).getByTestId('sync-pending')).toHaveTextContent('3');
		const listed = await within(panel).findAllByTestId('sync-device');
		expect(listed).toHaveLength(1);
		expect(listed[0]).toHaveTextContent('(this laptop)');
	});

	it('offers a member who does not manage the team no relay to set up, and says how laptops join', async () => {
		const { core, panel } = await openSettings({
			vault_status: () => status('unlocked', { permissions: [] })
		});
		expect(within(panel).queryByTestId('sync-start')).not.toBeInTheDocument();
		expect(within(panel).queryByTestId('sync-relay')).not.toBeInTheDocument();
		expect(panel).toHaveTextContent('joins with the lead');
		expect(core.callsTo('sync_start_team')).toHaveLength(0);
	});

	it('lists the rows held here and why, in words', async () => {
		const { panel } = await openSettings({
			sync_status: () =>
				syncStatus({
					configured: true,
					relayUrl: 'https://relay.example',
					deviceId: 'd-1',
					hasTeamKey: true,
					held: [{ entity: 'member', entityId: 'm-9', reason: 'unique', heldAt: '2026-12-02T10:00:00.000Z' }]
				}),
			sync_devices: () => []
		});
		const held = await within(panel).findAllByTestId('sync-held-row');
		expect(held).toHaveLength(1);
		expect(held[0]).toHaveAttribute('data-reason', 'unique');
		expect(held[0]).toHaveTextContent('another record here has the same name or number');
	});

	it('approves a waiting laptop only with the digits typed, and shows a refusal', async () => {
		const waiting = device({ deviceId: 'd-2', status: 'pending', admin: false, memberId: 'm-2', thisDevice: false, shortCode: '482 913' });
		let approved = false;
		const { core, user, panel } = await openSettings({
			sync_status: () => active,
			sync_devices: () => (approved ? [device(), { ...waiting, status: 'active' }] : [device(), waiting]),
			sync_approve: (args) => {
				const approval = args.approval as { shortCode: string };
				if (approval.shortCode !== '482913') fail('invalid', { field: 'short_code' });
				approved = true;
				return [device(), { ...waiting, status: 'active' }];
			}
		});
		const input = await within(panel).findByTestId('sync-typed-code');
		await user.type(input, '111111');
		await user.click(within(panel).getByTestId('sync-approve'));
		expect(await within(panel).findByTestId('sync-device-error')).toHaveAttribute('data-field', 'short_code');
		await user.clear(within(panel).getByTestId('sync-typed-code'));
		await user.type(within(panel).getByTestId('sync-typed-code'), '482913');
		await user.click(within(panel).getByTestId('sync-approve'));
		await within(panel).findAllByTestId('sync-revoke');
		expect(core.callsTo('sync_approve').map((c) => c.args)).toEqual([
			{ approval: { deviceId: 'd-2', shortCode: '111111' } },
			{ approval: { deviceId: 'd-2', shortCode: '482913' } }
		]);
	});

	it('syncs now, and says so plainly when the relay cannot be reached', async () => {
		let offline = false;
		const { user, panel } = await openSettings({
			sync_status: () => active,
			sync_devices: () => [device()],
			sync_now: () => {
				if (offline) fail('offline');
				return { sealed: 2, pushed: 1, pulled: 3, appliedRows: 5, conflicts: 1, refused: 0, waitingForKeys: false, droppedCases: 0 };
			}
		});
		await user.click(await within(panel).findByTestId('sync-now'));
		expect(await within(panel).findByTestId('sync-report')).toHaveTextContent('applied 5 changes, 1 conflicts');
		offline = true;
		await user.click(within(panel).getByTestId('sync-now'));
		expect(await within(panel).findByTestId('sync-round-error')).toHaveTextContent('cannot be reached');
	});
});

describe('Settings → Devices and sync: conflicts', () => {
	it('shows both values of a conflict and keeps the one chosen', async () => {
		let open = [
			{
				id: 'k-1',
				entity: 'card',
				entityId: 'card-1',
				field: 'title',
				caseId: null,
				localValue: '"Visit the family with an interpreter"',
				remoteValue: '"Visit the family on Monday"',
				remoteAuthor: 'm-1',
				currentValue: '"Visit the family on Monday"',
				createdAt: '2026-12-02T08:00:00.000Z'
			}
		];
		const { core, user, panel } = await openSettings({
			sync_status: () => ({ ...active, openConflicts: open.length }),
			sync_devices: () => [device()],
			sync_conflicts: () => open,
			sync_resolve: () => {
				open = [];
				return open;
			}
		});
		const item = await within(panel).findByTestId('sync-conflict');
		// In words, not the records' column names.
		expect(item).toHaveTextContent('“Title” of this task was changed');
		expect(within(item).getByTestId('sync-conflict-local')).toHaveTextContent('Visit the family with an interpreter');
		expect(within(item).getByTestId('sync-conflict-remote')).toHaveTextContent('Visit the family on Monday');
		await user.click(within(item).getByTestId('sync-keep-local'));
		expect(core.callsTo('sync_resolve')[0].args).toEqual({ choice: { conflictId: 'k-1', keep: 'local' } });
		await expect.poll(() => within(panel).queryByTestId('sync-conflict')).toBeNull();
		expect(within(panel).getByTestId('sync-conflicts')).toHaveTextContent('0');
	});
});
