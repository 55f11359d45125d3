import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import RecoveryKey, { recoveryKeyLines } from '$lib/screens/RecoveryKey.svelte';
import { vaultData } from '$lib/stores/vault.svelte';

const KEY = 'RGW4-ES19-6K9E-GP2F-Z8XR-T7TY-91FJ-S7S8';

function showKey(key: string) {
	vaultData.recoveryKey = key;
	render(RecoveryKey);
	return screen.getByTestId('recovery-key');
}

/** Every text node under `element`, in order. */
function textNodes(element: Node): string[] {
	const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
	const out: string[] = [];
	while (walker.nextNode()) out.push(walker.currentNode.textContent ?? '');
	return out;
}

describe('recovery key page', () => {
	it('lays the key out as two lines of four groups', () => {
		const key = showKey(KEY);

		const lines = within(key).getAllByTestId('recovery-key-line');
		expect(lines).toHaveLength(2);
		const groups = lines.map((line) =>
			[...line.querySelectorAll('.group')].map((group) => group.textContent)
		);
		expect(groups).toEqual([
			['RGW4', 'ES19', '6K9E', 'GP2F'],
			['Z8XR', 'T7TY', '91FJ', 'S7S8']
		]);
		// The lines sit side by side in the markup; CSS puts each on its own line.
		expect(lines[0].parentElement).toBe(key);
		expect(lines[1].parentElement).toBe(key);
	});

	it('keeps exactly the key as the element’s text: dashes, no spaces, no line breaks', () => {
		const key = showKey(KEY);

		expect(key.textContent).toBe(KEY);
		expect(key.textContent).toHaveLength(39);
		expect(key.textContent?.split('-')).toHaveLength(8);
		expect(textNodes(key).join('')).toBe(KEY);
		expect(textNodes(key).every((text) => !/\s/.test(text))).toBe(true);
		// The dash joining the two lines is in the text; only its paint is hidden.
		expect(within(key).getAllByTestId('recovery-key-line')[0].textContent).toBe('RGW4-ES19-6K9E-GP2F-');
		expect(key.querySelectorAll('.joint')).toHaveLength(1);
	});

	it('shows a key of another shape unchanged', () => {
		expect(showKey('NEWK-EY00-1234').textContent).toBe('NEWK-EY00-1234');
		expect(screen.getAllByTestId('recovery-key-line')).toHaveLength(1);
	});

	it('splits into lines of four groups that join back into the key', () => {
		expect(recoveryKeyLines(KEY)).toEqual([
			['RGW4', 'ES19', '6K9E', 'GP2F'],
			['Z8XR', 'T7TY', '91FJ', 'S7S8']
		]);
		for (const key of [KEY, 'NEWK-EY00-1234', 'A-B-C-D-E-F-G-H-I', 'NODASHES']) {
			expect(
				recoveryKeyLines(key)
					.map((line) => line.join('-'))
					.join('-')
			).toBe(key);
		}
	});
});
