/**
 * Catalog keys for the meetings' closed lists (a committee's kind and frequency, a meeting's
 * status, an attendee's attendance, the sections a review's minutes may go in) and the names
 * of the fields the meetings' commands name when they refuse. The maps typed over a generated
 * union fail `npm run check` when Rust adds a value; their key order is the order the UI
 * offers them in.
 */
import type { Attendance, CommitteeKind, Frequency, MeetingStatus, Section } from '$lib/ipc';

export const COMMITTEE_KIND_KEYS: { [K in CommitteeKind]: string } = {
	committee: 'meetings.committeeKind.committee',
	working_group: 'meetings.committeeKind.working_group'
};

export const FREQUENCY_KEYS: { [F in Frequency]: string } = {
	weekly: 'meetings.frequency.weekly',
	fortnightly: 'meetings.frequency.fortnightly',
	monthly: 'meetings.frequency.monthly',
	quarterly: 'meetings.frequency.quarterly',
	as_needed: 'meetings.frequency.as_needed'
};

export const MEETING_STATUS_KEYS: { [S in MeetingStatus]: string } = {
	planned: 'meetings.status.planned',
	held: 'meetings.status.held',
	cancelled: 'meetings.status.cancelled'
};

export const ATTENDANCE_KEYS: { [A in Attendance]: string } = {
	invited: 'meetings.attendance.invited',
	present: 'meetings.attendance.present',
	apologies: 'meetings.attendance.apologies',
	absent: 'meetings.attendance.absent'
};

/** The sections a case review's minutes may be written in, in the order they are offered. */
export const REVIEW_SECTIONS: readonly Section[] = ['general', 'social', 'health', 'police'];

/** The meetings' own names for the fields their commands may name (see `fieldLabel`). */
export const MEETING_FIELD_KEYS: Readonly<Record<string, string>> = {
	name: 'meetings.fields.name',
	kind: 'meetings.fields.kind',
	frequency: 'meetings.fields.frequency',
	chairId: 'meetings.fields.chairId',
	memberIds: 'meetings.fields.memberIds',
	committeeId: 'meetings.fields.committeeId',
	startsAt: 'meetings.fields.startsAt',
	minutesLong: 'meetings.fields.minutesLong',
	place: 'meetings.fields.place',
	agenda: 'meetings.fields.agenda',
	title: 'meetings.fields.title',
	caseId: 'meetings.fields.caseId',
	attendees: 'meetings.fields.attendees',
	minutes: 'meetings.fields.minutes',
	status: 'meetings.fields.status',
	itemId: 'meetings.fields.itemId',
	section: 'meetings.fields.section',
	body: 'meetings.fields.body',
	text: 'meetings.fields.text',
	dueOn: 'meetings.fields.dueOn',
	assigneeIds: 'meetings.fields.assigneeIds'
};
