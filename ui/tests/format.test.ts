import { describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import {
	_,
	describeError,
	describeErrorCode,
	formatDate,
	formatDateTime,
	formatLocalTime,
	formatMegabytes,
	setLanguage,
	type Translate
} from '$lib/i18n';
import { AUDIT_ACTION_KEYS, labelFrom } from '$lib/i18n/team';
import type { IpcError } from '$lib/ipc';
import { roleDescription, roleLabel } from '$lib/roles';
import { ROLES } from './backend';

const t = (): Translate => get(_) as Translate;
const error = (code: string, extra: Partial<IpcError> = {}): IpcError =>
	({
		code,
		message: 'english fallback',
		field: null,
		retryAfterSecs: null,
		path: null,
		remedy: null,
		backupFault: null,
		...extra
	}) as IpcError;

describe('formatDate', () => {
	const day = new Date(2026, 2, 3, 12);

	it('shows Buddhist-era years in Thai: 2026 is 2569', () => {
		const text = formatDate(day, 'th');
		expect(text).toContain('2569');
		expect(text).not.toContain('2026');
		expect(text).toContain('มีนาคม');
	});

	it('shows the Gregorian year in English', () => {
		expect(formatDate(day, 'en')).toBe('3 March 2026');
	});

	it('accepts ISO strings from the core', () => {
		expect(formatDate('2026-12-31T12:00:00Z', 'th', 'medium')).toContain('2569');
	});
});

describe('formatDateTime', () => {
	it('shows the date and time, with Buddhist-era years in Thai', () => {
		const moment = new Date(2026, 10, 28, 14, 5, 9);
		expect(formatDateTime(moment, 'en')).toContain('2026');
		expect(formatDateTime(moment, 'en')).toContain('14:05:09');
		const thai = formatDateTime(moment, 'th');
		expect(thai).toContain('2569');
		expect(thai).not.toContain('2026');
		expect(thai).toContain('14:05:09');
	});
});

describe('formatLocalTime', () => {
	it('shows a meeting’s local time as typed, not moved by a time zone', () => {
		expect(formatLocalTime('2026-12-10T09:30', 'en')).toBe('10 Dec 2026, 09:30');
		const thai = formatLocalTime('2026-12-10T09:30', 'th');
		expect(thai).toContain('2569');
		expect(thai).toContain('09:30');
		expect(thai).not.toContain('2026');
	});

	it('shows anything else as it is', () => {
		expect(formatLocalTime('next Tuesday', 'en')).toBe('next Tuesday');
	});
});

describe('roles and audit labels', () => {
	it('translate built-in roles by id and show a custom role’s own name', () => {
		expect(roleLabel('police_liaison', t(), ROLES)).toBe('Police liaison');
		expect(roleLabel('r-auditor', t(), ROLES)).toBe('Committee auditor');
		expect(roleLabel('r-unknown', t(), ROLES)).toBe('r-unknown');
		setLanguage('th');
		expect(roleLabel('team_lead', t(), ROLES)).toBe('หัวหน้าทีม');
		expect(roleLabel('r-auditor', t(), ROLES)).toBe('Committee auditor');
		setLanguage('en');
	});

	it('describe a built-in role in the catalog’s words unless the lead wrote their own', () => {
		const liaison = ROLES.find((role) => role.id === 'police_liaison')!;
		expect(roleDescription(liaison, t())).toBe(
			'Takes statements and works with the police; reviews and signs off the tasks assigned to them.'
		);
		expect(roleDescription({ ...liaison, description: 'Our own words.' }, t())).toBe('Our own words.');
		expect(roleDescription({ ...liaison, id: 'r-x', builtin: false }, t())).toBeNull();
	});

	it('name audit actions, and show an unknown one as recorded', () => {
		expect(labelFrom(AUDIT_ACTION_KEYS, 'member.passphrase.set', t())).toBe(
			'Set a member’s first passphrase'
		);
		expect(labelFrom(AUDIT_ACTION_KEYS, 'vault.unlock_with_recovery_key', t())).toBe(
			'Unlocked with the recovery key'
		);
		expect(labelFrom(AUDIT_ACTION_KEYS, 'toString', t())).toBe('toString');
		expect(labelFrom(AUDIT_ACTION_KEYS, 'funds.approve', t())).toBe('funds.approve');
	});
});

describe('describeError', () => {
	it('uses the catalog text for the code, not the core’s English message', () => {
		setLanguage('th');
		expect(describeError(error('forbidden'), t())).toBe('บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้');
		setLanguage('en');
		expect(describeError(error('forbidden'), t())).toBe('Your role does not allow this.');
	});

	it('fills in seconds, path and field', () => {
		expect(describeError(error('throttled', { retryAfterSecs: 1 }), t())).toBe(
			'Too many wrong attempts. Try again in 1 second.'
		);
		expect(describeError(error('corrupt', { path: 'C:\\Ruam\\vault.db' }), t())).toContain(
			'The vault file C:\\Ruam\\vault.db is damaged.'
		);
		expect(describeError(error('invalid', { field: 'display_name' }), t())).toBe(
			'Please check “Name”: the value was not accepted.'
		);
		expect(describeError(error('invalid', { field: 'somethingElse' }), t())).toBe(
			'Please check “somethingElse”: the value was not accepted.'
		);
		expect(describeError(error('invalid', { field: 'sign_in_name' }), t())).toBe(
			'Please check “Sign-in name”: the value was not accepted.'
		);
		expect(describeError(error('invalid', { field: 'agency_id' }), t())).toContain('“Agency”');
		expect(describeError(error('invalid', { field: 'utc_offset_minutes' }), t())).toContain('“Time zone”');
		setLanguage('th');
		expect(describeError(error('invalid', { field: 'teamName' }), t())).toContain('“ชื่อทีม”');
		expect(describeError(error('invalid', { field: 'first_passphrase' }), t())).toContain(
			'“วลีรหัสผ่านแรก”'
		);
	});

	it('asks for the member’s own passphrase first on passphrase_change_required', () => {
		expect(describeError(error('passphrase_change_required'), t())).toBe(
			'Choose your own passphrase first: the one your team lead set must be changed before anything else.'
		);
		setLanguage('th');
		expect(describeError(error('passphrase_change_required'), t())).toContain('ตั้งวลีรหัสผ่านของคุณเองก่อน');
	});

	it('says what can be done about a damaged file, by remedy, with and without its path', () => {
		const corrupt = (extra: Partial<IpcError>) => describeError(error('corrupt', extra), t());
		expect(corrupt({ path: '/d/keys/device.slot', remedy: 'recovery_key' })).toBe(
			'The file /d/keys/device.slot is damaged. Unlock with the recovery key: that rebuilds it.'
		);
		expect(corrupt({ path: '/d/vault.db', remedy: 'backup' })).toBe(
			'The file /d/vault.db is damaged and cannot be rebuilt here. Restore the data folder from a backup.'
		);
		expect(corrupt({ remedy: 'recovery_key' })).toBe(
			'A vault file is damaged. Unlock with the recovery key: that rebuilds it.'
		);
		expect(corrupt({ remedy: 'backup' })).toBe(
			'A vault file is damaged and cannot be rebuilt here. Restore the data folder from a backup.'
		);
		expect(corrupt({})).toBe(
			'The vault file is damaged. Unlock with your recovery key or restore a backup.'
		);
		setLanguage('th');
		expect(corrupt({ path: '/d/keys/device.slot', remedy: 'recovery_key' })).toBe(
			'ไฟล์ /d/keys/device.slot เสียหาย กรุณาปลดล็อกด้วยกุญแจกู้คืน ซึ่งจะสร้างไฟล์นี้ขึ้นใหม่ให้'
		);
		expect(corrupt({ remedy: 'backup' })).toContain('กู้คืนโฟลเดอร์ข้อมูลจากข้อมูลสำรอง');
	});

	it('says why a file was refused as a backup, and what to do about it', () => {
		const refused = (extra: Partial<IpcError>) => describeError(error('backup_refused', extra), t());
		expect(refused({ backupFault: 'damaged' })).toBe(
			'This backup is damaged (it was changed after it was made). Nothing was restored; use another backup.'
		);
		expect(refused({ backupFault: 'truncated' })).toBe(
			'This backup is incomplete: the file was cut short, perhaps while it was copied. Nothing was restored; copy it again or use another backup.'
		);
		expect(refused({ backupFault: 'other_vault' })).toBe('This is a backup of another team’s vault. Nothing was restored.');
		expect(refused({ backupFault: 'newer_format' })).toContain('update Ruam to restore it');
		expect(refused({ backupFault: 'failed_checks' })).toContain('does not pass its checks');
		expect(refused({ backupFault: 'not_a_backup' })).toContain('not a Ruam backup');
		expect(refused({})).toBe('This file cannot be restored. Nothing was restored; use another backup.');
		setLanguage('th');
		expect(refused({ backupFault: 'damaged' })).toContain('ข้อมูลสำรองนี้เสียหาย');
	});

	it('names an error kept as its code only (the last daily backup’s), however it is written', () => {
		expect(describeErrorCode('internal', t())).toBe(describeError(error('internal'), t()));
		expect(describeErrorCode('invalidcredentials', t())).toBe('The sign-in name or passphrase is not correct.');
		expect(describeErrorCode('invalid', t())).toBe(
			'Some of the information was not accepted. Please check it and try again.'
		);
		expect(describeErrorCode('disk_full_somehow', t())).toBe('disk_full_somehow');
	});

	it('shows sizes in megabytes, in the reader’s language', () => {
		expect(formatMegabytes(12_345_678, 'en')).toBe('12.3 MB');
		expect(formatMegabytes(2_000, 'en')).toBe('0.1 MB');
		expect(formatMegabytes(0, 'th')).toBe('0.0 MB');
	});

	it('falls back to the core’s message for a code the catalog does not know', () => {
		expect(describeError(error('brand_new_code', { message: 'Something new.' }), t())).toBe(
			'Something new.'
		);
	});
});
