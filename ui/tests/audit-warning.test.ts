import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type { AuditWarning } from '$lib/ipc';
import { holdsNoVaultData, vaultData } from '$lib/stores/vault.svelte';
import { deferred, installBackend, status, typeUnlock, unlocked } from './backend';

const ADVICE = 'Keep this laptop as it is and tell the committee; do not delete anything.';
const ALTERED: AuditWarning = { seq: 42, problem: { kind: 'altered' }, laptop: null };

/** Lets every pending promise and re-render run. */
async function settle() {
	for (let round = 0; round < 5; round++) await new Promise((resolve) => setTimeout(resolve, 0));
}

describe('audit log warning', () => {
	it('says when the broken chain is another laptop’s, as this one received it', async () => {
		const auditWarning: AuditWarning = {
			seq: 5,
			problem: { kind: 'altered' },
			laptop: '0192f3a1-7c2e-7b3d-9a55-000000000d02'
		};
		installBackend({ vault_status: () => status('unlocked', { auditWarning }) });
		render(App);
		expect(await screen.findByTestId('audit-warning-laptop')).toHaveTextContent('another laptop of the team (0192f3a1…)');
	});

	it('names no other laptop for this laptop’s own chain', async () => {
		installBackend({ vault_status: () => status('unlocked', { auditWarning: ALTERED }) });
		render(App);
		await screen.findByTestId('audit-warning');
		expect(screen.queryByTestId('audit-warning-laptop')).not.toBeInTheDocument();
	});

	it.each<[string, AuditWarning, string]>([
		['altered', ALTERED, 'The audit log has been tampered with: entry 42 was altered.'],
		[
			'unlinked',
			{ seq: 1207, problem: { kind: 'unlinked' }, laptop: null },
			'The audit log has been tampered with: entry 1207 does not link to the one before it (an entry was deleted, reordered or inserted).'
		],
		[
			'gap',
			{ seq: 18, problem: { kind: 'gap', expected: 17 }, laptop: null },
			'The audit log has been tampered with: entry 17 is missing.'
		]
	])('shows a banner for an %s entry, with what to do', async (kind, auditWarning, message) => {
		installBackend({ vault_status: () => status('unlocked', { auditWarning }) });
		render(App);

		const banner = await screen.findByTestId('audit-warning');
		expect(banner).toHaveAttribute('role', 'alert');
		expect(banner).toHaveAttribute('data-kind', kind);
		expect(screen.getByTestId('audit-warning-message').textContent).toBe(message);
		expect(banner).toHaveTextContent(ADVICE);
		expect(screen.getByRole('alert')).toBe(banner);
		// At the top of the content, above the section.
		const content = screen.getByTestId('section-cases');
		expect(content.firstElementChild).toBe(banner);
		expect(vaultData.auditWarning).toEqual(auditWarning);
	});

	it('speaks Thai when the settings say so', async () => {
		installBackend({
			vault_status: () =>
				status(
					'unlocked',
					{ auditWarning: { seq: 9, problem: { kind: 'gap', expected: 8 }, laptop: null } },
					{ language: 'th' }
				)
		});
		render(App);

		const banner = await screen.findByTestId('audit-warning');
		expect(screen.getByTestId('audit-warning-message')).toHaveTextContent(
			'บันทึกการตรวจสอบ (audit log) ถูกดัดแปลง รายการที่ 8 หายไป'
		);
		expect(banner).toHaveTextContent(
			'กรุณาเก็บโน้ตบุ๊กเครื่องนี้ไว้ตามสภาพเดิมและแจ้งคณะกรรมการ ห้ามลบข้อมูลใด ๆ ทั้งสิ้น'
		);
		expect(
			screen.getByRole('button', { name: 'ซ่อนคำเตือนนี้จนกว่าจะปลดล็อกร่วมครั้งถัดไป' })
		).toBeInTheDocument();
	});

	it('shows nothing when the audit log is intact', async () => {
		installBackend({ vault_status: () => status('unlocked') });
		render(App);

		await screen.findByTestId('main');
		expect(screen.queryByTestId('audit-warning')).not.toBeInTheDocument();
		expect(screen.queryByRole('alert')).not.toBeInTheDocument();
		expect(vaultData.auditWarning).toBeNull();
	});

	it('is wiped on lock, and shows again after the next unlock while the core still finds it', async () => {
		let broken = true;
		installBackend({
			vault_status: () => status('unlocked', { auditWarning: ALTERED }),
			vault_lock: () => status('locked'),
			vault_unlock: () => unlocked(null, { auditWarning: broken ? ALTERED : null })
		});
		const user = userEvent.setup();
		render(App);
		await screen.findByTestId('audit-warning');

		await user.click(screen.getByTestId('lock'));
		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(vaultData.auditWarning).toBeNull();
		expect(holdsNoVaultData()).toBe(true);
		expect(screen.queryByTestId('audit-warning')).not.toBeInTheDocument();

		await typeUnlock(user, 'right passphrase{Enter}');
		expect(await screen.findByTestId('audit-warning')).toHaveTextContent('entry 42 was altered.');

		// Once the core no longer finds the chain broken, the next unlock shows no banner.
		broken = false;
		await user.click(screen.getByTestId('lock'));
		await typeUnlock(user, 'right passphrase{Enter}');
		await screen.findByTestId('main');
		expect(screen.queryByTestId('audit-warning')).not.toBeInTheDocument();
	});

	it('is wiped when the core locks the vault by itself', async () => {
		const core = installBackend({ vault_status: () => status('unlocked', { auditWarning: ALTERED }) });
		render(App);
		await screen.findByTestId('audit-warning');

		await core.emit('vault-locked', { reason: 'idle' });
		expect(await screen.findByTestId('lock-screen')).toBeInTheDocument();
		expect(vaultData.auditWarning).toBeNull();
		expect(screen.queryByTestId('audit-warning')).not.toBeInTheDocument();
	});

	it('can be hidden for the session, across sections and status reloads, and comes back after the next unlock', async () => {
		installBackend({
			vault_status: () => status('unlocked', { auditWarning: ALTERED }),
			vault_lock: () => status('locked'),
			vault_unlock: () => unlocked(null, { auditWarning: ALTERED })
		});
		const user = userEvent.setup();
		render(App);
		await screen.findByTestId('audit-warning');

		await user.click(
			screen.getByRole('button', { name: 'Hide this warning until Ruam is next unlocked' })
		);
		expect(screen.queryByTestId('audit-warning')).not.toBeInTheDocument();
		// Focus is not lost: it moves to the content.
		expect(document.activeElement).toBe(screen.getByTestId('section-cases'));
		// The finding itself is still held (the core reports it for the whole session).
		expect(vaultData.auditWarning).toEqual(ALTERED);

		await user.click(screen.getByTestId('nav-settings'));
		await user.click(screen.getByTestId('nav-cases'));
		expect(screen.queryByTestId('audit-warning')).not.toBeInTheDocument();

		await user.click(screen.getByTestId('lock'));
		expect(vaultData.auditWarningDismissed).toBe(false);
		await typeUnlock(user, 'right passphrase{Enter}');
		expect(await screen.findByTestId('audit-warning')).toBeInTheDocument();
	});

	it('shows after the recovery key page once the key is confirmed', async () => {
		installBackend({
			vault_status: () => status('locked'),
			vault_unlock: () => unlocked('WXYZ-2345-6789', { recoveryKeyPending: true, auditWarning: ALTERED }),
			recovery_key_acknowledge: () => status('unlocked', { auditWarning: ALTERED })
		});
		const user = userEvent.setup();
		render(App);
		await typeUnlock(user, 'right passphrase{Enter}');
		await user.click(await screen.findByTestId('recovery-ack'));
		await user.click(screen.getByTestId('recovery-continue'));

		expect(await screen.findByTestId('audit-warning')).toHaveTextContent('entry 42 was altered.');
	});

	it('an unlock answering after the vault-locked event does not bring the warning back', async () => {
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
		answer.resolve(unlocked(null, { auditWarning: ALTERED }));
		await settle();

		expect(screen.getByTestId('lock-screen')).toBeInTheDocument();
		expect(vaultData.auditWarning).toBeNull();
		expect(screen.queryByTestId('audit-warning')).not.toBeInTheDocument();
	});
});
