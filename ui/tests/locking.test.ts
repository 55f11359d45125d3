import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import { createActivityReporter } from '$lib/session';
import { app } from '$lib/stores/app.svelte';
import { holdsNoVaultData, registerVaultView, vaultData } from '$lib/stores/vault.svelte';
import { fail, installBackend, status } from './backend';

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

	it('shows the recovery key again at start when it is still pending', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked', { recoveryKeyPending: true }),
			recovery_key_regenerate: () => 'WXYZ-2345-6789',
			recovery_key_acknowledge: () => status('unlocked')
		});
		const user = userEvent.setup();
		render(App);

		expect(await screen.findByTestId('recovery-key')).toHaveTextContent('WXYZ-2345-6789');
		expect(core.callsTo('recovery_key_regenerate')).toHaveLength(1);
		expect(screen.queryByTestId('main')).not.toBeInTheDocument();
		await user.click(screen.getByTestId('recovery-ack'));
		await user.click(screen.getByTestId('recovery-continue'));
		expect(await screen.findByTestId('main')).toBeInTheDocument();
	});

	it('a lock while the recovery key is showing wipes the key too', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked', { recoveryKeyPending: true }),
			recovery_key_regenerate: () => 'WXYZ-2345-6789'
		});
		render(App);
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
