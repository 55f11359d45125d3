/**
 * What the community register's screens share: the columns of a survey file (the core's
 * `import::COLUMNS`, in the template's order) and the template built from them, a child's
 * age from their birth date, and how a village and a place are named. Which child is
 * flagged, what a file may hold and every other rule are the core's.
 */
import type { Translate } from '$lib/i18n';
import type { Place, Village } from '$lib/ipc';

/** The columns of a survey file, as the core reads them (`community/import/mod.rs`). */
export const IMPORT_COLUMNS = [
	'village',
	'moo',
	'household',
	'surveyed_on',
	'volunteer',
	'income_band',
	'parents_away',
	'debt',
	'disability',
	'health_care',
	'other_risks',
	'child_name',
	'sex',
	'birth_date',
	'school',
	'documentation',
	'lives_with'
] as const;

export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** How many children a page of the register shows. */
export const REGISTER_PAGE = 50;

/**
 * An empty survey file: the header row, as UTF-8 with a byte-order mark so that a
 * spreadsheet opens the Thai it is filled with as Thai (the core skips the mark).
 */
export function templateCsv(): Blob {
	return new Blob(['\uFEFF', IMPORT_COLUMNS.join(','), '\r\n'], { type: 'text/csv;charset=utf-8' });
}

/** Whole years from a `YYYY-MM-DD` birth date to `today` (`YYYY-MM-DD`); null if unreadable. */
export function ageOn(birthDate: string, today: string): number | null {
	const born = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
	const now = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
	if (!born || !now) return null;
	let age = Number(now[1]) - Number(born[1]);
	if (now[2] + now[3] < born[2] + born[3]) age -= 1;
	return age < 0 ? null : age;
}

/** The three names a village is placed by (a place of the gazetteer, chosen). */
export interface ChosenPlace {
	subdistrict: string;
	district: string;
	province: string;
}

/** A place as the picker offers it: "sub-district, district, province (postcodes)". */
export function placeLabel(place: ChosenPlace & { postcodes?: Place['postcodes'] }): string {
	const name = `${place.subdistrict}, ${place.district}, ${place.province}`;
	const postcodes = place.postcodes ?? [];
	return postcodes.length > 0 ? `${name} (${postcodes.join(', ')})` : name;
}

/** A village by its Thai name and its number (หมู่), as the team says it. */
export function villageName(village: Village, t: Translate): string {
	return village.moo === null
		? village.nameTh
		: t('register.village.named', { values: { name: village.nameTh, moo: village.moo } });
}

/** A count as typed: a whole number of digits, or null (the core decides what it may be). */
export function wholeNumber(text: string): number | null {
	const trimmed = text.trim();
	return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : null;
}
