import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A static single-page app loaded by Tauri from ui/build (frontendDist).
		adapter: adapter({ pages: 'build', assets: 'build', strict: true }),
		// The app is offline: no remote asset, no service worker.
		serviceWorker: { register: false }
	}
};

export default config;
