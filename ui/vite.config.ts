import { sveltekit } from '@sveltejs/kit/vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit(), svelteTesting()],
	// Tauri expects a fixed port in development and shows Rust errors in the terminal.
	clearScreen: false,
	server: { port: 1420, strictPort: true },
	build: { target: 'es2022' },
	test: {
		environment: 'happy-dom',
		include: ['tests/**/*.test.ts', 'src/**/*.test.ts'],
		setupFiles: ['tests/setup.ts'],
		restoreMocks: true
	}
});
