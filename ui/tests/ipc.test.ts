import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	backupList,
	backupNow,
	backupPlan,
	backupPlanSet,
	backupRestore,
	boardColumnCards,
	cardAttachmentAdd,
	cardAttachmentGet,
	cardComment,
	cardDelete,
	cardGet,
	cardTick,
	cardUpdate,
	caseAttachmentAdd,
	caseAttachmentDelete,
	caseAttachmentGet,
	caseClose,
	caseClosureDecide,
	caseConsentRecord,
	caseCreate,
	caseDuplicates,
	caseList,
	caseMemberChange,
	caseNoteAdd,
	caseNoteDelete,
	caseNoteEdit,
	caseOpen,
	casePersonRemove,
	casePersonSave,
	caseRefer,
	caseReferralUpdate,
	caseReopen,
	caseSearch,
	caseStatusSet,
	columnDelete,
	columnSave,
	IpcFailure,
	caseRegisterChild,
	committeeAdd,
	committeeList,
	committeeUpdate,
	meetingActionAdd,
	meetingAgendaAdd,
	meetingAttendance,
	meetingDecisionAdd,
	meetingGet,
	meetingIcsExport,
	meetingList,
	meetingMinutes,
	meetingPdfExport,
	meetingPlan,
	meetingReviewMinutes,
	memberCloseAccount,
	memberHandOver,
	memberHoldings,
	registerExport,
	documentationStepAdd,
	documentationSteps,
	documentationStepUpdate,
	householdAdd,
	indicators,
	indicatorsExport,
	onTasksDue,
	onVaultLocked,
	placeSearch,
	registerChildCaseOpen,
	registerChildGet,
	registerImport,
	registerImportPreview,
	registerRuleGet,
	registerRuleSet,
	registerSearch,
	villageAdd,
	villageList,
	villageUpdate,
	volunteerAdd,
	volunteerList,
	volunteerUpdate,
	type BackupProgress,
	type ImportProgress,
	type NewCommittee,
	passphraseAssess,
	recoveryKeyRegenerate,
	settingsSet,
	taskCounts,
	toIpcError,
	vaultCreate,
	vaultStatus,
	vaultUnlock,
	type LockReason,
	type TaskCounts
} from '$lib/ipc';
import { board, card, caseFile, cardDetail, deferred, fail, installBackend, status, team, unlocked } from './backend';

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

	it('call the case commands with the argument names the Rust side declares', async () => {
		const commands = [
			'case_list',
			'case_duplicates',
			'case_create',
			'case_open',
			'case_search',
			'case_note_add',
			'case_status_set',
			'case_close',
			'case_closure_decide',
			'case_reopen',
			'case_member_change',
			'case_refer',
			'case_referral_update',
			'case_consent_record',
			'case_attachment_add',
			'case_attachment_get',
			'case_attachment_delete',
			'case_note_edit',
			'case_note_delete',
			'case_person_save',
			'case_person_remove'
		];
		const core = installBackend(Object.fromEntries(commands.map((cmd) => [cmd, () => caseFile()])));
		const subject = {
			party: 'subject',
			name: 'N',
			relation: null,
			alias: null,
			sex: 'unknown',
			birthDate: null,
			birthYearEstimate: null,
			nationality: null,
			documentation: 'unknown',
			village: null,
			contact: null
		};
		const newCase = { subject, concerns: ['neglect'], risk: 'low', level: 'village' };
		await caseList(true, 'after-c-9');
		await caseDuplicates('N', 2014);
		await caseCreate(newCase);
		await caseOpen('c');
		await caseSearch('abc');
		await caseNoteAdd({ caseId: 'c', section: 'social', body: 'b' });
		await caseStatusSet('c', 'plan');
		await caseClose({ caseId: 'c', outcome: null });
		await caseClosureDecide('c', true);
		await caseReopen('c');
		await caseMemberChange({ caseId: 'c', memberId: 'm', responsibility: null });
		const referral = {
			caseId: 'c',
			toLevel: 'province',
			toAgencyId: null,
			reason: 'r',
			referredOn: '2026-11-27',
			consentOverrideReason: null
		};
		await caseRefer(referral);
		await caseReferralUpdate({ caseId: 'c', referralId: 'r', status: 'done', outcome: null });
		const consent = {
			caseId: 'c',
			givenBy: 'person',
			services: true,
			reporting: false,
			shareWith: [],
			givenOn: '2026-11-27'
		};
		await caseConsentRecord(consent);
		const attachment = { caseId: 'c', section: 'social', fileName: 'a.pdf', contentBase64: 'JVBERi0=' };
		await caseAttachmentAdd(attachment);
		await caseAttachmentGet('f');
		await caseAttachmentDelete('f');
		await caseNoteEdit({ noteId: 'n', body: 'b2' });
		await caseNoteDelete('n');
		await casePersonSave({ caseId: 'c', personId: null, person: { ...subject, party: 'witness' } });
		await casePersonRemove({ caseId: 'c', personId: 'p' });
		expect(core.calls).toEqual([
			{ cmd: 'case_list', args: { mineOnly: true, after: 'after-c-9' } },
			{ cmd: 'case_duplicates', args: { name: 'N', birthYear: 2014 } },
			// `case` is a reserved word in TypeScript: the Rust argument is `new_case`.
			{ cmd: 'case_create', args: { newCase } },
			{ cmd: 'case_open', args: { caseId: 'c' } },
			{ cmd: 'case_search', args: { query: 'abc' } },
			{ cmd: 'case_note_add', args: { note: { caseId: 'c', section: 'social', body: 'b' } } },
			{ cmd: 'case_status_set', args: { caseId: 'c', status: 'plan' } },
			{ cmd: 'case_close', args: { request: { caseId: 'c', outcome: null } } },
			{ cmd: 'case_closure_decide', args: { caseId: 'c', approve: true } },
			{ cmd: 'case_reopen', args: { caseId: 'c' } },
			{ cmd: 'case_member_change', args: { change: { caseId: 'c', memberId: 'm', responsibility: null } } },
			{ cmd: 'case_refer', args: { referral } },
			{
				cmd: 'case_referral_update',
				args: { update: { caseId: 'c', referralId: 'r', status: 'done', outcome: null } }
			},
			{ cmd: 'case_consent_record', args: { consent } },
			{ cmd: 'case_attachment_add', args: { attachment } },
			{ cmd: 'case_attachment_get', args: { attachmentId: 'f' } },
			{ cmd: 'case_attachment_delete', args: { attachmentId: 'f' } },
			{ cmd: 'case_note_edit', args: { edit: { noteId: 'n', body: 'b2' } } },
			{ cmd: 'case_note_delete', args: { noteId: 'n' } },
			{
				cmd: 'case_person_save',
				args: { change: { caseId: 'c', personId: null, person: { ...subject, party: 'witness' } } }
			},
			{ cmd: 'case_person_remove', args: { removal: { caseId: 'c', personId: 'p' } } }
		]);
	});

	it('call the offboarding commands with the argument names the Rust side declares', async () => {
		const holdings = { member: team().members[1], items: [] };
		const handed = { cases: 1, tasks: 2, reviews: 0, requests: 1, committees: 0 };
		const core = installBackend({
			member_holdings: () => holdings,
			member_hand_over: () => handed,
			member_close_account: () => ({ ...team().members[1], status: 'left' })
		});
		const some = { fromMemberId: 'm-2', toMemberId: 'm-1', note: 'n', items: [{ kind: 'case' as const, id: 'c-1' }] };
		const every = { fromMemberId: 'm-2', toMemberId: 'm-1', note: 'n', items: null };
		await expect(memberHoldings('m-2')).resolves.toEqual(holdings);
		await expect(memberHandOver(some)).resolves.toEqual(handed);
		await memberHandOver(every);
		await expect(memberCloseAccount('m-2')).resolves.toMatchObject({ id: 'm-2', status: 'left' });
		expect(core.calls).toEqual([
			{ cmd: 'member_holdings', args: { memberId: 'm-2' } },
			{ cmd: 'member_hand_over', args: { handOver: some } },
			{ cmd: 'member_hand_over', args: { handOver: every } },
			{ cmd: 'member_close_account', args: { memberId: 'm-2' } }
		]);
	});

	it('call the card and column commands with the argument names the Rust side declares', async () => {
		const core = installBackend({
			card_get: () => cardDetail(),
			card_update: () => cardDetail(),
			card_tick: () => cardDetail(),
			card_comment: () => cardDetail(),
			card_attachment_add: () => cardDetail(),
			card_attachment_get: () => ({ fileName: 'a.pdf', mediaType: 'application/pdf', contentBase64: 'JVBERi0=' }),
			card_delete: () => board(),
			column_save: () => board(),
			column_delete: () => board(),
			task_counts: () => ({ overdue: 1, dueToday: 2, toReview: 3 }),
			board_column_cards: () => [card({ id: 'k-50', position: 50 })]
		});
		const change = {
			cardId: 'k',
			title: 't',
			description: null,
			assigneeIds: ['m'],
			agencyId: null,
			startsOn: null,
			dueOn: '2026-12-01',
			priority: 'high',
			reviewerId: null,
			labels: ['l'],
			checklist: [
				{ id: 'i', text: 'kept', done: true },
				{ id: null, text: 'new', done: false }
			],
			caseId: null
		};
		await expect(cardGet('k')).resolves.toMatchObject({ card: { id: 'k-1' } });
		await cardUpdate(change);
		await cardTick({ cardId: 'k', itemId: 'i', done: true });
		await cardComment({ cardId: 'k', body: 'b' });
		await cardAttachmentAdd({ cardId: 'k', fileName: 'a.pdf', contentBase64: 'JVBERi0=' });
		await cardAttachmentGet('f');
		await expect(cardDelete('k')).resolves.toMatchObject({ id: 'b-team' });
		await columnSave({ boardId: 'b', columnId: null, name: 'n', position: null });
		await columnDelete('col');
		await expect(taskCounts()).resolves.toEqual({ overdue: 1, dueToday: 2, toReview: 3 });
		await expect(boardColumnCards({ columnId: 'col', from: 50 })).resolves.toMatchObject([{ id: 'k-50' }]);
		expect(core.calls).toEqual([
			{ cmd: 'card_get', args: { cardId: 'k' } },
			{ cmd: 'card_update', args: { change } },
			{ cmd: 'card_tick', args: { tick: { cardId: 'k', itemId: 'i', done: true } } },
			{ cmd: 'card_comment', args: { comment: { cardId: 'k', body: 'b' } } },
			{ cmd: 'card_attachment_add', args: { attachment: { cardId: 'k', fileName: 'a.pdf', contentBase64: 'JVBERi0=' } } },
			{ cmd: 'card_attachment_get', args: { attachmentId: 'f' } },
			{ cmd: 'card_delete', args: { cardId: 'k' } },
			{ cmd: 'column_save', args: { save: { boardId: 'b', columnId: null, name: 'n', position: null } } },
			{ cmd: 'column_delete', args: { columnId: 'col' } },
			{ cmd: 'task_counts', args: {} },
			{ cmd: 'board_column_cards', args: { page: { columnId: 'col', from: 50 } } }
		]);
	});

	it('call the register commands with the argument names the Rust side declares', async () => {
		const core = installBackend(
			Object.fromEntries(
				[
					'village_list',
					'village_add',
					'village_update',
					'place_search',
					'volunteer_list',
					'volunteer_add',
					'volunteer_update',
					'register_rule_get',
					'register_rule_set',
					'household_add',
					'register_search',
					'register_child_get',
					'register_import_preview',
					'register_child_case_open',
					'case_register_child',
					'documentation_steps',
					'documentation_step_add',
					'documentation_step_update'
				].map((cmd) => [cmd, () => null])
			)
		);
		const village = { nameTh: 'บ้าน', nameEn: null, moo: 1, subdistrict: 's', district: 'd', province: 'p' };
		const volunteer = { name: 'V', memberId: null, villageId: 'v', phone: null, active: true, trainings: [] };
		const points = {
			incomeBelowPoverty: 3,
			incomeLow: 1,
			oneParentAway: 2,
			bothParentsAway: 3,
			debt: 2,
			disability: 2,
			noHealthCare: 2,
			otherRisks: 1,
			notInSchool: 3,
			stateless: 3,
			documentationUnknown: 2,
			documentationInProcess: 1,
			withOneParent: 1,
			withGrandparents: 1,
			withRelatives: 2,
			withOthers: 2,
			alone: 3
		};
		const household = {
			villageId: 'v',
			label: '1',
			surveyedOn: '2026-03-01',
			volunteerId: 'vo',
			wellbeing: { incomeBand: 'low', parentsAway: 'none', debt: false, disability: false, healthCare: true, otherRisks: null },
			children: []
		} as const;
		const query = { text: 'M', villageId: null, documentation: null, school: null, offset: 50, limit: 50 };
		const step = { caseId: 'c', kind: 'hearing', status: 'planned', happenedOn: null, documents: null, feeRequestId: null } as const;
		const update = { id: 's', status: 'done', happenedOn: '2026-03-03', documents: null, feeRequestId: 'r' } as const;
		await villageList();
		await villageAdd(village);
		await villageUpdate({ id: 'v', village });
		await placeSearch('แม่สาย');
		await volunteerList();
		await volunteerList('v');
		await volunteerAdd(volunteer);
		await volunteerUpdate({ id: 'vo', volunteer });
		await registerRuleGet();
		await registerRuleSet({ points, threshold: 8 });
		await householdAdd({ ...household, children: [] });
		await registerSearch(query);
		await registerChildGet('ch');
		await registerImportPreview('QUJD');
		await registerChildCaseOpen('ch');
		await caseRegisterChild('c');
		await documentationSteps('c');
		await documentationStepAdd(step);
		await documentationStepUpdate(update);
		expect(core.calls).toEqual([
			{ cmd: 'village_list', args: {} },
			{ cmd: 'village_add', args: { village } },
			{ cmd: 'village_update', args: { update: { id: 'v', village } } },
			{ cmd: 'place_search', args: { query: 'แม่สาย' } },
			{ cmd: 'volunteer_list', args: { villageId: null } },
			{ cmd: 'volunteer_list', args: { villageId: 'v' } },
			{ cmd: 'volunteer_add', args: { volunteer } },
			{ cmd: 'volunteer_update', args: { update: { id: 'vo', volunteer } } },
			{ cmd: 'register_rule_get', args: {} },
			{ cmd: 'register_rule_set', args: { rule: { points, threshold: 8 } } },
			{ cmd: 'household_add', args: { household: { ...household, children: [] } } },
			{ cmd: 'register_search', args: { query } },
			{ cmd: 'register_child_get', args: { childId: 'ch' } },
			{ cmd: 'register_import_preview', args: { contentBase64: 'QUJD' } },
			{ cmd: 'register_child_case_open', args: { childId: 'ch' } },
			{ cmd: 'case_register_child', args: { caseId: 'c' } },
			{ cmd: 'documentation_steps', args: { caseId: 'c' } },
			{ cmd: 'documentation_step_add', args: { step } },
			{ cmd: 'documentation_step_update', args: { update } }
		]);
	});

	it('call the meeting commands (and the register export) with the argument names the Rust side declares', async () => {
		const core = installBackend(
			Object.fromEntries(
				[
					'register_export',
					'committee_list',
					'committee_add',
					'committee_update',
					'meeting_list',
					'meeting_get',
					'meeting_plan',
					'meeting_agenda_add',
					'meeting_attendance',
					'meeting_minutes',
					'meeting_review_minutes',
					'meeting_decision_add',
					'meeting_action_add',
					'meeting_ics_export',
					'meeting_pdf_export'
				].map((cmd) => [cmd, () => null])
			)
		);
		const query = { text: null, villageId: 'v', flaggedOnly: true, documentation: null, school: null, offset: 0, limit: 50 };
		const committee: NewCommittee = { name: 'C', kind: 'committee', frequency: 'monthly', chairId: 'm-1', memberIds: ['m-1'] };
		const meeting = { committeeId: 'co', startsAt: '2026-12-10T09:30', minutesLong: 90, place: 'P', agenda: [] };
		const card = {
			caseId: 'c',
			columnId: null,
			title: 'T',
			description: null,
			assigneeIds: [],
			agencyId: null,
			startsOn: null,
			dueOn: null,
			priority: null,
			reviewerId: null
		};
		await registerExport(query);
		await committeeList();
		await committeeAdd(committee);
		await committeeUpdate({ id: 'co', committee });
		await meetingList(true);
		await meetingGet('mt');
		await meetingPlan(meeting);
		await meetingAgendaAdd('mt', { title: 'T', caseId: null });
		await meetingAttendance({ meetingId: 'mt', attendees: [{ memberId: 'm-1', attendance: 'present' }] });
		await meetingMinutes({ meetingId: 'mt', minutes: null, status: 'held' });
		await meetingReviewMinutes({ itemId: 'it', section: 'social', body: 'B' });
		await meetingDecisionAdd({ meetingId: 'mt', text: 'D' });
		await meetingActionAdd({ meetingId: 'mt', card });
		await meetingIcsExport('mt');
		await meetingPdfExport('mt');
		expect(core.calls).toEqual([
			{ cmd: 'register_export', args: { query } },
			{ cmd: 'committee_list', args: {} },
			{ cmd: 'committee_add', args: { committee } },
			{ cmd: 'committee_update', args: { update: { id: 'co', committee } } },
			{ cmd: 'meeting_list', args: { upcoming: true } },
			{ cmd: 'meeting_get', args: { meetingId: 'mt' } },
			{ cmd: 'meeting_plan', args: { meeting } },
			{ cmd: 'meeting_agenda_add', args: { meetingId: 'mt', item: { title: 'T', caseId: null } } },
			{
				cmd: 'meeting_attendance',
				args: { update: { meetingId: 'mt', attendees: [{ memberId: 'm-1', attendance: 'present' }] } }
			},
			{ cmd: 'meeting_minutes', args: { update: { meetingId: 'mt', minutes: null, status: 'held' } } },
			{ cmd: 'meeting_review_minutes', args: { review: { itemId: 'it', section: 'social', body: 'B' } } },
			{ cmd: 'meeting_decision_add', args: { decision: { meetingId: 'mt', text: 'D' } } },
			{ cmd: 'meeting_action_add', args: { action: { meetingId: 'mt', card } } },
			{ cmd: 'meeting_ics_export', args: { meetingId: 'mt' } },
			{ cmd: 'meeting_pdf_export', args: { meetingId: 'mt' } }
		]);
	});

	it('call the indicator commands with the argument names the Rust side declares', async () => {
		const core = installBackend({ indicators: () => null, indicators_export: () => ({ path: '/e/i.pdf', entries: 6 }) });
		const query = { from: '2026-01-01', to: '2026-11-20', district: 'แม่สาย', villageId: null };
		await indicators(query);
		await expect(indicatorsExport({ query, kind: 'dashboard', format: 'pdf' })).resolves.toEqual({ path: '/e/i.pdf', entries: 6 });
		await indicatorsExport({ query, kind: 'funds', format: 'csv' });
		expect(core.calls).toEqual([
			{ cmd: 'indicators', args: { query } },
			{ cmd: 'indicators_export', args: { request: { query, kind: 'dashboard', format: 'pdf' } } },
			{ cmd: 'indicators_export', args: { request: { query, kind: 'funds', format: 'csv' } } }
		]);
	});

	it('give the import a channel, and each message on it to the callback', async () => {
		const answer = deferred<unknown>();
		let channel: { id: number } | null = null;
		installBackend({
			register_import: (args) => {
				channel = args.onProgress as { id: number };
				return answer.promise;
			}
		});
		const heard: ImportProgress[] = [];
		const done = registerImport('QUJD', 'digest-1', (progress) => heard.push(progress));
		await Promise.resolve();
		expect(channel).not.toBeNull();
		const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
			.__TAURI_INTERNALS__;
		// Out of order on the wire, in order to the callback.
		internals.runCallback(channel!.id, { message: { written: 5, total: 9 }, index: 1 });
		internals.runCallback(channel!.id, { message: { written: 0, total: 9 }, index: 0 });
		answer.resolve({ households: 2, children: 9 });
		await expect(done).resolves.toEqual({ households: 2, children: 9 });
		expect(heard).toEqual([
			{ written: 0, total: 9 },
			{ written: 5, total: 9 }
		]);
	});

	it('reject the import with the core’s typed error', async () => {
		installBackend({ register_import: () => fail('invalid', { field: 'file', message: 'the file changed since its preview' }) });
		const thrown = await registerImport('QUJD', 'd', () => {}).catch((e: unknown) => e);
		expect(thrown).toBeInstanceOf(IpcFailure);
		expect(toIpcError(thrown)).toMatchObject({ code: 'invalid', field: 'file' });
	});

	it('deliver the tasks-due event with its counts', async () => {
		const core = installBackend({});
		const received: TaskCounts[] = [];
		const unlisten = await onTasksDue((counts) => received.push(counts));
		await core.emit('tasks-due', { counts: { overdue: 2, dueToday: 1, toReview: 0 } });
		unlisten();
		await core.emit('tasks-due', { counts: { overdue: 9, dueToday: 9, toReview: 9 } });
		expect(received).toEqual([{ overdue: 2, dueToday: 1, toReview: 0 }]);
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

	it('keep why a file was refused as a backup, and only the reasons the core knows', () => {
		const refused = { code: 'backup_refused', message: 'refused' };
		expect(toIpcError({ ...refused, backupFault: 'damaged' })).toMatchObject({
			code: 'backup_refused',
			backupFault: 'damaged'
		});
		expect(toIpcError({ ...refused, backupFault: 'truncated' }).backupFault).toBe('truncated');
		expect(toIpcError({ ...refused, backupFault: 'eaten' }).backupFault).toBeNull();
		expect(toIpcError(refused).backupFault).toBeNull();
	});

	it('call the backup commands with the argument names the Rust side declares, progress on a channel', async () => {
		const channels: { id: number }[] = [];
		const answers = { now: deferred<unknown>(), restore: deferred<unknown>() };
		const core = installBackend({
			backup_plan_set: (args) => ({ ...(args.request as object), suggestedFolder: '/s' }),
			backup_list: () => [],
			backup_now: (args) => {
				channels.push(args.onProgress as { id: number });
				return answers.now.promise;
			},
			backup_restore: (args) => {
				channels.push(args.onProgress as { id: number });
				return answers.restore.promise;
			}
		});
		await backupPlan();
		await backupPlanSet({ folder: '/b', keep: 5, daily: true, passphrase: null });
		await backupList('/b');
		const heard: BackupProgress[] = [];
		const now = backupNow(null, (progress) => heard.push(progress));
		const restore = backupRestore(
			{ file: '/b/x.ruambackup', secret: { with: 'recoveryKey', secret: 'K' } },
			(progress) => heard.push(progress)
		);
		await Promise.resolve();
		expect(channels).toHaveLength(2);
		const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
			.__TAURI_INTERNALS__;
		internals.runCallback(channels[0].id, { message: { phase: 'writing', done: 5, total: 10 }, index: 0 });
		internals.runCallback(channels[1].id, { message: { phase: 'checking', done: 0, total: 1 }, index: 0 });
		answers.now.resolve({ path: '/b/x.ruambackup', bytes: 10, createdAt: '2026-11-20T04:00:00Z' });
		answers.restore.resolve({ check: {}, replaced: null, passphraseSignsIn: true });
		await expect(now).resolves.toMatchObject({ path: '/b/x.ruambackup' });
		await expect(restore).resolves.toMatchObject({ passphraseSignsIn: true });
		expect(heard).toEqual([
			{ phase: 'writing', done: 5, total: 10 },
			{ phase: 'checking', done: 0, total: 1 }
		]);
		expect(core.calls.map(({ cmd, args }) => ({ cmd, args: { ...args, onProgress: undefined } }))).toEqual([
			{ cmd: 'backup_plan', args: { onProgress: undefined } },
			{
				cmd: 'backup_plan_set',
				args: { request: { folder: '/b', keep: 5, daily: true, passphrase: null }, onProgress: undefined }
			},
			{ cmd: 'backup_list', args: { folder: '/b', onProgress: undefined } },
			{ cmd: 'backup_now', args: { folder: null, onProgress: undefined } },
			{
				cmd: 'backup_restore',
				args: {
					request: { file: '/b/x.ruambackup', secret: { with: 'recoveryKey', secret: 'K' } },
					onProgress: undefined
				}
			}
		]);
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
			remedy: null,
			backupFault: null
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
