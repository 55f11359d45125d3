/**
 * Where the app is (loading, first run, locked, …) and the settings, which the core
 * reports even while the vault is locked. Nothing here comes from inside the vault.
 */
import type { IpcError, RestoreDone, Settings } from '$lib/ipc';
import type { LockReason } from '$lib/ipc';

export type Phase =
	| 'loading'
	| 'startup-error'
	| 'first-run'
	| 'locked'
	| 'joining'
	| 'recovery-key'
	| 'unlocked';

export const SECTIONS = [
	'cases',
	'tasks',
	'funds',
	'meetings',
	'register',
	'reports',
	'team',
	'audit',
	'settings'
] as const;
export type Section = (typeof SECTIONS)[number];

/** The sections a coming version fills: they show a calm empty state for now (none left at present). */
export const PLACEHOLDER_SECTIONS = [] as const satisfies readonly Section[];

/** Why the recovery key page is showing a key. */
export type RecoveryKeyOrigin = 'created' | 'joined' | 'pending' | 'regenerated';

const DEFAULT_SETTINGS: Settings = { language: 'en', autoLockMinutes: 10 };

class AppState {
	phase = $state<Phase>('loading');
	startupError = $state<IpcError | null>(null);
	/** Why the vault was last locked, for the lock screen's notice. */
	lockReason = $state<LockReason | null>(null);
	/** An error from asking the core to lock (shown on the lock screen). */
	lockError = $state<IpcError | null>(null);
	settings = $state<Settings>({ ...DEFAULT_SETTINGS });
	section = $state<Section>('cases');
	recoveryKeyOrigin = $state<RecoveryKeyOrigin>('created');
	/**
	 * What a restore just did (the backup's date, what its checks counted, where the old files
	 * are), for the lock screen that follows it; forgotten at the next sign-in.
	 */
	restored = $state<RestoreDone | null>(null);
}

export const app = new AppState();

/** Back to the state of a fresh start (tests use it between cases). */
export function resetAppState(): void {
	app.phase = 'loading';
	app.startupError = null;
	app.lockReason = null;
	app.lockError = null;
	app.settings = { ...DEFAULT_SETTINGS };
	app.section = 'cases';
	app.recoveryKeyOrigin = 'created';
	app.restored = null;
}
