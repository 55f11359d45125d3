import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	IpcFailure,
	onVaultLocked,
	passphraseAssess,
	settingsSet,
	toIpcError,
	vaultCreate,
	vaultStatus,
	type LockReason
} from '$lib/ipc';
import { fail, installBackend, status } from './backend';

describe('ipc wrappers', () => {
	it('call the snake_case commands with the argument names the Rust side declares', async () => {
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_create: () => ({ recoveryKey: 'K', status: status('unlocked') })
		});
		await expect(vaultStatus()).resolves.toMatchObject({ state: 'locked' });
		await vaultCreate({ teamName: 'T', displayName: 'D', passphrase: 'P' });
		await passphraseAssess('abc');
		await settingsSet({ language: 'th', autoLockMinutes: null });
		expect(core.calls).toEqual([
			{ cmd: 'vault_status', args: {} },
			{ cmd: 'vault_create', args: { request: { teamName: 'T', displayName: 'D', passphrase: 'P' } } },
			{ cmd: 'passphrase_assess', args: { passphrase: 'abc', context: [] } },
			{ cmd: 'settings_set', args: { patch: { language: 'th', autoLockMinutes: null } } }
		]);
	});

	it('reject with the core’s typed error', async () => {
		installBackend({ vault_status: () => fail('throttled', { retryAfterSecs: 9 }) });
		const thrown = await vaultStatus().catch((e: unknown) => e);
		expect(thrown).toBeInstanceOf(IpcFailure);
		expect(toIpcError(thrown)).toMatchObject({ code: 'throttled', retryAfterSecs: 9 });
	});

	it('turn anything else that goes wrong into an `internal` error', async () => {
		installBackend({
			vault_status: () => {
				throw 'command vault_status not found';
			}
		});
		const thrown = await vaultStatus().catch((e: unknown) => e);
		expect(toIpcError(thrown)).toEqual({
			code: 'internal',
			message: 'command vault_status not found',
			field: null,
			retryAfterSecs: null,
			path: null
		});
		expect(toIpcError(new Error('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
	});

	it('deliver the vault-locked event with its reason', async () => {
		const core = installBackend({});
		const reasons: LockReason[] = [];
		const unlisten = await onVaultLocked((reason) => reasons.push(reason));
		await core.emit('vault-locked', { reason: 'idle' });
		await core.emit('vault-locked', { reason: 'manual' });
		unlisten();
		await core.emit('vault-locked', { reason: 'idle' });
		expect(reasons).toEqual(['idle', 'manual']);
	});
});

describe('the IPC boundary', () => {
	it('only src/lib/ipc imports @tauri-apps', () => {
		const src = join(__dirname, '..', 'src');
		const offenders: string[] = [];
		const walk = (dir: string) => {
			for (const name of readdirSync(dir)) {
				const path = join(dir, name);
				if (statSync(path).isDirectory()) walk(path);
				else if (/\.(svelte|ts|js)$/.test(name)) {
					const inside = relative(src, path).split(sep).join('/').startsWith('lib/ipc/');
					if (!inside && /from\s+['"]@tauri-apps\//.test(readFileSync(path, 'utf8'))) {
						offenders.push(relative(src, path));
					}
				}
			}
		};
		walk(src);
		expect(offenders).toEqual([]);
	});
});
