import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type { JoinStatus, VaultStatus } from '$lib/ipc';
import { fail, installBackend, status } from './backend';

const RECOVERY_KEY = 'ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789';
const CODE = 'K7Q2-XM4P-9RTA-WB3C-HN6D-FJ8E-LV5G-YS2U';

function joining(overrides: Partial<JoinStatus> = {}): VaultStatus {
	return status('joining', {
		teamName: 'Mae Sai District MDT',
		recoveryKeyPending: true,
		joining: {
			teamName: 'Mae Sai District MDT',
			displayName: 'Pol. Lt. Anan',
			signInName: 'anan',
			shortCode: '482 913',
			relayUrl: 'https://relay.example.org',
			approved: false,
			received: 0,
			...overrides
		}
	});
}

function joinBackend(checks: (() => VaultStatus)[]) {
	let n = 0;
	return installBackend({
		vault_status: () => status('absent'),
		passphrase_assess: () => ({ score: 4, acceptable: true, problem: null }),
		join_team: () => ({ recoveryKey: RECOVERY_KEY, status: joining() }),
		recovery_key_acknowledge: () => ({ ...joining(), recoveryKeyPending: false }),
		join_check: () => {
			const answer = checks[Math.min(n, checks.length - 1)];
			n += 1;
			return answer();
		}
	});
}

async function fillJoin(user: ReturnType<typeof userEvent.setup>) {
	await user.click(await screen.findByTestId('way-join'));
	await user.type(screen.getByTestId('join-relay'), 'https://relay.example.org');
	await user.type(screen.getByTestId('join-code'), CODE);
	await user.type(screen.getByTestId('join-passphrase'), 'tamarind bicycle lantern orbit');
	await user.type(screen.getByTestId('join-passphrase-confirm'), 'tamarind bicycle lantern orbit');
}

describe('joining a team from a new laptop', () => {
	it('sends the relay, code and passphrase, shows the recovery key, then the short code until approved, then opens', async () => {
		const core = joinBackend([
			() => joining(),
			() => joining({ approved: true, received: 500 }),
			() => status('unlocked')
		]);
		const user = userEvent.setup();
		render(App);
		await fillJoin(user);
		await user.click(screen.getByTestId('join-submit'));

		await waitFor(() => expect(core.callsTo('join_team')).toHaveLength(1));
		expect(core.callsTo('join_team')[0].args).toEqual({
			request: {
				relayUrl: 'https://relay.example.org',
				inviteCode: CODE,
				passphrase: 'tamarind bicycle lantern orbit'
			}
		});
		// This laptop's own recovery key, once.
		expect(await screen.findByTestId('recovery-key')).toHaveTextContent(RECOVERY_KEY);
		await user.click(screen.getByTestId('recovery-ack'));
		await user.click(screen.getByTestId('recovery-continue'));

		// The wait: the six digits to read to the lead, and whose laptop it is.
		expect(await screen.findByTestId('join-short-code')).toHaveTextContent('482 913');
		expect(screen.getByTestId('joining')).toHaveTextContent('anan');
		expect(screen.getByTestId('join-state')).toHaveTextContent('Waiting for your lead');
		await user.click(screen.getByTestId('join-check'));
		await waitFor(() => expect(screen.getByTestId('join-state')).toHaveTextContent('500'));
		expect(screen.queryByTestId('join-short-code')).not.toBeInTheDocument();
		await user.click(screen.getByTestId('join-check'));
		expect(await screen.findByTestId('main')).toBeInTheDocument();
	});

	it('names the field the core refused and keeps what was typed', async () => {
		const core = installBackend({
			vault_status: () => status('absent'),
			passphrase_assess: () => ({ score: 4, acceptable: true, problem: null }),
			join_team: () => fail('invalid', { field: 'invite_code', message: 'is not an invite code' })
		});
		const user = userEvent.setup();
		render(App);
		await fillJoin(user);
		await user.click(screen.getByTestId('join-submit'));
		await waitFor(() => expect(core.callsTo('join_team')).toHaveLength(1));
		expect(await screen.findByTestId('join-error')).toBeInTheDocument();
		expect(screen.getByTestId('join-code')).toHaveFocus();
		expect(screen.getByTestId('join-code')).toHaveValue(CODE);
		expect(screen.getByTestId('join-relay')).toHaveValue('https://relay.example.org');
	});

	it('asks nothing of the core while a required field is empty', async () => {
		const core = joinBackend([() => joining()]);
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('way-join'));
		await user.click(screen.getByTestId('join-submit'));
		expect(core.callsTo('join_team')).toHaveLength(0);
		expect(screen.getByTestId('join-relay')).toHaveFocus();
	});

	it('after a restart, signing in resumes the wait; offline is shown and the wait goes on', async () => {
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => ({ status: joining(), newRecoveryKey: null }),
			join_check: () => fail('offline', { message: 'the relay could not be reached' })
		});
		const user = userEvent.setup();
		render(App);
		await user.type(await screen.findByTestId('unlock-sign-in-name'), 'anan');
		await user.type(screen.getByTestId('unlock-passphrase'), 'tamarind bicycle lantern orbit{Enter}');
		expect(await screen.findByTestId('join-short-code')).toHaveTextContent('482 913');
		expect(await screen.findByTestId('join-check-error')).toBeInTheDocument();
		expect(screen.getByTestId('joining')).toBeInTheDocument();
	});

	it('starts over only when asked twice, and the first screen shows', async () => {
		const core = installBackend({
			vault_status: () => joining(),
			join_check: () => joining(),
			join_abandon: () => status('absent')
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('join-start-over'));
		expect(core.callsTo('join_abandon')).toHaveLength(0);
		expect(screen.getByTestId('join-start-over-explain')).toHaveTextContent('a new invite');
		await user.click(screen.getByTestId('join-start-over-confirm'));
		expect(await screen.findByTestId('first-run')).toBeInTheDocument();
		expect(core.callsTo('join_abandon')).toHaveLength(1);
	});
});
