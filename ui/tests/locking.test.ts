import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import { createActivityReporter } from '$lib/session';
import { app } from '$lib/stores/app.svelte';
import { holdsNoVaultData, registerVaultView, vaultData } from '$lib/stores/vault.svelte';
import { deferred, fail, installBackend, ipcError, status, typeUnlock, unlocked } from './backend';

function unlockedBackend(extra = {}) {
	return installBackend({
		vault_status: () => status('unlocked'),
		vault_lock: () => status('locked'),
		...extra
	});
}

async function renderUnlocked() {
	render(App);
	await screen.findByTestId('main');
	expect(vaultData.teamName).toBe('Mae Sai District MDT');
	expect(screen.getByText('Mae Sai District MDT')).toBeInTheDocument();
}

describe('locking', () => {
	it('on the core’s vault-locked event, clears the vault store and shows the lock screen', async () => {
		const core = unlockedBackend();
		await renderUnlocked();
		let viewCleared = false;
		const unregister = registerVaultView(() => (viewCleared = true));

		await core.emit('vault-locked', { reason: 'idle' });

		expect(await screen.findByTestId('lock-screen')).toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
		expect(vaultData.member).toBeNull();
		expect(viewCleared).toBe(true);
		expect(screen.queryByTestId('main')).not.toBeInTheDocument();
		expect(screen.queryByText('Mae Sai District MDT')).not.toBeInTheDocument();
		expect(screen.queryByText('Somchai Jaidee')).not.toBeInTheDocument();
		expect(screen.getByTestId('idle-notice')).toHaveTextContent(
			'Ruam locked the vault after a period without activity.'
		);
		unregister();
	});

	it('locks with the Lock button: the store is empty before the core has even answered', async () => {
		let release: (value: unknown) => void = () => {};
		const core = unlockedBackend({
			vault_lock: () => new Promise((resolve) => (release = resolve))
		});
		const user = userEvent.setup();
		await renderUnlocked();

		await user.click(screen.getByTestId('lock'));
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
		expect(core.callsTo('vault_lock')).toHaveLength(1);
		release(status('locked'));
		expect(screen.queryByTestId('idle-notice')).not.toBeInTheDocument();
	});

	it('locks with Ctrl+L, also with the Thai keyboard layout', async () => {
		const core = unlockedBackend();
		await renderUnlocked();

		await fireEvent.keyDown(window, { key: 'ส', code: 'KeyL', ctrlKey: true });
		expect(await screen.findByTestId('lock-screen')).toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
		expect(core.callsTo('vault_lock')).toHaveLength(1);

		// Ctrl+L on the lock screen does nothing more.
		await fireEvent.keyDown(window, { key: 'l', code: 'KeyL', ctrlKey: true });
		expect(core.callsTo('vault_lock')).toHaveLength(1);
	});

	it('at start, an unlocked vault with a pending recovery key shows the main layout; no key is asked for', async () => {
		// E.g. the window reloaded while the key was showing: the core replaces it at the next unlock.
		const core = installBackend({
			vault_status: () => status('unlocked', { recoveryKeyPending: true }),
			recovery_key_regenerate: () => 'WXYZ-2345-6789'
		});
		render(App);

		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(screen.queryByTestId('recovery-page')).not.toBeInTheDocument();
		expect(core.callsTo('recovery_key_regenerate')).toHaveLength(0);
		// Only where the vault stands, the cases the main layout opens on (with the meetings to
		// come above them) and the Tasks badge.
		await waitFor(() => expect(core.callsTo('case_list')).toHaveLength(1));
		await waitFor(() => expect(core.callsTo('task_counts')).toHaveLength(1));
		await waitFor(() => expect(core.callsTo('meeting_list')).toHaveLength(1));
		expect(core.calls.map((call) => call.cmd).sort()).toEqual(['case_list', 'meeting_list', 'task_counts', 'vault_status']);
	});

	it('a lock while the recovery key is showing wipes the key too', async () => {
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => unlocked('WXYZ-2345-6789', { recoveryKeyPending: true })
		});
		const user = userEvent.setup();
		render(App);
		await typeUnlock(user, 'right passphrase{Enter}');
		await screen.findByTestId('recovery-key');

		await core.emit('vault-locked', { reason: 'idle' });
		expect(await screen.findByTestId('lock-screen')).toBeInTheDocument();
		expect(vaultData.recoveryKey).toBeNull();
		expect(screen.queryByText('WXYZ-2345-6789')).not.toBeInTheDocument();
	});

	it('reports activity to the core at most once per 30 seconds', async () => {
		const core = unlockedBackend();
		await renderUnlocked();
		let now = 1_000_000;
		const report = createActivityReporter(30_000, () => now);

		report();
		report();
		now += 29_000;
		report();
		await waitFor(() => expect(core.callsTo('vault_activity')).toHaveLength(1));
		now += 1_000;
		report();
		await waitFor(() => expect(core.callsTo('vault_activity')).toHaveLength(2));
	});

	it('does not report activity while locked, and treats a `locked` answer as a lock', async () => {
		const core = unlockedBackend({ vault_activity: () => fail('locked') });
		await renderUnlocked();

		await fireEvent.pointerDown(window);
		expect(await screen.findByTestId('lock-screen')).toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
		expect(core.callsTo('vault_activity')).toHaveLength(1);

		const report = createActivityReporter(30_000, () => Date.now() + 60_000);
		report();
		expect(core.callsTo('vault_activity')).toHaveLength(1);
		expect(app.phase).toBe('locked');
	});

	it('shows a retry when the core cannot be asked at start', async () => {
		let broken = true;
		installBackend({
			vault_status: () => (broken ? fail('keyring_unavailable') : status('locked'))
		});
		const user = userEvent.setup();
		render(App);

		expect(await screen.findByTestId('startup-error')).toHaveTextContent(
			'The system keyring is not available'
		);
		broken = false;
		await user.click(screen.getByRole('button', { name: 'Try again' }));
		expect(await screen.findByTestId('lock-screen')).toBeInTheDocument();
	});
});

describe('late answers after a lock', () => {
	/** The lock screen is showing and nothing of the vault is held. */
	function expectLockedAndEmpty() {
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(screen.queryByTestId('main')).not.toBeInTheDocument();
		expect(screen.queryByTestId('recovery-page')).not.toBeInTheDocument();
		expect(screen.queryByText('Mae Sai District MDT')).not.toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
		expect(app.phase).toBe('locked');
	}

	/** Lets every pending promise and re-render run. */
	async function settle() {
		for (let round = 0; round < 5; round++) await new Promise((resolve) => setTimeout(resolve, 0));
	}

	it('recovery_key_acknowledge answering after Ctrl+L does not reopen the main layout', async () => {
		const acknowledged = deferred();
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => unlocked('WXYZ-2345-6789', { recoveryKeyPending: true }),
			vault_lock: () => status('locked'),
			recovery_key_acknowledge: () => acknowledged.promise
		});
		const user = userEvent.setup();
		render(App);
		await typeUnlock(user, 'right passphrase{Enter}');
		await user.click(await screen.findByTestId('recovery-ack'));
		await user.click(screen.getByTestId('recovery-continue'));
		await waitFor(() => expect(core.callsTo('recovery_key_acknowledge')).toHaveLength(1));

		await fireEvent.keyDown(window, { key: 'l', code: 'KeyL', ctrlKey: true });
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		acknowledged.resolve(status('unlocked'));
		await settle();

		expectLockedAndEmpty();
	});

	it('settings_set answering after the Lock button changes nothing', async () => {
		const saved = deferred();
		const core = installBackend({
			vault_status: () => status('unlocked'),
			vault_lock: () => status('locked'),
			settings_set: () => saved.promise
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('nav-settings'));
		const minutes = screen.getByTestId('settings-autolock');
		await user.clear(minutes);
		await user.type(minutes, '5{Enter}');
		await waitFor(() => expect(core.callsTo('settings_set')).toHaveLength(1));

		await user.click(screen.getByTestId('lock'));
		saved.resolve({ language: 'th', autoLockMinutes: 5 });
		await settle();

		expectLockedAndEmpty();
		expect(app.settings).toEqual({ language: 'en', autoLockMinutes: 10 });
		expect(screen.getByTestId('unlock-submit')).toHaveTextContent('Unlock');
	});

	it('a language switch answering after the Lock button is dropped too', async () => {
		const saved = deferred();
		const core = installBackend({
			vault_status: () => status('unlocked'),
			vault_lock: () => status('locked'),
			settings_set: () => saved.promise
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('nav-settings'));
		await user.click(screen.getByTestId('settings-lang-th'));
		await waitFor(() => expect(core.callsTo('settings_set')).toHaveLength(1));

		await user.click(screen.getByTestId('lock'));
		saved.resolve({ language: 'th', autoLockMinutes: 10 });
		await settle();

		expectLockedAndEmpty();
		expect(app.settings.language).toBe('en');
	});

	it('a created vault answering after the vault-locked event: its recovery key is not shown, the core is asked again', async () => {
		const created = deferred();
		let asked = 0;
		const core = installBackend({
			vault_status: () => (asked++ === 0 ? status('absent') : status('locked')),
			vault_create: () => created.promise
		});
		const user = userEvent.setup();
		render(App);
		await user.type(await screen.findByTestId('team-name'), 'Mae Sai District MDT');
		await user.type(screen.getByTestId('display-name'), 'Somchai Jaidee');
		await user.type(screen.getByTestId('sign-in-name'), 'somchai');
		await user.type(screen.getByTestId('passphrase'), 'river mango lantern seven');
		await user.type(screen.getByTestId('passphrase-confirm'), 'river mango lantern seven{Enter}');
		await waitFor(() => expect(core.callsTo('vault_create')).toHaveLength(1));

		await core.emit('vault-locked', { reason: 'idle' });
		created.resolve({
			recoveryKey: 'ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789',
			status: status('unlocked', { recoveryKeyPending: true })
		});
		await settle();

		expect(core.callsTo('vault_status')).toHaveLength(2);
		expectLockedAndEmpty();
	});

	it('a status reload answering after the vault-locked event does not open the vault', async () => {
		const answer = deferred();
		let first = true;
		const core = installBackend({
			vault_status: () => {
				if (!first) return answer.promise;
				first = false;
				return status('locked');
			},
			vault_unlock: () => fail('conflict')
		});
		const user = userEvent.setup();
		render(App);
		await typeUnlock(user, 'right passphrase{Enter}');
		await waitFor(() => expect(core.callsTo('vault_status')).toHaveLength(2));

		await core.emit('vault-locked', { reason: 'idle' });
		answer.resolve(status('unlocked'));
		await settle();

		expectLockedAndEmpty();
	});

	it('the start-up status answering after the vault-locked event: the lock screen shows', async () => {
		const answer = deferred();
		const core = installBackend({ vault_status: () => answer.promise });
		render(App);
		await waitFor(() => expect(core.callsTo('vault_status')).toHaveLength(1));
		// Let App subscribe to the event before it is raised.
		await settle();

		await core.emit('vault-locked', { reason: 'idle' });
		answer.resolve(status('unlocked'));
		await settle();

		expectLockedAndEmpty();
	});

	it('a new recovery key answering after Ctrl+L is never shown', async () => {
		const regenerated = deferred();
		const core = installBackend({
			vault_status: () => status('unlocked'),
			vault_lock: () => status('locked'),
			recovery_key_regenerate: () => regenerated.promise
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('nav-settings'));
		await user.click(screen.getByTestId('recovery-regenerate'));
		await user.type(await screen.findByTestId('regenerate-passphrase'), 'my passphrase{Enter}');
		await waitFor(() => expect(core.callsTo('recovery_key_regenerate')).toHaveLength(1));

		await fireEvent.keyDown(window, { key: 'l', code: 'KeyL', ctrlKey: true });
		regenerated.resolve('NEWK-EY00-1234');
		await settle();

		expectLockedAndEmpty();
		expect(screen.queryByText('NEWK-EY00-1234')).not.toBeInTheDocument();
	});

	it('a `locked` answer to an activity report from before the lock does not lock the vault opened since', async () => {
		const activity = deferred();
		const core = installBackend({
			vault_status: () => status('unlocked'),
			vault_lock: () => status('locked'),
			vault_unlock: () => unlocked(),
			vault_activity: () => activity.promise
		});
		const user = userEvent.setup();
		render(App);
		await screen.findByTestId('main');
		await fireEvent.pointerDown(window);
		await waitFor(() => expect(core.callsTo('vault_activity')).toHaveLength(1));

		await user.click(screen.getByTestId('lock'));
		await typeUnlock(user, 'right passphrase{Enter}');
		await screen.findByTestId('main');
		activity.reject(ipcError('locked'));
		await settle();

		expect(screen.getByTestId('main')).toBeInTheDocument();
	});
});
