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
import { Channel } from '@tauri-apps/api/core';
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
/** What a channel a command takes carries. */
type Carried<K> = K extends Channel<infer T> ? T : never;

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
/** A new laptop joins its team: the relay's address, the invite code, its own passphrase. */
export type JoinRequest = Arg<typeof commands.joinTeam>;
/** This laptop's recovery key (shown once) and the status: joining. */
export type JoinStarted = Ok<typeof commands.joinTeam>;
/** What a laptop waiting to join shows: whose laptop it is, its short code, the progress. */
export type JoinStatus = NonNullable<VaultStatus['joining']>;
export type UnlockRequest = Arg<typeof commands.vaultUnlock>;
export type RecoveryUnlockRequest = Arg<typeof commands.vaultUnlockWithRecovery>;
export type ChangePassphraseRequest = Arg<typeof commands.passphraseChange>;
export type ConfirmPassphrase = Arg<typeof commands.recoveryKeyRegenerate>;
export type SettingsPatch = Arg<typeof commands.settingsSet>;
/**
 * A right a role can hold (`team.manage`, `roles.manage`, `audit.read`, `recovery.manage`,
 * `cases.create`, `cases.oversee`, `cases.approve`, `funds.manage`, `funds.approve`, `funds.request`,
 * `community.manage`).
 */
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
/**
 * Everything a member holds, for their offboarding: open cases, unfinished tasks and reviews,
 * spending requests not yet paid, committees they chair.
 */
export type Holdings = Ok<typeof commands.memberHoldings>;
/** One thing held: its kind, id and label, the member's part in it, the case it is for. */
export type HeldItem = Holdings['items'][number];
/** `case`, `task`, `review`, `request` or `committee`. */
export type HeldKind = HeldItem['kind'];
/** What one member hands to another, with the note; `items` null hands over everything held. */
export type HandOver = Arg<typeof commands.memberHandOver>;
/** One item named in a handover. */
export type HeldRef = NonNullable<HandOver['items']>[number];
/** How many of each kind moved. */
export type HandedOver = Ok<typeof commands.memberHandOver>;
/** Which audit entries: member, kind of record, dates (in the viewer's time zone), page. */
export type AuditQuery = Arg<typeof commands.auditLog>;
export type AuditPage = Ok<typeof commands.auditLog>;
export type AuditRow = AuditPage['entries'][number];
/** Where an export was written, and how many entries it holds. */
export type ExportedFile = Ok<typeof commands.auditExport>;

/** A page of the case list (100 cases, newest change first) and the marker of the next page. */
export type CasePage = Ok<typeof commands.caseList>;
/** A case in a list: enough to find it (the child, status, risk, level, concerns), no sections. */
export type CaseSummary = CasePage['cases'][number];
/** A case as its viewer may see it: only the sections in `sections` are filled in. */
export type CaseFile = Ok<typeof commands.caseOpen>;
/** A search hit: the case, the section, and a snippet with the match between « and ». */
export type SearchHit = Ok<typeof commands.caseSearch>[number];
export type Person = CaseFile['people'][number];
export type CaseMember = CaseFile['members'][number];
export type Note = CaseFile['notes'][number];
export type AttachmentInfo = CaseFile['attachments'][number];
export type Referral = CaseFile['referrals'][number];
export type Consent = CaseFile['consents'][number];
/** A line of a case's timeline; for events, `summary` is the event's detail as JSON. */
export type TimelineItem = CaseFile['timeline'][number];
/** A part of a case with its own audience (`social`, `police`, `health`, `general`). */
export type Section = CaseFile['sections'][number];
export type Status = CaseSummary['status'];
export type Risk = CaseSummary['risk'];
export type Level = CaseSummary['level'];
export type Outcome = NonNullable<CaseSummary['outcome']>;
export type Concern = CaseSummary['concerns'][number];
export type Responsibility = CaseMember['responsibility'];
export type Sex = Person['sex'];
export type Documentation = Person['documentation'];
export type Party = Person['party'];
export type ReferralStatus = Referral['status'];
export type ConsentGiver = Consent['givenBy'];
export type NewCase = Arg<typeof commands.caseCreate>;
export type NewPerson = NewCase['subject'];
export type NewNote = Arg<typeof commands.caseNoteAdd>;
/** A note's corrected text. */
export type NoteEdit = Arg<typeof commands.caseNoteEdit>;
/** A person to add to a case (`personId` null) or to correct. */
export type PersonChange = Arg<typeof commands.casePersonSave>;
export type PersonRemoval = Arg<typeof commands.casePersonRemove>;
export type CloseCase = Arg<typeof commands.caseClose>;
export type CaseMemberChange = Arg<typeof commands.caseMemberChange>;
export type NewReferral = Arg<typeof commands.caseRefer>;
export type ReferralUpdate = Arg<typeof commands.caseReferralUpdate>;
export type NewConsent = Arg<typeof commands.caseConsentRecord>;
export type NewAttachment = Arg<typeof commands.caseAttachmentAdd>;
/** An attachment's bytes (base64) with its name and media type. */
export type AttachmentContent = Ok<typeof commands.caseAttachmentGet>;

/**
 * A task board (a case's, or the team's when `caseId` is null): its columns, each with its
 * first cards (`boardColumnCards` gives the next ones).
 */
export type Board = Ok<typeof commands.boardOpen>;
/**
 * A column; with `name` null it is named by its `stage`, in the reader's language. `cards` are
 * its first 50 only, in order; `total` counts every card of it the reader may see.
 */
export type Column = Board['columns'][number];
/** Which of a column's cards to give next: those from place `from` (0 is the top). */
export type ColumnPage = Arg<typeof commands.boardColumnCards>;
/** A card as a board shows it: title, due day, priority, reviewer, review state, sign-off. */
export type CardSummary = Column['cards'][number];
/** Where the review flow puts a column (`todo`, `in_progress`, `review`, `done`). */
export type Stage = NonNullable<Column['stage']>;
/** Where a card that needs review stands (`none`, `pending`, `waiting`, `returned`, `approved`). */
export type Review = CardSummary['review'];
/** How pressing a card is (`low`, `normal`, `high`, `urgent`). */
export type Priority = CardSummary['priority'];
/** A card as typed: the board is the case's (`caseId`) or the team's (null). */
export type NewCard = Arg<typeof commands.cardCreate>;
/**
 * A card to a column, at a position among the cards the reader sees (0 is the top; past the
 * end puts it last).
 */
export type CardMove = Arg<typeof commands.cardMove>;
/** A reviewer's answer: approve (done, signed off) or return with a comment. */
export type CardReview = Arg<typeof commands.cardReview>;
/** Which of my tasks: `due` is `overdue`, `today`, `week` or null for all. */
export type MyTasksQuery = Arg<typeof commands.myTasks>;
/** A task in "my tasks" or the review queue: the card, its board and stage, whether it is late. */
export type TaskItem = Ok<typeof commands.myTasks>[number];
/**
 * A card in full, for those who may see it: its fields, checklist, comments, attachments and
 * history, and what the reader may do with it (`mayEdit`, `mayDelete`, `mayContribute`).
 */
export type CardDetail = Ok<typeof commands.cardGet>;
export type ChecklistItem = CardDetail['checklist'][number];
export type CardComment = CardDetail['comments'][number];
export type CardAttachment = CardDetail['attachments'][number];
/** A line of a card's history: its `kind`, and its `detail` as JSON text. */
export type CardEvent = CardDetail['history'][number];
/** A card's whole form as the person left it; checklist items already on it keep their id. */
export type CardEdit = Arg<typeof commands.cardUpdate>;
/** A checklist item of a `CardEdit`: `id` null for a new one. */
export type ChecklistEntry = NonNullable<CardEdit['checklist']>[number];
export type CardTick = Arg<typeof commands.cardTick>;
export type NewCardComment = Arg<typeof commands.cardComment>;
export type NewCardAttachment = Arg<typeof commands.cardAttachmentAdd>;
/** A column to add (`columnId` null), or to rename and/or move. */
export type ColumnSave = Arg<typeof commands.columnSave>;
/** What the Tasks badge counts: my tasks overdue and due today, and cards waiting for my review. */
export type TaskCounts = Ok<typeof commands.taskCounts>;

/** A fund in the list: its name, currency, dates, second-approval threshold and balance. */
export type FundSummary = Ok<typeof commands.fundList>[number];
/**
 * A fund as its reader sees it: totals, budget lines, contributors, the monthly chart, and
 * what the reader may do (`mayManage`, `mayRequest`, `mayApprove`, `mayReadLedger`) with the
 * count of requests waiting for their decision (`waitingForMe`).
 */
export type FundOverview = Ok<typeof commands.fundOverview>;
export type FundTotals = FundOverview['totals'];
/** Money as the core wrote it: minor units (`minor`) and its text with the currency (`text`). */
export type Amount = FundTotals['cash'];
export type LineView = FundOverview['lines'][number];
export type ContributorView = FundOverview['contributors'][number];
/** A month of the chart: contributions by agency id, payments by line id. */
export type FundMonth = FundOverview['months'][number];
/** A bar's part: its id, amount and length in thousandths of the largest month. */
export type ChartPart = FundMonth['paid'][number];
/**
 * A spending request: `purpose` and `caseId` are withheld when `caseHidden`; `mayDecide`,
 * `mayPay` and `mayCancel` say what the reader may do with it.
 */
export type SpendingRequest = Ok<typeof commands.fundRequest>;
export type DecisionView = SpendingRequest['decisions'][number];
export type PaymentView = NonNullable<SpendingRequest['payment']>;
/** Which ledger rows: kind, line, agency, dates (inclusive), and the page before a `seq`. */
export type LedgerQuery = Arg<typeof commands.fundLedger>;
export type LedgerPage = Ok<typeof commands.fundLedger>;
export type LedgerEntry = LedgerPage['entries'][number];
export type NewFund = Arg<typeof commands.fundCreate>;
export type NewFundLine = Arg<typeof commands.fundLineAdd>;
export type FundAllocation = Arg<typeof commands.fundAllocate>;
export type NewContribution = Arg<typeof commands.fundContribute>;
export type NewSpendingRequest = Arg<typeof commands.fundRequest>;
export type RequestQuery = Arg<typeof commands.fundRequests>;
export type SpendingDecision = Arg<typeof commands.fundDecide>;
export type RequestCancel = Arg<typeof commands.fundCancel>;
export type NewPayment = Arg<typeof commands.fundPay>;
export type EntryReversal = Arg<typeof commands.fundReverse>;
/** Whether replaying the ledger gives the totals and months the vault holds. */
export type BooksCheck = Ok<typeof commands.fundBooksCheck>;
/** A village of the register: its name in Thai (and English), its number (หมู่) and its place. */
export type Village = Ok<typeof commands.villageList>[number];
export type NewVillage = Arg<typeof commands.villageAdd>;
export type VillageUpdate = Arg<typeof commands.villageUpdate>;
/** A sub-district of the gazetteer, with its district, province and postcodes. */
export type Place = Ok<typeof commands.placeSearch>[number];
/** A village's volunteer: a team member or not, their phone, trainings, active or not. */
export type Volunteer = Ok<typeof commands.volunteerList>[number];
export type Training = Volunteer['trainings'][number];
export type NewVolunteer = Arg<typeof commands.volunteerAdd>;
export type VolunteerUpdate = Arg<typeof commands.volunteerUpdate>;
/** The team's vulnerability rule: points per indicator, and the score that flags a child. */
export type VulnerabilityRule = Ok<typeof commands.registerRuleGet>;
export type RulePoints = VulnerabilityRule['points'];
/** A household survey typed by hand: the household, its wellbeing, its children. */
export type NewHousehold = Arg<typeof commands.householdAdd>;
export type NewChild = NewHousehold['children'][number];
export type Wellbeing = NewHousehold['wellbeing'];
export type IncomeBand = Wellbeing['incomeBand'];
export type ParentsAway = Wellbeing['parentsAway'];
/** A search of the register: a part of a name, filters, and the page (offset, limit). */
export type RegisterQuery = Arg<typeof commands.registerSearch>;
/** A page of the register (the most vulnerable first), how many match, how many are flagged. */
export type RegisterPage = Ok<typeof commands.registerSearch>;
/** A child of the register with their household's survey, their score, and their case if any. */
export type RegisterChild = Ok<typeof commands.registerChildGet>;
export type School = RegisterChild['school'];
export type LivesWith = RegisterChild['livesWith'];
/** What importing a survey file would write, or what stops it (row and column of each problem). */
export type ImportPreview = Ok<typeof commands.registerImportPreview>;
export type ImportIssue = ImportPreview['errors'][number];
export type PreviewRow = ImportPreview['sample'][number];
/** How far an import is: children written, of all. */
export type ImportProgress = Carried<Parameters<typeof commands.registerImport>[2]>;
/** What an import wrote. */
export type ImportDone = Ok<typeof commands.registerImport>;
/** A step of a child's documentation and citizenship, with the fee its spending request records. */
export type DocumentationStep = Ok<typeof commands.documentationSteps>[number];
export type StepKind = DocumentationStep['kind'];
export type StepStatus = DocumentationStep['status'];
export type NewStep = Arg<typeof commands.documentationStepAdd>;
export type StepUpdate = Arg<typeof commands.documentationStepUpdate>;
/** A committee or working group: its kind, how often it meets, its chair and members. */
export type Committee = Ok<typeof commands.committeeList>[number];
export type CommitteeKind = Committee['kind'];
/** How often a committee meets (`weekly`, `fortnightly`, `monthly`, `quarterly`, `as_needed`). */
export type Frequency = Committee['frequency'];
export type NewCommittee = Arg<typeof commands.committeeAdd>;
export type CommitteeUpdate = Arg<typeof commands.committeeUpdate>;
/** A meeting in a list: its committee, local start (`YYYY-MM-DDTHH:MM`), length, place, status. */
export type MeetingSummary = Ok<typeof commands.meetingList>[number];
export type MeetingStatus = MeetingSummary['status'];
/**
 * A meeting as its reader sees it: attendees, agenda, minutes, decisions, action items, and
 * whether the reader may plan and record it (`mayRun`).
 */
export type MeetingView = Ok<typeof commands.meetingGet>;
export type Attendee = MeetingView['attendees'][number];
export type Attendance = Attendee['attendance'];
export type AgendaItem = MeetingView['agenda'][number];
export type ItemKind = AgendaItem['kind'];
/**
 * A case review as the reader sees it: `caseId` and `subjectName` are null when the reader
 * may not see the case; `minutes` only when written and the reader sees their section.
 */
export type ReviewedCase = NonNullable<AgendaItem['review']>;
export type Decision = MeetingView['decisions'][number];
/** An action item: a card (its title, case, due day, assignees, the stage of its column). */
export type ActionItem = MeetingView['actionItems'][number];
export type NewMeeting = Arg<typeof commands.meetingPlan>;
/** An agenda item: a topic (`title`) or a case review (`caseId`), never both. */
export type NewAgendaItem = Parameters<typeof commands.meetingAgendaAdd>[1];
export type AttendanceUpdate = Arg<typeof commands.meetingAttendance>;
export type MinutesUpdate = Arg<typeof commands.meetingMinutes>;
/** A case review's minutes: a note on its case, in the chosen section. */
export type ReviewMinutes = Arg<typeof commands.meetingReviewMinutes>;
export type NewDecision = Arg<typeof commands.meetingDecisionAdd>;
/** An action item: a card on the team's board (`caseId` null) or a reviewed case's. */
export type NewActionItem = Arg<typeof commands.meetingActionAdd>;

/** Which period (`from`, `to`: `YYYY-MM-DD`, the last day included) and place (a district, a village). */
export type IndicatorQuery = Arg<typeof commands.indicators>;
/**
 * The committee's indicators for a period and place, as the reader may see them: with
 * `protected`, counts of cases or children below 5 are hidden (`Cell.suppressed`).
 */
export type Indicators = Ok<typeof commands.indicators>;
/** One count: its value, or none when hidden from this reader (`suppressed`). */
export type Cell = Indicators['cases']['opened'];
/** A row of a table of counts: its key (`female`, `12-14`, an agency's id…), a name when the key is an id. */
export type CountRow = Indicators['children']['bySex'][number];
export type CommunityFigures = Indicators['community'];
export type ChildrenFigures = Indicators['children'];
export type CaseFlow = Indicators['cases'];
export type ReferralFigures = Indicators['referrals'];
/** Referrals to one agency (its id and name) or to a level (`level:district`, no name), by status. */
export type ReferralRow = ReferralFigures['byAgency'][number];
export type DocumentationFigures = Indicators['documentation'];
/** A fund's money in the period: contributions by agency, payments by line. */
export type FundFigures = Indicators['funds'][number];
/** An agency's contribution or a line's payments, with its share (thousandths) for the charts. */
export type MoneyRow = FundFigures['contributed'][number];
/** Which report (`dashboard`, `funds`) in which format (`pdf`, `csv`), for which period and place. */
export type ReportExport = Arg<typeof commands.indicatorsExport>;
export type ReportKind = ReportExport['kind'];
export type ReportFormat = ReportExport['format'];

/** This laptop's place in the team's sync: relay, last round, what waits. */
export type SyncStatus = Ok<typeof commands.syncStatus>;
/** An invite for a member's laptop: the code to read out, and until when it works. */
export type SyncInvite = Ok<typeof commands.syncInvite>;
/** What a laptop shows after enrolling: the six digits the lead types to approve it. */
export type SyncDevice = Ok<typeof commands.syncDevices>[number];
export type DeviceApproval = Arg<typeof commands.syncApprove>;
export type SyncReport = Ok<typeof commands.syncNow>;
/** A field two laptops changed without seeing each other's edit: both values (JSON text). */
export type SyncConflict = Ok<typeof commands.syncConflicts>[number];

/**
 * This laptop's backup plan, as a lead sees it: the folder (null: none chosen yet, backups go
 * to `suggestedFolder`), how many are kept, whether one is made daily, the last one made.
 */
export type BackupPlan = Ok<typeof commands.backupPlan>;
/** The plan as typed; `passphrase` (the lead's own) makes the slot that opens backups elsewhere. */
export type BackupPlanRequest = Arg<typeof commands.backupPlanSet>;
/** A backup written: its path, size and time. */
export type BackupFile = Ok<typeof commands.backupNow>;
/** A backup in a folder, as its header says (nothing decrypted): whose vault, opened by what. */
export type BackupInfo = Ok<typeof commands.backupList>[number];
/** How far a backup or a restore is: the phase, and bytes done of all (null when not known). */
export type BackupProgress = Carried<Parameters<typeof commands.backupNow>[1]>;
/** `writing` (a backup), `unpacking` then `checking` (a restore). */
export type BackupPhase = BackupProgress['phase'];
/** Which file to restore, and the recovery key or a lead's passphrase that opens it. */
export type RestoreRequest = Arg<typeof commands.backupRestore>;
export type BackupSecret = RestoreRequest['secret'];
/** A restore done: what the checks found, where the old vault's files are, and how to sign in. */
export type RestoreDone = Ok<typeof commands.backupRestore>;
export type RestoreCheck = RestoreDone['check'];
/** For `backup_refused`: why the file was refused (damaged, cut short, another team's, …). */
export type BackupFault = NonNullable<IpcError['backupFault']>;

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

const BACKUP_FAULTS: readonly BackupFault[] = [
	'not_a_backup',
	'newer_format',
	'damaged',
	'truncated',
	'other_vault',
	'failed_checks'
];

function asBackupFault(value: unknown): BackupFault | null {
	return BACKUP_FAULTS.find((fault) => fault === value) ?? null;
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
			remedy: asRemedy(thrown.remedy),
			backupFault: asBackupFault(thrown.backupFault)
		};
	}
	const message =
		thrown instanceof Error ? thrown.message : typeof thrown === 'string' ? thrown : String(thrown);
	return {
		code: 'internal',
		message,
		field: null,
		retryAfterSecs: null,
		path: null,
		remedy: null,
		backupFault: null
	};
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
/** What a member holds (`cases.oversee`), to hand it over before they leave. */
export const memberHoldings = (memberId: string): Promise<Holdings> => call(commands.memberHoldings(memberId));
/**
 * Hands what a member holds to another active member (`cases.oversee`): the items named, or
 * everything when `items` is null. The new holder takes the member's part in each, with the
 * note. Answers how many of each kind moved.
 */
export const memberHandOver = (handOver: HandOver): Promise<HandedOver> =>
	call(commands.memberHandOver(handOver));
/** Closes the account of a member who holds nothing any more (`cases.oversee`); they have left. */
export const memberCloseAccount = (memberId: string): Promise<Member> =>
	call(commands.memberCloseAccount(memberId));
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

/**
 * A page of the cases the member may see (`mineOnly`: those they are on), each as a
 * summary: 100 at a time, the most recently changed first. `after` is null for the first
 * page; pass the page's `next` for the following one (`next` is null on the last page).
 */
export const caseList = (mineOnly: boolean, after: string | null): Promise<CasePage> =>
	call(commands.caseList(mineOnly, after));
/** Cases the member may see whose child has this name (and birth year, when known). */
export const caseDuplicates = (name: string, birthYear: number | null): Promise<CaseSummary[]> =>
	call(commands.caseDuplicates(name, birthYear));
/**
 * Opens a case; its creator becomes its lead. Answers `conflict` with field
 * `duplicates_reviewed` when cases with the same child may exist: look at them
 * (`caseDuplicates`), then send again with `duplicatesReviewed: true`.
 */
export const caseCreate = (newCase: NewCase): Promise<CaseFile> =>
	call(commands.caseCreate(newCase));
export const caseOpen = (caseId: string): Promise<CaseFile> => call(commands.caseOpen(caseId));
/** Names and notes in the cases and sections the member may see; at least 3 characters. */
export const caseSearch = (query: string): Promise<SearchHit[]> =>
	call(commands.caseSearch(query));
export const caseNoteAdd = (note: NewNote): Promise<CaseFile> => call(commands.caseNoteAdd(note));
/**
 * Corrects a note's text (its earlier wording stays in the vault). Only for a note whose
 * `mayChange` is set; refused on a closed case.
 */
export const caseNoteEdit = (edit: NoteEdit): Promise<CaseFile> => call(commands.caseNoteEdit(edit));
/** Deletes a note: gone from the case and from search. Same rules as `caseNoteEdit`. */
export const caseNoteDelete = (noteId: string): Promise<CaseFile> =>
	call(commands.caseNoteDelete(noteId));
/** Intake, assessment, plan, in progress; closing goes through `caseClose`. */
export const caseStatusSet = (caseId: string, status: string): Promise<CaseFile> =>
	call(commands.caseStatusSet(caseId, status));
/** Closes at once for a member with `cases.approve`; otherwise asks a lead to. */
export const caseClose = (request: CloseCase): Promise<CaseFile> =>
	call(commands.caseClose(request));
/** A lead approves (closes with the requested outcome) or declines a closure request. */
export const caseClosureDecide = (caseId: string, approve: boolean): Promise<CaseFile> =>
	call(commands.caseClosureDecide(caseId, approve));
export const caseReopen = (caseId: string): Promise<CaseFile> => call(commands.caseReopen(caseId));
/** Adds a member to a case, changes their responsibility, or (responsibility null) removes them. */
export const caseMemberChange = (change: CaseMemberChange): Promise<CaseFile> =>
	call(commands.caseMemberChange(change));
export const caseRefer = (referral: NewReferral): Promise<CaseFile> =>
	call(commands.caseRefer(referral));
export const caseReferralUpdate = (update: ReferralUpdate): Promise<CaseFile> =>
	call(commands.caseReferralUpdate(update));
export const caseConsentRecord = (consent: NewConsent): Promise<CaseFile> =>
	call(commands.caseConsentRecord(consent));
/** A JPEG, PNG or PDF (base64) kept inside the vault, in one section. */
export const caseAttachmentAdd = (attachment: NewAttachment): Promise<CaseFile> =>
	call(commands.caseAttachmentAdd(attachment));
export const caseAttachmentGet = (attachmentId: string): Promise<AttachmentContent> =>
	call(commands.caseAttachmentGet(attachmentId));
/** Deletes an attachment whose `mayChange` is set; refused on a closed case. */
export const caseAttachmentDelete = (attachmentId: string): Promise<CaseFile> =>
	call(commands.caseAttachmentDelete(attachmentId));
/**
 * Adds a person to a case (`personId` null: a guardian, alleged perpetrator, witness or
 * other; the case has one subject already) or corrects one (the subject stays the subject).
 */
export const casePersonSave = (change: PersonChange): Promise<CaseFile> =>
	call(commands.casePersonSave(change));
/** Takes a person off a case; the subject cannot be removed. */
export const casePersonRemove = (removal: PersonRemoval): Promise<CaseFile> =>
	call(commands.casePersonRemove(removal));

/**
 * A board: the case's (`caseId`), or the team's when null. The core makes a board with four
 * columns (to do, in progress, waiting for review, done) the first time it is opened.
 */
export const boardOpen = (caseId: string | null): Promise<Board> => call(commands.boardOpen(caseId));
/**
 * A column's next cards, up to 50 (the core's page), from place `from` (0 is the top), in
 * order: every board answer carries only each column's first 50.
 */
export const boardColumnCards = (page: ColumnPage): Promise<CardSummary[]> =>
	call(commands.boardColumnCards(page));
/** Adds a card (to the board's first column unless `columnId` says); answers the board. */
export const cardCreate = (card: NewCard): Promise<Board> => call(commands.cardCreate(card));
/**
 * Moves a card to a column and position; answers the board. The core refuses (field
 * `column_id`) to put a card that needs review into the done column before it is approved.
 */
export const cardMove = (request: CardMove): Promise<Board> => call(commands.cardMove(request));
/** The cards the member works on, late ones first. */
export const myTasks = (query: MyTasksQuery): Promise<TaskItem[]> => call(commands.myTasks(query));
/** The cards waiting for this member's review. */
export const reviewQueue = (): Promise<TaskItem[]> => call(commands.reviewQueue());
/**
 * Approves a card (done, signed off by the reviewer) or returns it to in progress, which
 * needs a comment (field `comment` otherwise); answers the card's board.
 */
export const cardReview = (review: CardReview): Promise<Board> => call(commands.cardReview(review));
/** A card in full (audited when it is a case's card). */
export const cardGet = (cardId: string): Promise<CardDetail> => call(commands.cardGet(cardId));
/**
 * Changes a card: send the whole form. A card on a case's board stays with its case
 * (`caseId` is the board's case); one on the team's board may be linked to a case or not.
 */
export const cardUpdate = (change: CardEdit): Promise<CardDetail> => call(commands.cardUpdate(change));
/** Ticks (or unticks) a checklist item; for those who may contribute to the card. */
export const cardTick = (tick: CardTick): Promise<CardDetail> => call(commands.cardTick(tick));
export const cardComment = (comment: NewCardComment): Promise<CardDetail> =>
	call(commands.cardComment(comment));
/** A JPEG, PNG or PDF (base64) kept inside the vault, on the card. */
export const cardAttachmentAdd = (attachment: NewCardAttachment): Promise<CardDetail> =>
	call(commands.cardAttachmentAdd(attachment));
/** A card attachment's bytes (each view is audited). */
export const cardAttachmentGet = (attachmentId: string): Promise<AttachmentContent> =>
	call(commands.cardAttachmentGet(attachmentId));
/** Deletes a card (for those whose `mayDelete` is set); answers its board. */
export const cardDelete = (cardId: string): Promise<Board> => call(commands.cardDelete(cardId));
/**
 * Adds a column (no `columnId`: named `name`, at `position` or last), or renames and/or moves
 * one (for a starting column, an empty name gives back its usual name); answers the board.
 */
export const columnSave = (save: ColumnSave): Promise<Board> => call(commands.columnSave(save));
/** Removes an empty column the team added; the core refuses any other. Answers the board. */
export const columnDelete = (columnId: string): Promise<Board> => call(commands.columnDelete(columnId));
/** What the Tasks badge shows: my tasks overdue and due today, and cards to review. */
export const taskCounts = (): Promise<TaskCounts> => call(commands.taskCounts());

/** The funds every member may see, with their balances. */
export const fundList = (): Promise<FundSummary[]> => call(commands.fundList());
export const fundOverview = (fundId: string): Promise<FundOverview> => call(commands.fundOverview(fundId));
/** Opens a fund with its first budget lines (`funds.manage`); answers its overview. */
export const fundCreate = (fund: NewFund): Promise<FundOverview> => call(commands.fundCreate(fund));
export const fundLineAdd = (line: NewFundLine): Promise<FundOverview> => call(commands.fundLineAdd(line));
/** Gives cash to a line, takes it back, or moves it between lines; answers the overview. */
export const fundAllocate = (change: FundAllocation): Promise<FundOverview> =>
	call(commands.fundAllocate(change));
/** Records an agency's contribution (cash or in kind, in another currency at a rate). */
export const fundContribute = (contribution: NewContribution): Promise<FundOverview> =>
	call(commands.fundContribute(contribution));
/** Asks to spend from a line; the core commits the amount until it is decided. */
export const fundRequest = (request: NewSpendingRequest): Promise<SpendingRequest> =>
	call(commands.fundRequest(request));
/** All requests for a ledger reader, one's own for anyone else; by status or all. */
export const fundRequests = (query: RequestQuery): Promise<SpendingRequest[]> =>
	call(commands.fundRequests(query));
/** Approves, or rejects with a reason (the core asks for one). */
export const fundDecide = (decision: SpendingDecision): Promise<SpendingRequest> =>
	call(commands.fundDecide(decision));
export const fundCancel = (cancel: RequestCancel): Promise<SpendingRequest> =>
	call(commands.fundCancel(cancel));
/** Records the payment of an approved request, with its receipt (base64). */
export const fundPay = (payment: NewPayment): Promise<SpendingRequest> => call(commands.fundPay(payment));
/** A payment's receipt (each view is audited). */
export const fundReceiptGet = (receiptId: string): Promise<AttachmentContent> =>
	call(commands.fundReceiptGet(receiptId));
/** Reverses a contribution or a payment with a reason (a new row); answers the overview. */
export const fundReverse = (reversal: EntryReversal): Promise<FundOverview> =>
	call(commands.fundReverse(reversal));
/** A page of the ledger, newest first; `more` when older rows match too. */
export const fundLedger = (query: LedgerQuery): Promise<LedgerPage> => call(commands.fundLedger(query));
/** Writes the matching rows (amounts and references, no purposes) to a CSV file; answers its path. */
export const fundLedgerExport = (query: LedgerQuery): Promise<ExportedFile> =>
	call(commands.fundLedgerExport(query));
export const fundBooksCheck = (fundId: string): Promise<BooksCheck> => call(commands.fundBooksCheck(fundId));
/** The spending requests for a case (those the reader may see). */
export const caseSpending = (caseId: string): Promise<SpendingRequest[]> => call(commands.caseSpending(caseId));

/** Every village of the register (every member may see them). */
export const villageList = (): Promise<Village[]> => call(commands.villageList());
/** Adds a village (`community.manage`); its place must be one of the gazetteer's. */
export const villageAdd = (village: NewVillage): Promise<Village> => call(commands.villageAdd(village));
export const villageUpdate = (update: VillageUpdate): Promise<Village> =>
	call(commands.villageUpdate(update));
/** Sub-districts whose names (Thai) hold every word typed, or whose postcode begins with it. */
export const placeSearch = (query: string): Promise<Place[]> => call(commands.placeSearch(query));
/** The volunteers of one village, or of all when `villageId` is null. */
export const volunteerList = (villageId: string | null = null): Promise<Volunteer[]> =>
	call(commands.volunteerList(villageId));
export const volunteerAdd = (volunteer: NewVolunteer): Promise<Volunteer> =>
	call(commands.volunteerAdd(volunteer));
export const volunteerUpdate = (update: VolunteerUpdate): Promise<Volunteer> =>
	call(commands.volunteerUpdate(update));
/** The team's vulnerability rule (every member may read it). */
export const registerRuleGet = (): Promise<VulnerabilityRule> => call(commands.registerRuleGet());
/** Changes the rule (`community.manage`); it applies to every child at once. */
export const registerRuleSet = (rule: VulnerabilityRule): Promise<VulnerabilityRule> =>
	call(commands.registerRuleSet(rule));
/** Adds one household's survey and its children; answers the first page of its village. */
export const householdAdd = (household: NewHousehold): Promise<RegisterPage> =>
	call(commands.householdAdd(household));
/** A page of the register (`community.manage` only), the most vulnerable first. */
export const registerSearch = (query: RegisterQuery): Promise<RegisterPage> =>
	call(commands.registerSearch(query));
export const registerChildGet = (childId: string): Promise<RegisterChild> =>
	call(commands.registerChildGet(childId));
/** Checks a survey file (its bytes, base64) and says what importing it would write; writes nothing. */
export const registerImportPreview = (contentBase64: string): Promise<ImportPreview> =>
	call(commands.registerImportPreview(contentBase64));
/**
 * Imports the survey file that was previewed (`digest` is its preview's): all of it, or
 * nothing. `onProgress` hears how many children are written, as the core writes them.
 */
export function registerImport(
	contentBase64: string,
	digest: string,
	onProgress: (progress: ImportProgress) => void
): Promise<ImportDone> {
	const channel = new Channel<ImportProgress>(onProgress);
	return call(commands.registerImport(contentBase64, digest, channel));
}
/** Opens a case for a child of the register in one step; answers the new case. */
export const registerChildCaseOpen = (childId: string): Promise<CaseFile> =>
	call(commands.registerChildCaseOpen(childId));
/** The register's child a case was opened for; null when none (or the reader may not see the register). */
export const caseRegisterChild = (caseId: string): Promise<RegisterChild | null> =>
	call(commands.caseRegisterChild(caseId));
/** A case's documentation and citizenship steps. */
export const documentationSteps = (caseId: string): Promise<DocumentationStep[]> =>
	call(commands.documentationSteps(caseId));
/** Adds a step to a case; answers the case's steps. */
export const documentationStepAdd = (step: NewStep): Promise<DocumentationStep[]> =>
	call(commands.documentationStepAdd(step));
/** Changes a step's status, day, documents or fee; answers the case's steps. */
export const documentationStepUpdate = (update: StepUpdate): Promise<DocumentationStep[]> =>
	call(commands.documentationStepUpdate(update));
/**
 * Writes the children matching `query` (its filters; the page is ignored) to a CSV file in the
 * export folder; the core writes a cell that looks like a formula as text. Answers its path.
 */
export const registerExport = (query: RegisterQuery): Promise<ExportedFile> =>
	call(commands.registerExport(query));

/** The team's committees and working groups (every member may see them). */
export const committeeList = (): Promise<Committee[]> => call(commands.committeeList());
/** Adds a committee (`team.manage`); its chair is one of its members. */
export const committeeAdd = (committee: NewCommittee): Promise<Committee> =>
	call(commands.committeeAdd(committee));
export const committeeUpdate = (update: CommitteeUpdate): Promise<Committee> =>
	call(commands.committeeUpdate(update));
/** The meetings to come (planned, the soonest first: `upcoming`), or all (the latest first). */
export const meetingList = (upcoming: boolean): Promise<MeetingSummary[]> =>
	call(commands.meetingList(upcoming));
export const meetingGet = (meetingId: string): Promise<MeetingView> => call(commands.meetingGet(meetingId));
/** Plans a meeting of a committee the reader sits on (or any, with `team.manage`); its members are invited. */
export const meetingPlan = (meeting: NewMeeting): Promise<MeetingView> => call(commands.meetingPlan(meeting));
export const meetingAgendaAdd = (meetingId: string, item: NewAgendaItem): Promise<MeetingView> =>
	call(commands.meetingAgendaAdd(meetingId, item));
/** Who came, sent apologies or was absent: the whole list. */
export const meetingAttendance = (update: AttendanceUpdate): Promise<MeetingView> =>
	call(commands.meetingAttendance(update));
/** The general minutes, and whether the meeting was held or cancelled. */
export const meetingMinutes = (update: MinutesUpdate): Promise<MeetingView> =>
	call(commands.meetingMinutes(update));
/** A case review's minutes, written once as a note on the case in the chosen section. */
export const meetingReviewMinutes = (review: ReviewMinutes): Promise<MeetingView> =>
	call(commands.meetingReviewMinutes(review));
export const meetingDecisionAdd = (decision: NewDecision): Promise<MeetingView> =>
	call(commands.meetingDecisionAdd(decision));
/** An action item: a card made as any card is, linked to the meeting; answers the meeting. */
export const meetingActionAdd = (action: NewActionItem): Promise<MeetingView> =>
	call(commands.meetingActionAdd(action));
/** The meeting as an .ics event (naming no case) in the export folder; answers its path. */
export const meetingIcsExport = (meetingId: string): Promise<ExportedFile> =>
	call(commands.meetingIcsExport(meetingId));
/** The minutes as a PDF (naming no case) in the export folder; answers its path. */
export const meetingPdfExport = (meetingId: string): Promise<ExportedFile> =>
	call(commands.meetingPdfExport(meetingId));

/** The committee's indicators (every member may ask; small counts hidden as the core decides). */
export const indicators = (query: IndicatorQuery): Promise<Indicators> => call(commands.indicators(query));
/**
 * Writes the dashboard or the funds by agency, as PDF or CSV, into the export folder, with
 * the counts as the reader may see them (the core audits it); answers its path.
 */
export const indicatorsExport = (request: ReportExport): Promise<ExportedFile> =>
	call(commands.indicatorsExport(request));

/** First run on a new laptop: join the team with an invite; it then waits for approval. */
export const joinTeam = (request: JoinRequest): Promise<JoinStarted> => call(commands.joinTeam(request));
/** While joining: asks the relay whether a lead approved, and pulls a few pages of the team. */
export const joinCheck = (): Promise<VaultStatus> => call(commands.joinCheck());
/** While joining: give up; the vault made for it is removed, and the first screen shows. */
export const joinAbandon = (): Promise<VaultStatus> => call(commands.joinAbandon());
export const syncStatus = (): Promise<SyncStatus> => call(commands.syncStatus());
/** A lead puts the team on a relay from this laptop. */
export const syncStartTeam = (relayUrl: string): Promise<SyncStatus> => call(commands.syncStartTeam(relayUrl));
export const syncInvite = (memberId: string): Promise<SyncInvite> => call(commands.syncInvite(memberId));
export const syncDevices = (): Promise<SyncDevice[]> => call(commands.syncDevices());
/** Approves a waiting laptop; the core refuses when the typed digits do not match. */
export const syncApprove = (approval: DeviceApproval): Promise<SyncDevice[]> =>
	call(commands.syncApprove(approval));
export const syncRevoke = (deviceId: string): Promise<SyncDevice[]> => call(commands.syncRevoke(deviceId));
export const syncNow = (): Promise<SyncReport> => call(commands.syncNow());
export const syncConflicts = (): Promise<SyncConflict[]> => call(commands.syncConflicts());
/** Keeps one value (`local`: this laptop's, `remote`: the other's); answers what is left. */
export const syncResolve = (conflictId: string, keep: 'local' | 'remote'): Promise<SyncConflict[]> =>
	call(commands.syncResolve({ conflictId, keep }));

/** This laptop's backup plan (`recovery.manage`). */
export const backupPlan = (): Promise<BackupPlan> => call(commands.backupPlan());
/**
 * Saves the plan: the folder must exist and be writable (field `folder`), `keep` is 1 to 60
 * (field `keep`), a daily backup needs a folder. With the lead's passphrase (checked, field
 * `passphrase` or `invalid_credentials`) it also opens these backups on another laptop.
 */
export const backupPlanSet = (request: BackupPlanRequest): Promise<BackupPlan> =>
	call(commands.backupPlanSet(request));
/**
 * A backup now into `folder` (null: the plan's, else the suggested one). `onProgress` hears
 * how far the core is writing it.
 */
export function backupNow(
	folder: string | null,
	onProgress: (progress: BackupProgress) => void
): Promise<BackupFile> {
	const channel = new Channel<BackupProgress>(onProgress);
	return call(commands.backupNow(folder, channel));
}
/** The backups in a folder, from their headers; works on a laptop without a vault too. */
export const backupList = (folder: string): Promise<BackupInfo[]> => call(commands.backupList(folder));
/**
 * Restores a backup: unpacked, checked, then switched for the vault (the old files kept beside
 * it). The vault is locked afterwards. A file refused answers `backup_refused` with its
 * `backupFault`; the vault is then as it was. `onProgress` hears each phase.
 */
export function backupRestore(
	request: RestoreRequest,
	onProgress: (progress: BackupProgress) => void
): Promise<RestoreDone> {
	const channel = new Channel<BackupProgress>(onProgress);
	return call(commands.backupRestore(request, channel));
}

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

/** Calls `onDue` with the counts each time the core shows its once-a-day reminder of due tasks. */
export function onTasksDue(onDue: (counts: TaskCounts) => void): Promise<() => void> {
	return events.tasksDue.listen((event) => {
		const counts = event.payload?.counts;
		if (counts) onDue(counts);
	});
}
