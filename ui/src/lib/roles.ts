/** The catalog's name for a member's role; roles are data in the core, so unknown ones show as they are. */
import type { Translate } from '$lib/i18n';
import en from '$lib/i18n/en.json';

export function roleLabel(role: string, t: Translate): string {
	const key = role.trim().toLowerCase().replace(/[\s-]+/g, '_');
	return Object.hasOwn(en.roles, key) ? t(`roles.${key}`) : role;
}
