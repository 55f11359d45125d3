import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import { holdsNoVaultData, vaultData } from '$lib/stores/vault.svelte';
import { fail, installBackend, member, status, typeUnlock, unlocked } from './backend';

/** Malee signs in with the first passphrase her team lead set. */
const malee = {
	...member,
	id: 'm-2',
	displayName: 'Malee Srisuk',
	signInName: 'malee',
	role: 'police_liaison',
	mustChangePassphrase: true
};

function firstSignIn(extra = {}) {
	return installBackend({
		vault_status: () => status('locked'),
		vault_unlock: () => unlocked(null, { member: malee, permissions: [] }),
		vault_lock: () => status('locked'),
		...extra
	});
}

async function signInAsMalee(core = firstSignIn()) {
	const user = userEvent.setup();
	render(App);
	await typeUnlock(user, 'first from the lead{Enter}', 'malee');
	await screen.findByTestId('first-passphrase');
	return { core, user };
}

describe('first passphrase change', () => {
	it('shows instead of the main layout, explains why, and starts at the current passphrase', async () => {
		const { core } = await signInAsMalee();

		const page = screen.getByTestId('first-passphrase');
		expect(page).toHaveTextContent('Your team lead set the passphrase you just used.');
		expect(screen.queryByTestId('main')).not.toBeInTheDocument();
		expect(screen.queryByTestId('nav-team')).not.toBeInTheDocument();
		expect(screen.getByTestId('first-current')).toHaveFocus();
		expect(screen.getByLabelText('Passphrase from your team lead')).toBe(screen.getByTestId('first-current'));
		expect(screen.getByLabelText('Your new passphrase')).toBe(screen.getByTestId('first-new'));
		expect(screen.getByLabelText('Confirm your new passphrase')).toBe(screen.getByTestId('first-new-confirm'));
		expect(core.callsTo('vault_unlock')[0].args).toEqual({
			request: { signInName: 'malee', passphrase: 'first from the lead' }
		});
	});

	it('changes the passphrase, then opens the main layout', async () => {
		const { core, user } = await signInAsMalee(firstSignIn({ passphrase_change: () => null }));

		await user.type(screen.getByTestId('first-current'), 'first from the lead');
		await user.type(screen.getByTestId('first-new'), 'my own river mango lantern');
		await user.type(screen.getByTestId('first-new-confirm'), 'my own river mango lantern{Enter}');

		expect(await screen.findByTestId('main')).toBeInTheDocument();
		expect(screen.queryByTestId('first-passphrase')).not.toBeInTheDocument();
		expect(core.callsTo('passphrase_change')).toEqual([
			{
				cmd: 'passphrase_change',
				args: { request: { current: 'first from the lead', new: 'my own river mango lantern' } }
			}
		]);
		expect(vaultData.member?.mustChangePassphrase).toBe(false);
		expect(screen.getByTestId('member-name')).toHaveTextContent('Malee Srisuk');
	});

	it('says so when the current passphrase is wrong, and stays', async () => {
		const { user } = await signInAsMalee(
			firstSignIn({ passphrase_change: () => fail('invalid_credentials') })
		);

		await user.type(screen.getByTestId('first-current'), 'not it');
		await user.type(screen.getByTestId('first-new'), 'my own river mango lantern');
		await user.type(screen.getByTestId('first-new-confirm'), 'my own river mango lantern');
		await user.click(screen.getByTestId('first-change-submit'));

		const alert = await screen.findByTestId('first-change-error');
		expect(alert).toHaveTextContent('The current passphrase is not correct.');
		expect(screen.getByTestId('first-current')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.getByTestId('first-passphrase')).toBeInTheDocument();
		expect(vaultData.member?.mustChangePassphrase).toBe(true);
	});

	it('asks for the new passphrase twice before calling the core', async () => {
		const { core, user } = await signInAsMalee();

		await user.type(screen.getByTestId('first-current'), 'first from the lead');
		await user.type(screen.getByTestId('first-new'), 'my own river mango lantern');
		await user.type(screen.getByTestId('first-new-confirm'), 'my own river mango{Enter}');

		expect(screen.getByText('The two passphrases are not the same.')).toBeInTheDocument();
		expect(screen.getByTestId('first-new-confirm')).toHaveFocus();
		expect(core.callsTo('passphrase_change')).toHaveLength(0);
	});

	it('translates the core’s passphrase_change_required refusal', async () => {
		const { user } = await signInAsMalee(
			firstSignIn({ passphrase_change: () => fail('passphrase_change_required') })
		);

		await user.type(screen.getByTestId('first-current'), 'first from the lead');
		await user.type(screen.getByTestId('first-new'), 'my own river mango lantern');
		await user.type(screen.getByTestId('first-new-confirm'), 'my own river mango lantern{Enter}');
		expect(await screen.findByTestId('first-change-error')).toHaveTextContent(
			'Choose your own passphrase first: the one your team lead set must be changed before anything else.'
		);
	});

	it('can lock instead; everything is wiped', async () => {
		const { core, user } = await signInAsMalee();

		await user.click(screen.getByTestId('lock'));
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(holdsNoVaultData()).toBe(true);
		await waitFor(() => expect(core.callsTo('vault_lock')).toHaveLength(1));
		expect(screen.getByTestId('unlock-sign-in-name')).toHaveValue('');
	});

	it('speaks Thai', async () => {
		installBackend({
			vault_status: () => status('unlocked', { member: malee, permissions: [] }, { language: 'th' })
		});
		render(App);

		const page = await screen.findByTestId('first-passphrase');
		expect(page).toHaveTextContent('ตั้งวลีรหัสผ่านของคุณเอง');
		expect(screen.getByLabelText('วลีรหัสผ่านที่หัวหน้าทีมให้มา')).toBe(screen.getByTestId('first-current'));
	});
});
