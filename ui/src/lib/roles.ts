/**
 * Roles are data in the core: built-in ones (fixed ids) show their catalog name and
 * description, custom ones what the lead typed. `can` hides what the member's role does
 * not allow; the core still decides, and refuses with `forbidden`.
 */
import type { Translate } from '$lib/i18n';
import type { Permission, Role } from '$lib/ipc';
import { vaultData } from '$lib/stores/vault.svelte';

/** The ids of the roles every vault starts with (named in the catalog under `roles.*`). */
export const BUILTIN_ROLES = [
	'team_lead',
	'case_worker',
	'police_liaison',
	'health_officer',
	'volunteer_coordinator',
	'viewer'
] as const;

function isBuiltin(role: string): role is (typeof BUILTIN_ROLES)[number] {
	return (BUILTIN_ROLES as readonly string[]).includes(role);
}

/** A role's name: translated for a built-in role, else its name from `roles`, else null. */
export function roleName(role: string, t: Translate, roles: readonly Role[] = []): string | null {
	if (isBuiltin(role)) return t(`roles.${role}`);
	return roles.find((known) => known.id === role)?.name ?? null;
}

/** A role's name for display; an id not in `roles` shows as it is. */
export function roleLabel(role: string, t: Translate, roles: readonly Role[] = []): string {
	return roleName(role, t, roles) ?? role;
}

/**
 * What a role is responsible for: the lead's description when there is one, else the
 * catalog's for a built-in role; null for a custom role without one.
 */
export function roleDescription(role: Role, t: Translate): string | null {
	const typed = role.description?.trim();
	if (typed) return typed;
	return isBuiltin(role.id) ? t(`roleAbout.${role.id}`) : null;
}

/**
 * Whether the signed-in member's role holds `permission`, as the core reported at sign-in.
 * Only for hiding controls: the core checks every call.
 */
export function can(permission: Permission): boolean {
	return vaultData.permissions.includes(permission);
}
