/**
 * Message catalogs (svelte-i18n) and locale-aware formatting.
 *
 * Every string a person reads comes from `en.json` / `th.json`; components use `$_` with a catalog key.
 * The active language follows the core's `settings.language`.
 */
import { addMessages, init, locale, _ } from 'svelte-i18n';
import type {
	AuditBreak,
	AuditWarning,
	BackupFault,
	BackupPhase,
	ErrorCode,
	IpcError,
	Language,
	PassphraseProblem,
	Remedy
} from '$lib/ipc';
import en from './en.json';
import th from './th.json';

addMessages('en', en);
addMessages('th', th);
init({ fallbackLocale: 'en', initialLocale: 'en' });

export { _, locale };

export const LANGUAGES: readonly Language[] = ['en', 'th'];

/** Switches every label to `language` and tells assistive technology the page language. */
export function setLanguage(language: Language): void {
	locale.set(language);
	if (typeof document !== 'undefined') document.documentElement.lang = language;
}

/** The BCP 47 locale used for dates and numbers: Thai shows Buddhist-era years. */
export function intlLocale(language: string): string {
	return language === 'th' ? 'th-TH' : 'en-GB';
}

/**
 * One formatter per language and options, made once: making an `Intl.DateTimeFormat` costs
 * far more than using one, and a board formats a date on every card it draws.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function dateFormat(language: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	const locale = intlLocale(language);
	const key = `${locale}|${JSON.stringify(options)}`;
	let format = formatters.get(key);
	if (format === undefined) {
		format = new Intl.DateTimeFormat(locale, options);
		formatters.set(key, format);
	}
	return format;
}

/** A date in the user's language, e.g. "3 March 2026" or "3 มีนาคม 2569". */
export function formatDate(
	date: Date | string | number,
	language: string,
	style: 'long' | 'medium' | 'short' | 'full' = 'long'
): string {
	const value = date instanceof Date ? date : new Date(date);
	return dateFormat(language, { dateStyle: style }).format(value);
}

/**
 * A calendar day the core keeps as `YYYY-MM-DD` (a birth date, a referral's date), read as
 * that day here rather than as midnight UTC; anything else shows as it is.
 */
export function formatDay(
	day: string,
	language: string,
	style: 'long' | 'medium' | 'short' | 'full' = 'medium'
): string {
	const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!parts) return day;
	return formatDate(new Date(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]), 12), language, style);
}

/** A month the core keeps as `YYYY-MM`, e.g. "Mar 2026" or "มี.ค. 2569"; anything else as it is. */
export function formatMonth(month: string, language: string): string {
	const parts = /^(\d{4})-(\d{2})$/.exec(month);
	if (!parts) return month;
	return dateFormat(language, { year: 'numeric', month: 'short' }).format(
		new Date(Number(parts[1]), Number(parts[2]) - 1, 15, 12)
	);
}

/** A year in the user's language: Thai shows the Buddhist-era year (2014 is 2557). */
export function formatYear(year: number, language: string): string {
	return dateFormat(language, { year: 'numeric' }).format(new Date(year, 6, 1));
}

/** A moment in the user's language, e.g. "3 Mar 2026, 14:05:09" or "3 มี.ค. 2569 14:05:09". */
export function formatDateTime(date: Date | string | number, language: string): string {
	const value = date instanceof Date ? date : new Date(date);
	return dateFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(value);
}

/**
 * A local day and time the core keeps as `YYYY-MM-DDTHH:MM` (when a meeting starts), read as
 * that time here rather than in UTC, e.g. "3 Mar 2026, 09:30" or "3 มี.ค. 2569 09:30";
 * anything else shows as it is.
 */
export function formatLocalTime(value: string, language: string): string {
	const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
	if (!parts) return value;
	const [, year, month, day, hour, minute] = parts.map(Number);
	return dateFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(
		new Date(year, month - 1, day, hour, minute)
	);
}

/** A size in megabytes, one decimal, e.g. "12.3 MB" ("0.1 MB" at least, for a file not empty). */
export function formatMegabytes(bytes: number, language: string): string {
	const megabytes = bytes > 0 ? Math.max(bytes / 1_000_000, 0.1) : 0;
	const number = new Intl.NumberFormat(intlLocale(language), {
		minimumFractionDigits: 1,
		maximumFractionDigits: 1
	}).format(megabytes);
	return `${number} MB`;
}

/** The shape of svelte-i18n's `$_` formatter, as components pass it in. */
export type Translate = (
	id: string,
	options?: { values?: Record<string, string | number | boolean | Date | null | undefined> }
) => string;

/** Catalog key for each error code the core knows; a new code in Rust must be added here. */
const ERROR_KEYS: { [Code in ErrorCode]: string } = {
	locked: 'errors.locked',
	forbidden: 'errors.forbidden',
	not_found: 'errors.not_found',
	invalid: 'errors.invalid',
	conflict: 'errors.conflict',
	invalid_credentials: 'errors.invalid_credentials',
	throttled: 'errors.throttled',
	corrupt: 'errors.corrupt',
	device_not_enrolled: 'errors.device_not_enrolled',
	keyring_unavailable: 'errors.keyring_unavailable',
	internal: 'errors.internal',
	passphrase_change_required: 'errors.passphrase_change_required',
	offline: 'errors.offline',
	relay_refused: 'errors.relay_refused',
	backup_refused: 'errors.backup_refused'
};

/**
 * Catalog key for each reason the core refuses a file as a backup (each says what to do);
 * a new reason in Rust must be added here.
 */
export const BACKUP_FAULT_KEYS: { [Fault in BackupFault]: string } = {
	not_a_backup: 'errors.backup.not_a_backup',
	newer_format: 'errors.backup.newer_format',
	damaged: 'errors.backup.damaged',
	truncated: 'errors.backup.truncated',
	other_vault: 'errors.backup.other_vault',
	failed_checks: 'errors.backup.failed_checks'
};

/**
 * Catalog key for a damaged file, by what can be done about it (with `{path}`; the same key
 * with `_unknown` when the core named no file). A new remedy in Rust must be added here.
 */
export const CORRUPT_KEYS: { [R in Remedy]: string } = {
	recovery_key: 'errors.corrupt_recovery_key',
	backup: 'errors.corrupt_backup'
};

/** Catalog key for each phase of a backup or a restore; a new phase in Rust must be added here. */
export const BACKUP_PHASE_KEYS: { [Phase in BackupPhase]: string } = {
	writing: 'backup.phase.writing',
	unpacking: 'backup.phase.unpacking',
	checking: 'backup.phase.checking'
};

/** Catalog key for each passphrase problem the core reports; a new one in Rust must be added here. */
export const PROBLEM_KEYS: { [Problem in PassphraseProblem]: string } = {
	empty: 'strength.problem.empty',
	too_short: 'strength.problem.too_short',
	too_long: 'strength.problem.too_long',
	too_common: 'strength.problem.too_common',
	too_guessable: 'strength.problem.too_guessable'
};

/**
 * Catalog key for each way the audit log's chain can break (`{seq}`, or `{expected}` for a
 * gap); a new kind in Rust must be added here.
 */
export const AUDIT_BREAK_KEYS: { [Kind in AuditBreak['kind']]: string } = {
	altered: 'audit.altered',
	unlinked: 'audit.unlinked',
	gap: 'audit.gap'
};

/** What to tell a team lead about a broken audit log: which entry, and how. */
export function describeAuditWarning(warning: AuditWarning, t: Translate): string {
	const problem = warning.problem;
	switch (problem.kind) {
		case 'gap':
			return t(AUDIT_BREAK_KEYS.gap, { values: { expected: problem.expected } });
		default:
			return t(AUDIT_BREAK_KEYS[problem.kind], { values: { seq: warning.seq } });
	}
}

/**
 * Field names the core may report, in the catalog under `fields.*` (a case's people under
 * `fields.subject.*` and `fields.others.*`).
 */
export const FIELD_KEYS = [
	'teamName',
	'displayName',
	'signInName',
	'passphrase',
	'newPassphrase',
	'recoveryKey',
	'current',
	'new',
	'autoLockMinutes',
	'language',
	'role',
	'discipline',
	'agencyId',
	'phone',
	'email',
	'status',
	'firstPassphrase',
	'memberId',
	'fromMemberId',
	'toMemberId',
	'note',
	'name',
	'kind',
	'district',
	'province',
	'contact',
	'description',
	'permissions',
	'from',
	'to',
	'utcOffsetMinutes',
	'limit',
	'party',
	'subject.party',
	'subject.name',
	'subject.relation',
	'subject.alias',
	'subject.sex',
	'subject.birthDate',
	'subject.birthYearEstimate',
	'subject.nationality',
	'subject.documentation',
	'subject.languages',
	'subject.village',
	'subject.contact',
	'others.party',
	'others.name',
	'others.relation',
	'others.alias',
	'others.sex',
	'others.birthDate',
	'others.birthYearEstimate',
	'others.nationality',
	'others.documentation',
	'others.languages',
	'others.village',
	'others.contact',
	'concerns',
	'risk',
	'level',
	'duplicatesReviewed',
	'caseId',
	'personId',
	'section',
	'body',
	'outcome',
	'responsibility',
	'toLevel',
	'toAgencyId',
	'reason',
	'referredOn',
	'consentOverrideReason',
	'referralId',
	'givenBy',
	'givenOn',
	'shareWith',
	'fileName',
	'content',
	'query',
	'columnId',
	'comment',
	'title',
	'dueOn',
	'priority',
	'reviewerId',
	'assigneeIds',
	'cardId',
	'startsOn',
	'labels',
	'checklist',
	'itemId'
] as const;

/** A name the core sent in snake_case (or kebab-case) as camelCase: `team_name` → `teamName`. */
export function camelCase(name: string): string {
	return name.replace(/[_-]([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/**
 * A screen's own names for the fields its forms send (camelCase field → catalog key), for a
 * field whose general name would mislead there (a fund's `description` is not a role's).
 */
export type FieldLabels = Readonly<Record<string, string>>;

/**
 * The catalog's name for a field the core named (camelCase or snake_case): the screen's own
 * (`fields`) first, else the general one, else the raw name.
 */
export function fieldLabel(field: string, t: Translate, fields: FieldLabels = {}): string {
	const key = camelCase(field);
	if (Object.hasOwn(fields, key)) return t(fields[key]);
	return (FIELD_KEYS as readonly string[]).includes(key) ? t(`fields.${key}`) : field;
}

/**
 * What to tell a person about an error: the catalog text for its code, with the field,
 * the seconds to wait or the file path filled in. `overrides` lets a screen say it more
 * precisely (e.g. "the recovery key is not correct"), and `fields` name its fields. Unknown
 * codes show the core's message.
 */
export function describeError(
	error: IpcError,
	t: Translate,
	overrides: Partial<Record<ErrorCode, string>> = {},
	fields: FieldLabels = {}
): string {
	const code = error.code;
	if (!Object.hasOwn(ERROR_KEYS, code)) return error.message;
	const override = overrides[code];
	if (override) return t(override);
	switch (code) {
		case 'invalid':
			return error.field
				? t('errors.invalid_field', { values: { field: fieldLabel(error.field, t, fields) } })
				: t('errors.invalid');
		case 'throttled':
			return error.retryAfterSecs != null
				? t('errors.throttled', { values: { seconds: Math.ceil(error.retryAfterSecs) } })
				: t('errors.throttled_unknown');
		case 'corrupt': {
			const key = error.remedy ? CORRUPT_KEYS[error.remedy] : 'errors.corrupt';
			return error.path
				? t(key, { values: { path: error.path } })
				: t(`${key}_unknown`);
		}
		case 'backup_refused':
			return t(error.backupFault ? BACKUP_FAULT_KEYS[error.backupFault] : 'errors.backup_refused');
		case 'relay_refused':
			// The relay's reason (a used invite, a revoked laptop) is what a person acts on.
			return t('errors.relay_refused', { values: { message: error.message } });
		default:
			return t(ERROR_KEYS[code]);
	}
}

/**
 * What to tell a person about an error the core kept as its code only (the last daily
 * backup's): the code's catalog text, whether written `invalid_credentials` or
 * `invalidcredentials`; a code not known shows as it is.
 */
export function describeErrorCode(code: string, t: Translate): string {
	const bare = (name: string) => name.replace(/[_-]/g, '').toLowerCase();
	const known = (Object.keys(ERROR_KEYS) as ErrorCode[]).find((name) => bare(name) === bare(code));
	if (!known) return code;
	return describeError(
		{
			code: known,
			message: code,
			field: null,
			retryAfterSecs: null,
			path: null,
			remedy: null,
			backupFault: null
		},
		t
	);
}
