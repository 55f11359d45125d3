import { describe, expect, it } from 'vitest';
import {
	clearAll,
	holdsNoVaultData,
	lockEpoch,
	lockedSince,
	registerVaultView,
	vaultData
} from '$lib/stores/vault.svelte';
import { ALL_PERMISSIONS, member, team } from './backend';

describe('vault store', () => {
	it('clearAll forgets the team, the member, the permissions, the recovery key, the audit warning and every registered view', () => {
		vaultData.teamName = 'Mae Sai District MDT';
		vaultData.member = member;
		vaultData.permissions = [...ALL_PERMISSIONS];
		vaultData.team = team();
		vaultData.recoveryKey = 'ABCD-EFGH';
		vaultData.auditWarning = { seq: 7, problem: { kind: 'altered' }, laptop: null };
		vaultData.auditWarningDismissed = true;
		let cases: string[] = ['case 1', 'case 2'];
		const unregister = registerVaultView(() => (cases = []));
		expect(holdsNoVaultData()).toBe(false);

		clearAll();

		expect(vaultData.teamName).toBeNull();
		expect(vaultData.member).toBeNull();
		expect(vaultData.permissions).toEqual([]);
		expect(vaultData.team).toBeNull();
		expect(vaultData.recoveryKey).toBeNull();
		expect(vaultData.auditWarning).toBeNull();
		expect(vaultData.auditWarningDismissed).toBe(false);
		expect(cases).toEqual([]);
		expect(holdsNoVaultData()).toBe(true);
		unregister();
	});

	it('counts an audit warning as vault data', () => {
		vaultData.auditWarning = { seq: 3, problem: { kind: 'gap', expected: 2 }, laptop: null };
		expect(holdsNoVaultData()).toBe(false);
		clearAll();
		expect(holdsNoVaultData()).toBe(true);
	});

	it('counts permissions and a loaded team as vault data', () => {
		vaultData.permissions = ['audit.read'];
		expect(holdsNoVaultData()).toBe(false);
		clearAll();
		expect(holdsNoVaultData()).toBe(true);
		vaultData.team = team(false);
		expect(holdsNoVaultData()).toBe(false);
		clearAll();
		expect(holdsNoVaultData()).toBe(true);
	});

	it('no longer calls a view that unregistered', () => {
		let calls = 0;
		const unregister = registerVaultView(() => calls++);
		clearAll();
		unregister();
		clearAll();
		expect(calls).toBe(1);
	});

	it('each clearAll starts a new lock epoch, so an answer asked for before it is known stale', () => {
		const before = lockEpoch();
		expect(lockedSince(before)).toBe(false);
		clearAll();
		expect(lockedSince(before)).toBe(true);
		const after = lockEpoch();
		expect(after).not.toBe(before);
		expect(lockedSince(after)).toBe(false);
	});
});
