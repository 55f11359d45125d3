/**
 * A spending request being written. The funds screen keeps it while the reader looks at
 * another tab of the same fund, so that nothing typed is lost; choosing another fund, or
 * locking (which unmounts the screen), lets it go. It lives in memory only.
 */
export interface RequestDraft {
	lineId: string;
	amount: string;
	purpose: string;
	caseId: string;
	cardId: string;
}

export function emptyDraft(): RequestDraft {
	return { lineId: '', amount: '', purpose: '', caseId: '', cardId: '' };
}
