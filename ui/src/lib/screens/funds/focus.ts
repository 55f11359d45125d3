/**
 * After the core refused a funds form: the focus goes to the control of the field it named
 * (`ids` maps the core's field names to the form's element ids), so the person can fix it.
 */
export function focusField(root: HTMLElement | undefined, ids: Readonly<Record<string, string>>, field: string | null): void {
	if (!root || field === null || !Object.hasOwn(ids, field)) return;
	root.querySelector<HTMLElement>(`#${ids[field]}`)?.focus();
}

/**
 * After a list was asked for again: when the element that had the focus left the page (a
 * decided request left the queue, a paid one lost its Pay button), the focus goes to `root`
 * rather than getting lost.
 */
export function keepFocusIn(root: HTMLElement | undefined): void {
	const active = document.activeElement;
	if (root && (active === null || active === document.body || !active.isConnected)) root.focus();
}
