import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type { Permission } from '$lib/ipc';
import { fail, installBackend, member, status } from './backend';

async function openSettings(core = installBackend({ vault_status: () => status('unlocked') })) {
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-settings'));
	await screen.findByTestId('settings');
	return { core, user };
}

describe('main layout and settings', () => {
	it('has every section in the navigation, each with its screen', async () => {
		installBackend({ vault_status: () => status('unlocked') });
		const user = userEvent.setup();
		render(App);
		await screen.findByTestId('main');
		// The cases are the first section, with the core's (here empty) list.
		expect(screen.getByTestId('nav-cases')).toHaveAttribute('aria-current', 'page');
		expect(await screen.findByTestId('case-list-empty')).toHaveTextContent('No cases yet.');
		// The reports are a section of their own now, with no placeholder left.
		await user.click(screen.getByTestId('nav-reports'));
		expect(screen.getByTestId('nav-reports')).toHaveAttribute('aria-current', 'page');
		expect(screen.getByTestId('reports')).toBeInTheDocument();
		expect(screen.queryByTestId('empty-reports')).not.toBeInTheDocument();
		// The meetings are a section of their own now, with no placeholder left.
		await user.click(screen.getByTestId('nav-meetings'));
		expect(screen.getByTestId('nav-meetings')).toHaveAttribute('aria-current', 'page');
		expect(screen.queryByTestId('empty-meetings')).not.toBeInTheDocument();
		expect(await screen.findByTestId('meetings-empty')).toHaveTextContent('No meeting yet.');
		expect(screen.getByTestId('committees-empty')).toHaveTextContent('No committee yet.');
		// The funds are a section of their own now: with no fund yet, a calm empty state too.
		await user.click(screen.getByTestId('nav-funds'));
		expect(screen.getByTestId('section-funds')).toBeInTheDocument();
		expect(await screen.findByTestId('funds-empty')).toHaveTextContent('No pooled funds yet');
		// So is the community register (the "Community" placeholder it replaces is gone).
		expect(screen.queryByTestId('nav-community')).not.toBeInTheDocument();
		await user.click(screen.getByTestId('nav-register'));
		expect(screen.getByTestId('nav-register')).toHaveTextContent('Community register');
		expect(await screen.findByTestId('villages-empty')).toHaveTextContent('No village in the register yet.');
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

	it('checks the new passphrase twice, with the strength meter, before asking the core', async () => {
		const { core, user } = await openSettings();

		await user.type(screen.getByTestId('change-current'), 'old one');
		await user.type(screen.getByTestId('change-new'), 'a brand new passphrase');
		await user.type(screen.getByTestId('change-confirm'), 'a brand new passphrasf{Enter}');

		expect(screen.getByText('The two passphrases are not the same.')).toBeInTheDocument();
		expect(screen.getByTestId('change-confirm')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.getByTestId('change-confirm')).toHaveFocus();
		expect(screen.getByTestId('change-new')).toHaveAttribute('autocomplete', 'new-password');
		expect(screen.getByTestId('change-new')).toHaveAccessibleName('New passphrase');
		expect(screen.getByTestId('change-confirm')).toHaveAccessibleName('Confirm new passphrase');
		expect(core.callsTo('passphrase_change')).toHaveLength(0);
		// The meter asked the core, with the team's and the member's names as context.
		await waitFor(() => expect(screen.getByTestId('strength-meter')).toHaveAttribute('data-score', '3'));
		expect(core.callsTo('passphrase_assess').at(-1)?.args).toEqual({
			passphrase: 'a brand new passphrase',
			context: ['Mae Sai District MDT', 'Somchai Jaidee', 'somchai']
		});
	});

	it('asks for the current passphrase before creating a new recovery key, then shows it', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked'),
			recovery_key_regenerate: () => 'NEWK-EY00-1234',
			recovery_key_acknowledge: () => status('unlocked')
		});
		const { user } = await openSettings(core);

		await user.click(screen.getByTestId('recovery-regenerate'));
		const dialog = await screen.findByTestId('recovery-regenerate-dialog');
		const field = within(dialog).getByTestId('regenerate-passphrase');
		expect(within(dialog).getByLabelText('Your current passphrase')).toBe(field);
		expect(field).toHaveAttribute('type', 'password');
		await waitFor(() => expect(field).toHaveFocus());

		// Nothing is sent without the passphrase.
		await user.click(within(dialog).getByTestId('regenerate-confirm'));
		expect(within(dialog).getByText('Please fill in this field.')).toBeInTheDocument();
		expect(core.callsTo('recovery_key_regenerate')).toHaveLength(0);

		await user.type(field, 'river mango lantern seven');
		await user.click(within(dialog).getByTestId('regenerate-confirm'));

		expect(await screen.findByTestId('recovery-key')).toHaveTextContent('NEWK-EY00-1234');
		expect(screen.getByText('This is your new recovery key. The previous one no longer works.')).toBeInTheDocument();
		expect(core.callsTo('recovery_key_regenerate')).toEqual([
			{ cmd: 'recovery_key_regenerate', args: { request: { passphrase: 'river mango lantern seven' } } }
		]);

		await user.click(screen.getByTestId('recovery-ack'));
		await user.click(screen.getByTestId('recovery-continue'));
		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(core.callsTo('recovery_key_acknowledge')).toHaveLength(1);
	});

	it('a wrong passphrase in the recovery-key dialog is said there, and the dialog stays', async () => {
		const core = installBackend({
			vault_status: () => status('unlocked'),
			recovery_key_regenerate: () => fail('invalid_credentials')
		});
		const { user } = await openSettings(core);

		await user.click(screen.getByTestId('recovery-regenerate'));
		const dialog = await screen.findByTestId('recovery-regenerate-dialog');
		await user.type(within(dialog).getByTestId('regenerate-passphrase'), 'not it{Enter}');

		const alert = await within(dialog).findByTestId('regenerate-error');
		expect(alert).toHaveTextContent('The passphrase is not correct.');
		expect(within(dialog).getByTestId('regenerate-passphrase')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.getByTestId('settings')).toBeInTheDocument();
		expect(screen.queryByTestId('recovery-key')).not.toBeInTheDocument();

		// Cancel forgets what was typed.
		await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
		await waitFor(() => expect(screen.queryByTestId('recovery-regenerate-dialog')).not.toBeInTheDocument());
		await user.click(screen.getByTestId('recovery-regenerate'));
		expect(await screen.findByTestId('regenerate-passphrase')).toHaveValue('');
		expect(screen.queryByTestId('regenerate-error')).not.toBeInTheDocument();
	});

	it('offers a new recovery key to a role with recovery.manage, whatever its name', async () => {
		const core = installBackend({
			vault_status: () =>
				status('unlocked', {
					member: { ...member, role: 'r-custodian' },
					permissions: ['recovery.manage']
				})
		});
		await openSettings(core);
		expect(screen.getByTestId('settings-recovery')).toHaveTextContent('Create a new recovery key');
		expect(screen.getByTestId('recovery-regenerate')).toBeInTheDocument();
	});

	it.each<[string, Permission[]]>([
		['case_worker', []],
		['viewer', []],
		['team_lead', ['team.manage', 'roles.manage', 'audit.read']]
	])(
		'does not offer a new recovery key without recovery.manage (%s)',
		async (role, permissions) => {
			const core = installBackend({
				vault_status: () =>
					status('unlocked', { member: { ...member, id: 'm-2', displayName: 'Malee', role }, permissions })
			});
			await openSettings(core);
			expect(screen.getByTestId('change-current')).toBeInTheDocument();
			expect(screen.queryByTestId('settings-recovery')).not.toBeInTheDocument();
			expect(screen.queryByTestId('recovery-regenerate')).not.toBeInTheDocument();
			expect(screen.queryByText('Create a new recovery key')).not.toBeInTheDocument();
			expect(core.callsTo('recovery_key_regenerate')).toHaveLength(0);
		}
	);

	it.each([
		['en', 'Your current passphrase', 'Your role does not allow creating a new recovery key.'],
		['th', 'วลีรหัสผ่านปัจจุบันของคุณ', 'บทบาทของคุณไม่มีสิทธิ์สร้างกุญแจกู้คืนใหม่']
	] as const)('the core decides: its refusal says the role does not allow it (%s)', async (language, label, text) => {
		// The member unlocked with recovery.manage, but the core refuses (the role changed since).
		const core = installBackend({
			vault_status: () => status('unlocked', {}, { language }),
			recovery_key_regenerate: () => fail('forbidden')
		});
		const { user } = await openSettings(core);

		await user.click(screen.getByTestId('recovery-regenerate'));
		const dialog = await screen.findByTestId('recovery-regenerate-dialog');
		await user.type(within(dialog).getByLabelText(label), 'my passphrase{Enter}');
		expect(await within(dialog).findByTestId('regenerate-error')).toHaveTextContent(text);
		expect(core.callsTo('recovery_key_regenerate')).toHaveLength(1);
	});
});
