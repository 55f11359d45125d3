/**
 * The app's flow between first run, lock screen, recovery key and the main layout,
 * driven by what the core reports. The core decides; this module only follows its
 * `VaultStatus` and makes sure the lock path wipes vault data before anything else.
 */
import {
	onVaultLocked,
	recoveryKeyAcknowledge,
	recoveryKeyRegenerate,
	settingsSet,
	toIpcError,
	vaultActivity,
	vaultLock,
	vaultStatus,
	type CreatedVault,
	type Language,
	type LockReason,
	type Settings,
	type VaultStatus
} from '$lib/ipc';
import { setLanguage } from '$lib/i18n';
import { app } from '$lib/stores/app.svelte';
import { clearAll, vaultData } from '$lib/stores/vault.svelte';

/** Applies settings the core answered with (language switches every label). */
export function applySettings(settings: Settings): void {
	app.settings = settings;
	setLanguage(settings.language);
}

/** Shows the lock screen, after wiping every piece of vault data the UI holds. */
export function showLocked(reason: LockReason | null): void {
	clearAll();
	app.section = 'cases';
	app.recoveryKeyError = null;
	app.lockReason = reason;
	app.phase = 'locked';
}

/** Asks the core for a new recovery key and shows it (the old one stops working). */
export async function showNewRecoveryKey(origin: 'pending' | 'regenerated'): Promise<void> {
	vaultData.recoveryKey = null;
	app.recoveryKeyError = null;
	app.recoveryKeyOrigin = origin;
	app.phase = 'recovery-key';
	try {
		const key = await recoveryKeyRegenerate();
		if (app.phase === 'recovery-key') vaultData.recoveryKey = key;
	} catch (thrown) {
		app.recoveryKeyError = toIpcError(thrown);
	}
}

/** Follows a status from the core: first run, lock screen, recovery key or main layout. */
export async function enterStatus(status: VaultStatus): Promise<void> {
	applySettings(status.settings);
	app.lockError = null;
	switch (status.state) {
		case 'absent':
			clearAll();
			app.phase = 'first-run';
			return;
		case 'locked':
			showLocked(app.phase === 'locked' ? app.lockReason : null);
			return;
		case 'unlocked':
			vaultData.teamName = status.teamName;
			vaultData.member = status.member;
			if (status.recoveryKeyPending) {
				await showNewRecoveryKey('pending');
			} else {
				vaultData.recoveryKey = null;
				app.phase = 'unlocked';
			}
			return;
	}
}

/** On start: ask the core where we are. */
export async function start(): Promise<void> {
	app.phase = 'loading';
	app.startupError = null;
	try {
		await enterStatus(await vaultStatus());
	} catch (thrown) {
		app.startupError = toIpcError(thrown);
		app.phase = 'startup-error';
	}
}

/** The vault was just created: show its recovery key once. */
export function vaultCreated(created: CreatedVault): void {
	applySettings(created.status.settings);
	vaultData.teamName = created.status.teamName;
	vaultData.member = created.status.member;
	vaultData.recoveryKey = created.recoveryKey;
	app.recoveryKeyOrigin = 'created';
	app.recoveryKeyError = null;
	app.phase = 'recovery-key';
}

/** The member confirmed the recovery key is written down. */
export async function acknowledgeRecoveryKey(): Promise<void> {
	const status = await recoveryKeyAcknowledge();
	vaultData.recoveryKey = null;
	await enterStatus(status);
}

/** Lock on request: the screen is wiped first, then the core locks. */
export async function lock(): Promise<void> {
	showLocked('manual');
	app.lockError = null;
	try {
		await vaultLock();
	} catch (thrown) {
		app.lockError = toIpcError(thrown);
	}
}

/** Whether the vault is open in the UI (what Ctrl+L and activity reports apply to). */
export function isUnlocked(): boolean {
	return app.phase === 'unlocked' || app.phase === 'recovery-key';
}

/** The core locked the vault (idle or on request): wipe and show the lock screen. */
export function vaultLockedByCore(reason: LockReason): void {
	if (isUnlocked()) {
		showLocked(reason);
	} else {
		clearAll();
	}
}

/** Subscribes to the core's `vault-locked` event; returns the unsubscribe function. */
export function listenForLock(): Promise<() => void> {
	return onVaultLocked(vaultLockedByCore);
}

/** Switches the language through the core (works while locked) and applies its answer. */
export async function changeLanguage(language: Language): Promise<void> {
	applySettings(await settingsSet({ language, autoLockMinutes: null }));
}

/** How often, at most, activity is reported to the core. */
export const ACTIVITY_INTERVAL_MS = 30_000;

/**
 * Returns a function to call on every keydown/pointerdown; it tells the core at most once
 * per `intervalMs`. If the core answers `locked`, the vault already locked itself.
 */
export function createActivityReporter(
	intervalMs: number = ACTIVITY_INTERVAL_MS,
	now: () => number = () => Date.now()
): () => void {
	let last = Number.NEGATIVE_INFINITY;
	return () => {
		if (!isUnlocked()) return;
		const at = now();
		if (at - last < intervalMs) return;
		last = at;
		vaultActivity().catch((thrown: unknown) => {
			if (toIpcError(thrown).code === 'locked') vaultLockedByCore('idle');
		});
	};
}
