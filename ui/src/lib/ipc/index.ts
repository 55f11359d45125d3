/**
 * The UI's one door to the Rust core.
 *
 * `bindings.ts` is generated from Rust by tauri-specta. The types below are read off the
 * generated command signatures (what a command answers, what it takes), so they follow the
 * Rust side whatever names the generator gives them. Every wrapper returns a plain
 * `Promise<T>` that rejects with an `IpcFailure` carrying the core's typed `IpcError`:
 * `try { await vaultUnlock(...) } catch (e) { error = toIpcError(e) }`.
 *
 * Only this folder imports `@tauri-apps/*`.
 */
import { commands, events } from './bindings';

type AnyCommand = (...args: any[]) => Promise<unknown>;
type Answer<R> = R extends { status: 'ok'; data: infer T } ? T : R extends { status: 'error' } ? never : R;
type Failure<R> = R extends { status: 'error'; error: infer E } ? E : never;
/** What a command answers when it succeeds. */
type Ok<C extends AnyCommand> = Answer<Awaited<ReturnType<C>>>;
/** What a command answers when it fails. */
type Err<C extends AnyCommand> = Failure<Awaited<ReturnType<C>>>;
/** The first argument a command takes. */
type Arg<C extends AnyCommand> = Parameters<C>[0];

export type VaultStatus = Ok<typeof commands.vaultStatus>;
export type CreatedVault = Ok<typeof commands.vaultCreate>;
/** An unlock's answer: the status, and a new recovery key to show once (or null). */
export type Unlocked = Ok<typeof commands.vaultUnlock>;
export type Settings = Ok<typeof commands.settingsSet>;
export type PassphraseStrength = Ok<typeof commands.passphraseAssess>;
export type IpcError = Err<typeof commands.vaultStatus>;
export type ErrorCode = IpcError['code'];
/** For `corrupt`: what a person can do about the damaged file. */
export type Remedy = NonNullable<IpcError['remedy']>;
export type VaultState = VaultStatus['state'];
export type MemberSummary = NonNullable<VaultStatus['member']>;
/** For a team lead, at sign-in: where the audit log's hash chain was found broken. */
export type AuditWarning = NonNullable<VaultStatus['auditWarning']>;
/** How the audit log's chain is broken (`altered`, `unlinked`, or a `gap` with the missing number). */
export type AuditBreak = AuditWarning['problem'];
export type Language = Settings['language'];
export type PassphraseProblem = NonNullable<PassphraseStrength['problem']>;
export type CreateVaultRequest = Arg<typeof commands.vaultCreate>;
export type UnlockRequest = Arg<typeof commands.vaultUnlock>;
export type RecoveryUnlockRequest = Arg<typeof commands.vaultUnlockWithRecovery>;
export type ChangePassphraseRequest = Arg<typeof commands.passphraseChange>;
export type ConfirmPassphrase = Arg<typeof commands.recoveryKeyRegenerate>;
export type SettingsPatch = Arg<typeof commands.settingsSet>;

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

const REMEDIES: readonly Remedy[] = ['recovery_key', 'backup'];

function asRemedy(value: unknown): Remedy | null {
	return REMEDIES.find((remedy) => remedy === value) ?? null;
}

/**
 * Whatever a call threw, as an `IpcError`: the core's own error as is, and anything
 * else (a string from Tauri such as "command not found", a JS exception) as `internal`.
 */
export function toIpcError(thrown: unknown): IpcError {
	if (thrown instanceof IpcFailure) return thrown.error;
	if (isRecord(thrown) && typeof thrown.code === 'string') {
		return {
			code: thrown.code as ErrorCode,
			message: typeof thrown.message === 'string' ? thrown.message : '',
			field: typeof thrown.field === 'string' ? thrown.field : null,
			retryAfterSecs: typeof thrown.retryAfterSecs === 'number' ? thrown.retryAfterSecs : null,
			path: typeof thrown.path === 'string' ? thrown.path : null,
			remedy: asRemedy(thrown.remedy)
		};
	}
	const message =
		thrown instanceof Error ? thrown.message : typeof thrown === 'string' ? thrown : String(thrown);
	return { code: 'internal', message, field: null, retryAfterSecs: null, path: null, remedy: null };
}

function isResult(value: unknown): value is { status: 'ok'; data: unknown } | { status: 'error'; error: unknown } {
	return (
		isRecord(value) &&
		((value.status === 'ok' && 'data' in value) || (value.status === 'error' && 'error' in value))
	);
}

/**
 * Awaits a generated command. Fallible commands answer `{ status, data | error }`;
 * infallible ones answer the value itself (and can still reject, e.g. "command not found").
 */
async function call<R>(pending: Promise<R>): Promise<Answer<R>> {
	let answer: unknown;
	try {
		answer = await pending;
	} catch (thrown) {
		throw new IpcFailure(toIpcError(thrown));
	}
	if (!isResult(answer)) return answer as Answer<R>;
	if (answer.status === 'ok') return answer.data as Answer<R>;
	throw new IpcFailure(toIpcError(answer.error));
}

export const vaultStatus = (): Promise<VaultStatus> => call(commands.vaultStatus());
export const vaultCreate = (request: CreateVaultRequest): Promise<CreatedVault> =>
	call(commands.vaultCreate(request));
/** Unlocks; answers `conflict` when the vault is already unlocked. */
export const vaultUnlock = (request: UnlockRequest): Promise<Unlocked> =>
	call(commands.vaultUnlock(request));
export const vaultUnlockWithRecovery = (request: RecoveryUnlockRequest): Promise<Unlocked> =>
	call(commands.vaultUnlockWithRecovery(request));
export const vaultLock = (): Promise<VaultStatus> => call(commands.vaultLock());
/** Tells the core the user is active: resets its idle (auto-lock) timer. */
export const vaultActivity = (): Promise<null> => call(commands.vaultActivity());
export const recoveryKeyAcknowledge = (): Promise<VaultStatus> =>
	call(commands.recoveryKeyAcknowledge());
/**
 * A new recovery key, shown once; the previous one stops working. Takes the signed-in
 * member's current passphrase again; only a team lead may (`forbidden` otherwise).
 */
export const recoveryKeyRegenerate = (request: ConfirmPassphrase): Promise<string> =>
	call(commands.recoveryKeyRegenerate(request));
export const passphraseChange = (request: ChangePassphraseRequest): Promise<null> =>
	call(commands.passphraseChange(request));
/** The core's view of a passphrase; `context` are words a guesser would try (names, team). */
export const passphraseAssess = (
	passphrase: string,
	context: string[] = []
): Promise<PassphraseStrength> => call(commands.passphraseAssess(passphrase, context));
export const settingsGet = (): Promise<Settings> => call(commands.settingsGet());
export const settingsSet = (patch: SettingsPatch): Promise<Settings> =>
	call(commands.settingsSet(patch));

/** Why the vault locked: the core locks by itself after idle; the member locks on request. */
export type LockReason = 'idle' | 'manual';

/** The event the core emits when it locks the vault by itself. */
export const VAULT_LOCKED_EVENT = 'vault-locked';

/** Calls `onLocked` each time the core locks the vault; resolves to an unsubscribe function. */
export function onVaultLocked(onLocked: (reason: LockReason) => void): Promise<() => void> {
	return events.vaultLocked.listen((event) => {
		const reason: unknown = event.payload?.reason;
		onLocked(reason === 'manual' ? 'manual' : 'idle');
	});
}
