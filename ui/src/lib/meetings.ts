/**
 * What the meeting screens share: which committees a reader is offered to plan a meeting of,
 * and members named as the team store names them. Nothing here decides: the core checks
 * every plan and record (a meeting says `mayRun` itself) and refuses anyone else.
 */
import type { Translate } from '$lib/i18n';
import type { Committee, Member } from '$lib/ipc';
import { can } from '$lib/roles';
import { vaultData } from '$lib/stores/vault.svelte';

/**
 * The committees the planning form offers: all of them with `team.manage`, else those the
 * reader chairs or sits on (what the core allows; it still checks the one chosen).
 */
export function committeesToPlan(committees: readonly Committee[]): Committee[] {
	if (can('team.manage')) return [...committees];
	const me = vaultData.member?.id;
	if (!me) return [];
	return committees.filter((committee) => committee.chairId === me || committee.memberIds.includes(me));
}

/** The team's active members, to choose from (a chair, a committee's members, an assignee). */
export function activeMembers(): Member[] {
	return (vaultData.team?.members ?? []).filter((member) => member.status === 'active');
}

/** A member's name from the team store; a member it does not know is "a team member". */
export function memberName(id: string, t: Translate): string {
	return vaultData.team?.members.find((member) => member.id === id)?.displayName ?? t('meetings.unknownMember');
}
