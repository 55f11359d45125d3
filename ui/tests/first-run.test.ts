import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import { vaultData } from '$lib/stores/vault.svelte';
import { fail, installBackend, status } from './backend';

const RECOVERY_KEY = 'ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789';

function firstRunBackend() {
	return installBackend({
		vault_status: () => status('absent'),
		vault_create: () => ({
			recoveryKey: RECOVERY_KEY,
			status: status('unlocked', { recoveryKeyPending: true })
		}),
		passphrase_assess: (args) =>
			String(args.passphrase).length < 12
				? { score: 1, acceptable: false, problem: 'too_short' }
				: { score: 4, acceptable: true, problem: null },
		recovery_key_acknowledge: () => status('unlocked')
	});
}

describe('first run', () => {
	it('creates the vault with the typed fields, then shows the recovery key once', async () => {
		const core = firstRunBackend();
		const user = userEvent.setup();
		render(App);

		await user.type(await screen.findByTestId('team-name'), 'Mae Sai District MDT');
		await user.type(screen.getByTestId('display-name'), 'Somchai Jaidee');
		await user.type(screen.getByTestId('sign-in-name'), 'somchai');
		await user.type(screen.getByTestId('passphrase'), 'river mango lantern seven');
		await user.type(screen.getByTestId('passphrase-confirm'), 'river mango lantern seven');
		// The meter told the core which words a guesser would try first.
		await waitFor(() =>
			expect(core.callsTo('passphrase_assess').at(-1)?.args).toEqual({
				passphrase: 'river mango lantern seven',
				context: ['Mae Sai District MDT', 'Somchai Jaidee', 'somchai']
			})
		);
		await user.click(screen.getByTestId('create-vault'));

		await waitFor(() => expect(core.callsTo('vault_create')).toHaveLength(1));
		expect(core.callsTo('vault_create')[0].args).toEqual({
			request: {
				teamName: 'Mae Sai District MDT',
				displayName: 'Somchai Jaidee',
				signInName: 'somchai',
				passphrase: 'river mango lantern seven'
			}
		});
		expect(await screen.findByTestId('recovery-key')).toHaveTextContent(RECOVERY_KEY);
		expect(screen.getByTestId('recovery-key').textContent).toBe(RECOVERY_KEY);
		// The key was shown as created, not regenerated.
		expect(core.callsTo('recovery_key_regenerate')).toHaveLength(0);
	});

	it('keeps Continue disabled until "written down" is ticked, then acknowledges and opens the main layout', async () => {
		const core = firstRunBackend();
		const user = userEvent.setup();
		render(App);

		await user.type(await screen.findByTestId('team-name'), 'Mae Sai District MDT');
		await user.type(screen.getByTestId('display-name'), 'Somchai Jaidee');
		await user.type(screen.getByTestId('sign-in-name'), 'somchai');
		await user.type(screen.getByTestId('passphrase'), 'river mango lantern seven');
		await user.type(screen.getByTestId('passphrase-confirm'), 'river mango lantern seven{Enter}');

		const continueButton = await screen.findByTestId('recovery-continue');
		expect(continueButton).toBeDisabled();
		await user.click(continueButton);
		expect(core.callsTo('recovery_key_acknowledge')).toHaveLength(0);

		await user.click(screen.getByTestId('recovery-ack'));
		expect(continueButton).toBeEnabled();
		await user.click(continueButton);

		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(core.callsTo('recovery_key_acknowledge')).toHaveLength(1);
		expect(screen.getByTestId('team-name-display')).toHaveTextContent('Mae Sai District MDT');
		expect(screen.queryByText(RECOVERY_KEY)).not.toBeInTheDocument();
		expect(screen.queryByTestId('recovery-key')).not.toBeInTheDocument();
		expect(vaultData.recoveryKey).toBeNull();
	});

	it('hints at empty fields and a differing confirmation without calling the core', async () => {
		const core = firstRunBackend();
		const user = userEvent.setup();
		render(App);

		await user.click(await screen.findByTestId('create-vault'));
		expect(screen.getAllByText('Please fill in this field.')).toHaveLength(5);
		expect(screen.getByTestId('team-name')).toHaveFocus();
		expect(screen.getByTestId('sign-in-name')).toHaveAttribute('aria-invalid', 'true');

		await user.type(screen.getByTestId('team-name'), 'Team');
		await user.type(screen.getByTestId('display-name'), 'Name');
		await user.type(screen.getByTestId('sign-in-name'), 'name');
		await user.type(screen.getByTestId('passphrase'), 'river mango lantern seven');
		await user.type(screen.getByTestId('passphrase-confirm'), 'river mango lantern');
		await user.click(screen.getByTestId('create-vault'));

		expect(screen.getByText('The two passphrases are not the same.')).toBeInTheDocument();
		expect(screen.getByTestId('passphrase-confirm')).toHaveAttribute('aria-invalid', 'true');
		expect(core.callsTo('vault_create')).toHaveLength(0);
	});

	it('shows the core’s strength assessment (score and problem) as the passphrase is typed', async () => {
		const core = firstRunBackend();
		const user = userEvent.setup();
		render(App);

		await user.type(await screen.findByTestId('passphrase'), 'short');
		const meter = screen.getByTestId('strength-meter');
		await waitFor(() => expect(meter).toHaveAttribute('data-score', '1'));
		expect(meter).toHaveTextContent('Too short. Add a few more words.');
		// Debounced: one question for the whole word, not one per key.
		expect(core.callsTo('passphrase_assess')).toEqual([
			{ cmd: 'passphrase_assess', args: { passphrase: 'short', context: [] } }
		]);

		await user.type(screen.getByTestId('passphrase'), ' and much longer');
		await waitFor(() => expect(meter).toHaveAttribute('data-score', '4'));
		expect(meter).toHaveTextContent('Strong');
	});

	it('names the field the core rejected, in the catalog’s words', async () => {
		installBackend({
			vault_status: () => status('absent'),
			vault_create: () => {
				throw {
					code: 'invalid',
					message: 'team name is too long',
					field: 'team_name',
					retryAfterSecs: null,
					path: null
				};
			}
		});
		const user = userEvent.setup();
		render(App);

		await user.type(await screen.findByTestId('team-name'), 'T');
		await user.type(screen.getByTestId('display-name'), 'N');
		await user.type(screen.getByTestId('sign-in-name'), 'n');
		await user.type(screen.getByTestId('passphrase'), 'p');
		await user.type(screen.getByTestId('passphrase-confirm'), 'p{Enter}');

		const alert = await screen.findByTestId('create-error');
		expect(alert).toHaveAttribute('role', 'alert');
		expect(alert).toHaveTextContent('Please check “Team name”: the value was not accepted.');
		expect(alert).toHaveTextContent('team name is too long');
		expect(screen.getByTestId('team-name')).toHaveAttribute('aria-invalid', 'true');
	});

	it('asks for a sign-in name, with a hint, and shows the core’s objection to it', async () => {
		const core = installBackend({
			vault_status: () => status('absent'),
			vault_create: () =>
				fail('invalid', {
					field: 'sign_in_name',
					message: "may hold letters, digits, '.', '-' and '_', not a space"
				})
		});
		const user = userEvent.setup();
		render(App);

		const field = await screen.findByTestId('sign-in-name');
		expect(screen.getByLabelText('Sign-in name')).toBe(field);
		expect(field).toHaveAccessibleDescription(
			'A short name you type to sign in, e.g. somsri. Letters, digits, . - and _ only.'
		);
		// Right after the display name.
		expect(
			screen.getByTestId('display-name').compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING
		).toBeTruthy();

		await user.type(screen.getByTestId('team-name'), 'Mae Sai District MDT');
		await user.type(screen.getByTestId('display-name'), 'Somsri');
		await user.type(field, 'som sri');
		await user.type(screen.getByTestId('passphrase'), 'river mango lantern seven');
		await user.type(screen.getByTestId('passphrase-confirm'), 'river mango lantern seven{Enter}');

		const alert = await screen.findByTestId('create-error');
		expect(alert).toHaveTextContent('Please check “Sign-in name”: the value was not accepted.');
		expect(alert).toHaveTextContent('not a space');
		expect(field).toHaveAttribute('aria-invalid', 'true');
		expect(field).toHaveFocus();
		expect(core.callsTo('vault_create')[0].args).toEqual({
			request: {
				teamName: 'Mae Sai District MDT',
				displayName: 'Somsri',
				signInName: 'som sri',
				passphrase: 'river mango lantern seven'
			}
		});
	});
});
