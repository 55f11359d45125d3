import { describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { _, describeError, formatDate, setLanguage, type Translate } from '$lib/i18n';
import type { IpcError } from '$lib/ipc';

const t = (): Translate => get(_) as Translate;
const error = (code: string, extra: Partial<IpcError> = {}): IpcError =>
	({
		code,
		message: 'english fallback',
		field: null,
		retryAfterSecs: null,
		path: null,
		remedy: null,
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
			'Please check “Your name”: the value was not accepted.'
		);
		expect(describeError(error('invalid', { field: 'somethingElse' }), t())).toBe(
			'Please check “somethingElse”: the value was not accepted.'
		);
		setLanguage('th');
		expect(describeError(error('invalid', { field: 'teamName' }), t())).toContain('“ชื่อทีม”');
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

	it('falls back to the core’s message for a code the catalog does not know', () => {
		expect(describeError(error('brand_new_code', { message: 'Something new.' }), t())).toBe(
			'Something new.'
		);
	});
});
