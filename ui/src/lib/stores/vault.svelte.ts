/**
 * Everything the UI holds that came out of the unlocked vault, in one place, so that
 * locking can wipe it with one call (`clearAll`) before the lock screen shows.
 *
 * Views that load vault data of their own (case lists, funds, …) register a clearer with
 * `registerVaultView`; `clearAll` calls every one of them.
 *
 * Each `clearAll` also starts a new lock epoch. An answer from the core can arrive after the
 * person locked (Ctrl+L, the Lock button, the core's `vault-locked` event); it must not put
 * vault data back or reopen the main layout. So every call takes `lockEpoch()` before asking
 * and drops the answer when `lockedSince(epoch)`:
 *
 *     const epoch = lockEpoch();
 *     const answer = await someCommand();
 *     if (lockedSince(epoch)) return;
 */
import type { AuditWarning, JoinStatus, MemberSummary, Permission, TeamOverview } from '$lib/ipc';

class VaultData {
	/** The team's name; known only while the vault is unlocked. */
	teamName = $state<string | null>(null);
	/** The member who unlocked the vault. */
	member = $state<MemberSummary | null>(null);
	/**
	 * What the member's role allows, as the core reported it: the UI hides what they may
	 * not do (`can`), the core still checks every call.
	 */
	permissions = $state<Permission[]>([]);
	/** The team, its agencies and roles, once a view asked the core for them. */
	team = $state<TeamOverview | null>(null);
	/** A recovery key being shown once, until the member confirms it is written down. */
	recoveryKey = $state<string | null>(null);
	/**
	 * For a team lead: the core found the audit log's chain broken at sign-in (it re-checks
	 * at every unlock, so this comes back after the next unlock if still broken).
	 */
	auditWarning = $state<AuditWarning | null>(null);
	/** The member hid the audit warning until the next lock. */
	auditWarningDismissed = $state(false);
	/** While this laptop waits to join its team: whose it is, its short code, the progress. */
	joining = $state<JoinStatus | null>(null);
}

export const vaultData = new VaultData();

const viewClearers = new Set<() => void>();

/** How many times the vault data was wiped (each lock); not reactive, only compared. */
let epoch = 0;

/** The current lock epoch: take it before asking the core anything. */
export function lockEpoch(): number {
	return epoch;
}

/** True when the vault was locked (and wiped) since `taken`: the answer is stale, drop it. */
export function lockedSince(taken: number): boolean {
	return epoch !== taken;
}

/** A view that keeps vault data registers how to forget it; returns the unregister function. */
export function registerVaultView(clear: () => void): () => void {
	viewClearers.add(clear);
	return () => {
		viewClearers.delete(clear);
	};
}

/** Forgets every piece of vault data the UI holds. Called on every lock, before the lock screen. */
export function clearAll(): void {
	epoch += 1;
	vaultData.teamName = null;
	vaultData.member = null;
	vaultData.permissions = [];
	vaultData.team = null;
	vaultData.recoveryKey = null;
	vaultData.auditWarning = null;
	vaultData.auditWarningDismissed = false;
	vaultData.joining = null;
	for (const clear of viewClearers) clear();
}

/** Hides the audit warning until the next lock (the core re-checks at the next unlock). */
export function dismissAuditWarning(): void {
	vaultData.auditWarningDismissed = true;
}

/** True when no vault data is held (what a test of the lock path checks). */
export function holdsNoVaultData(): boolean {
	return (
		vaultData.teamName === null &&
		vaultData.member === null &&
		vaultData.permissions.length === 0 &&
		vaultData.team === null &&
		vaultData.recoveryKey === null &&
		vaultData.auditWarning === null
	);
}
