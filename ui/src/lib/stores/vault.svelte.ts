/**
 * Everything the UI holds that came out of the unlocked vault, in one place, so that
 * locking can wipe it with one call (`clearAll`) before the lock screen shows.
 *
 * Views that load vault data of their own (case lists, funds, …) register a clearer with
 * `registerVaultView`; `clearAll` calls every one of them.
 */
import type { MemberSummary } from '$lib/ipc';

class VaultData {
	/** The team's name; known only while the vault is unlocked. */
	teamName = $state<string | null>(null);
	/** The member who unlocked the vault. */
	member = $state<MemberSummary | null>(null);
	/** A recovery key being shown once, until the member confirms it is written down. */
	recoveryKey = $state<string | null>(null);
}

export const vaultData = new VaultData();

const viewClearers = new Set<() => void>();

/** A view that keeps vault data registers how to forget it; returns the unregister function. */
export function registerVaultView(clear: () => void): () => void {
	viewClearers.add(clear);
	return () => {
		viewClearers.delete(clear);
	};
}

/** Forgets every piece of vault data the UI holds. Called on every lock, before the lock screen. */
export function clearAll(): void {
	vaultData.teamName = null;
	vaultData.member = null;
	vaultData.recoveryKey = null;
	for (const clear of viewClearers) clear();
}

/** True when no vault data is held (what a test of the lock path checks). */
export function holdsNoVaultData(): boolean {
	return vaultData.teamName === null && vaultData.member === null && vaultData.recoveryKey === null;
}
