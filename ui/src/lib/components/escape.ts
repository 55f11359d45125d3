/**
 * `use:onEscape={close}`: Escape pressed inside the element (a form opened in place) calls
 * `close`, the same as its Cancel button.
 */
import type { Action } from 'svelte/action';

export const onEscape: Action<HTMLElement, () => void> = (node, close) => {
	let current = close;
	const listener = (event: KeyboardEvent) => {
		if (event.key !== 'Escape' || event.defaultPrevented) return;
		event.preventDefault();
		current?.();
	};
	node.addEventListener('keydown', listener);
	return {
		update(next) {
			current = next;
		},
		destroy() {
			node.removeEventListener('keydown', listener);
		}
	};
};
