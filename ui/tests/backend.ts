/**
 * A fake Rust core for UI tests, on top of `mockIPC`: each command answers from a handler,
 * every call is recorded, and `emit` raises core events such as `vault-locked`.
 */
import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { screen } from '@testing-library/svelte';
import type { UserEvent } from '@testing-library/user-event';
import type {
	BackupPlan,
	Board,
	CardDetail,
	CardSummary,
	CaseFile,
	CaseSummary,
	ColumnPage,
	ErrorCode,
	IpcError,
	Member,
	MemberSummary,
	Permission,
	Person,
	Role,
	Settings,
	SyncStatus,
	TaskItem,
	TeamOverview,
	Unlocked,
	VaultState,
	VaultStatus
} from '$lib/ipc';

export type Call = { cmd: string; args: Record<string, unknown> };
export type Handler = (args: Record<string, unknown>) => unknown;

export const member: MemberSummary = {
	id: 'm-1',
	displayName: 'Somchai Jaidee',
	signInName: 'somchai',
	role: 'team_lead',
	discipline: 'social_work',
	mustChangePassphrase: false
};

/** What the team lead's role holds (the member above). */
export const ALL_PERMISSIONS: Permission[] = [
	'team.manage',
	'roles.manage',
	'audit.read',
	'recovery.manage',
	'cases.create',
	'cases.oversee',
	'cases.approve',
	'funds.manage',
	'funds.approve',
	'funds.request'
];

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
		permissions: unlocked ? ALL_PERMISSIONS : [],
		recoveryKeyPending: false,
		auditWarning: null,
		joining: null,
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
		backupFault: null,
		...extra
	};
}

/** Types a sign-in name, then `passphrase` (which may end in `{Enter}`), on the lock screen. */
export async function typeUnlock(user: UserEvent, passphrase: string, signInName = 'somchai') {
	await user.type(await screen.findByTestId('unlock-sign-in-name'), signInName);
	await user.type(screen.getByTestId('unlock-passphrase'), passphrase);
}

export const ROLES: Role[] = [
	{
		id: 'team_lead',
		name: 'Team lead',
		description: null,
		builtin: true,
		permissions: [...ALL_PERMISSIONS]
	},
	{ id: 'case_worker', name: 'Case worker', description: null, builtin: true, permissions: [] },
	{ id: 'police_liaison', name: 'Police liaison', description: null, builtin: true, permissions: [] },
	{
		id: 'r-auditor',
		name: 'Committee auditor',
		description: 'Checks the log for the provincial committee.',
		builtin: false,
		permissions: ['audit.read']
	}
];

export function teamMember(overrides: Partial<Member> = {}): Member {
	return {
		id: 'm-1',
		displayName: 'Somchai Jaidee',
		signInName: 'somchai',
		role: 'team_lead',
		discipline: 'social_work',
		agencyId: 'a-1',
		phone: '053 123 456',
		email: 'somchai@example.org',
		status: 'active',
		mustChangePassphrase: false,
		createdAt: '2026-11-01T03:00:00.000Z',
		...overrides
	};
}

/** What `team_overview` answers; sign-in names only for a manager, as the core does. */
export function team(manager = true, overrides: Partial<TeamOverview> = {}): TeamOverview {
	const members = [
		teamMember(),
		teamMember({
			id: 'm-2',
			displayName: 'Malee Srisuk',
			signInName: 'malee',
			role: 'police_liaison',
			discipline: 'police',
			agencyId: 'a-2',
			phone: null,
			email: null,
			mustChangePassphrase: true
		}),
		teamMember({
			id: 'm-3',
			displayName: 'Anan Kaewmanee',
			signInName: 'anan',
			role: 'r-auditor',
			discipline: null,
			agencyId: null,
			phone: null,
			email: 'anan@example.org',
			status: 'left'
		})
	].map((m) => (manager ? m : { ...m, signInName: null, mustChangePassphrase: null }));
	return {
		teamName: 'Mae Sai District MDT',
		members,
		agencies: [
			{
				id: 'a-1',
				name: 'Chiang Rai Social Development Office',
				kind: 'social_welfare',
				district: 'Mueang',
				province: 'Chiang Rai',
				contact: '053 150 000'
			},
			{
				id: 'a-2',
				name: 'Mae Sai Police Station',
				kind: 'police',
				district: 'Mae Sai',
				province: 'Chiang Rai',
				contact: null
			}
		],
		roles: ROLES,
		...overrides
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
		// The main layout opens on the cases: an empty list unless a test says otherwise.
		case_list: () => ({ cases: [], next: null }),
		// A case file shows the case's board; the task views ask for tasks and the queue.
		board_open: (args) => board({ caseId: (args.caseId as string | null) ?? null }),
		my_tasks: () => [],
		review_queue: () => [],
		// The main layout asks for the Tasks badge's counts at sign-in.
		task_counts: () => ({ overdue: 0, dueToday: 0, toReview: 0 }),
		// The funds section lists the team's funds; a case file lists its spending.
		fund_list: () => [],
		case_spending: () => [],
		// A case file asks whether it is a register child's, and lists its documentation steps.
		case_register_child: () => null,
		documentation_steps: () => [],
		// The community register lists its villages and volunteers.
		village_list: () => [],
		volunteer_list: () => [],
		// The home screen (the cases) lists the meetings to come; the Meetings section its committees.
		meeting_list: () => [],
		committee_list: () => [],
		passphrase_assess: () => ({ score: 3, acceptable: true, problem: null }),
		// Settings shows Devices and sync: a laptop not set up for it, unless a test says otherwise.
		sync_status: () => syncStatus(),
		// Settings shows the backups to a role with recovery.manage: none made yet, unless a test says otherwise.
		backup_plan: () => backupPlan(),
		team_overview: () => team(),
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

/** What `backup_plan` answers: no folder chosen, seven kept, no backup made yet, unless `overrides` say so. */
export function backupPlan(overrides: Partial<BackupPlan> = {}): BackupPlan {
	return {
		folder: null,
		keep: 7,
		daily: false,
		lastAt: null,
		lastFile: null,
		lastBytes: null,
		lastError: null,
		myPassphrase: false,
		passphrases: 0,
		suggestedFolder: '/home/somchai/Downloads/Ruam backups',
		...overrides
	};
}

/** What `sync_status` answers; not set up for sync unless `overrides` say so. */
export function syncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
	return {
		configured: false,
		relayUrl: null,
		deviceId: null,
		hasTeamKey: false,
		lastSyncedAt: null,
		lastError: null,
		pendingChanges: 0,
		openConflicts: 0,
		held: [],
		...overrides
	};
}

/** A case as the list shows it: Nang Kham, 12, on the team lead's case. */
export function caseSummary(overrides: Partial<CaseSummary> = {}): CaseSummary {
	return {
		id: 'c-1',
		subjectName: 'Nang Kham',
		subjectAlias: 'Kham',
		subjectAge: 12,
		status: 'assessment',
		risk: 'high',
		level: 'district',
		outcome: null,
		concerns: ['trafficking', 'labour_exploitation'],
		myResponsibility: 'lead',
		closeRequested: null,
		updatedAt: '2026-11-20T04:00:00.000Z',
		...overrides
	};
}

export function person(overrides: Partial<Person> = {}): Person {
	return {
		id: 'p-1',
		party: 'subject',
		relation: null,
		name: 'Nang Kham',
		alias: 'Kham',
		sex: 'female',
		birthDate: null,
		birthYearEstimate: 2014,
		age: 12,
		nationality: 'Myanmar',
		documentation: 'stateless',
		languages: ['Shan', 'Thai'],
		village: 'Ban Pa Sak',
		contact: null,
		...overrides
	};
}

/** A case as `case_open` answers it for a member who sees the social and general sections. */
export function caseFile(overrides: Partial<CaseFile> = {}, summary: Partial<CaseSummary> = {}): CaseFile {
	return {
		summary: caseSummary(summary),
		people: [
			person(),
			person({
				id: 'p-2',
				party: 'guardian',
				relation: 'aunt',
				name: 'Nang Ying',
				alias: null,
				sex: 'unknown',
				birthYearEstimate: null,
				age: null,
				nationality: null,
				documentation: 'unknown',
				languages: [],
				village: null
			})
		],
		members: [
			{ memberId: 'm-1', displayName: 'Somchai Jaidee', responsibility: 'lead' },
			{ memberId: 'm-2', displayName: 'Malee Srisuk', responsibility: 'support' }
		],
		sections: ['social', 'general'],
		notes: [
			{
				id: 'n-1',
				section: 'social',
				body: 'Met Kham at the shelter.\nShe asked to call her aunt.',
				authorId: 'm-1',
				authorName: 'Somchai Jaidee',
				createdAt: '2026-11-20T04:00:00.000Z',
				editedAt: null,
				mayChange: true
			}
		],
		attachments: [],
		referrals: [],
		consents: [],
		timeline: [
			{
				at: '2026-11-20T04:00:00.000Z',
				kind: 'note',
				section: 'social',
				summary: 'Met Kham at the shelter.\nShe asked to call her aunt.',
				actorName: 'Somchai Jaidee'
			},
			{
				at: '2026-11-19T04:00:00.000Z',
				kind: 'status',
				section: null,
				summary: '{"from":"intake","to":"assessment"}',
				actorName: 'Somchai Jaidee'
			},
			{
				at: '2026-11-18T04:00:00.000Z',
				kind: 'created',
				section: null,
				summary: '{"status":"intake"}',
				actorName: 'Somchai Jaidee'
			}
		],
		...overrides
	};
}

/** A card as a board shows it: "Visit the shelter", due 1 December, no review. */
export function card(overrides: Partial<CardSummary> = {}): CardSummary {
	return {
		id: 'k-1',
		columnId: 'col-todo',
		position: 0,
		title: 'Visit the shelter',
		caseId: null,
		dueOn: '2026-12-01',
		priority: 'normal',
		reviewerId: null,
		review: 'none',
		signedOffBy: null,
		signedOffAt: null,
		assigneeIds: ['m-1'],
		...overrides
	};
}

/** How many of a column's cards the core sends at a time (its `COLUMN_PAGE`). */
export const COLUMN_PAGE = 50;

/**
 * A board with the four columns the core makes, named by their stage; `cards` by column id,
 * all of them. As the core does, each column carries its first `COLUMN_PAGE` cards and its
 * `total`; `columnCards` answers the next ones.
 */
export function board(
	overrides: Partial<Board> = {},
	cards: Record<string, CardSummary[]> = {}
): Board {
	const stages = ['todo', 'in_progress', 'review', 'done'] as const;
	return {
		id: 'b-team',
		caseId: null,
		columns: stages.map((stage) => {
			const all = cards[`col-${stage}`] ?? [];
			return { id: `col-${stage}`, name: null, stage, cards: all.slice(0, COLUMN_PAGE), total: all.length };
		}),
		...overrides
	};
}

/**
 * What `board_column_cards` answers for the columns holding `cards()` (by column id, all of
 * them, asked at each call so that it follows the board as a test changes it): the next
 * `COLUMN_PAGE` cards of the column from place `from`.
 */
export function columnCards(cards: () => Record<string, CardSummary[]>): Handler {
	return (args) => {
		const { columnId, from } = args.page as ColumnPage;
		return (cards()[columnId] ?? []).slice(from, from + COLUMN_PAGE);
	};
}

/** A task in "my tasks" or the review queue. */
export function taskItem(overrides: Partial<TaskItem> = {}, cardOverrides: Partial<CardSummary> = {}): TaskItem {
	return {
		card: card(cardOverrides),
		boardId: 'b-team',
		stage: 'todo',
		overdue: false,
		dueToday: false,
		...overrides
	};
}

/**
 * A card as `card_get` answers it: "Visit the shelter" on the team board, in To do, with a
 * two-item checklist, a comment, and its history; the reader may edit, delete and contribute.
 */
export function cardDetail(overrides: Partial<CardDetail> = {}, cardOverrides: Partial<CardSummary> = {}): CardDetail {
	return {
		card: card(cardOverrides),
		boardId: 'b-team',
		boardCaseId: null,
		stage: 'todo',
		description: 'Check the room and meet the house mother.',
		agencyId: null,
		startsOn: null,
		labels: ['shelter'],
		checklist: [
			{ id: 'i-1', text: 'Call the shelter', done: true },
			{ id: 'i-2', text: 'Bring the consent form', done: false }
		],
		comments: [
			{ id: 'cm-1', body: 'The house mother is there on weekdays.', authorId: 'm-2', createdAt: '2026-11-21T04:00:00.000Z' }
		],
		attachments: [],
		history: [{ kind: 'created', detail: '{"column_id":"col-todo"}', actor: 'm-1', at: '2026-11-20T04:00:00.000Z' }],
		createdBy: 'm-1',
		createdAt: '2026-11-20T04:00:00.000Z',
		meeting: null,
		mayEdit: true,
		mayDelete: true,
		mayContribute: true,
		...overrides
	};
}
