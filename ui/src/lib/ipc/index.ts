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
/** A right a role can hold (`team.manage`, `roles.manage`, `audit.read`, `recovery.manage`). */
export type Permission = VaultStatus['permissions'][number];
/** Who is on the team, its agencies, and what each role may do (every member may see it). */
export type TeamOverview = Ok<typeof commands.teamOverview>;
/** A member as the team sees them; `signInName` and `mustChangePassphrase` only for managers. */
export type Member = TeamOverview['members'][number];
export type Agency = TeamOverview['agencies'][number];
export type Role = TeamOverview['roles'][number];
export type Discipline = NonNullable<Member['discipline']>;
export type AgencyKind = Agency['kind'];
export type MemberStatus = Member['status'];
export type NewMember = Arg<typeof commands.memberAdd>;
export type MemberUpdate = Arg<typeof commands.memberUpdate>;
export type SetMemberPassphrase = Arg<typeof commands.memberSetPassphrase>;
export type NewAgency = Arg<typeof commands.agencyAdd>;
export type AgencyUpdate = Arg<typeof commands.agencyUpdate>;
export type NewRole = Arg<typeof commands.roleAdd>;
export type RoleUpdate = Arg<typeof commands.roleUpdate>;
/** Which audit entries: member, kind of record, dates (in the viewer's time zone), page. */
export type AuditQuery = Arg<typeof commands.auditLog>;
export type AuditPage = Ok<typeof commands.auditLog>;
export type AuditRow = AuditPage['entries'][number];
/** Where an export was written, and how many entries it holds. */
export type ExportedFile = Ok<typeof commands.auditExport>;

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
 * member's current passphrase again; only a role with `recovery.manage` may (`forbidden`
 * otherwise).
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

/** The team, its agencies and roles; sign-in names only for those who manage members. */
export const teamOverview = (): Promise<TeamOverview> => call(commands.teamOverview());
/** Adds a member with a first passphrase, which they must change when they first sign in. */
export const memberAdd = (member: NewMember): Promise<Member> => call(commands.memberAdd(member));
export const memberUpdate = (update: MemberUpdate): Promise<Member> =>
	call(commands.memberUpdate(update));
/** A new first passphrase for a member; they must change it at their next sign-in. */
export const memberSetPassphrase = (request: SetMemberPassphrase): Promise<null> =>
	call(commands.memberSetPassphrase(request));
export const agencyAdd = (agency: NewAgency): Promise<Agency> => call(commands.agencyAdd(agency));
export const agencyUpdate = (update: AgencyUpdate): Promise<Agency> =>
	call(commands.agencyUpdate(update));
export const roleAdd = (role: NewRole): Promise<Role> => call(commands.roleAdd(role));
export const roleUpdate = (update: RoleUpdate): Promise<Role> => call(commands.roleUpdate(update));
/** A page of the audit log, newest first; `more` when older entries match too. */
export const auditLog = (query: AuditQuery): Promise<AuditPage> => call(commands.auditLog(query));
/** Writes every matching entry to a CSV file (in Downloads); answers its path and count. */
export const auditExport = (query: AuditQuery): Promise<ExportedFile> =>
	call(commands.auditExport(query));

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
