import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '$lib/i18n/en.json';
import th from '$lib/i18n/th.json';
import {
	AUDIT_BREAK_KEYS,
	BACKUP_FAULT_KEYS,
	BACKUP_PHASE_KEYS,
	CORRUPT_KEYS,
	FIELD_KEYS,
	LANGUAGES,
	PROBLEM_KEYS
} from '$lib/i18n';
import {
	AGENCY_KIND_KEYS,
	AUDIT_ACTION_KEYS,
	AUDIT_ENTITY_KEYS,
	AUDIT_OUTCOME_KEYS,
	DISCIPLINE_KEYS,
	HELD_KIND_KEYS,
	MEMBER_STATUS_KEYS,
	PERMISSION_KEYS,
	SYNC_FIELD_KEYS
} from '$lib/i18n/team';
import {
	CONCERN_KEYS,
	CONSENT_GIVER_KEYS,
	DOCUMENTATION_KEYS,
	LEVEL_KEYS,
	OUTCOME_KEYS,
	PARTY_KEYS,
	REFERRAL_STATUS_KEYS,
	RESPONSIBILITY_KEYS,
	RISK_KEYS,
	SECTION_KEYS,
	SEX_KEYS,
	STATUS_KEYS
} from '$lib/i18n/cases';
import { CARD_FIELD_KEYS, PRIORITY_KEYS, REVIEW_KEYS, STAGE_KEYS } from '$lib/i18n/tasks';
import { FUND_FIELD_KEYS, LEDGER_KIND_KEYS, PAYMENT_METHOD_KEYS, REQUEST_STATUS_KEYS } from '$lib/i18n/funds';
import {
	CHILD_POINTS,
	HOUSEHOLD_POINTS,
	IMPORT_COLUMN_KEYS,
	INCOME_BAND_KEYS,
	LIVES_WITH_KEYS,
	PARENTS_AWAY_KEYS,
	REGISTER_FIELD_KEYS,
	REGISTER_TAB_KEYS,
	RULE_POINT_KEYS,
	SCHOOL_KEYS,
	STEP_KIND_KEYS,
	STEP_STATUS_KEYS
} from '$lib/i18n/register';
import {
	ATTENDANCE_KEYS,
	COMMITTEE_KIND_KEYS,
	FREQUENCY_KEYS,
	MEETING_FIELD_KEYS,
	MEETING_STATUS_KEYS
} from '$lib/i18n/meetings';
import { IMPORT_COLUMNS } from '$lib/register';
import { BUILTIN_ROLES } from '$lib/roles';
import { AGE_KEYS, REPORT_FIELD_KEYS } from '$lib/i18n/reports';
import { PLACEHOLDER_SECTIONS, SECTIONS } from '$lib/stores/app.svelte';

type Catalog = { [key: string]: string | Catalog };

function flatten(catalog: Catalog, prefix = ''): Map<string, string> {
	const out = new Map<string, string>();
	for (const [key, value] of Object.entries(catalog)) {
		const path = prefix ? `${prefix}.${key}` : key;
		if (typeof value === 'string') out.set(path, value);
		else for (const [inner, text] of flatten(value, path)) out.set(inner, text);
	}
	return out;
}

const english = flatten(en as Catalog);
const thai = flatten(th as Catalog);

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return /\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
	});
}

const SRC = join(__dirname, '..', 'src');

describe('message catalogs', () => {
	it('have exactly the same keys in English and Thai', () => {
		expect([...thai.keys()].sort()).toEqual([...english.keys()].sort());
	});

	it('have no empty message', () => {
		for (const [key, text] of [...english, ...thai]) {
			expect(text.trim(), key).not.toBe('');
		}
	});

	it('use the same placeholders in both languages', () => {
		const placeholders = (text: string) =>
			[...text.matchAll(/\{(\w+)/g)].map((match) => match[1]).sort();
		for (const [key, text] of english) {
			expect(placeholders(thai.get(key) ?? ''), key).toEqual(placeholders(text));
		}
	});

	it('write the Thai catalog in Thai', () => {
		const untranslated = [...thai].filter(
			([key, text]) => text === english.get(key) && !/^(language\.|app\.name)/.test(key)
		);
		expect(untranslated).toEqual([]);
		expect(thai.get('recovery.keyLabel')).toBe('กุญแจกู้คืน');
		expect(thai.get('lock.passphrase')).toBe('วลีรหัสผ่าน');
		expect(thai.get('lock.signInName')).toBe('ชื่อผู้ใช้');
		expect(thai.get('concern.trafficking')).toBe('การค้ามนุษย์');
		expect(thai.get('concern.sexual_abuse')).toBe('การล่วงละเมิดทางเพศ');
		expect(thai.get('concern.rape')).toBe('การข่มขืน');
		expect(thai.get('concern.sexual_harassment')).toBe('การคุกคามทางเพศ');
		expect(thai.get('concern.labour_exploitation')).toBe('การแสวงประโยชน์จากแรงงาน');
		expect(thai.get('concern.neglect')).toBe('การทอดทิ้ง');
		expect(thai.get('concern.human_rights_violation')).toBe('การละเมิดสิทธิมนุษยชน');
		expect(thai.get('concern.high_vulnerability')).toBe('ภาวะเปราะบางสูง');
		expect(thai.get('documentation.stateless')).toBe('ไร้สัญชาติ');
		expect(thai.get('level.village')).toBe('หมู่บ้าน');
		expect(thai.get('level.district')).toBe('อำเภอ');
		expect(thai.get('level.province')).toBe('จังหวัด');
	});

	it('name every audit action the core records, and every error code', () => {
		expect(Object.keys(AUDIT_ACTION_KEYS)).toHaveLength(125);
		expect(english.get('errors.passphrase_change_required')).toMatch(/passphrase/);
		expect(thai.get('errors.passphrase_change_required')).toMatch(/วลีรหัสผ่าน/);
	});

	it('name what the core records of backups, and why it refuses a file, in both languages', () => {
		const actions = {
			'vault.backup': 'auditAction.vault_backup',
			'vault.restore': 'auditAction.vault_restore',
			'backup.plan': 'auditAction.backup_plan'
		};
		for (const [action, key] of Object.entries(actions)) {
			expect(AUDIT_ACTION_KEYS[action], action).toBe(key);
			expect(english.has(key), key).toBe(true);
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
		expect(Object.keys(BACKUP_FAULT_KEYS).sort()).toEqual(
			['damaged', 'failed_checks', 'newer_format', 'not_a_backup', 'other_vault', 'truncated']
		);
		for (const key of ['errors.backup_refused', ...Object.values(BACKUP_FAULT_KEYS), ...Object.values(BACKUP_PHASE_KEYS)]) {
			expect(english.has(key), key).toBe(true);
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
		// Each refusal says that nothing was restored (but another team's: nothing to do about it).
		for (const fault of Object.keys(BACKUP_FAULT_KEYS)) {
			expect(english.get(`errors.backup.${fault}`), fault).toContain('Nothing was restored');
			expect(thai.get(`errors.backup.${fault}`), fault).toContain('ไม่มีสิ่งใดถูกกู้คืน');
		}
		expect(english.get('errors.backup.newer_format')).toContain('update Ruam to restore it');
	});

	it('name everything of offboarding in both languages, and what the core records of handovers', () => {
		const keys = [...english.keys()].filter((key) => key.startsWith('team.offboarding.'));
		expect(keys.length).toBeGreaterThan(30);
		for (const key of [...keys, ...Object.values(HELD_KIND_KEYS)]) {
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
		// The old bulk handover's words are gone with it.
		expect([...english.keys()].filter((key) => key.startsWith('team.handover.'))).toEqual([]);
		const actions = {
			'case.handover': 'auditAction.case_handover',
			'card.handover': 'auditAction.card_handover',
			'fund.handover': 'auditAction.fund_handover',
			'committee.handover': 'auditAction.committee_handover'
		};
		for (const [action, key] of Object.entries(actions)) {
			expect(AUDIT_ACTION_KEYS[action], action).toBe(key);
			expect(english.has(key), key).toBe(true);
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
	});

	it('name everything of the community register in both languages, the Thai written in Thai', () => {
		const registerKeys = [...english.keys()].filter((key) =>
			/^(register\.|documentationSteps\.|nav\.register$|cases\.registerChild)/.test(key)
		);
		expect(registerKeys.length).toBeGreaterThan(300);
		for (const key of registerKeys) {
			expect(thai.get(key), key).toBeTruthy();
			// Thai script in every Thai message (a column name or a code may stand beside it).
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
		// Every indicator of the rule is named and explained, every column of a survey file too.
		expect(Object.keys(RULE_POINT_KEYS).sort()).toEqual([...HOUSEHOLD_POINTS, ...CHILD_POINTS].sort());
		expect(Object.keys(IMPORT_COLUMN_KEYS)).toEqual([...IMPORT_COLUMNS]);
		for (const key of [
			...Object.values(RULE_POINT_KEYS).flatMap((keys) => [keys.label, keys.about]),
			...Object.values(IMPORT_COLUMN_KEYS),
			...Object.values(STEP_KIND_KEYS),
			...Object.values(STEP_STATUS_KEYS)
		]) {
			expect(english.has(key), key).toBe(true);
			expect(thai.has(key), key).toBe(true);
		}
		expect(thai.get('nav.register')).toBe('ทะเบียนชุมชน');
		expect(english.get('nav.register')).toBe('Community register');
		expect(thai.get('register.flagged')).toBe('เฝ้าระวัง');
		expect(thai.get('documentationSteps.title')).toBe('เอกสารและสัญชาติ');
		expect(thai.get('register.rule.point.stateless')).toBe('ไร้สัญชาติ');
	});

	it('name everything of the meetings in both languages, and what the core records of them', () => {
		const meetingKeys = [...english.keys()].filter((key) => /^(meetings\.|register\.export\.)/.test(key));
		expect(meetingKeys.length).toBeGreaterThan(150);
		for (const key of meetingKeys) {
			expect(thai.get(key), key).toBeTruthy();
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
		// The placeholder the section replaces is gone, its words too.
		expect(PLACEHOLDER_SECTIONS).not.toContain('meetings');
		expect([...english.keys()].filter((key) => key.startsWith('empty.meetings'))).toEqual([]);
		// What the audit log names of the meetings (and the register's export), in both languages.
		const actions = {
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
			'meeting.run': 'auditAction.meeting_run'
		};
		for (const [action, key] of Object.entries(actions)) {
			expect(AUDIT_ACTION_KEYS[action], action).toBe(key);
			expect(english.has(key), key).toBe(true);
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
		for (const entity of ['committee', 'meeting', 'meeting_item', 'meeting_decision']) {
			expect(AUDIT_ENTITY_KEYS[entity], entity).toBe(`auditEntity.${entity}`);
			expect(english.has(`auditEntity.${entity}`), entity).toBe(true);
			expect(thai.get(`auditEntity.${entity}`), entity).toMatch(/[\u0E00-\u0E7F]/);
		}
		// The fields of a meeting two laptops may both change (the Rust side reads these too).
		expect(english.get('settings.sync.field.minutes')).toBe('Minutes');
		expect(thai.get('settings.sync.field.minutes')).toBe('บันทึกการประชุม');
		expect(english.get('settings.sync.field.place')).toBe('Place');
		expect(thai.get('settings.sync.field.place')).toBe('สถานที่');
		expect(english.get('settings.sync.field.starts_at')).toBe('Start time');
		expect(thai.get('settings.sync.field.starts_at')).toBe('เวลาเริ่ม');
		for (const field of ['minutes', 'place', 'starts_at']) {
			expect(SYNC_FIELD_KEYS[field]).toBe(`settings.sync.field.${field}`);
		}
		expect(thai.get('nav.meetings')).toBe('การประชุม');
		expect(thai.get('meetings.agenda.hiddenReview')).toBe('มีการพิจารณากรณีที่คุณไม่มีสิทธิ์ดู');
	});

	it('name everything of the reports in both languages, and what the core records of them', () => {
		const reportKeys = [...english.keys()].filter((key) => key.startsWith('reports.'));
		expect(reportKeys.length).toBeGreaterThan(80);
		for (const key of [...reportKeys, ...Object.values(AGE_KEYS), ...Object.values(REPORT_FIELD_KEYS)]) {
			expect(english.has(key), key).toBe(true);
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
		// The placeholder the section replaces is gone, its words too.
		expect(PLACEHOLDER_SECTIONS).not.toContain('reports');
		expect([...english.keys()].filter((key) => key.startsWith('empty.'))).toEqual([]);
		expect(english.get('reports.fewerThanFive')).toBe('fewer than 5');
		expect(thai.get('reports.fewerThanFive')).toBe('น้อยกว่า 5');
		expect(english.get('reports.protected')).toContain(
			'Counts below 5 are hidden because you do not oversee every case'
		);
		const actions = {
			'report.view': 'auditAction.report_view',
			'report.export': 'auditAction.report_export'
		};
		for (const [action, key] of Object.entries(actions)) {
			expect(AUDIT_ACTION_KEYS[action], action).toBe(key);
			expect(english.has(key), key).toBe(true);
			expect(thai.get(key), key).toMatch(/[\u0E00-\u0E7F]/);
		}
		expect(english.get('auditAction.report_view')).toBe('Looked at the committee’s indicators');
		expect(english.get('auditAction.report_export')).toBe('Exported the committee’s indicators or the funds report');
	});

	it('hold every key the source asks for', () => {
		const used = new Set<string>();
		for (const file of sourceFiles(SRC)) {
			const text = readFileSync(file, 'utf8');
			for (const match of text.matchAll(/(?:\$_|\bt)\(\s*'([\w.]+)'/g)) used.add(match[1]);
			for (const match of text.matchAll(/'((?:common|errors|strength)\.[\w.]+)'/g)) used.add(match[1]);
		}
		for (const section of SECTIONS) used.add(`nav.${section}`);
		for (const tab of ['mine', 'review', 'board']) used.add(`tasks.tabs.${tab}`);
		for (const due of ['all', 'overdue', 'today', 'week']) used.add(`tasks.mine.${due}`);
		for (const done of ['approved', 'returned']) used.add(`tasks.queue.${done}`);
		for (const tab of ['overview', 'approvals', 'requests', 'ledger', 'manage']) used.add(`funds.tabs.${tab}`);
		for (const total of ['cash', 'inKind', 'allocated', 'unallocated', 'committed', 'paid', 'balance', 'available']) {
			used.add(`funds.totals.${total}`);
		}
		for (const section of PLACEHOLDER_SECTIONS) {
			used.add(`empty.${section}.title`);
			used.add(`empty.${section}.body`);
		}
		for (const role of BUILTIN_ROLES) used.add(`roles.${role}`).add(`roleAbout.${role}`);
		for (const keys of [
			DISCIPLINE_KEYS,
			AGENCY_KIND_KEYS,
			PERMISSION_KEYS,
			MEMBER_STATUS_KEYS,
			HELD_KIND_KEYS,
			AUDIT_ACTION_KEYS,
			AUDIT_ENTITY_KEYS,
			AUDIT_OUTCOME_KEYS,
			STATUS_KEYS,
			RISK_KEYS,
			LEVEL_KEYS,
			OUTCOME_KEYS,
			CONCERN_KEYS,
			SEX_KEYS,
			DOCUMENTATION_KEYS,
			PARTY_KEYS,
			REFERRAL_STATUS_KEYS,
			CONSENT_GIVER_KEYS,
			SECTION_KEYS,
			RESPONSIBILITY_KEYS,
			STAGE_KEYS,
			PRIORITY_KEYS,
			REVIEW_KEYS,
			CARD_FIELD_KEYS,
			REQUEST_STATUS_KEYS,
			PAYMENT_METHOD_KEYS,
			LEDGER_KIND_KEYS,
			FUND_FIELD_KEYS,
			INCOME_BAND_KEYS,
			PARENTS_AWAY_KEYS,
			SCHOOL_KEYS,
			LIVES_WITH_KEYS,
			STEP_KIND_KEYS,
			STEP_STATUS_KEYS,
			IMPORT_COLUMN_KEYS,
			REGISTER_TAB_KEYS,
			REGISTER_FIELD_KEYS,
			COMMITTEE_KIND_KEYS,
			FREQUENCY_KEYS,
			MEETING_STATUS_KEYS,
			ATTENDANCE_KEYS,
			MEETING_FIELD_KEYS,
			SYNC_FIELD_KEYS,
			AGE_KEYS,
			REPORT_FIELD_KEYS
		]) {
			for (const key of Object.values(keys)) used.add(key);
		}
		for (const keys of Object.values(RULE_POINT_KEYS)) used.add(keys.label).add(keys.about);
		for (let score = 0; score <= 4; score++) used.add(`strength.score.${score}`);
		for (const key of Object.values(PROBLEM_KEYS)) used.add(key);
		for (const key of Object.values(AUDIT_BREAK_KEYS)) used.add(key);
		for (const key of Object.values(BACKUP_FAULT_KEYS)) used.add(key);
		for (const key of Object.values(BACKUP_PHASE_KEYS)) used.add(key);
		for (const key of Object.values(CORRUPT_KEYS)) used.add(key).add(`${key}_unknown`);
		for (const field of FIELD_KEYS) used.add(`fields.${field}`);
		for (const language of LANGUAGES) used.add(`language.${language}`);

		expect(used.size).toBeGreaterThan(200);
		const missing = [...used].filter((key) => !english.has(key));
		expect(missing).toEqual([]);
	});
});
