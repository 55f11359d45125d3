/**
 * A fake Rust core for UI tests, on top of `mockIPC`: each command answers from a handler,
 * every call is recorded, and `emit` raises core events such as `vault-locked`.
 */
import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
	ErrorCode,
	IpcError,
	MemberSummary,
	Settings,
	Unlocked,
	VaultState,
	VaultStatus
} from '$lib/ipc';

export type Call = { cmd: string; args: Record<string, unknown> };
export type Handler = (args: Record<string, unknown>) => unknown;

export const member: MemberSummary = { id: 'm-1', displayName: 'Somchai Jaidee', role: 'team_lead' };

export function status(
	state: VaultState,
	overrides: Partial<VaultStatus> = {},
	settings: Partial<Settings> = {}
): VaultStatus {
	const unlocked = state === 'unlocked';
	return {
		state,
		teamName: unlocked ? 'Mae Sai District MDT' : null,
		member: unlocked ? member : null,
		recoveryKeyPending: false,
		auditWarning: null,
		settings: { language: 'en', autoLockMinutes: 10, ...settings },
		...overrides
	};
}

/** What `vault_unlock` / `vault_unlock_with_recovery` answer: the status, and a replaced recovery key. */
export function unlocked(
	newRecoveryKey: string | null = null,
	overrides: Partial<VaultStatus> = {}
): Unlocked {
	return { status: status('unlocked', overrides), newRecoveryKey };
}

export function ipcError(code: ErrorCode, extra: Partial<IpcError> = {}): IpcError {
	return {
		code,
		message: `core says ${code}`,
		field: null,
		retryAfterSecs: null,
		path: null,
		remedy: null,
		...extra
	};
}

/** Throws (as the core's error) from inside a handler. */
export function fail(code: ErrorCode, extra: Partial<IpcError> = {}): never {
	throw ipcError(code, extra);
}

/** A promise a test settles by hand: for answers that arrive late. */
export function deferred<T = unknown>() {
	let resolve: (value: T) => void = () => {};
	let reject: (reason: unknown) => void = () => {};
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

export function installBackend(handlers: Record<string, Handler>) {
	const calls: Call[] = [];
	let settings: Settings = { language: 'en', autoLockMinutes: 10 };
	const defaults: Record<string, Handler> = {
		vault_activity: () => null,
		passphrase_assess: () => ({ score: 3, acceptable: true, problem: null }),
		settings_get: () => settings,
		settings_set: (args) => {
			const patch = args.patch as { language: Settings['language'] | null; autoLockMinutes: number | null };
			settings = {
				language: patch.language ?? settings.language,
				autoLockMinutes: patch.autoLockMinutes ?? settings.autoLockMinutes
			};
			return settings;
		}
	};
	mockIPC(
		(cmd, args) => {
			const payload = (args ?? {}) as Record<string, unknown>;
			calls.push({ cmd, args: payload });
			const handler = handlers[cmd] ?? defaults[cmd];
			if (!handler) throw ipcError('internal', { message: `no handler for ${cmd}` });
			return handler(payload);
		},
		{ shouldMockEvents: true }
	);
	return {
		calls,
		callsTo: (cmd: string) => calls.filter((call) => call.cmd === cmd),
		emit: (event: string, payload: unknown) => emit(event, payload)
	};
}
