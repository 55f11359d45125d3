/** Catalog keys for what the task boards show: stages, priorities, review states. */
import type { Column, Priority, Review, Stage } from '$lib/ipc';
import type { Translate } from '$lib/i18n';

export const STAGE_KEYS: { [S in Stage]: string } = {
	todo: 'tasks.stage.todo',
	in_progress: 'tasks.stage.in_progress',
	review: 'tasks.stage.review',
	done: 'tasks.stage.done'
};

export const PRIORITY_KEYS: { [P in Priority]: string } = {
	low: 'tasks.priority.low',
	normal: 'tasks.priority.normal',
	high: 'tasks.priority.high',
	urgent: 'tasks.priority.urgent'
};

/** A card with no review to do (`none`) shows no review state. */
export const REVIEW_KEYS: { [R in Exclude<Review, 'none'>]: string } = {
	pending: 'tasks.review.pending',
	waiting: 'tasks.review.waiting',
	returned: 'tasks.review.returned',
	approved: 'tasks.review.approved'
};

/** A column's name: the team's own, or its stage's in the reader's language. */
export function columnName(column: Pick<Column, 'name' | 'stage'>, t: Translate): string {
	if (column.name !== null) return column.name;
	return column.stage ? t(STAGE_KEYS[column.stage]) : '';
}

/** The review state's label, or null when the card needs no review. */
export function reviewLabel(review: Review, t: Translate): string | null {
	return review === 'none' ? null : t(REVIEW_KEYS[review]);
}
