/**
 * What the task views share: the count on the navigation's Tasks badge (my tasks that are
 * overdue or due today, as the core marks them). Forgotten when the vault locks.
 */
import { ask } from '$lib/cases';
import { myTasks, type TaskItem } from '$lib/ipc';
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

/** Asks the core for all my tasks and sets the badge; on an error the badge stays as it was. */
export async function refreshTasksBadge(): Promise<void> {
	const answer = await ask(() => myTasks({ due: null, caseId: null, boardId: null }));
	if (answer?.ok) tasksBadge.count = urgentCount(answer.value);
}
