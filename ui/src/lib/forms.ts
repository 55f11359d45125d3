/**
 * What the team's forms share: how a blank optional field is sent, and which field an
 * `invalid` answer from the core is about (its error then shows next to that field).
 */
import { camelCase } from '$lib/i18n';
import type { IpcError } from '$lib/ipc';

/** A blank optional field is sent as absent (null); anything else as typed. */
export function optional(value: string): string | null {
	return value.trim() === '' ? null : value;
}

/** The field (camelCase) the core named in an `invalid` error, or null. */
export function rejectedField(error: IpcError | null): string | null {
	return error?.code === 'invalid' && error.field ? camelCase(error.field) : null;
}

/** The field among `fields` to show `error` next to; null shows it at the end of the form. */
export function errorPlace(error: IpcError | null, fields: readonly string[]): string | null {
	const field = rejectedField(error);
	return field !== null && fields.includes(field) ? field : null;
}
