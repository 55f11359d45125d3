/**
 * The funds screen's one error at a time: the core's refusal of the last thing asked, kept
 * with the place it is about (a form, a request, a ledger row), so that it shows next to
 * that place and nowhere else. Asking anything else first clears it; a lock wipes it.
 */
import type { IpcError } from '$lib/ipc';
import { registerVaultView } from '$lib/stores/vault.svelte';

let current = $state<{ place: string; error: IpcError } | null>(null);

export const fundsError = {
	/** The error about `place`, or null. */
	at(place: string): IpcError | null {
		return current?.place === place ? current.error : null;
	},
	show(place: string, error: IpcError): void {
		current = { place, error };
	},
	clear(): void {
		current = null;
	}
};

registerVaultView(() => fundsError.clear());
