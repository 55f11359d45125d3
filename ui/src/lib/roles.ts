/** The catalog's name for a member's role; roles are data in the core, so unknown ones show as they are. */
import type { Translate } from '$lib/i18n';
import en from '$lib/i18n/en.json';

export function roleLabel(role: string, t: Translate): string {
	const key = role.trim().toLowerCase().replace(/[\s-]+/g, '_');
	return Object.hasOwn(en.roles, key) ? t(`roles.${key}`) : role;
}

/** The role the core gives a team lead (`ROLE_TEAM_LEAD`). */
export const TEAM_LEAD = 'team_lead';

/**
 * Whether to offer what only a team lead may do. The UI only hides the control: the core
 * decides, and refuses anyone else with `forbidden`.
 */
export function isTeamLead(member: { role: string } | null | undefined): boolean {
	return member?.role === TEAM_LEAD;
}
