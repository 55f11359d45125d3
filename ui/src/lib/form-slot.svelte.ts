/**
 * One form open at a time in a list panel (villages, volunteers, committees): which form
 * (`add`, `edit:<id>`, or none), and the line that says what was saved. Closing a form puts
 * the focus back on the button that opened it; saving closes it, says so on the notice line
 * (which takes the focus) and asks the panel's owner to load the list again.
 */
import { tick } from 'svelte';

export class FormSlot {
	open = $state<string | null>(null);
	notice = $state<string | null>(null);
	noticeLine = $state<HTMLElement | undefined>();

	show(form: string): void {
		this.open = form;
		this.notice = null;
	}

	async close(trigger: string): Promise<void> {
		this.open = null;
		await tick();
		document.getElementById(trigger)?.focus();
	}

	async saved(text: string, changed: () => void): Promise<void> {
		this.open = null;
		this.notice = text;
		changed();
		await tick();
		this.noticeLine?.focus();
	}
}
