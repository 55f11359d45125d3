/**
 * The app's flow between first run, lock screen, recovery key and the main layout,
 * driven by what the core reports. The core decides; this module only follows its
 * `VaultStatus` and makes sure the lock path wipes vault data before anything else.
 */
import {
	joinAbandon,
	joinCheck,
	joinTeam,
	onVaultLocked,
	passphraseChange,
	recoveryKeyAcknowledge,
	recoveryKeyRegenerate,
	settingsSet,
	toIpcError,
	vaultActivity,
	vaultCreate,
	vaultLock,
	vaultStatus,
	type CreatedVault,
	type CreateVaultRequest,
	type JoinRequest,
	type JoinStarted,
	type Language,
	type LockReason,
	type RestoreDone,
	type Settings,
	type Unlocked,
	type VaultStatus
} from '$lib/ipc';
import { setLanguage } from '$lib/i18n';
import { app, type RecoveryKeyOrigin } from '$lib/stores/app.svelte';
import { clearAll, lockEpoch, lockedSince, vaultData } from '$lib/stores/vault.svelte';

/** Applies settings the core answered with (language switches every label). */
export function applySettings(settings: Settings): void {
	app.settings = settings;
	setLanguage(settings.language);
}

/** Shows the lock screen, after wiping every piece of vault data the UI holds. */
export function showLocked(reason: LockReason | null): void {
	clearAll();
	app.section = 'cases';
	app.lockReason = reason;
	app.phase = 'locked';
}

/** Follows a status from the core: first run, lock screen or main layout. */
export function enterStatus(status: VaultStatus): void {
	applySettings(status.settings);
	app.lockError = null;
	// What a restore did shows on the lock screen that follows it, and no further.
	if (status.state !== 'locked') app.restored = null;
	switch (status.state) {
		case 'absent':
			clearAll();
			app.phase = 'first-run';
			return;
		case 'locked':
			showLocked(app.phase === 'locked' ? app.lockReason : null);
			return;
		case 'joining':
			vaultData.teamName = status.teamName;
			vaultData.joining = status.joining;
			// Its recovery key shows first, once; then the wait.
			if (app.phase !== 'recovery-key' || vaultData.recoveryKey === null) app.phase = 'joining';
			return;
		case 'unlocked':
			// A pending recovery key (e.g. after the window reloaded) is the core's business:
			// it replaces the key at the next unlock. Nothing to fetch here.
			vaultData.teamName = status.teamName;
			vaultData.member = status.member;
			vaultData.permissions = status.permissions;
			vaultData.recoveryKey = null;
			// The core keeps its sign-in finding for the whole session; a dismissal lasts until the lock.
			vaultData.auditWarning = status.auditWarning;
			vaultData.joining = null;
			app.phase = 'unlocked';
			return;
	}
}

/** Shows a recovery key the core just made, once, until the member confirms it is written down. */
function showRecoveryKey(key: string, origin: RecoveryKeyOrigin): void {
	vaultData.recoveryKey = key;
	app.recoveryKeyOrigin = origin;
	app.phase = 'recovery-key';
}

/**
 * Asks the core where we are and goes there. An answer that a lock overtook is dropped:
 * the lock already decided what shows.
 */
export async function reloadStatus(): Promise<void> {
	const epoch = lockEpoch();
	const status = await vaultStatus();
	if (lockedSince(epoch)) return;
	enterStatus(status);
}

/** On start: ask the core where we are. */
export async function start(): Promise<void> {
	app.phase = 'loading';
	app.startupError = null;
	try {
		await reloadStatus();
	} catch (thrown) {
		if (app.phase !== 'loading') return;
		app.startupError = toIpcError(thrown);
		app.phase = 'startup-error';
	}
}

/**
 * Creates the vault and shows its recovery key once. (Should a lock have come in meanwhile,
 * the core is asked where it stands; a key not confirmed as written down is replaced at the
 * next unlock anyway.)
 */
export async function createVault(request: CreateVaultRequest): Promise<void> {
	const epoch = lockEpoch();
	const created: CreatedVault = await vaultCreate(request);
	if (lockedSince(epoch)) return reloadStatus();
	enterStatus(created.status);
	showRecoveryKey(created.recoveryKey, 'created');
}

/** Joins the team from a new laptop and shows this laptop's recovery key once, then the wait. */
export async function joinWith(request: JoinRequest): Promise<void> {
	const epoch = lockEpoch();
	const started: JoinStarted = await joinTeam(request);
	if (lockedSince(epoch)) return reloadStatus();
	showRecoveryKey(started.recoveryKey, 'joined');
	enterStatus(started.status);
}

/**
 * While joining: asks the core once (approved? a few pages of the team pulled) and follows
 * its answer; once the team's data is here the main layout opens. Rejects with the core's
 * error (offline, refused) for the waiting screen to show; it asks again later.
 */
export async function checkJoining(): Promise<void> {
	const epoch = lockEpoch();
	const status = await joinCheck();
	if (lockedSince(epoch)) return;
	enterStatus(status);
}

/** Gives up joining: the core removes the vault made for it; the first screen shows. */
export async function abandonJoining(): Promise<void> {
	const status = await joinAbandon();
	clearAll();
	enterStatus(status);
}

/**
 * Unlocks with `ask` (passphrase or recovery key) and follows the answer. When the core
 * replaced a recovery key that was never confirmed as written down, the new one shows
 * (the earlier key no longer works).
 *
 * `conflict` means the vault is already unlocked (e.g. the window reloaded or another
 * attempt got there first): go where `vault_status` says. If a `vault-locked` event came in
 * meanwhile, the answer may be stale: ask the core where it stands instead of trusting it.
 * Other errors reject, for the lock screen to show.
 */
export async function unlockWith(ask: () => Promise<Unlocked>): Promise<void> {
	const epoch = lockEpoch();
	let unlocked: Unlocked;
	try {
		unlocked = await ask();
	} catch (thrown) {
		if (toIpcError(thrown).code !== 'conflict') throw thrown;
		return reloadStatus();
	}
	if (lockedSince(epoch)) return reloadStatus();
	enterStatus(unlocked.status);
	if (unlocked.status.state === 'unlocked' && unlocked.newRecoveryKey !== null) {
		showRecoveryKey(unlocked.newRecoveryKey, 'pending');
	}
}

/**
 * Asks the core for a new recovery key (with the member's current passphrase) and shows
 * it. Rejects with the core's error (`invalid_credentials`, `forbidden`, …).
 */
export async function regenerateRecoveryKey(passphrase: string): Promise<void> {
	const epoch = lockEpoch();
	const key = await recoveryKeyRegenerate({ passphrase });
	if (lockedSince(epoch)) return;
	showRecoveryKey(key, 'regenerated');
}

/** The member confirmed the recovery key is written down. */
export async function acknowledgeRecoveryKey(): Promise<void> {
	const epoch = lockEpoch();
	const status = await recoveryKeyAcknowledge();
	if (lockedSince(epoch)) return;
	vaultData.recoveryKey = null;
	enterStatus(status);
}

/**
 * A member who signed in with the first passphrase a lead set for them replaces it with
 * their own; then the main layout opens. Rejects with the core's error.
 */
export async function changeFirstPassphrase(current: string, next: string): Promise<void> {
	const epoch = lockEpoch();
	await passphraseChange({ current, new: next });
	if (lockedSince(epoch) || !vaultData.member) return;
	vaultData.member = { ...vaultData.member, mustChangePassphrase: false };
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
	return app.phase === 'unlocked' || app.phase === 'recovery-key' || app.phase === 'joining';
}

/**
 * The core locked the vault (idle or on request): wipe and show the lock screen. While the
 * app is still asking where it is, the lock screen is the answer.
 */
export function vaultLockedByCore(reason: LockReason): void {
	if (isUnlocked() || app.phase === 'loading') {
		showLocked(reason);
	} else {
		clearAll();
	}
}

/**
 * A backup was restored: the core switched the vault and locked it. As for a lock, what the
 * UI holds is wiped first (the lock screen shows at once); what the restore found is kept for
 * the lock screen; then the core is asked where it stands (locked: its lock screen).
 */
export async function afterRestore(done: RestoreDone): Promise<void> {
	if (isUnlocked()) showLocked(null);
	else clearAll();
	app.restored = done;
	try {
		await reloadStatus();
	} catch {
		// The core said it locked: the lock screen is where it stands.
		if (app.phase !== 'locked') showLocked(null);
	}
}

/** Subscribes to the core's `vault-locked` event; returns the unsubscribe function. */
export function listenForLock(): Promise<() => void> {
	return onVaultLocked(vaultLockedByCore);
}

/** Switches the language through the core (works while locked) and applies its answer. */
export async function changeLanguage(language: Language): Promise<void> {
	const epoch = lockEpoch();
	const settings = await settingsSet({ language, autoLockMinutes: null });
	if (lockedSince(epoch)) return;
	applySettings(settings);
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
		const epoch = lockEpoch();
		vaultActivity().catch((thrown: unknown) => {
			if (lockedSince(epoch)) return;
			if (toIpcError(thrown).code === 'locked') vaultLockedByCore('idle');
		});
	};
}
