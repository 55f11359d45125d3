/**
 * Catalog keys for the team's and the audit log's closed lists (disciplines, agency kinds,
 * permissions, member status, what a member holds, audit actions, record kinds, outcomes).
 * The maps typed over a generated union fail `npm run check` when Rust adds a value; their
 * key order is the order the UI offers them in.
 */
import type { AgencyKind, Discipline, HeldKind, MemberStatus, Permission } from '$lib/ipc';
import type { Translate } from './index';

export const DISCIPLINE_KEYS: { [D in Discipline]: string } = {
	social_work: 'discipline.social_work',
	police: 'discipline.police',
	health: 'discipline.health',
	education: 'discipline.education',
	ngo: 'discipline.ngo',
	local_government: 'discipline.local_government',
	volunteer_coordination: 'discipline.volunteer_coordination'
};

export const AGENCY_KIND_KEYS: { [K in AgencyKind]: string } = {
	social_welfare: 'agencyKind.social_welfare',
	police: 'agencyKind.police',
	health: 'agencyKind.health',
	education: 'agencyKind.education',
	local_administration: 'agencyKind.local_administration',
	ngo: 'agencyKind.ngo',
	other: 'agencyKind.other'
};

/** What each permission lets a member do, in plain words. */
export const PERMISSION_KEYS: { [P in Permission]: string } = {
	'team.manage': 'permission.team_manage',
	'roles.manage': 'permission.roles_manage',
	'audit.read': 'permission.audit_read',
	'recovery.manage': 'permission.recovery_manage',
	'cases.create': 'permission.cases_create',
	'cases.oversee': 'permission.cases_oversee',
	'cases.approve': 'permission.cases_approve',
	'funds.manage': 'permission.funds_manage',
	'funds.approve': 'permission.funds_approve',
	'funds.request': 'permission.funds_request',
	'community.manage': 'permission.community_manage'
};

export const MEMBER_STATUS_KEYS: { [S in MemberStatus]: string } = {
	active: 'memberStatus.active',
	left: 'memberStatus.left'
};

/** What a member can hold, as the offboarding panel names it. */
export const HELD_KIND_KEYS: { [K in HeldKind]: string } = {
	case: 'team.offboarding.kind.case',
	task: 'team.offboarding.kind.task',
	review: 'team.offboarding.kind.review',
	request: 'team.offboarding.kind.request',
	committee: 'team.offboarding.kind.committee'
};

/** The audit log's actions, as the core records them (`Action::audit_name` and friends). */
export const AUDIT_ACTION_KEYS: Readonly<Record<string, string>> = {
	'vault.create': 'auditAction.vault_create',
	'vault.unlock': 'auditAction.vault_unlock',
	'vault.unlock_with_recovery_key': 'auditAction.vault_unlock_with_recovery_key',
	'vault.lock': 'auditAction.vault_lock',
	'passphrase.change': 'auditAction.passphrase_change',
	'passphrase.verify': 'auditAction.passphrase_verify',
	'recovery_key.replace': 'auditAction.recovery_key_replace',
	'recovery_key.acknowledge': 'auditAction.recovery_key_acknowledge',
	'audit.verify': 'auditAction.audit_verify',
	'audit.read': 'auditAction.audit_read',
	'audit.export': 'auditAction.audit_export',
	'settings.change': 'auditAction.settings_change',
	'team.view': 'auditAction.team_view',
	'member.accounts.view': 'auditAction.member_accounts_view',
	'member.add': 'auditAction.member_add',
	'member.update': 'auditAction.member_update',
	'member.leave': 'auditAction.member_leave',
	'member.passphrase.set': 'auditAction.member_passphrase_set',
	'agency.add': 'auditAction.agency_add',
	'agency.update': 'auditAction.agency_update',
	'role.add': 'auditAction.role_add',
	'role.update': 'auditAction.role_update',
	'case.create': 'auditAction.case_create',
	'case.view': 'auditAction.case_view',
	'case.find': 'auditAction.case_find',
	'case.search': 'auditAction.case_search',
	'case.update': 'auditAction.case_update',
	'case.status': 'auditAction.case_status',
	'case.members': 'auditAction.case_members',
	'case.section.view': 'auditAction.case_section_view',
	'case.section.write': 'auditAction.case_section_write',
	'case.note.add': 'auditAction.case_note_add',
	'case.attachment.add': 'auditAction.case_attachment_add',
	'case.attachment.view': 'auditAction.case_attachment_view',
	'case.refer': 'auditAction.case_refer',
	'case.referral.update': 'auditAction.case_referral_update',
	'case.consent': 'auditAction.case_consent',
	'case.consent.override': 'auditAction.case_consent_override',
	'case.close': 'auditAction.case_close',
	'case.close.request': 'auditAction.case_close_request',
	'case.close.decline': 'auditAction.case_close_decline',
	'case.reopen': 'auditAction.case_reopen',
	'case.duplicates': 'auditAction.case_duplicates',
	'case.note.edit': 'auditAction.case_note_edit',
	'case.note.delete': 'auditAction.case_note_delete',
	'case.attachment.delete': 'auditAction.case_attachment_delete',
	'case.person.add': 'auditAction.case_person_add',
	'case.person.update': 'auditAction.case_person_update',
	'case.person.remove': 'auditAction.case_person_remove',
	'case.handover': 'auditAction.case_handover',
	'card.handover': 'auditAction.card_handover',
	'fund.handover': 'auditAction.fund_handover',
	'committee.handover': 'auditAction.committee_handover',
	'member.role.assign': 'auditAction.member_role_assign',
	'board.view': 'auditAction.board_view',
	'board.work': 'auditAction.board_work',
	'card.create': 'auditAction.card_create',
	'card.move': 'auditAction.card_move',
	'card.review': 'auditAction.card_review',
	'card.approve': 'auditAction.card_approve',
	'card.return': 'auditAction.card_return',
	'card.view': 'auditAction.card_view',
	'card.update': 'auditAction.card_update',
	'card.delete': 'auditAction.card_delete',
	'card.comment': 'auditAction.card_comment',
	'card.checklist': 'auditAction.card_checklist',
	'card.attachment.add': 'auditAction.card_attachment_add',
	'card.attachment.view': 'auditAction.card_attachment_view',
	'board.column.add': 'auditAction.board_column_add',
	'board.column.change': 'auditAction.board_column_change',
	'board.column.delete': 'auditAction.board_column_delete',
	'fund.create': 'auditAction.fund_create',
	'fund.line.add': 'auditAction.fund_line_add',
	'fund.allocate': 'auditAction.fund_allocate',
	'fund.contribute': 'auditAction.fund_contribute',
	'fund.request': 'auditAction.fund_request',
	'fund.approve': 'auditAction.fund_approve',
	'fund.reject': 'auditAction.fund_reject',
	'fund.cancel': 'auditAction.fund_cancel',
	'fund.pay': 'auditAction.fund_pay',
	'fund.reverse': 'auditAction.fund_reverse',
	'fund.receipt.view': 'auditAction.fund_receipt_view',
	'fund.ledger.export': 'auditAction.fund_ledger_export',
	'fund.view': 'auditAction.fund_view',
	'fund.manage': 'auditAction.fund_manage',
	'fund.decide': 'auditAction.fund_decide',
	'fund.ledger.read': 'auditAction.fund_ledger_read',
	'village.add': 'auditAction.village_add',
	'village.update': 'auditAction.village_update',
	'community.view': 'auditAction.community_view',
	'community.manage': 'auditAction.community_manage',
	'volunteer.add': 'auditAction.volunteer_add',
	'volunteer.update': 'auditAction.volunteer_update',
	'register.rule.update': 'auditAction.register_rule_update',
	'register.survey.add': 'auditAction.register_survey_add',
	'register.import': 'auditAction.register_import',
	'register.child.case': 'auditAction.register_child_case',
	'case.documentation.add': 'auditAction.case_documentation_add',
	'case.documentation.update': 'auditAction.case_documentation_update',
	'register.export': 'auditAction.register_export',
	'committee.add': 'auditAction.committee_add',
	'committee.update': 'auditAction.committee_update',
	'meeting.plan': 'auditAction.meeting_plan',
	'meeting.agenda.add': 'auditAction.meeting_agenda_add',
	'meeting.attendance': 'auditAction.meeting_attendance',
	'meeting.minutes': 'auditAction.meeting_minutes',
	'meeting.review.minutes': 'auditAction.meeting_review_minutes',
	'meeting.decision.add': 'auditAction.meeting_decision_add',
	'meeting.action.add': 'auditAction.meeting_action_add',
	'meeting.export': 'auditAction.meeting_export',
	'meeting.view': 'auditAction.meeting_view',
	'committee.manage': 'auditAction.committee_manage',
	'meeting.run': 'auditAction.meeting_run',
	'register.child.update': 'auditAction.register_child_update',
	'sync.start': 'auditAction.sync_start',
	'sync.invite': 'auditAction.sync_invite',
	'sync.device.approve': 'auditAction.sync_device_approve',
	'sync.device.revoke': 'auditAction.sync_device_revoke',
	'sync.case.drop': 'auditAction.sync_case_drop',
	'sync.conflict.resolve': 'auditAction.sync_conflict_resolve',
	'vault.backup': 'auditAction.vault_backup',
	'vault.restore': 'auditAction.vault_restore',
	'backup.plan': 'auditAction.backup_plan',
	'report.view': 'auditAction.report_view',
	'report.export': 'auditAction.report_export'
};

/** The kinds of record an audit entry can be about (the entity filter offers these). */
export const AUDIT_ENTITY_KEYS: Readonly<Record<string, string>> = {
	member: 'auditEntity.member',
	agency: 'auditEntity.agency',
	role: 'auditEntity.role',
	team: 'auditEntity.team',
	case: 'auditEntity.case',
	case_note: 'auditEntity.case_note',
	case_referral: 'auditEntity.case_referral',
	case_consent: 'auditEntity.case_consent',
	case_attachment: 'auditEntity.case_attachment',
	case_person: 'auditEntity.case_person',
	board: 'auditEntity.board',
	card: 'auditEntity.card',
	card_attachment: 'auditEntity.card_attachment',
	board_column: 'auditEntity.board_column',
	fund: 'auditEntity.fund',
	fund_line: 'auditEntity.fund_line',
	fund_ledger: 'auditEntity.fund_ledger',
	fund_request: 'auditEntity.fund_request',
	fund_receipt: 'auditEntity.fund_receipt',
	village: 'auditEntity.village',
	volunteer: 'auditEntity.volunteer',
	household: 'auditEntity.household',
	register_rule: 'auditEntity.register_rule',
	register_child: 'auditEntity.register_child',
	documentation_step: 'auditEntity.documentation_step',
	committee: 'auditEntity.committee',
	meeting: 'auditEntity.meeting',
	meeting_item: 'auditEntity.meeting_item',
	meeting_decision: 'auditEntity.meeting_decision'
};

/** The fields whose edits on two laptops at once a person settles (`sync::entities` `tracked`). */
export const SYNC_FIELD_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
	[
		'name',
		'permissions',
		'role',
		'status',
		'title',
		'description',
		'risk',
		'level',
		'outcome',
		'alias',
		'birth_date',
		'nationality',
		'documentation',
		'contact',
		'body',
		'name_th',
		'name_en',
		'phone',
		'points',
		'threshold',
		'documents',
		'minutes',
		'place',
		'starts_at'
	].map((field) => [field, `settings.sync.field.${field}`])
);

export const AUDIT_OUTCOME_KEYS: Readonly<Record<string, string>> = {
	ok: 'auditOutcome.ok',
	refused: 'auditOutcome.refused',
	failed: 'auditOutcome.failed'
};

/** The catalog's words for `value` in `keys`; a value this version does not know shows as it is. */
export function labelFrom(keys: Readonly<Record<string, string>>, value: string, t: Translate): string {
	return Object.hasOwn(keys, value) ? t(keys[value]) : value;
}
