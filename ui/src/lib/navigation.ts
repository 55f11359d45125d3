/**
 * One section asking another to show a record: the register opens a child's case in the
 * Cases section, a case file shows its child in the register, the home screen's upcoming
 * meetings and a meeting's case review open a meeting or a case. The request waits here until
 * the section it is for takes it as it opens; a lock forgets it (a case file is vault data).
 */
import type { CaseFile } from '$lib/ipc';
import { app } from '$lib/stores/app.svelte';
import { registerVaultView } from '$lib/stores/vault.svelte';

/** A case to show: as the core just answered it (`file`), or to be asked for by its id. */
export interface CaseWanted {
	caseId: string;
	file: CaseFile | null;
}

let caseWanted: CaseWanted | null = null;
let childWanted: string | null = null;
let meetingWanted: string | null = null;

registerVaultView(() => {
	caseWanted = null;
	childWanted = null;
	meetingWanted = null;
});

/** Goes to the Cases section, which opens this case. */
export function showCase(caseId: string, file: CaseFile | null = null): void {
	caseWanted = { caseId, file };
	app.section = 'cases';
}

/** The case the Cases section was asked to open, once (null when none). */
export function takeCaseWanted(): CaseWanted | null {
	const wanted = caseWanted;
	caseWanted = null;
	return wanted;
}

/** Goes to the community register, which shows this child. */
export function showRegisterChild(childId: string): void {
	childWanted = childId;
	app.section = 'register';
}

/** The child the register was asked to show, once (null when none). */
export function takeChildWanted(): string | null {
	const wanted = childWanted;
	childWanted = null;
	return wanted;
}

/** Goes to the Meetings section, which opens this meeting. */
export function showMeeting(meetingId: string): void {
	meetingWanted = meetingId;
	app.section = 'meetings';
}

/** The meeting the Meetings section was asked to open, once (null when none). */
export function takeMeetingWanted(): string | null {
	const wanted = meetingWanted;
	meetingWanted = null;
	return wanted;
}
