import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import { holdsNoVaultData, vaultData } from '$lib/stores/vault.svelte';
import { deferred, fail, installBackend, status, typeUnlock, unlocked } from './backend';

const NEW_KEY = 'WXYZ-2345-6789-ABCD-EFGH-JKLM-NPQR-STUV';

describe('lock screen', () => {
	it('shows the app name, not a team name, while locked; the sign-in name comes first', async () => {
		installBackend({ vault_status: () => status('locked') });
		render(App);
		expect(await screen.findByTestId('lock-screen')).toHaveTextContent('Ruam');
		expect(screen.queryByText('Mae Sai District MDT')).not.toBeInTheDocument();
		expect(screen.getByLabelText('Sign-in name')).toBe(screen.getByTestId('unlock-sign-in-name'));
		expect(screen.getByLabelText('Passphrase')).toBe(screen.getByTestId('unlock-passphrase'));
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveFocus();
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveValue('');
		// The sign-in name sits above the passphrase.
		expect(
			screen
				.getByTestId('unlock-sign-in-name')
				.compareDocumentPosition(screen.getByTestId('unlock-passphrase')) &
				Node.DOCUMENT_POSITION_FOLLOWING
		).toBeTruthy();
	});

	it('sends the sign-in name with the passphrase', async () => {
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => unlocked()
		});
		const user = userEvent.setup();
		render(App);

		await user.keyboard('somchai');
		await user.tab();
		await user.keyboard('right passphrase{Enter}');
		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(core.callsTo('vault_unlock')[0].args).toEqual({
			request: { signInName: 'somchai', passphrase: 'right passphrase' }
		});
	});

	it('asks for the sign-in name without calling the core', async () => {
		const core = installBackend({ vault_status: () => status('locked') });
		const user = userEvent.setup();
		render(App);

		await user.type(await screen.findByTestId('unlock-passphrase'), 'right passphrase{Enter}');
		expect(screen.getByText('Please fill in this field.')).toBeInTheDocument();
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveFocus();
		expect(core.callsTo('vault_unlock')).toHaveLength(0);
	});

	it('never remembers the sign-in name: after a lock it is empty again', async () => {
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => unlocked(),
			vault_lock: () => status('locked')
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'right passphrase{Enter}');
		await screen.findByTestId('main');
		await user.click(screen.getByTestId('lock'));
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveValue('');
		expect(screen.getByTestId('unlock-passphrase')).toHaveValue('');
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveAttribute('autocomplete', 'off');
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveFocus();
	});

	it('shows the catalog message for invalid_credentials, in English and after switching to Thai', async () => {
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => fail('invalid_credentials', { message: 'wrong sign-in name or passphrase' })
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'not the passphrase{Enter}');
		const alert = await screen.findByTestId('unlock-error');
		expect(alert).toHaveAttribute('role', 'alert');
		expect(alert).toHaveTextContent('The sign-in name or passphrase is not correct.');
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.getByTestId('unlock-passphrase')).toHaveAttribute('aria-invalid', 'true');
		expect(core.callsTo('vault_unlock')[0].args).toEqual({
			request: { signInName: 'somchai', passphrase: 'not the passphrase' }
		});

		await user.click(screen.getByTestId('lang-th'));
		await waitFor(() =>
			expect(screen.getByTestId('unlock-error')).toHaveTextContent('ชื่อผู้ใช้หรือวลีรหัสผ่านไม่ถูกต้อง')
		);
		expect(core.callsTo('settings_set')[0].args).toEqual({
			patch: { language: 'th', autoLockMinutes: null }
		});
		expect(screen.getByTestId('unlock-submit')).toHaveTextContent('ปลดล็อก');
		expect(screen.getByLabelText('วลีรหัสผ่าน')).toBe(screen.getByTestId('unlock-passphrase'));
		expect(screen.getByLabelText('ชื่อผู้ใช้')).toBe(screen.getByTestId('unlock-sign-in-name'));
		expect(document.documentElement.lang).toBe('th');
	});

	it('shows how many seconds to wait when throttled', async () => {
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => fail('throttled', { retryAfterSecs: 42 })
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'guess{Enter}');
		expect(await screen.findByTestId('unlock-error')).toHaveTextContent(
			'Too many wrong attempts. Try again in 42 seconds.'
		);
	});

	it('shows the throttled seconds in Thai', async () => {
		installBackend({
			vault_status: () => status('locked', {}, { language: 'th' }),
			vault_unlock: () => fail('throttled', { retryAfterSecs: 30 })
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'guess{Enter}');
		expect(await screen.findByTestId('unlock-error')).toHaveTextContent(
			'ใส่ผิดหลายครั้งเกินไป กรุณาลองใหม่ในอีก 30 วินาที'
		);
	});

	it('explains a damaged vault file with its path, and an unenrolled device', async () => {
		let answer: 'corrupt' | 'device_not_enrolled' = 'corrupt';
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () =>
				answer === 'corrupt'
					? fail('corrupt', { path: '/home/sw/ruam/vault.db' })
					: fail('device_not_enrolled')
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'p{Enter}');
		expect(await screen.findByTestId('unlock-error')).toHaveTextContent(
			'The vault file /home/sw/ruam/vault.db is damaged. Unlock with your recovery key or restore a backup.'
		);
		expect(screen.queryByTestId('corrupt-use-recovery')).not.toBeInTheDocument();
		answer = 'device_not_enrolled';
		await user.click(screen.getByTestId('unlock-submit'));
		await waitFor(() =>
			expect(screen.getByTestId('unlock-error')).toHaveTextContent(
				'This device is not enrolled for this vault'
			)
		);
	});

	it('unlocks with the passphrase and opens the main layout', async () => {
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => unlocked()
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'right passphrase');
		await user.click(screen.getByTestId('unlock-submit'));
		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(screen.getByTestId('team-name-display')).toHaveTextContent('Mae Sai District MDT');
		expect(screen.getByTestId('member-name')).toHaveTextContent('Somchai Jaidee');
	});

	it('does not submit twice while the core is still answering', async () => {
		let release: (value: unknown) => void = () => {};
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => new Promise((resolve) => (release = resolve))
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'right passphrase{Enter}');
		await waitFor(() => expect(screen.getByTestId('unlock-submit')).toBeDisabled());
		await user.type(screen.getByTestId('unlock-passphrase'), '{Enter}');
		expect(core.callsTo('vault_unlock')).toHaveLength(1);
		release(unlocked());
		expect(await screen.findByTestId('main')).toBeInTheDocument();
	});

	it('unlocks with the recovery key and a new passphrase', async () => {
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock_with_recovery: (args) => {
				const request = args.request as { recoveryKey: string };
				return request.recoveryKey === 'ABCD-EFGH' ? unlocked() : fail('invalid_credentials');
			}
		});
		const user = userEvent.setup();
		render(App);

		await user.click(await screen.findByTestId('use-recovery'));
		expect(screen.getByTestId('recovery-input')).toHaveFocus();
		await user.type(screen.getByTestId('recovery-input'), 'WRONG-KEY');
		await user.type(screen.getByTestId('recovery-new-passphrase'), 'new river mango lantern');
		await user.type(screen.getByTestId('recovery-new-confirm'), 'new river mango lantern');
		await user.click(screen.getByTestId('recovery-submit'));
		expect(await screen.findByTestId('recovery-error')).toHaveTextContent(
			'The recovery key is not correct.'
		);

		expect(core.callsTo('vault_unlock_with_recovery').at(-1)?.args).toEqual({
			request: { signInName: '', recoveryKey: 'WRONG-KEY', newPassphrase: 'new river mango lantern' }
		});

		// The lead who recovers may say who they are (with several leads).
		await user.type(screen.getByTestId('recovery-sign-in-name'), 'Somsri');
		await user.clear(screen.getByTestId('recovery-input'));
		await user.type(screen.getByTestId('recovery-input'), 'ABCD-EFGH{Enter}');
		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(core.callsTo('vault_unlock_with_recovery').at(-1)?.args).toEqual({
			request: {
				signInName: 'Somsri',
				recoveryKey: 'ABCD-EFGH',
				newPassphrase: 'new river mango lantern'
			}
		});
	});

	it('asks for the same new passphrase twice before using the recovery key', async () => {
		const core = installBackend({ vault_status: () => status('locked') });
		const user = userEvent.setup();
		render(App);

		await user.click(await screen.findByTestId('use-recovery'));
		await user.type(screen.getByTestId('recovery-input'), 'ABCD-EFGH');
		await user.type(screen.getByTestId('recovery-new-passphrase'), 'one passphrase');
		await user.type(screen.getByTestId('recovery-new-confirm'), 'another passphrase{Enter}');
		expect(screen.getByText('The two passphrases are not the same.')).toBeInTheDocument();
		expect(core.callsTo('vault_unlock_with_recovery')).toHaveLength(0);
	});

	it('a damaged key file the recovery key can rebuild: says so and offers the recovery key', async () => {
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () =>
				fail('corrupt', { path: '/home/sw/ruam/keys/device.slot', remedy: 'recovery_key' })
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'p{Enter}');
		expect(await screen.findByTestId('unlock-error')).toHaveTextContent(
			'The file /home/sw/ruam/keys/device.slot is damaged. Unlock with the recovery key: that rebuilds it.'
		);
		expect(screen.getByTestId('use-recovery')).toBeVisible();
		await user.click(screen.getByTestId('corrupt-use-recovery'));
		expect(screen.getByTestId('recovery-input')).toHaveFocus();
	});

	it('a damaged database: says only a backup helps, without the recovery-key offer', async () => {
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => fail('corrupt', { path: '/home/sw/ruam/vault.db', remedy: 'backup' })
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'p{Enter}');
		expect(await screen.findByTestId('unlock-error')).toHaveTextContent(
			'The file /home/sw/ruam/vault.db is damaged and cannot be rebuilt here. Restore the data folder from a backup.'
		);
		expect(screen.queryByTestId('corrupt-use-recovery')).not.toBeInTheDocument();

		await user.click(screen.getByTestId('lang-th'));
		await waitFor(() =>
			expect(screen.getByTestId('unlock-error')).toHaveTextContent(
				'ไฟล์ /home/sw/ruam/vault.db เสียหายและไม่สามารถสร้างขึ้นใหม่บนเครื่องนี้ได้'
			)
		);
	});

	it('unlock replaced a never-acknowledged recovery key: shows the new one, then acknowledges', async () => {
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => unlocked(NEW_KEY, { recoveryKeyPending: true }),
			recovery_key_acknowledge: () => status('unlocked')
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'right passphrase{Enter}');
		expect(await screen.findByTestId('recovery-key')).toHaveTextContent(NEW_KEY);
		expect(
			screen.getByText(
				'The recovery key had not been confirmed as written down, so here is a new one. Any earlier key no longer works.'
			)
		).toBeInTheDocument();
		expect(screen.queryByTestId('main')).not.toBeInTheDocument();
		expect(core.callsTo('recovery_key_acknowledge')).toHaveLength(0);

		await user.click(screen.getByTestId('recovery-ack'));
		await user.click(screen.getByTestId('recovery-continue'));
		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(core.callsTo('recovery_key_acknowledge')).toHaveLength(1);
		expect(vaultData.recoveryKey).toBeNull();
		// The core replaced the key; the UI never asks for one by itself.
		expect(core.callsTo('recovery_key_regenerate')).toHaveLength(0);
	});

	it('unlock with the recovery key can also bring a replaced key to show', async () => {
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock_with_recovery: () => unlocked(NEW_KEY, { recoveryKeyPending: true })
		});
		const user = userEvent.setup();
		render(App);

		await user.click(await screen.findByTestId('use-recovery'));
		await user.type(screen.getByTestId('recovery-input'), 'ABCD-EFGH');
		await user.type(screen.getByTestId('recovery-new-passphrase'), 'new river mango lantern');
		await user.type(screen.getByTestId('recovery-new-confirm'), 'new river mango lantern{Enter}');
		expect(await screen.findByTestId('recovery-key')).toHaveTextContent(NEW_KEY);
	});

	it('on `conflict` (already unlocked) reads the status again and goes where it says', async () => {
		let state: 'locked' | 'unlocked' = 'locked';
		const core = installBackend({
			vault_status: () => status(state),
			vault_unlock: () => fail('conflict', { message: 'the vault is already unlocked' })
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'right passphrase');
		state = 'unlocked';
		await user.click(screen.getByTestId('unlock-submit'));
		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(core.callsTo('vault_status')).toHaveLength(2);
		expect(screen.getByTestId('team-name-display')).toHaveTextContent('Mae Sai District MDT');
		expect(screen.queryByTestId('unlock-error')).not.toBeInTheDocument();
	});

	it('on `conflict` with the vault locked again meanwhile, stays on the lock screen', async () => {
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => fail('conflict')
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'right passphrase{Enter}');
		await waitFor(() => expect(core.callsTo('vault_status')).toHaveLength(2));
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
	});

	it('an unlock answer overtaken by the core’s vault-locked event is not trusted: the status is read again', async () => {
		const answer = deferred();
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => answer.promise
		});
		const user = userEvent.setup();
		render(App);

		await typeUnlock(user, 'right passphrase{Enter}');
		await waitFor(() => expect(core.callsTo('vault_unlock')).toHaveLength(1));
		await core.emit('vault-locked', { reason: 'idle' });
		// The core locked after this unlock: its answer must not open the main layout.
		answer.resolve(unlocked(NEW_KEY));
		await waitFor(() => expect(core.callsTo('vault_status')).toHaveLength(2));
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(screen.queryByTestId('recovery-key')).not.toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
	});
});
