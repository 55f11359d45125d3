/**
 * Catalog keys for what the indicators name by key: the age bands (the core's `AGES`), and
 * the reports filters' own names for the fields the core may name in an `invalid` answer.
 * Sex, concerns, outcomes, referral statuses and levels are the case file's words
 * (`./cases`), the kinds of documentation step the register's (`./register`).
 */

/** A child's age on the last day of the period, as the core bands it. */
export const AGE_KEYS: Readonly<Record<string, string>> = {
	'0-5': 'reports.age.upTo5',
	'6-11': 'reports.age.from6',
	'12-14': 'reports.age.from12',
	'15-17': 'reports.age.from15',
	'18+': 'reports.age.adult',
	unknown: 'reports.age.unknown'
};

/** The fields `indicators` and `indicators_export` name when they refuse, as the filters call them. */
export const REPORT_FIELD_KEYS: Readonly<Record<string, string>> = {
	from: 'reports.filters.from',
	to: 'reports.filters.to',
	district: 'reports.filters.district',
	villageId: 'reports.filters.village'
};
