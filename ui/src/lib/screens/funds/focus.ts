/**
 * After the core refused a funds form: the focus goes to the control of the field it named
 * (`ids` maps the core's field names to the form's element ids), so the person can fix it.
 */
export function focusField(root: HTMLElement | undefined, ids: Readonly<Record<string, string>>, field: string | null): void {
	if (!root || field === null || !Object.hasOwn(ids, field)) return;
	root.querySelector<HTMLElement>(`#${ids[field]}`)?.focus();
}
