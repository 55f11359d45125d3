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
		settings: { language: 'en', autoLockMinutes: 10, ...settings },
		...overrides
	};
}

export function ipcError(code: ErrorCode, extra: Partial<IpcError> = {}): IpcError {
	return { code, message: `core says ${code}`, field: null, retryAfterSecs: null, path: null, ...extra };
}

/** Throws (as the core's error) from inside a handler. */
export function fail(code: ErrorCode, extra: Partial<IpcError> = {}): never {
	throw ipcError(code, extra);
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
