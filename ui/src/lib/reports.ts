/**
 * What the reports screen shares: its default period, the districts and villages its filters
 * offer, how a count reads (a hidden one as "fewer than 5"), what each row of a table is
 * called, and the charts' data. Every count, share and amount is the core's: nothing is
 * added up here, and a hidden count is never worked out.
 */
import { localToday } from '$lib/cases';
import { appColour, paletteColour, type BarChartData } from '$lib/charts';
import type { Translate } from '$lib/i18n';
import { CONCERN_KEYS, LEVEL_KEYS, OUTCOME_KEYS, REFERRAL_STATUS_KEYS, SEX_KEYS } from '$lib/i18n/cases';
import { STEP_KIND_KEYS } from '$lib/i18n/register';
import { AGE_KEYS } from '$lib/i18n/reports';
import { labelFrom } from '$lib/i18n/team';
import type { Cell, CountRow, Indicators, MoneyRow, ReferralRow, Village } from '$lib/ipc';

/** Counts below this are hidden from a reader who does not oversee every case (the core's `SMALL_CELL`). */
export const SMALL_CELL = 5;

/** The tables of counts, by the name their rows carry (`data-table`). */
export type CountTable = 'sex' | 'age' | 'concern' | 'outcome' | 'documentation';

const COUNT_KEYS: { [T in CountTable]: Readonly<Record<string, string>> } = {
	sex: SEX_KEYS,
	age: AGE_KEYS,
	concern: CONCERN_KEYS,
	outcome: OUTCOME_KEYS,
	documentation: STEP_KIND_KEYS
};

/** The statuses of a referral, in the order its table and its stacked bars show them. */
export const REFERRAL_STATUSES = ['sent', 'accepted', 'declined', 'done'] as const;

/** A row of a table as shown: its key, its name in the reader's language, its count. */
export interface NamedCount {
	key: string;
	label: string;
	count: Cell;
}

/** A headline figure: its element's test id, its name, and its text (the figure alone). */
export interface Figure {
	testid: string;
	label: string;
	text: string;
	/** Muted: a count the core hid, or a figure there is none of. */
	quiet?: boolean;
}

/** From 1 January of this year to today, on this computer. */
export function defaultPeriod(now: Date = new Date()): { from: string; to: string } {
	const to = localToday(now);
	return { from: `${to.slice(0, 4)}-01-01`, to };
}

/** The districts the team's villages are in, each once, in Thai order. */
export function districtsOf(villages: readonly Village[]): string[] {
	return [...new Set(villages.map((village) => village.district))].sort((a, b) => a.localeCompare(b, 'th'));
}

/** The villages of `district`, or every village when none is chosen (''). */
export function villagesIn(villages: readonly Village[], district: string): Village[] {
	return district === '' ? [...villages] : villages.filter((village) => village.district === district);
}

/** Whether the core hid this count from the reader. */
export function isHidden(cell: Cell): boolean {
	return cell.suppressed || cell.value === null;
}

/** A count as it reads: the number, or "fewer than 5" when hidden. */
export function cellText(cell: Cell, t: Translate): string {
	return isHidden(cell) ? t('reports.fewerThanFive') : String(cell.value);
}

/** A count as a headline figure. */
export function cellFigure(testid: string, label: string, cell: Cell, t: Translate): Figure {
	return { testid, label, text: cellText(cell, t), quiet: isHidden(cell) };
}

/** A bar's length: the count, or none when hidden (no bar rather than a guess). */
export function barValue(cell: Cell): number | null {
	return isHidden(cell) ? null : cell.value;
}

/** The rows of a table of counts, named: the core's label (an id's name), else the catalog's words for the key. */
export function namedCounts(table: CountTable, rows: readonly CountRow[], t: Translate): NamedCount[] {
	return rows.map((row) => ({
		key: row.key,
		label: row.label ?? labelFrom(COUNT_KEYS[table], row.key, t),
		count: row.count
	}));
}

/** Where a referral went: the agency's name, or the level (`level:district`) when none was named. */
export function referralLabel(row: ReferralRow, t: Translate): string {
	if (row.label) return row.label;
	if (row.key.startsWith('level:')) {
		const level = labelFrom(LEVEL_KEYS, row.key.slice('level:'.length), t);
		return t('reports.referrals.toLevel', { values: { level } });
	}
	return row.key;
}

/** The place a report is about, as its heading says it. */
export function placeText(report: Indicators, t: Translate): string {
	if (report.villageName) {
		return report.district
			? t('reports.place.village', { values: { village: report.villageName, district: report.district } })
			: report.villageName;
	}
	if (report.district) return t('reports.place.district', { values: { district: report.district } });
	return t('reports.place.all');
}

/** A share the core gave in thousandths, as a percentage ("62.5%"). */
export function shareText(permille: number, t: Translate): string {
	return t('funds.contributors.percent', { values: { percent: (permille / 10).toFixed(1) } });
}

/** A share on a chart's axis, short in either language ("10%", "2.5%"). */
function axisShare(permille: number, locale: string): string {
	return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(permille / 1000);
}

/** One bar a row, in the app's main colour. */
export function countChart(rows: readonly NamedCount[], series: string, locale: string): BarChartData {
	return {
		// A hidden count has no bar: its name says why ("Male (<5)"), the table says it in words.
		labels: rows.map((row) => (isHidden(row.count) ? `${row.label} (<${SMALL_CELL})` : row.label)),
		series: [{ label: series, values: rows.map((row) => barValue(row.count)), colour: appColour('primary') }],
		locale
	};
}

/** One bar an agency or level, its statuses stacked. */
export function referralChart(rows: readonly ReferralRow[], t: Translate, locale: string): BarChartData {
	const colours: { [S in (typeof REFERRAL_STATUSES)[number]]: string } = {
		// Sent and not yet answered: a lighter blue than accepted.
		sent: '#5b8fc7',
		accepted: appColour('primary'),
		declined: appColour('danger'),
		done: appColour('success')
	};
	return {
		labels: rows.map((row) => referralLabel(row, t)),
		series: REFERRAL_STATUSES.map((status) => ({
			label: t(REFERRAL_STATUS_KEYS[status]),
			values: rows.map((row) => barValue(row[status])),
			colour: colours[status]
		})),
		stacked: true,
		locale
	};
}

/**
 * One bar an agency (or a line): its share of the period's money in thousandths, as the
 * core gave it (no amount is turned into a number here); `describe` is a bar's tooltip,
 * with the core's amounts.
 */
export function moneyChart(
	rows: readonly MoneyRow[],
	series: string,
	palette: readonly string[],
	describe: (row: MoneyRow) => string,
	t: Translate,
	locale: string
): BarChartData {
	return {
		labels: rows.map((row) => row.label),
		series: [{ label: series, values: rows.map((row) => row.permille), colour: rows.map((_row, i) => paletteColour(palette, i)) }],
		tick: (value) => axisShare(value, locale),
		tooltip: (_series, index) => describe(rows[index]),
		locale
	};
}
