/**
 * The team overview (members, agencies, roles), asked of the core by the views that show
 * it and kept in the vault store, which a lock wipes. An answer that a lock overtook is
 * dropped, and so is its error.
 */
import { teamOverview } from '$lib/ipc';
import { lockEpoch, lockedSince, vaultData } from '$lib/stores/vault.svelte';

export async function loadTeam(): Promise<void> {
	const epoch = lockEpoch();
	try {
		const overview = await teamOverview();
		if (!lockedSince(epoch)) vaultData.team = overview;
	} catch (thrown) {
		if (!lockedSince(epoch)) throw thrown;
	}
}
