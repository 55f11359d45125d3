import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '$lib/App.svelte';
import type { AuditPage, AuditRow } from '$lib/ipc';
import { app } from '$lib/stores/app.svelte';
import { ALL_PERMISSIONS, fail, installBackend, status, team, type Handler } from './backend';

function row(seq: number, overrides: Partial<AuditRow> = {}): AuditRow {
	return {
		seq,
		at: '2026-11-28T07:05:09.000Z',
		actorId: 'm-1',
		actorName: 'Somchai Jaidee',
		action: 'vault.unlock',
		entity: null,
		entityId: null,
		outcome: 'ok',
		device: 'laptop-1',
		laptop: null,
		cursor: `2026-11-28T07:05:09.000Z||${seq}`,
		...overrides
	};
}

const PAGE: AuditPage = {
	entries: [
		row(12, {
			action: 'member.add',
			entity: 'member',
			entityId: '0192f3a1-7c2e-7b3d-9a55-00000000m002'
		}),
		row(11, { actorId: null, actorName: null, action: 'vault.unlock', outcome: 'failed' }),
		row(10, {
			actorId: 'm-2',
			actorName: 'Malee Srisuk',
			action: 'audit.read',
			outcome: 'refused'
		}),
		row(9, { action: 'cases.something_new' })
	],
	more: false
};

async function openAudit(extra: Record<string, Handler> = {}, language: 'en' | 'th' = 'en') {
	// Bangkok: seven hours ahead of UTC.
	vi.spyOn(Date.prototype, 'getTimezoneOffset').mockReturnValue(-420);
	const core = installBackend({
		vault_status: () => status('unlocked', { permissions: ALL_PERMISSIONS }, { language }),
		team_overview: () => team(),
		audit_log: () => PAGE,
		...extra
	});
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-audit'));
	await screen.findAllByTestId('audit-row');
	return { core, user };
}

describe('audit log page', () => {
	it('is offered only with audit.read', async () => {
		installBackend({
			vault_status: () =>
				status('unlocked', { permissions: ['team.manage', 'roles.manage', 'recovery.manage'] })
		});
		render(App);
		await screen.findByTestId('main');
		expect(screen.getByTestId('nav-team')).toBeInTheDocument();
		expect(screen.queryByTestId('nav-audit')).not.toBeInTheDocument();
		// Even if asked for, the section does not show.
		app.section = 'audit';
		await waitFor(() => expect(screen.getByTestId('section-cases')).toBeInTheDocument());
		expect(screen.queryByTestId('audit')).not.toBeInTheDocument();
	});

	it('shows the entries newest first: time, member, action, record and outcome', async () => {
		const { core } = await openAudit();

		expect(core.callsTo('audit_log')[0].args).toEqual({
			query: { memberId: null, entity: null, from: null, to: null, utcOffsetMinutes: 420 }
		});
		const rows = screen.getAllByTestId('audit-row');
		expect(rows.map((r) => r.getAttribute('data-seq'))).toEqual(['12', '11', '10', '9']);

		expect(rows[0]).toHaveTextContent('Somchai Jaidee');
		expect(rows[0]).toHaveTextContent('Added a member');
		expect(rows[0]).toHaveTextContent('Member');
		expect(rows[0]).toHaveTextContent('…0000m002');
		expect(within(rows[0]).getByTestId('audit-outcome')).toHaveTextContent('Done');
		expect(rows[0].querySelector('time')).toHaveAttribute('datetime', '2026-11-28T07:05:09.000Z');
		expect(rows[0].querySelector('time')?.textContent).toContain('2026');

		expect(rows[1]).toHaveTextContent('Unknown (lock screen)');
		expect(rows[1]).toHaveTextContent('Unlocked');
		expect(rows[1]).toHaveAttribute('data-outcome', 'failed');
		expect(within(rows[1]).getByTestId('audit-outcome')).toHaveTextContent('Failed');
		expect(within(rows[1]).getByTestId('audit-outcome')).toHaveClass('danger');

		expect(rows[2]).toHaveTextContent('Malee Srisuk');
		expect(within(rows[2]).getByTestId('audit-outcome')).toHaveTextContent('Refused');
		expect(within(rows[2]).getByTestId('audit-outcome')).toHaveClass('warning');

		// An action this version does not know shows as the core recorded it.
		expect(rows[3]).toHaveTextContent('cases.something_new');
		expect(screen.queryByTestId('audit-more')).not.toBeInTheDocument();
	});

	it('passes the filters, with the time zone, and shows the core’s objection to a date', async () => {
		let refuse = false;
		const { core, user } = await openAudit({
			audit_log: () => (refuse ? fail('invalid', { field: 'to', message: 'is before the start date' }) : PAGE)
		});

		const memberSelect = screen.getByTestId('audit-filter-member');
		expect([...memberSelect.querySelectorAll('option')].map((o) => o.textContent)).toEqual([
			'Everyone',
			'Somchai Jaidee',
			'Malee Srisuk',
			'Anan Kaewmanee'
		]);
		await user.selectOptions(memberSelect, 'm-2');
		await user.selectOptions(screen.getByTestId('audit-filter-entity'), 'member');
		expect(screen.getByTestId('audit-filter-from')).toHaveAttribute('type', 'date');
		await fireEvent.input(screen.getByTestId('audit-filter-from'), { target: { value: '2026-11-01' } });
		await fireEvent.input(screen.getByTestId('audit-filter-to'), { target: { value: '2026-11-28' } });
		await user.click(screen.getByTestId('audit-apply'));

		await waitFor(() => expect(core.callsTo('audit_log')).toHaveLength(2));
		expect(core.callsTo('audit_log')[1].args).toEqual({
			query: {
				memberId: 'm-2',
				entity: 'member',
				from: '2026-11-01',
				to: '2026-11-28',
				utcOffsetMinutes: 420
			}
		});

		refuse = true;
		await fireEvent.input(screen.getByTestId('audit-filter-from'), { target: { value: '2026-11-29' } });
		await user.click(screen.getByTestId('audit-apply'));
		const alert = await screen.findByTestId('audit-error');
		expect(alert).toHaveTextContent('Please check “To”: the value was not accepted.');
		expect(alert).toHaveTextContent('is before the start date');
		expect(screen.getByTestId('audit-filter-to')).toHaveAttribute('aria-invalid', 'true');
		expect(screen.getByTestId('audit-filter-to')).toHaveFocus();
	});

	it('loads older entries from the last one shown', async () => {
		const { core, user } = await openAudit({
			audit_log: (args) =>
				(args.query as { before?: string }).before
					? { entries: [row(8), row(7)], more: false }
					: { ...PAGE, more: true }
		});

		await user.click(screen.getByTestId('audit-more'));
		await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(6));
		expect(core.callsTo('audit_log')[1].args).toEqual({
			query: {
				memberId: null,
				entity: null,
				from: null,
				to: null,
				utcOffsetMinutes: 420,
				before: '2026-11-28T07:05:09.000Z||9'
			}
		});
		expect(screen.queryByTestId('audit-more')).not.toBeInTheDocument();
	});

	it('exports what the filters select and says how many entries went where', async () => {
		const path = '/home/somchai/Downloads/ruam-audit-log-20261128-070509.csv';
		const { core, user } = await openAudit({ audit_export: () => ({ path, entries: 3 }) });

		await user.selectOptions(screen.getByTestId('audit-filter-entity'), 'role');
		await user.click(screen.getByTestId('audit-export'));

		const done = await screen.findByTestId('audit-exported');
		expect(done).toHaveAttribute('role', 'status');
		expect(done).toHaveTextContent(`3 entries were written to ${path}`);
		expect(core.callsTo('audit_export')[0].args).toEqual({
			query: { memberId: null, entity: 'role', from: null, to: null, utcOffsetMinutes: 420 }
		});
	});

	it('speaks Thai, with Buddhist-era dates', async () => {
		const path = '/home/somchai/Downloads/ruam-audit-log.csv';
		const { user } = await openAudit({ audit_export: () => ({ path, entries: 1 }) }, 'th');

		const rows = screen.getAllByTestId('audit-row');
		expect(rows[0].querySelector('time')?.textContent).toContain('2569');
		expect(rows[0]).toHaveTextContent('เพิ่มสมาชิก');
		expect(rows[1]).toHaveTextContent('ไม่ทราบ (หน้าจอล็อก)');
		expect(within(rows[1]).getByTestId('audit-outcome')).toHaveTextContent('ไม่สำเร็จ');
		await user.click(screen.getByTestId('audit-export'));
		expect(await screen.findByTestId('audit-exported')).toHaveTextContent(
			`บันทึก 1 รายการลงในไฟล์ ${path} แล้ว`
		);
	});
});
