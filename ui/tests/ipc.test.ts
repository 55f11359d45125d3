import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	IpcFailure,
	onVaultLocked,
	passphraseAssess,
	recoveryKeyRegenerate,
	settingsSet,
	toIpcError,
	vaultCreate,
	vaultStatus,
	vaultUnlock,
	type LockReason
} from '$lib/ipc';
import { fail, installBackend, status, unlocked } from './backend';

describe('ipc wrappers', () => {
	it('call the snake_case commands with the argument names the Rust side declares', async () => {
		const core = installBackend({
			vault_status: () => status('locked'),
			vault_create: () => ({ recoveryKey: 'K', status: status('unlocked') }),
			vault_unlock: () => unlocked('NEW-KEY'),
			recovery_key_regenerate: () => 'KEY-2'
		});
		await expect(vaultStatus()).resolves.toMatchObject({ state: 'locked' });
		await vaultCreate({ teamName: 'T', displayName: 'D', signInName: 's', passphrase: 'P' });
		await expect(vaultUnlock({ signInName: 's', passphrase: 'P' })).resolves.toMatchObject({
			status: { state: 'unlocked' },
			newRecoveryKey: 'NEW-KEY'
		});
		await expect(recoveryKeyRegenerate({ passphrase: 'P' })).resolves.toBe('KEY-2');
		await passphraseAssess('abc');
		await settingsSet({ language: 'th', autoLockMinutes: null });
		expect(core.calls).toEqual([
			{ cmd: 'vault_status', args: {} },
			{
				cmd: 'vault_create',
				args: { request: { teamName: 'T', displayName: 'D', signInName: 's', passphrase: 'P' } }
			},
			{ cmd: 'vault_unlock', args: { request: { signInName: 's', passphrase: 'P' } } },
			{ cmd: 'recovery_key_regenerate', args: { request: { passphrase: 'P' } } },
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

	it('keep the remedy of a damaged file, and only the remedies the core knows', () => {
		const corrupt = { code: 'corrupt', message: 'damaged', path: '/d/keys.slot' };
		expect(toIpcError({ ...corrupt, remedy: 'recovery_key' })).toMatchObject({
			path: '/d/keys.slot',
			remedy: 'recovery_key'
		});
		expect(toIpcError({ ...corrupt, remedy: 'backup' }).remedy).toBe('backup');
		expect(toIpcError({ ...corrupt, remedy: 'reinstall' }).remedy).toBeNull();
		expect(toIpcError(corrupt).remedy).toBeNull();
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
			path: null,
			remedy: null
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
