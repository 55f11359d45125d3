import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type { BackupInfo, BackupProgress, RestoreDone, VaultState } from '$lib/ipc';
import { holdsNoVaultData } from '$lib/stores/vault.svelte';
import { app } from '$lib/stores/app.svelte';
import { backupPlan, deferred, fail, installBackend, status, typeUnlock, unlocked, type Handler } from './backend';

const FILE = '/media/usb/Ruam/ruam-1a2b3c4d-20261120T040000000Z.ruambackup';
const RECOVERY_KEY = 'ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789';

function restored(overrides: Partial<RestoreDone> = {}): RestoreDone {
	return {
		check: { createdAt: '2026-11-20T04:00:00.000Z', tables: 42, rows: 1234, auditEntries: 310 },
		replaced: '/home/somchai/.local/share/ruam/replaced-1763611200',
		passphraseSignsIn: true,
		...overrides
	};
}

function backupInfo(overrides: Partial<BackupInfo> = {}): BackupInfo {
	return {
		path: FILE,
		createdAt: '2026-11-20T04:00:00.000Z',
		bytes: 12_345_678,
		thisVault: true,
		passphrase: true,
		...overrides
	};
}

/** What the core does with the channel it was given: sends a message on it, in order. */
function sendOnChannel(channel: unknown, message: BackupProgress, index: number) {
	const id = (channel as { id: number }).id;
	const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
		.__TAURI_INTERNALS__;
	internals.runCallback(id, { message, index });
}

/** Settings, unlocked as the team lead (who holds recovery.manage), with the backups panel loaded. */
async function openBackups(handlers: Record<string, Handler> = {}) {
	let state: VaultState = 'unlocked';
	const core = installBackend({
		vault_status: () => status(state),
		...handlers
	});
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-settings'));
	await screen.findByTestId('backup-plan');
	return { core, user, lockInCore: () => (state = 'locked') };
}

describe('backups in settings', () => {
	it('are not offered to a member without recovery.manage', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked', { permissions: ['team.manage', 'roles.manage', 'audit.read'] })
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('nav-settings'));
		await screen.findByTestId('settings');
		expect(screen.getByTestId('change-current')).toBeInTheDocument();
		expect(screen.queryByTestId('backup-panel')).not.toBeInTheDocument();
		expect(screen.queryByTestId('backup-now')).not.toBeInTheDocument();
		expect(screen.queryByTestId('backup-restore')).not.toBeInTheDocument();
		expect(core.callsTo('backup_plan')).toHaveLength(0);
	});

	it('shows the plan and the last backup, and saves the plan, forgetting the passphrase typed', async () => {
		let plan = backupPlan({
			lastAt: '2026-11-20T04:00:00.000Z',
			lastFile: FILE,
			lastBytes: 12_345_678,
			lastError: 'internal'
		});
		const { core, user } = await openBackups({
			backup_plan: () => plan,
			backup_plan_set: (args) => {
				const request = args.request as { folder: string; keep: number; daily: boolean };
				plan = { ...plan, ...request, myPassphrase: true };
				return plan;
			}
		});
		const folder = screen.getByTestId('backup-folder');
		expect(folder).toHaveValue('');
		expect(folder).toHaveAttribute('placeholder', '/home/somchai/Downloads/Ruam backups');
		expect(screen.getByLabelText('Backup folder')).toBe(folder);
		expect(screen.getByTestId('backup-keep')).toHaveValue(7);
		expect(screen.getByTestId('backup-daily')).not.toBeChecked();
		expect(screen.queryByTestId('backup-my-passphrase')).not.toBeInTheDocument();
		expect(screen.getByLabelText('Your passphrase')).toBe(screen.getByTestId('backup-passphrase'));
		expect(screen.getByText(/will also open these backups on another laptop/)).toBeInTheDocument();
		// The last backup: when, where and how big; and that the last daily one failed.
		const last = screen.getByTestId('backup-last');
		expect(within(last).getByTestId('backup-last-at').textContent).toMatch(/2026/);
		expect(within(last).getByTestId('backup-last-file')).toHaveTextContent(FILE);
		expect(within(last).getByTestId('backup-last-size')).toHaveTextContent('12.3 MB');
		expect(screen.getByTestId('backup-last-error')).toHaveTextContent(
			'The last daily backup failed: Something went wrong inside Ruam.'
		);

		await user.type(folder, '/media/usb/Ruam');
		await user.clear(screen.getByTestId('backup-keep'));
		await user.type(screen.getByTestId('backup-keep'), '14');
		await user.click(screen.getByTestId('backup-daily'));
		await user.type(screen.getByTestId('backup-passphrase'), 'river mango lantern seven{Enter}');

		expect(await screen.findByTestId('backup-plan-saved')).toHaveTextContent('Backup plan saved.');
		expect(core.callsTo('backup_plan_set')[0].args).toEqual({
			request: { folder: '/media/usb/Ruam', keep: 14, daily: true, passphrase: 'river mango lantern seven' }
		});
		expect(screen.getByTestId('backup-passphrase')).toHaveValue('');
		expect(screen.getByTestId('backup-folder')).toHaveValue('/media/usb/Ruam');
		expect(screen.getByTestId('backup-my-passphrase')).toHaveTextContent('Your passphrase opens this laptop’s backups.');
	});

	it('points at the folder the core refused, by its name in the form', async () => {
		const { core, user } = await openBackups({
			backup_plan_set: () => fail('invalid', { field: 'folder', message: 'is not an existing folder' })
		});
		await user.type(screen.getByTestId('backup-folder'), '/nowhere');
		await user.type(screen.getByTestId('backup-passphrase'), 'river mango');
		await user.click(screen.getByTestId('backup-plan-save'));

		const error = await screen.findByTestId('backup-plan-error');
		expect(error).toHaveTextContent('Please check “Backup folder”: the value was not accepted.');
		expect(error).toHaveTextContent('is not an existing folder');
		expect(screen.getByTestId('backup-folder')).toHaveAttribute('aria-invalid', 'true');
		expect(document.activeElement).toBe(screen.getByTestId('backup-folder'));
		// Nothing saved: what was typed stays to be corrected.
		expect(screen.getByTestId('backup-passphrase')).toHaveValue('river mango');
		expect(screen.queryByTestId('backup-plan-saved')).not.toBeInTheDocument();
		expect(core.callsTo('backup_plan_set')).toHaveLength(1);
	});

	it('backs up now, showing how far the core is, then where the backup went', async () => {
		const answer = deferred<unknown>();
		let channel: unknown = null;
		let plan = backupPlan();
		const { core, user } = await openBackups({
			backup_plan: () => plan,
			backup_now: (args) => {
				channel = args.onProgress;
				return answer.promise;
			}
		});
		expect(screen.getByTestId('backup-last')).toHaveTextContent('No backup has been made on this laptop yet.');

		await user.click(screen.getByTestId('backup-now'));

		await waitFor(() => expect(core.callsTo('backup_now')).toHaveLength(1));
		expect(core.callsTo('backup_now')[0].args.folder).toBeNull();
		expect(screen.getByTestId('backup-now')).toBeDisabled();
		expect(screen.getByTestId('backup-progress').tagName).toBe('PROGRESS');
		sendOnChannel(channel, { phase: 'writing', done: 0, total: 200 }, 0);
		sendOnChannel(channel, { phase: 'writing', done: 50, total: 200 }, 1);
		await waitFor(() => expect(screen.getByTestId('backup-progress')).toHaveAttribute('value', '50'));
		expect(screen.getByTestId('backup-progress')).toHaveAttribute('max', '200');
		expect(screen.getByTestId('backup-progress-phase')).toHaveTextContent('Writing the backup… (25% done)');

		plan = backupPlan({ lastAt: '2026-11-21T04:00:00.000Z', lastFile: FILE, lastBytes: 2_500_000 });
		answer.resolve({ path: FILE, bytes: 2_500_000, createdAt: '2026-11-21T04:00:00.000Z' });

		const done = await screen.findByTestId('backup-done');
		expect(done).toHaveTextContent(`Backup written to ${FILE}.`);
		await waitFor(() => expect(document.activeElement).toBe(done));
		expect(screen.queryByTestId('backup-progress')).not.toBeInTheDocument();
		expect(screen.getByTestId('backup-now')).toBeEnabled();
		// The last backup, as the core now has it.
		expect(await screen.findByTestId('backup-last-size')).toHaveTextContent('2.5 MB');
	});

	it('says why a backup now failed, and moves to it', async () => {
		const { user } = await openBackups({ backup_now: () => fail('forbidden') });
		await user.click(screen.getByTestId('backup-now'));
		const error = await screen.findByTestId('backup-now-error');
		expect(error).toHaveTextContent('Your role does not allow this.');
		await waitFor(() => expect(document.activeElement).toBe(error.parentElement));
		expect(screen.queryByTestId('backup-done')).not.toBeInTheDocument();
	});

	it('asks before restoring; a damaged backup is refused and the vault stays open', async () => {
		const { core, user } = await openBackups({
			backup_plan: () => backupPlan({ folder: '/media/usb/Ruam' }),
			backup_list: () => [
				backupInfo(),
				backupInfo({ path: '/media/usb/Ruam/other.ruambackup', thisVault: false, passphrase: false })
			],
			backup_restore: () => fail('backup_refused', { backupFault: 'damaged', message: 'the backup is damaged' })
		});
		const restore = screen.getByTestId('backup-restore');
		expect(within(restore).getByTestId('restore-folder')).toHaveValue('/media/usb/Ruam');
		await user.click(within(restore).getByTestId('restore-find'));
		expect(core.callsTo('backup_list')[0].args).toEqual({ folder: '/media/usb/Ruam' });
		const list = await screen.findByTestId('restore-list');
		const items = within(list).getAllByTestId('restore-item');
		expect(items).toHaveLength(2);
		expect(items[0].closest('.radio')).toHaveTextContent('12.3 MB');
		expect(items[0].closest('.radio')).not.toHaveTextContent('another vault');
		expect(items[1].closest('.radio')).toHaveTextContent('another vault');
		expect(items[1].closest('.radio')).toHaveTextContent('recovery key only');

		await user.click(items[0]);
		expect(screen.getByTestId('restore-file')).toHaveValue(FILE);
		await user.click(screen.getByTestId('restore-with-passphrase'));
		expect(within(restore).getByLabelText('Passphrase')).toBe(screen.getByTestId('restore-secret'));
		await user.type(screen.getByTestId('restore-secret'), 'river mango lantern seven{Enter}');

		// Nothing happens before the lead confirms.
		const dialog = await screen.findByTestId('restore-confirm');
		expect(dialog).toHaveTextContent('will be replaced by the one in this backup');
		expect(dialog).toHaveTextContent('kept in a folder beside it');
		expect(dialog).toHaveTextContent('Ruam then locks');
		expect(within(dialog).getByTestId('restore-confirm-file')).toHaveTextContent(FILE);
		expect(core.callsTo('backup_restore')).toHaveLength(0);
		await user.click(within(dialog).getByTestId('restore-confirm-yes'));

		await waitFor(() => expect(core.callsTo('backup_restore')).toHaveLength(1));
		expect(core.callsTo('backup_restore')[0].args.request).toEqual({
			file: FILE,
			secret: { with: 'passphrase', secret: 'river mango lantern seven' }
		});
		const error = await screen.findByTestId('restore-error');
		expect(error).toHaveTextContent(
			'This backup is damaged (it was changed after it was made). Nothing was restored; use another backup.'
		);
		await waitFor(() => expect(document.activeElement).toBe(error.parentElement));
		// Still unlocked, still in Settings.
		expect(screen.getByTestId('main')).toBeInTheDocument();
		expect(screen.queryByTestId('lock-screen')).not.toBeInTheDocument();
		expect(screen.getByTestId('settings')).toBeInTheDocument();
	});

	it('sends nothing when the lead cancels, and choosing a backup only the recovery key opens asks for it', async () => {
		const { core, user } = await openBackups({
			backup_list: () => [backupInfo({ passphrase: false })]
		});
		await user.click(screen.getByTestId('restore-with-passphrase'));
		await user.click(screen.getByTestId('restore-find'));
		await user.click(await screen.findByTestId('restore-item'));
		expect(screen.getByTestId('restore-with-recovery')).toBeChecked();
		const restore = screen.getByTestId('backup-restore');
		expect(within(restore).getByLabelText('Recovery key')).toBe(screen.getByTestId('restore-secret'));
		await user.type(screen.getByTestId('restore-secret'), RECOVERY_KEY);
		await user.click(screen.getByTestId('restore-start'));
		await user.click(within(await screen.findByTestId('restore-confirm')).getByTestId('restore-confirm-cancel'));
		await waitFor(() => expect(screen.queryByTestId('restore-confirm')).not.toBeInTheDocument());
		expect(core.callsTo('backup_restore')).toHaveLength(0);
	});

	it('asks for the file and the secret before anything else', async () => {
		const { core, user } = await openBackups();
		await user.click(screen.getByTestId('restore-start'));
		expect(screen.getByTestId('restore-file')).toHaveAttribute('aria-invalid', 'true');
		expect(document.activeElement).toBe(screen.getByTestId('restore-file'));
		await user.type(screen.getByTestId('restore-file'), `${FILE}{Enter}`);
		expect(document.activeElement).toBe(screen.getByTestId('restore-secret'));
		expect(screen.queryByTestId('restore-confirm')).not.toBeInTheDocument();
		expect(core.callsTo('backup_restore')).toHaveLength(0);
	});

	it('restores with the recovery key, then wipes and shows the lock screen with what was restored', async () => {
		const answer = deferred<unknown>();
		let channel: unknown = null;
		const { core, user, lockInCore } = await openBackups({
			backup_restore: (args) => {
				channel = args.onProgress;
				return answer.promise;
			}
		});
		await user.type(screen.getByTestId('restore-file'), FILE);
		await user.type(screen.getByTestId('restore-secret'), `${RECOVERY_KEY}{Enter}`);
		await user.click(within(await screen.findByTestId('restore-confirm')).getByTestId('restore-confirm-yes'));

		await waitFor(() => expect(core.callsTo('backup_restore')).toHaveLength(1));
		expect(core.callsTo('backup_restore')[0].args.request).toEqual({
			file: FILE,
			secret: { with: 'recoveryKey', secret: RECOVERY_KEY }
		});
		expect(screen.getByTestId('restore-start')).toBeDisabled();
		sendOnChannel(channel, { phase: 'unpacking', done: 30, total: 60 }, 0);
		await waitFor(() => expect(screen.getByTestId('restore-progress-phase')).toHaveTextContent('Opening and unpacking the backup… (50% done)'));
		sendOnChannel(channel, { phase: 'checking', done: 0, total: 1 }, 1);
		await waitFor(() => expect(screen.getByTestId('restore-progress-phase')).toHaveTextContent('Checking the vault in the backup…'));

		lockInCore();
		const statusCalls = core.callsTo('vault_status').length;
		answer.resolve(restored());

		const done = await screen.findByTestId('restore-done');
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
		expect(core.callsTo('vault_status').length).toBe(statusCalls + 1);
		expect(done).toHaveTextContent(/Backup restored: the vault is as it was on .*2026/);
		expect(done).toHaveTextContent('Checked: 42 tables, 1,234 rows and 310 audit log entries');
		expect(done).toHaveTextContent('The vault as it was before the restore is kept in /home/somchai/.local/share/ruam/replaced-1763611200.');
		expect(done).toHaveTextContent('Sign in with your sign-in name and passphrase.');
		expect(document.activeElement).toBe(done);
		expect(screen.getByTestId('unlock-sign-in-name')).toBeInTheDocument();
	});

	it('points at the secret when it does not open the backup', async () => {
		const { user } = await openBackups({ backup_restore: () => fail('invalid_credentials') });
		await user.type(screen.getByTestId('restore-file'), FILE);
		await user.type(screen.getByTestId('restore-secret'), `${RECOVERY_KEY}{Enter}`);
		await user.click(within(await screen.findByTestId('restore-confirm')).getByTestId('restore-confirm-yes'));
		expect(await screen.findByTestId('restore-error')).toHaveTextContent(
			'This recovery key or passphrase does not open this backup.'
		);
		const secret = screen.getByTestId('restore-secret');
		expect(secret).toHaveAttribute('aria-invalid', 'true');
		await waitFor(() => expect(document.activeElement).toBe(secret));
		expect(screen.getByTestId('main')).toBeInTheDocument();
	});
});

describe('the lock screen after a restore', () => {
	it('says what was restored until the next sign-in, and no longer', async () => {
		let state: VaultState = 'unlocked';
		const core = installBackend({
			vault_status: () => status(state),
			backup_restore: () => {
				state = 'locked';
				return restored();
			},
			vault_unlock: () => {
				state = 'unlocked';
				return unlocked();
			},
			vault_lock: () => {
				state = 'locked';
				return status('locked');
			}
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('nav-settings'));
		await user.type(await screen.findByTestId('restore-file'), FILE);
		await user.type(screen.getByTestId('restore-secret'), `${RECOVERY_KEY}{Enter}`);
		await user.click(within(await screen.findByTestId('restore-confirm')).getByTestId('restore-confirm-yes'));
		await screen.findByTestId('restore-done');

		await typeUnlock(user, 'river mango lantern seven{Enter}');
		await screen.findByTestId('main');
		expect(app.restored).toBeNull();
		await user.click(screen.getByTestId('lock'));
		await screen.findByTestId('lock-screen');
		expect(screen.queryByTestId('restore-done')).not.toBeInTheDocument();
		expect(core.callsTo('vault_unlock')).toHaveLength(1);
	});
});

describe('restore at first run', () => {
	it('restores a backup on a laptop without a vault, then shows the lock screen to sign in with the recovery key', async () => {
		let state: VaultState = 'absent';
		const core = installBackend({
			vault_status: () => status(state),
			backup_restore: () => {
				state = 'locked';
				return restored({ replaced: null, passphraseSignsIn: false });
			}
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('first-run-restore'));
		expect(screen.getByTestId('first-run-restore')).toHaveAttribute('aria-pressed', 'true');
		const form = screen.getByTestId('restore-first');
		expect(screen.queryByTestId('team-name')).not.toBeInTheDocument();

		await user.type(within(form).getByTestId('restore-file'), FILE);
		await user.click(within(form).getByTestId('restore-with-passphrase'));
		await user.type(within(form).getByTestId('restore-secret'), 'river mango lantern seven{Enter}');

		// No vault to replace: no confirmation.
		await waitFor(() => expect(core.callsTo('backup_restore')).toHaveLength(1));
		expect(screen.queryByTestId('restore-confirm')).not.toBeInTheDocument();
		expect(core.callsTo('backup_restore')[0].args.request).toEqual({
			file: FILE,
			secret: { with: 'passphrase', secret: 'river mango lantern seven' }
		});
		const done = await screen.findByTestId('restore-done');
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(core.callsTo('vault_status')).toHaveLength(2);
		expect(done).not.toHaveTextContent('before the restore');
		expect(done).toHaveTextContent('Sign in with the recovery key: it sets a passphrase on this laptop.');
		// The lock screen opens on the recovery key.
		expect(screen.getByTestId('recovery-input')).toBeInTheDocument();
	});

	it('says in Thai why a file was refused, and stays on the first screen', async () => {
		const core = installBackend({
			vault_status: () => status('absent', {}, { language: 'th' }),
			backup_restore: () => fail('backup_refused', { backupFault: 'truncated' })
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('first-run-restore'));
		await user.type(screen.getByTestId('restore-file'), FILE);
		await user.type(screen.getByTestId('restore-secret'), `${RECOVERY_KEY}{Enter}`);
		expect(await screen.findByTestId('restore-error')).toHaveTextContent('ข้อมูลสำรองนี้ไม่ครบ');
		expect(screen.getByTestId('first-run')).toBeInTheDocument();
		expect(core.callsTo('vault_status')).toHaveLength(1);
	});
});

describe('restore from the lock screen', () => {
	/** The lock screen of a vault that no longer opens, with its restore form opened. */
	async function openLockedRestore(handlers: Record<string, Handler> = {}) {
		const core = installBackend({ vault_status: () => status('locked'), ...handlers });
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('lock-restore'));
		return { core, user, form: screen.getByTestId('restore-locked') };
	}

	it('opens from a button beside the unlock, focuses the form, and Escape or the cancel button closes it', async () => {
		installBackend({ vault_status: () => status('locked') });
		const user = userEvent.setup();
		render(App);
		const button = await screen.findByTestId('lock-restore');
		expect(button).toHaveTextContent('Restore from a backup…');
		expect(button).toHaveAccessibleDescription(
			'If the vault no longer opens, restore a backup of it with its recovery key.'
		);
		expect(screen.queryByTestId('restore-locked')).not.toBeInTheDocument();

		// By keyboard: from the recovery-key option, Tab reaches it.
		screen.getByTestId('use-recovery').focus();
		await user.tab();
		expect(button).toHaveFocus();
		await user.keyboard('{Enter}');
		const form = screen.getByTestId('restore-locked');
		expect(within(form).getByTestId('restore-folder')).toHaveFocus();
		expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Restore from a backup');
		// The unlock forms make way for it.
		expect(screen.queryByTestId('unlock-sign-in-name')).not.toBeInTheDocument();
		expect(screen.queryByTestId('lock-restore')).not.toBeInTheDocument();

		await user.keyboard('{Escape}');
		expect(screen.queryByTestId('restore-locked')).not.toBeInTheDocument();
		expect(screen.getByTestId('lock-restore')).toHaveFocus();
		expect(screen.getByTestId('unlock-sign-in-name')).toBeInTheDocument();

		await user.keyboard('{Enter}');
		await user.click(screen.getByTestId('lock-restore-cancel'));
		expect(screen.queryByTestId('restore-locked')).not.toBeInTheDocument();
		expect(screen.getByTestId('lock-restore')).toHaveFocus();
	});

	it('offers no passphrase: only the recovery key, and says why', async () => {
		const { core, user, form } = await openLockedRestore({
			backup_list: () => [backupInfo({ passphrase: false })]
		});
		expect(within(form).queryByTestId('restore-with-passphrase')).not.toBeInTheDocument();
		expect(within(form).queryByTestId('restore-with-recovery')).not.toBeInTheDocument();
		const secret = within(form).getByLabelText('Recovery key');
		expect(secret).toBe(within(form).getByTestId('restore-secret'));
		expect(secret).toHaveAccessibleDescription(
			'On the lock screen, a backup is restored over this vault only with its recovery key.'
		);
		// Every backup here opens only with the recovery key: no badge says so one by one.
		await user.type(within(form).getByTestId('restore-folder'), '/media/usb/Ruam{Enter}');
		const item = await within(form).findByTestId('restore-item');
		expect(within(form).queryByTestId('restore-item-recovery-only')).not.toBeInTheDocument();
		await user.click(item);
		expect(within(form).getByTestId('restore-file')).toHaveValue(FILE);
		expect(core.callsTo('backup_list')[0].args).toEqual({ folder: '/media/usb/Ruam' });
	});

	it('sends the recovery key, after asking; a wrong key says so and points at it', async () => {
		const { core, user, form } = await openLockedRestore({
			backup_restore: () => fail('invalid_credentials', { message: 'wrong recovery key' })
		});
		await user.type(within(form).getByTestId('restore-file'), FILE);
		await user.type(within(form).getByTestId('restore-secret'), `${RECOVERY_KEY}{Enter}`);
		const dialog = await screen.findByTestId('restore-confirm');
		expect(dialog).toHaveTextContent('will be replaced by the one in this backup');
		expect(dialog).toHaveTextContent('Then you sign in to the restored vault.');
		expect(dialog).not.toHaveTextContent('Ruam then locks');
		expect(core.callsTo('backup_restore')).toHaveLength(0);
		await user.click(within(dialog).getByTestId('restore-confirm-yes'));

		await waitFor(() => expect(core.callsTo('backup_restore')).toHaveLength(1));
		expect(core.callsTo('backup_restore')[0].args.request).toEqual({
			file: FILE,
			secret: { with: 'recoveryKey', secret: RECOVERY_KEY }
		});
		expect(await within(form).findByTestId('restore-error')).toHaveTextContent(
			'This is not the recovery key of this vault. Nothing was restored; check each group of characters and try again.'
		);
		const secret = within(form).getByTestId('restore-secret');
		expect(secret).toHaveAttribute('aria-invalid', 'true');
		await waitFor(() => expect(secret).toHaveFocus());
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(screen.queryByTestId('restore-done')).not.toBeInTheDocument();
	});

	it('refuses a backup of another vault, and the form stays open', async () => {
		const { user, form } = await openLockedRestore({
			backup_restore: () => fail('backup_refused', { backupFault: 'other_vault' })
		});
		await user.type(within(form).getByTestId('restore-file'), FILE);
		await user.type(within(form).getByTestId('restore-secret'), `${RECOVERY_KEY}{Enter}`);
		await user.click(within(await screen.findByTestId('restore-confirm')).getByTestId('restore-confirm-yes'));
		expect(await within(form).findByTestId('restore-error')).toHaveTextContent(
			'This is a backup of another team’s vault. Nothing was restored.'
		);
		expect(screen.getByTestId('restore-locked')).toBeInTheDocument();
	});

	it('cannot be closed while the restore runs; once done, the lock screen says what was restored', async () => {
		const answer = deferred<unknown>();
		const { core, user, form } = await openLockedRestore({
			backup_restore: () => answer.promise
		});
		await user.type(within(form).getByTestId('restore-file'), FILE);
		await user.type(within(form).getByTestId('restore-secret'), `${RECOVERY_KEY}{Enter}`);
		await user.click(within(await screen.findByTestId('restore-confirm')).getByTestId('restore-confirm-yes'));
		await waitFor(() => expect(core.callsTo('backup_restore')).toHaveLength(1));
		expect(screen.getByTestId('lock-restore-cancel')).toBeDisabled();
		within(form).getByTestId('restore-file').focus();
		await user.keyboard('{Escape}');
		expect(screen.getByTestId('restore-locked')).toBeInTheDocument();

		const statusCalls = core.callsTo('vault_status').length;
		answer.resolve(restored({ passphraseSignsIn: false }));
		const done = await screen.findByTestId('restore-done');
		expect(core.callsTo('vault_status').length).toBe(statusCalls + 1);
		expect(done).toHaveTextContent(/Backup restored: the vault is as it was on .*2026/);
		expect(done).toHaveTextContent('Checked: 42 tables, 1,234 rows and 310 audit log entries');
		expect(done).toHaveTextContent('The vault as it was before the restore is kept in /home/somchai/.local/share/ruam/replaced-1763611200.');
		expect(done).toHaveTextContent('Sign in with the recovery key: it sets a passphrase on this laptop.');
		await waitFor(() => expect(done).toHaveFocus());
		// The form is gone; the way to sign in to the restored vault is there.
		expect(screen.queryByTestId('restore-locked')).not.toBeInTheDocument();
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(screen.getByTestId('recovery-input')).toBeInTheDocument();
		expect(screen.getByTestId('lock-restore')).toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
	});

	it('speaks Thai', async () => {
		installBackend({ vault_status: () => status('locked', {}, { language: 'th' }) });
		const user = userEvent.setup();
		render(App);
		const button = await screen.findByTestId('lock-restore');
		expect(button).toHaveTextContent('กู้คืนจากข้อมูลสำรอง…');
		expect(button).toHaveAccessibleDescription(
			'หากห้องนิรภัยเปิดไม่ได้แล้ว ให้กู้คืนข้อมูลสำรองของห้องนิรภัยนี้ด้วยกุญแจกู้คืนของห้องนิรภัย'
		);
		await user.click(button);
		const form = screen.getByTestId('restore-locked');
		expect(within(form).getByLabelText('กุญแจกู้คืน')).toHaveAccessibleDescription(
			'ที่หน้าจอล็อก การกู้คืนข้อมูลสำรองทับห้องนิรภัยนี้ทำได้ด้วยกุญแจกู้คืนของห้องนิรภัยนี้เท่านั้น'
		);
		expect(screen.getByTestId('lock-restore-cancel')).toHaveTextContent('กลับไปปลดล็อก');
	});
});
