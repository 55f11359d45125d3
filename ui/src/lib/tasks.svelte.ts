/**
 * What the task views share: the count on the navigation's Tasks badge (my tasks that are
 * overdue or due today, as the core counts them). Asked at sign-in and after changes, and
 * set from the core's once-a-day `tasks-due` reminder. Forgotten when the vault locks.
 */
import { ask } from '$lib/cases';
import { onTasksDue, taskCounts, type TaskCounts, type TaskItem } from '$lib/ipc';
import { registerVaultView } from '$lib/stores/vault.svelte';

class TasksBadge {
	/** My tasks that are overdue or due today; 0 shows no badge. */
	count = $state(0);
}

export const tasksBadge = new TasksBadge();

registerVaultView(() => {
	tasksBadge.count = 0;
});

/** How many of these tasks are late or due today (the core says which). */
export function urgentCount(items: readonly TaskItem[]): number {
	return items.filter((item) => item.overdue || item.dueToday).length;
}

/** What the badge shows of the core's counts: my tasks overdue and due today. */
export function badgeCount(counts: TaskCounts): number {
	return counts.overdue + counts.dueToday;
}

/** Asks the core for the counts and sets the badge; on an error the badge stays as it was. */
export async function refreshTasksBadge(): Promise<void> {
	const answer = await ask(() => taskCounts());
	if (answer?.ok) tasksBadge.count = badgeCount(answer.value);
}

/** Sets the badge from each of the core's daily reminders; resolves to the unsubscribe function. */
export function followTasksDue(): Promise<() => void> {
	return onTasksDue((counts) => {
		tasksBadge.count = badgeCount(counts);
	});
}
