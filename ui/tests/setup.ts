import '@testing-library/jest-dom/vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup } from '@testing-library/svelte';
import { afterEach, beforeEach } from 'vitest';
import { setLanguage } from '$lib/i18n';
import { resetAppState } from '$lib/stores/app.svelte';
import { clearAll } from '$lib/stores/vault.svelte';

beforeEach(() => {
	resetAppState();
	clearAll();
	setLanguage('en');
});

afterEach(() => {
	// Unmount first: components unsubscribe from core events through the mocked IPC.
	cleanup();
	clearMocks();
});
