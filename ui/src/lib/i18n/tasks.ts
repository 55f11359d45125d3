/**
 * Catalog keys for what the task boards show: stages, priorities, review states, and a
 * card's history as sentences.
 */
import type { CardEvent, Column, Priority, Review, Stage } from '$lib/ipc';
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

/** The fields an `edited` line of a card's history names, as the core names them. */
export const CARD_FIELD_KEYS: Readonly<Record<string, string>> = {
	title: 'tasks.card.field.title',
	description: 'tasks.card.field.description',
	case_id: 'tasks.card.field.case_id',
	agency_id: 'tasks.card.field.agency_id',
	starts_on: 'tasks.card.field.starts_on',
	due_on: 'tasks.card.field.due_on',
	priority: 'tasks.card.field.priority',
	reviewer_id: 'tasks.card.field.reviewer_id',
	assignee_ids: 'tasks.card.field.assignee_ids',
	labels: 'tasks.card.field.labels',
	checklist: 'tasks.card.field.checklist'
};

/** What a history line names by id, looked up by the view that shows it (null: not known). */
export interface CardEventNames {
	member: (id: string) => string | null;
	column: (id: string) => string | null;
	item: (id: string) => string | null;
}

/** An event's detail (JSON text from the core) as an object; anything else as an empty one. */
function parseDetail(detail: string): Record<string, unknown> {
	try {
		const value: unknown = JSON.parse(detail);
		return typeof value === 'object' && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: {};
	} catch {
		return {};
	}
}

function named(value: unknown, lookup: (id: string) => string | null): string | null {
	return typeof value === 'string' && value !== '' ? lookup(value) : null;
}

/**
 * A line of a card's history as a sentence in the reader's language: who did what ("Malee
 * moved it to Done", "Anan edited title, due date"). Details the core did not send, or that
 * name something no longer known, leave the sentence shorter; an unknown kind still says
 * that the actor changed the card.
 */
export function describeCardEvent(event: CardEvent, names: CardEventNames, t: Translate): string {
	const detail = parseDetail(event.detail);
	const name = names.member(event.actor) ?? t('tasks.card.someone');
	switch (event.kind) {
		case 'created': {
			const column = named(detail.column_id, names.column);
			return column
				? t('tasks.card.event.createdIn', { values: { name, column } })
				: t('tasks.card.event.created', { values: { name } });
		}
		case 'moved': {
			const column = named(detail.to, names.column);
			return column
				? t('tasks.card.event.movedTo', { values: { name, column } })
				: t('tasks.card.event.moved', { values: { name } });
		}
		case 'review':
			switch (detail.review) {
				case 'approved':
					return t('tasks.card.event.approved', { values: { name } });
				case 'returned':
					return t('tasks.card.event.returned', { values: { name } });
				case 'waiting':
					return t('tasks.card.event.waiting', { values: { name } });
				case 'pending':
					return t('tasks.card.event.pending', { values: { name } });
				case 'none':
					return t('tasks.card.event.reviewNone', { values: { name } });
				default:
					return t('tasks.card.event.other', { values: { name } });
			}
		case 'edited': {
			const fields = Array.isArray(detail.fields)
				? detail.fields
						.filter((field): field is string => typeof field === 'string')
						.map((field) => (Object.hasOwn(CARD_FIELD_KEYS, field) ? t(CARD_FIELD_KEYS[field]) : field))
				: [];
			return fields.length > 0
				? t('tasks.card.event.editedFields', { values: { name, fields: fields.join(', ') } })
				: t('tasks.card.event.edited', { values: { name } });
		}
		case 'checklist': {
			const item = named(detail.item, names.item);
			if (detail.done === false) {
				return item
					? t('tasks.card.event.untickedItem', { values: { name, item } })
					: t('tasks.card.event.unticked', { values: { name } });
			}
			return item
				? t('tasks.card.event.tickedItem', { values: { name, item } })
				: t('tasks.card.event.ticked', { values: { name } });
		}
		case 'comment':
			return t('tasks.card.event.comment', { values: { name } });
		case 'attachment': {
			const file = typeof detail.file_name === 'string' && detail.file_name !== '' ? detail.file_name : null;
			return file
				? t('tasks.card.event.attachmentFile', { values: { name, file } })
				: t('tasks.card.event.attachment', { values: { name } });
		}
		case 'handover': {
			const from = named(detail.from, names.member);
			const to = named(detail.to, names.member);
			const note = typeof detail.note === 'string' && detail.note.trim() !== '' ? detail.note : null;
			if (from && to) {
				return note
					? t('tasks.card.event.handoverToNote', { values: { name, from, to, note } })
					: t('tasks.card.event.handoverTo', { values: { name, from, to } });
			}
			return note
				? t('tasks.card.event.handoverNote', { values: { name, note } })
				: t('tasks.card.event.handover', { values: { name } });
		}
		case 'deleted':
			return t('tasks.card.event.deleted', { values: { name } });
		default:
			return t('tasks.card.event.other', { values: { name } });
	}
}
