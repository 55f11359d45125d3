/**
 * What the case screens share: asking the core so that a lock in between drops the answer
 * (and its error), today's date as the core takes it, and turning files into base64 and
 * back. The rules about cases are all in the core; nothing here decides what a member may
 * see or do.
 */
import { toIpcError, type IpcError } from '$lib/ipc';
import { lockEpoch, lockedSince } from '$lib/stores/vault.svelte';

/** The core's answer, or its error. */
export type Answer<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/**
 * Asks the core. Resolves to its answer or its error, or to null when the vault was
 * locked meanwhile: the caller then drops everything, so no vault data comes back.
 */
export async function ask<T>(call: () => Promise<T>): Promise<Answer<T> | null> {
	const epoch = lockEpoch();
	try {
		const value = await call();
		return lockedSince(epoch) ? null : { ok: true, value };
	} catch (thrown) {
		return lockedSince(epoch) ? null : { ok: false, error: toIpcError(thrown) };
	}
}

/** Today on this computer as `YYYY-MM-DD` (the default date of a referral or a consent). */
export function localToday(now: Date = new Date()): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A file's bytes as base64 (what `caseAttachmentAdd` takes), without the `data:` prefix. */
export function readAsBase64(file: Blob): Promise<string> {
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => {
			const url = typeof reader.result === 'string' ? reader.result : '';
			const comma = url.indexOf(',');
			resolve(comma === -1 ? url : url.slice(comma + 1));
		};
		reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
		reader.readAsDataURL(file);
	});
}

/** Base64 from the core as a Blob of `mediaType` (for a download link). */
export function blobFromBase64(base64: string, mediaType: string): Blob {
	const binary = atob(base64);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return new Blob([bytes], { type: mediaType });
}

/** Whether the core's media type is a photo the UI can show in place. */
export function isImage(mediaType: string): boolean {
	return mediaType === 'image/jpeg' || mediaType === 'image/png';
}
