/**
 * The UI's one door to the Rust core.
 *
 * `bindings.ts` is generated from Rust by tauri-specta; every command there answers a
 * `Result<T, IpcError>`. The wrappers below turn that into a plain `Promise<T>` that
 * rejects with an `IpcFailure` carrying the typed `IpcError`, so a view writes
 * `try { await vaultUnlock(...) } catch (e) { error = toIpcError(e) }`.
 *
 * Only this folder imports `@tauri-apps/*`.
 */
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import {
	commands,
	type ChangePassphraseRequest,
	type CreateVaultRequest,
	type CreatedVault,
	type IpcError,
	type PassphraseStrength,
	type RecoveryUnlockRequest,
	type Result,
	type Settings,
	type SettingsPatch,
	type UnlockRequest,
	type VaultStatus
} from './bindings';

export type {
	ChangePassphraseRequest,
	CreateVaultRequest,
	CreatedVault,
	ErrorCode,
	IpcError,
	Language,
	MemberSummary,
	PassphraseProblem,
	PassphraseStrength,
	RecoveryUnlockRequest,
	Settings,
	SettingsPatch,
	UnlockRequest,
	VaultState,
	VaultStatus
} from './bindings';

/** A command answered with an error; `error` is the core's typed error. */
export class IpcFailure extends Error {
	readonly error: IpcError;
	constructor(error: IpcError) {
		super(error.message);
		this.name = 'IpcFailure';
		this.error = error;
	}
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/**
 * Whatever a call threw, as an `IpcError`: the core's own error as is, and anything
 * else (a string from Tauri such as "command not found", a JS exception) as `internal`.
 */
export function toIpcError(thrown: unknown): IpcError {
	if (thrown instanceof IpcFailure) return thrown.error;
	if (isRecord(thrown) && typeof thrown.code === 'string') {
		return {
			code: thrown.code as IpcError['code'],
			message: typeof thrown.message === 'string' ? thrown.message : '',
			field: typeof thrown.field === 'string' ? thrown.field : null,
			retryAfterSecs: typeof thrown.retryAfterSecs === 'number' ? thrown.retryAfterSecs : null,
			path: typeof thrown.path === 'string' ? thrown.path : null
		};
	}
	const message =
		thrown instanceof Error ? thrown.message : typeof thrown === 'string' ? thrown : String(thrown);
	return { code: 'internal', message, field: null, retryAfterSecs: null, path: null };
}

async function call<T>(pending: Promise<Result<T, IpcError>>): Promise<T> {
	let result: Result<T, IpcError>;
	try {
		result = await pending;
	} catch (thrown) {
		throw new IpcFailure(toIpcError(thrown));
	}
	if (result.status === 'ok') return result.data;
	throw new IpcFailure(toIpcError(result.error));
}

export const vaultStatus = (): Promise<VaultStatus> => call(commands.vaultStatus());
export const vaultCreate = (request: CreateVaultRequest): Promise<CreatedVault> =>
	call(commands.vaultCreate(request));
export const vaultUnlock = (request: UnlockRequest): Promise<VaultStatus> =>
	call(commands.vaultUnlock(request));
export const vaultUnlockWithRecovery = (request: RecoveryUnlockRequest): Promise<VaultStatus> =>
	call(commands.vaultUnlockWithRecovery(request));
export const vaultLock = (): Promise<VaultStatus> => call(commands.vaultLock());
/** Tells the core the user is active: resets its idle (auto-lock) timer. */
export const vaultActivity = (): Promise<null> => call(commands.vaultActivity());
export const recoveryKeyAcknowledge = (): Promise<VaultStatus> =>
	call(commands.recoveryKeyAcknowledge());
/** A new recovery key, shown once; the previous one stops working. */
export const recoveryKeyRegenerate = (): Promise<string> => call(commands.recoveryKeyRegenerate());
export const passphraseChange = (request: ChangePassphraseRequest): Promise<null> =>
	call(commands.passphraseChange(request));
export const passphraseAssess = (passphrase: string): Promise<PassphraseStrength> =>
	call(commands.passphraseAssess(passphrase));
export const settingsGet = (): Promise<Settings> => call(commands.settingsGet());
export const settingsSet = (patch: SettingsPatch): Promise<Settings> =>
	call(commands.settingsSet(patch));

/** Why the core locked the vault. */
export type LockReason = 'idle' | 'manual';
export type VaultLockedPayload = { reason: LockReason };

/** The event the core emits whenever the vault locks (after idle, or on request). */
export const VAULT_LOCKED_EVENT = 'vault-locked';

/** Calls `onLocked` each time the core locks the vault; resolves to an unsubscribe function. */
export function onVaultLocked(onLocked: (reason: LockReason) => void): Promise<UnlistenFn> {
	return listen<VaultLockedPayload>(VAULT_LOCKED_EVENT, (event) => {
		onLocked(event.payload?.reason === 'idle' ? 'idle' : 'manual');
	});
}
