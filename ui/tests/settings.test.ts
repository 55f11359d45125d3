import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import { fail, installBackend, status } from './backend';

async function openSettings(core = installBackend({ vault_status: () => status('unlocked') })) {
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-settings'));
	await screen.findByTestId('settings');
	return { core, user };
}

describe('main layout and settings', () => {
	it('has every section in the navigation, with a calm empty state', async () => {
		installBackend({ vault_status: () => status('unlocked') });
		const user = userEvent.setup();
		render(App);
		await screen.findByTestId('main');
		for (const section of ['cases', 'tasks', 'funds', 'meetings', 'community', 'reports']) {
			await user.click(screen.getByTestId(`nav-${section}`));
			expect(screen.getByTestId(`nav-${section}`)).toHaveAttribute('aria-current', 'page');
			expect(screen.getByTestId(`empty-${section}`)).toBeInTheDocument();
		}
		expect(screen.getByTestId('empty-reports')).toHaveTextContent('Reports arrive in a coming version');
	});

	it('switching the language re-renders the labels in Thai', async () => {
		const { core, user } = await openSettings();
		expect(screen.getByTestId('nav-cases')).toHaveTextContent('Cases');

		await user.click(screen.getByTestId('settings-lang-th'));

		await waitFor(() => expect(screen.getByTestId('nav-cases')).toHaveTextContent('รายกรณี'));
		expect(screen.getByTestId('nav-settings')).toHaveTextContent('ตั้งค่า');
		expect(screen.getByTestId('lock')).toHaveTextContent('ล็อก');
		expect(screen.getByLabelText('วลีรหัสผ่านปัจจุบัน')).toBe(screen.getByTestId('change-current'));
		expect(screen.getByTestId('settings-lang-th')).toBeChecked();
		expect(core.callsTo('settings_set')[0].args).toEqual({
			patch: { language: 'th', autoLockMinutes: null }
		});
		// Thai dates use the Buddhist era.
		const year = new Date().getFullYear();
		expect(document.querySelector('time')?.textContent).toContain(String(year + 543));
	});

	it('saves the auto-lock minutes through the core', async () => {
		const { core, user } = await openSettings();
		const minutes = screen.getByTestId('settings-autolock');
		expect(minutes).toHaveValue(10);

		await user.clear(minutes);
		await user.type(minutes, '5{Enter}');

		expect(await screen.findByTestId('settings-autolock-saved')).toHaveTextContent('Saved.');
		expect(core.callsTo('settings_set')[0].args).toEqual({
			patch: { language: null, autoLockMinutes: 5 }
		});
	});

	it('shows the core’s validation error for the auto-lock minutes', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked'),
			settings_set: () =>
				fail('invalid', {
					field: 'autoLockMinutes',
					message: 'auto-lock must be between 1 and 240 minutes'
				})
		});
		const { user } = await openSettings(core);
		const minutes = screen.getByTestId('settings-autolock');

		await user.clear(minutes);
		await user.type(minutes, '0');
		await user.click(screen.getByTestId('settings-autolock-save'));

		const alert = await screen.findByTestId('settings-autolock-error');
		expect(alert).toHaveAttribute('role', 'alert');
		expect(alert).toHaveTextContent('Please check “Minutes before automatic lock”');
		expect(alert).toHaveTextContent('auto-lock must be between 1 and 240 minutes');
		expect(minutes).toHaveAttribute('aria-invalid', 'true');
		expect(screen.queryByTestId('settings-autolock-saved')).not.toBeInTheDocument();
	});

	it('changes the passphrase and says so; a wrong current passphrase is named', async () => {
		let accept = false;
		const core = installBackend({
			vault_status: () => status('unlocked'),
			passphrase_change: () => (accept ? null : fail('invalid_credentials'))
		});
		const { user } = await openSettings(core);

		await user.type(screen.getByTestId('change-current'), 'old one');
		await user.type(screen.getByTestId('change-new'), 'a brand new passphrase');
		await user.type(screen.getByTestId('change-confirm'), 'a brand new passphrase');
		await user.click(screen.getByTestId('change-submit'));
		expect(await screen.findByTestId('change-error')).toHaveTextContent(
			'The current passphrase is not correct.'
		);

		accept = true;
		await user.click(screen.getByTestId('change-submit'));
		expect(await screen.findByTestId('change-done')).toBeInTheDocument();
		expect(core.callsTo('passphrase_change').at(-1)?.args).toEqual({
			request: { current: 'old one', new: 'a brand new passphrase' }
		});
		expect(screen.getByTestId('change-current')).toHaveValue('');
		expect(screen.getByTestId('change-new')).toHaveValue('');
	});

	it('asks once before creating a new recovery key, then shows it', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked'),
			recovery_key_regenerate: () => 'NEWK-EY00-1234'
		});
		const { user } = await openSettings(core);

		await user.click(screen.getByTestId('recovery-regenerate'));
		const dialog = await screen.findByTestId('recovery-regenerate-dialog');
		expect(core.callsTo('recovery_key_regenerate')).toHaveLength(0);
		await user.click(within(dialog).getByTestId('recovery-regenerate-confirm'));

		expect(await screen.findByTestId('recovery-key')).toHaveTextContent('NEWK-EY00-1234');
		expect(screen.getByText('This is your new recovery key. The previous one no longer works.')).toBeInTheDocument();
		expect(core.callsTo('recovery_key_regenerate')).toHaveLength(1);
	});
});
