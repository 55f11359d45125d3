/**
 * The types `$lib/ipc` reads off the generated bindings must stay precise: if the generator's
 * output changes shape so that they decay to `any` or lose a field, `npm run check` fails here.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
	BackupFault,
	BackupInfo,
	BackupPhase,
	BackupPlanRequest,
	BackupProgress,
	BackupSecret,
	RestoreDone,
	ActionItem,
	AgendaItem,
	Attendance,
	Committee,
	CommitteeKind,
	Frequency,
	MeetingStatus,
	MeetingSummary,
	MeetingView,
	NewActionItem,
	NewAgendaItem,
	NewCard,
	NewMeeting,
	ReviewedCase,
	ReviewMinutes,
	AttachmentContent,
	AuditBreak,
	AuditPage,
	AuditQuery,
	AuditRow,
	AuditWarning,
	Board,
	CardDetail,
	CardEdit,
	CardSummary,
	CaseFile,
	CaseMember,
	CaseSummary,
	Concern,
	ConfirmPassphrase,
	DocumentationStep,
	ImportDone,
	ImportIssue,
	ImportPreview,
	ImportProgress,
	NewHousehold,
	NewStep,
	Place,
	RegisterChild,
	RegisterPage,
	RegisterQuery,
	RulePoints,
	StepKind,
	StepStatus,
	Village,
	Volunteer,
	VulnerabilityRule,
	CreatedVault,
	CreateVaultRequest,
	ChecklistEntry,
	ChecklistItem,
	ColumnSave,
	Discipline,
	ErrorCode,
	ExportedFile,
	HandedOver,
	HandOver,
	HeldItem,
	HeldKind,
	HeldRef,
	Holdings,
	Cell,
	CountRow,
	FundFigures,
	IndicatorQuery,
	Indicators,
	MoneyRow,
	ReferralRow,
	ReportExport,
	IpcError,
	Language,
	Level,
	Member,
	MemberSummary,
	NewCase,
	NewPerson,
	Outcome,
	PassphraseStrength,
	Permission,
	Remedy,
	Responsibility,
	Risk,
	Role,
	SearchHit,
	SpendingRequest,
	Section,
	Settings,
	Stage,
	Status,
	TaskCounts,
	TeamOverview,
	TimelineItem,
	Unlocked,
	UnlockRequest,
	VaultState,
	VaultStatus
} from '$lib/ipc';

describe('ipc types', () => {
	it('match the contract', () => {
		expectTypeOf<VaultState>().toEqualTypeOf<'absent' | 'locked' | 'joining' | 'unlocked'>();
		expectTypeOf<Language>().toEqualTypeOf<'en' | 'th'>();
		expectTypeOf<VaultStatus['teamName']>().toEqualTypeOf<string | null>();
		expectTypeOf<VaultStatus['member']>().toEqualTypeOf<MemberSummary | null>();
		expectTypeOf<VaultStatus['recoveryKeyPending']>().toEqualTypeOf<boolean>();
		expectTypeOf<VaultStatus['settings']>().toEqualTypeOf<Settings>();
		expectTypeOf<VaultStatus['auditWarning']>().toEqualTypeOf<AuditWarning | null>();
		expectTypeOf<AuditWarning>().toEqualTypeOf<{ seq: number; problem: AuditBreak; laptop: string | null }>();
		expectTypeOf<AuditBreak>().toEqualTypeOf<
			{ kind: 'altered' } | { kind: 'unlinked' } | { kind: 'gap'; expected: number }
		>();
		expectTypeOf<MemberSummary>().toEqualTypeOf<{
			id: string;
			displayName: string;
			signInName: string;
			role: string;
			discipline: Discipline | null;
			mustChangePassphrase: boolean;
		}>();
		expectTypeOf<VaultStatus['permissions']>().toEqualTypeOf<Permission[]>();
		expectTypeOf<Permission>().toEqualTypeOf<
			| 'team.manage'
			| 'roles.manage'
			| 'audit.read'
			| 'recovery.manage'
			| 'cases.create'
			| 'cases.oversee'
			| 'cases.approve'
			| 'funds.manage'
			| 'funds.approve'
			| 'funds.request'
			| 'community.manage'
		>();
		expectTypeOf<CreateVaultRequest>().toEqualTypeOf<{
			teamName: string;
			displayName: string;
			signInName: string;
			passphrase: string;
		}>();
		expectTypeOf<TeamOverview['members']>().toEqualTypeOf<Member[]>();
		expectTypeOf<TeamOverview['roles']>().toEqualTypeOf<Role[]>();
		expectTypeOf<Role['permissions']>().toEqualTypeOf<Permission[]>();
		expectTypeOf<Member['signInName']>().toEqualTypeOf<string | null>();
		expectTypeOf<Member['discipline']>().toEqualTypeOf<Discipline | null>();
		expectTypeOf<AuditRow['actorId']>().toEqualTypeOf<string | null>();
		expectTypeOf<AuditRow['seq']>().toEqualTypeOf<number>();
		expectTypeOf<AuditQuery['utcOffsetMinutes']>().toEqualTypeOf<number | null | undefined>();
		expectTypeOf<AuditQuery['before']>().toEqualTypeOf<string | null | undefined>();
		expectTypeOf<AuditPage['more']>().toEqualTypeOf<boolean>();
		expectTypeOf<ExportedFile>().toEqualTypeOf<{ path: string; entries: number }>();
		expectTypeOf<'passphrase_change_required'>().toExtend<ErrorCode>();
		expectTypeOf<Settings>().toEqualTypeOf<{ language: Language; autoLockMinutes: number }>();
		expectTypeOf<CreatedVault['recoveryKey']>().toEqualTypeOf<string>();
		expectTypeOf<PassphraseStrength['score']>().toEqualTypeOf<number>();
		expectTypeOf<IpcError['code']>().toEqualTypeOf<ErrorCode>();
		expectTypeOf<IpcError['retryAfterSecs']>().toEqualTypeOf<number | null>();
		expectTypeOf<IpcError['field']>().toEqualTypeOf<string | null>();
		expectTypeOf<IpcError['path']>().toEqualTypeOf<string | null>();
		expectTypeOf<IpcError['remedy']>().toEqualTypeOf<Remedy | null>();
		expectTypeOf<Remedy>().toEqualTypeOf<'recovery_key' | 'backup'>();
		expectTypeOf<Unlocked>().toEqualTypeOf<{ status: VaultStatus; newRecoveryKey: string | null }>();
		expectTypeOf<UnlockRequest>().toEqualTypeOf<{ signInName: string; passphrase: string }>();
		expectTypeOf<ConfirmPassphrase>().toEqualTypeOf<{ passphrase: string }>();
		expectTypeOf<'invalid_credentials'>().toExtend<ErrorCode>();
		expectTypeOf<'throttled'>().toExtend<ErrorCode>();
	});

	it('match the backup contract', () => {
		expectTypeOf<IpcError['backupFault']>().toEqualTypeOf<BackupFault | null>();
		expectTypeOf<BackupFault>().toEqualTypeOf<
			'not_a_backup' | 'newer_format' | 'damaged' | 'truncated' | 'other_vault' | 'failed_checks'
		>();
		expectTypeOf<'backup_refused'>().toExtend<ErrorCode>();
		expectTypeOf<BackupPhase>().toEqualTypeOf<'writing' | 'unpacking' | 'checking'>();
		expectTypeOf<BackupProgress['phase']>().toEqualTypeOf<BackupPhase>();
		expectTypeOf<BackupSecret>().toEqualTypeOf<
			{ with: 'recoveryKey'; secret: string } | { with: 'passphrase'; secret: string }
		>();
		expectTypeOf<BackupPlanRequest>().toEqualTypeOf<{
			folder: string | null;
			keep: number;
			daily: boolean;
			passphrase: string | null;
		}>();
		expectTypeOf<BackupInfo['thisVault']>().toEqualTypeOf<boolean>();
		expectTypeOf<RestoreDone['replaced']>().toEqualTypeOf<string | null>();
		expectTypeOf<RestoreDone['passphraseSignsIn']>().toEqualTypeOf<boolean>();
	});

	it('match the offboarding contract', () => {
		expectTypeOf<HeldKind>().toEqualTypeOf<'case' | 'task' | 'review' | 'request' | 'committee'>();
		expectTypeOf<Holdings>().toEqualTypeOf<{ member: Member; items: HeldItem[] }>();
		expectTypeOf<HeldItem>().toEqualTypeOf<{
			kind: HeldKind;
			id: string;
			label: string;
			part: string | null;
			caseId: string | null;
		}>();
		expectTypeOf<HeldRef>().toEqualTypeOf<{ kind: HeldKind; id: string }>();
		expectTypeOf<HandOver>().toEqualTypeOf<{
			fromMemberId: string;
			toMemberId: string;
			note: string;
			items: HeldRef[] | null;
		}>();
		expectTypeOf<HandedOver>().toEqualTypeOf<{
			cases: number;
			tasks: number;
			reviews: number;
			requests: number;
			committees: number;
		}>();
		expectTypeOf<SpendingRequest['heldBy']>().toEqualTypeOf<string>();
		expectTypeOf<SpendingRequest['heldByName']>().toEqualTypeOf<string>();
		expectTypeOf<SpendingRequest['handoverNote']>().toEqualTypeOf<string | null>();
	});

	it('match the indicators contract', () => {
		expectTypeOf<IndicatorQuery>().toEqualTypeOf<{
			from: string;
			to: string;
			district: string | null;
			villageId: string | null;
		}>();
		expectTypeOf<Cell>().toEqualTypeOf<{ value: number | null; suppressed: boolean }>();
		expectTypeOf<CountRow>().toEqualTypeOf<{ key: string; label: string | null; count: Cell }>();
		expectTypeOf<Indicators['protected']>().toEqualTypeOf<boolean>();
		expectTypeOf<Indicators['villageName']>().toEqualTypeOf<string | null>();
		expectTypeOf<Indicators['cases']['medianDaysToClose']>().toEqualTypeOf<number | null>();
		expectTypeOf<Indicators['community']['villagesCovered']>().toEqualTypeOf<number>();
		expectTypeOf<Indicators['community']['childrenFlagged']>().toEqualTypeOf<Cell>();
		expectTypeOf<ReferralRow['accepted']>().toEqualTypeOf<Cell>();
		expectTypeOf<ReferralRow['label']>().toEqualTypeOf<string | null>();
		expectTypeOf<FundFigures['contributed']>().toEqualTypeOf<MoneyRow[]>();
		expectTypeOf<MoneyRow['permille']>().toEqualTypeOf<number>();
		expectTypeOf<MoneyRow['cash']['text']>().toEqualTypeOf<string>();
		expectTypeOf<ReportExport>().toEqualTypeOf<{
			query: IndicatorQuery;
			kind: 'dashboard' | 'funds';
			format: 'pdf' | 'csv';
		}>();
	});

	it('match the case contract', () => {
		expectTypeOf<Section>().toEqualTypeOf<'social' | 'police' | 'health' | 'general'>();
		expectTypeOf<Status>().toEqualTypeOf<'intake' | 'assessment' | 'plan' | 'in_progress' | 'closed'>();
		expectTypeOf<Risk>().toEqualTypeOf<'low' | 'medium' | 'high'>();
		expectTypeOf<Level>().toEqualTypeOf<'village' | 'district' | 'province'>();
		expectTypeOf<Responsibility>().toEqualTypeOf<'lead' | 'support' | 'review'>();
		expectTypeOf<Outcome>().toExtend<string>();
		expectTypeOf<'trafficking'>().toExtend<Concern>();
		expectTypeOf<CaseFile['summary']>().toEqualTypeOf<CaseSummary>();
		expectTypeOf<CaseFile['sections']>().toEqualTypeOf<Section[]>();
		expectTypeOf<CaseFile['members']>().toEqualTypeOf<CaseMember[]>();
		expectTypeOf<CaseFile['timeline']>().toEqualTypeOf<TimelineItem[]>();
		expectTypeOf<CaseSummary['closeRequested']>().toEqualTypeOf<Outcome | null>();
		expectTypeOf<CaseSummary['myResponsibility']>().toEqualTypeOf<Responsibility | null>();
		expectTypeOf<CaseSummary['subjectAge']>().toEqualTypeOf<number | null>();
		expectTypeOf<SearchHit>().toEqualTypeOf<{
			caseId: string;
			subjectName: string;
			section: Section;
			source: string;
			snippet: string;
		}>();
		expectTypeOf<NewCase['subject']>().toEqualTypeOf<NewPerson>();
		expectTypeOf<NewCase['duplicatesReviewed']>().toEqualTypeOf<boolean | undefined>();
		expectTypeOf<NewPerson['birthYearEstimate']>().toEqualTypeOf<number | null>();
	});

	it('match the community register contract', () => {
		expectTypeOf<Village>().toEqualTypeOf<{
			id: string;
			nameTh: string;
			nameEn: string | null;
			moo: number | null;
			subdistrict: string;
			district: string;
			province: string;
		}>();
		expectTypeOf<Place>().toEqualTypeOf<{ province: string; district: string; subdistrict: string; postcodes: string[] }>();
		expectTypeOf<Volunteer['trainings']>().toEqualTypeOf<{ title: string; heldOn: string }[]>();
		expectTypeOf<VulnerabilityRule>().toEqualTypeOf<{ points: RulePoints; threshold: number }>();
		expectTypeOf<keyof RulePoints>().toEqualTypeOf<
			| 'incomeBelowPoverty'
			| 'incomeLow'
			| 'oneParentAway'
			| 'bothParentsAway'
			| 'debt'
			| 'disability'
			| 'noHealthCare'
			| 'otherRisks'
			| 'notInSchool'
			| 'stateless'
			| 'documentationUnknown'
			| 'documentationInProcess'
			| 'withOneParent'
			| 'withGrandparents'
			| 'withRelatives'
			| 'withOthers'
			| 'alone'
		>();
		expectTypeOf<RegisterPage['children']>().toEqualTypeOf<RegisterChild[]>();
		expectTypeOf<RegisterChild['caseId']>().toEqualTypeOf<string | null>();
		expectTypeOf<RegisterChild['flagged']>().toEqualTypeOf<boolean>();
		expectTypeOf<RegisterQuery['offset']>().toEqualTypeOf<number | undefined>();
		expectTypeOf<NewHousehold['children'][number]['birthDate']>().toEqualTypeOf<string>();
		expectTypeOf<ImportPreview['errors']>().toEqualTypeOf<ImportIssue[]>();
		expectTypeOf<ImportIssue>().toEqualTypeOf<{ row: number; column: string | null; message: string }>();
		expectTypeOf<ImportPreview['digest']>().toEqualTypeOf<string>();
		expectTypeOf<ImportProgress>().toEqualTypeOf<{ written: number; total: number }>();
		expectTypeOf<ImportDone>().toEqualTypeOf<{ households: number; children: number }>();
		expectTypeOf<StepKind>().toEqualTypeOf<
			'birth_registration' | 'dna_test' | 'registrar_application' | 'hearing' | 'decision'
		>();
		expectTypeOf<StepStatus>().toEqualTypeOf<'planned' | 'in_progress' | 'done' | 'refused' | 'not_needed'>();
		expectTypeOf<NewStep['feeRequestId']>().toEqualTypeOf<string | null>();
		expectTypeOf<DocumentationStep['fee']>().toEqualTypeOf<{ minor: string; text: string } | null>();
	});

	it('match the meetings contract', () => {
		expectTypeOf<Committee>().toEqualTypeOf<{
			id: string;
			name: string;
			kind: CommitteeKind;
			frequency: Frequency;
			chairId: string | null;
			memberIds: string[];
			handoverNote: string | null;
		}>();
		expectTypeOf<CommitteeKind>().toEqualTypeOf<'committee' | 'working_group'>();
		expectTypeOf<Frequency>().toEqualTypeOf<'weekly' | 'fortnightly' | 'monthly' | 'quarterly' | 'as_needed'>();
		expectTypeOf<MeetingStatus>().toEqualTypeOf<'planned' | 'held' | 'cancelled'>();
		expectTypeOf<Attendance>().toEqualTypeOf<'invited' | 'present' | 'apologies' | 'absent'>();
		expectTypeOf<MeetingSummary['startsAt']>().toEqualTypeOf<string>();
		expectTypeOf<MeetingView['summary']>().toEqualTypeOf<MeetingSummary>();
		expectTypeOf<MeetingView['mayRun']>().toEqualTypeOf<boolean>();
		expectTypeOf<MeetingView['agenda']>().toEqualTypeOf<AgendaItem[]>();
		expectTypeOf<AgendaItem['review']>().toEqualTypeOf<ReviewedCase | null>();
		expectTypeOf<ReviewedCase>().toEqualTypeOf<{
			caseId: string | null;
			subjectName: string | null;
			minutes: string | null;
			minutesSection: string | null;
			minutesWritten: boolean;
		}>();
		expectTypeOf<ActionItem['stage']>().toEqualTypeOf<string | null>();
		expectTypeOf<NewMeeting['agenda']>().toEqualTypeOf<NewAgendaItem[] | undefined>();
		expectTypeOf<NewAgendaItem>().toEqualTypeOf<{ title: string | null; caseId: string | null }>();
		expectTypeOf<ReviewMinutes>().toEqualTypeOf<{ itemId: string; section: string; body: string }>();
		expectTypeOf<NewActionItem>().toEqualTypeOf<{ meetingId: string; card: NewCard }>();
	});

	it('match the task contract', () => {
		expectTypeOf<CardDetail['card']>().toEqualTypeOf<CardSummary>();
		expectTypeOf<CardDetail['boardCaseId']>().toEqualTypeOf<string | null>();
		expectTypeOf<CardDetail['stage']>().toEqualTypeOf<Stage | null>();
		expectTypeOf<CardDetail['checklist']>().toEqualTypeOf<ChecklistItem[]>();
		expectTypeOf<CardDetail['mayEdit']>().toEqualTypeOf<boolean>();
		expectTypeOf<CardDetail['mayContribute']>().toEqualTypeOf<boolean>();
		expectTypeOf<ChecklistItem>().toEqualTypeOf<{ id: string; text: string; done: boolean }>();
		expectTypeOf<ChecklistEntry['id']>().toEqualTypeOf<string | null>();
		expectTypeOf<CardEdit['caseId']>().toEqualTypeOf<string | null>();
		expectTypeOf<CardEdit['checklist']>().toEqualTypeOf<ChecklistEntry[] | undefined>();
		expectTypeOf<ColumnSave>().toEqualTypeOf<{
			boardId: string;
			columnId: string | null;
			name: string | null;
			position: number | null;
		}>();
		expectTypeOf<TaskCounts>().toEqualTypeOf<{ overdue: number; dueToday: number; toReview: number }>();
		expectTypeOf<Board['caseId']>().toEqualTypeOf<string | null>();
		expectTypeOf<AttachmentContent['contentBase64']>().toEqualTypeOf<string>();
	});
});
