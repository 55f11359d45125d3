/**
 * The Reports screen against the fake core of `tests/backend.ts`: the indicators of the
 * default period on open, every figure and table row as the core counted it, a hidden count
 * as "fewer than 5" with the note saying why, the filters sent as chosen (the villages
 * narrowed to the district), a refusal next to the field it names, the four exports, Thai,
 * and nothing left after a lock.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLanguage } from '$lib/i18n';
import type { Indicators } from '$lib/ipc';
import { clearAll } from '$lib/stores/vault.svelte';
import { deferred, fail, installBackend, type Handler } from '../../../../tests/backend';
import { protectedReport, report, shown, thb, VILLAGES } from '../../../../tests/indicators';
import ReportsView from '../ReportsView.svelte';

function open(handlers: Record<string, Handler> = {}) {
	const core = installBackend({
		village_list: () => VILLAGES,
		indicators: () => report(),
		...handlers
	});
	const user = userEvent.setup();
	render(ReportsView);
	return { core, user };
}

function row(table: string, key: string): HTMLElement {
	const found = screen
		.getAllByTestId('report-row')
		.find((element) => element.dataset.table === table && element.dataset.key === key);
	if (!found) throw new Error(`no row ${key} in ${table}`);
	return found;
}

function optionValues(testid: string): string[] {
	return [...(screen.getByTestId(testid) as HTMLSelectElement).options].map((option) => option.value);
}

beforeEach(() => {
	// Only the date is fixed ("today" is 20 November 2026): timers stay real for the events.
	vi.useFakeTimers({ toFake: ['Date'] });
	vi.setSystemTime(new Date(2026, 10, 20, 10, 0));
});

afterEach(() => {
	vi.useRealTimers();
});

describe('the reports screen', () => {
	it('loads the indicators from 1 January to today, every district, and shows the figures', async () => {
		const errors = vi.spyOn(console, 'error');
		const { core } = open();
		expect(screen.getByTestId('report-loading')).toHaveTextContent('Loading the indicators…');
		expect(await screen.findByTestId('report-assisted')).toHaveTextContent(/^23$/);
		expect(screen.queryByTestId('report-loading')).not.toBeInTheDocument();
		expect(core.callsTo('indicators').map((call) => call.args)).toEqual([
			{ query: { from: '2026-01-01', to: '2026-11-20', district: null, villageId: null } }
		]);
		expect(screen.getByTestId('report-from')).toHaveValue('2026-01-01');
		expect(screen.getByTestId('report-to')).toHaveValue('2026-11-20');
		expect(screen.getByTestId('report-shown')).toHaveTextContent('From 1 January 2026 to 20 November 2026, every district');
		expect(screen.queryByTestId('report-protected')).not.toBeInTheDocument();

		const figures: Record<string, string> = {
			'report-opened': '12',
			'report-closed': '7',
			'report-median-days': '18',
			'report-resolved-district': '4',
			'report-referred-province': '2',
			'report-volunteers-active': '14',
			'report-villages-covered': '5',
			'report-children-registered': '230',
			'report-children-flagged': '31',
			'report-referrals-total': '9',
			'report-documentation-completed': '6'
		};
		for (const [testid, text] of Object.entries(figures)) {
			expect(screen.getByTestId(testid).textContent, testid).toBe(text);
		}
		for (const section of ['community', 'children', 'cases', 'referrals', 'documentation', 'funds']) {
			expect(screen.getByTestId(`report-${section}`), section).toBeInTheDocument();
		}

		// Every table row names its key in words, with the core's count.
		expect(row('sex', 'female')).toHaveTextContent('Female14');
		expect(row('sex', 'unknown')).toHaveTextContent('Not known1');
		expect(row('age', '0-5')).toHaveTextContent('0–5 years2');
		expect(row('age', '18+')).toHaveTextContent('18 years and over0');
		expect(row('concern', 'labour_exploitation')).toHaveTextContent('Labour exploitation12');
		expect(row('outcome', 'resolved_district')).toHaveTextContent('Resolved at district level4');
		expect(row('documentation', 'registrar_application')).toHaveTextContent('Application to the district registrar2');
		expect(within(row('referral', 'a-1')).getByRole('rowheader')).toHaveTextContent('Chiang Rai Social Development Office');
		expect([...row('referral', 'a-1').querySelectorAll('td')].map((cell) => cell.textContent)).toEqual(['1', '3', '0', '2', '6']);
		expect(within(row('referral', 'level:district')).getByRole('rowheader')).toHaveTextContent('District level, no agency named');
		expect(row('fund-contributed', 'a-2')).toHaveTextContent('Mae Sai Police Station15,000.00 THB5,000.00 THB37.5%');
		expect(row('fund-spent', 'l-1')).toHaveTextContent('Transport2,500.00 THB100.0%');
		expect(screen.getByTestId('report-fund')).toHaveAttribute('data-fund-id', 'f-1');
		expect(within(screen.getByTestId('report-fund')).getByTestId('report-fund-cash')).toHaveTextContent('40,000.00 THB');

		// A chart each, on a canvas a test's DOM cannot draw on: no chart, and no error either.
		expect(screen.getAllByTestId('report-chart').map((canvas) => canvas.dataset.chart)).toEqual([
			'sex',
			'age',
			'concern',
			'outcome',
			'referrals',
			'fund-contributed',
			'fund-spent'
		]);
		expect(errors).not.toHaveBeenCalled();
	});

	it('shows a hidden count as “fewer than 5”, never a number, and says why counts are hidden', async () => {
		open({ indicators: () => protectedReport() });
		expect(await screen.findByTestId('report-protected')).toHaveTextContent(
			'Counts below 5 are hidden because you do not oversee every case'
		);
		expect(screen.getByTestId('report-closed').textContent).toBe('fewer than 5');
		expect(screen.getByTestId('report-resolved-district').textContent).toBe('fewer than 5');
		expect(screen.getByTestId('report-documentation-completed').textContent).toBe('fewer than 5');
		// The median of cases too few to show is not shown either.
		expect(screen.getByTestId('report-median-days').textContent).toBe('fewer than 5');
		expect(screen.getByTestId('report-assisted').textContent).toBe('23');
		// In a table: "<5", read out as "fewer than 5"; nothing else in its place.
		const count = row('sex', 'unknown').querySelector('td') as HTMLElement;
		expect(count.textContent).toBe('<5fewer than 5');
		expect(within(count).getByTitle('fewer than 5')).toBeInTheDocument();
		expect(within(count).getByText('<5')).toHaveAttribute('aria-hidden', 'true');
		expect(row('sex', 'other')).toHaveTextContent('Other0');
	});

	it('says when no case closed, and when nothing was referred or paid', async () => {
		const full = report();
		open({
			indicators: () =>
				report({
					cases: { ...full.cases, closed: shown(0), byOutcome: [], medianDaysToClose: null },
					referrals: { total: shown(0), byAgency: [] },
					funds: [{ ...full.funds[0], spent: [], spentTotal: thb('0.00') }]
				})
		});
		expect(await screen.findByTestId('report-median-days')).toHaveTextContent('none closed');
		expect(screen.getByTestId('report-referrals-none')).toHaveTextContent('No referral was sent in this period.');
		expect(screen.getByTestId('report-fund-spent-none')).toHaveTextContent('No payment in this period.');
		expect(screen.getAllByTestId('report-chart').map((canvas) => canvas.dataset.chart)).not.toContain('referrals');
	});

	it('sends the period, district and village chosen; the villages narrow to the district', async () => {
		const { core, user } = open({
			indicators: (args) => {
				const query = args.query as { district: string | null; villageId: string | null };
				return report({
					district: query.district,
					villageId: query.villageId,
					villageName: query.villageId === 'v-2' ? 'บ้านเหมืองแดง (หมู่ 5)' : null
				});
			}
		});
		await screen.findByTestId('report-assisted');
		await waitFor(() => expect(optionValues('report-district')).toEqual(['', 'เชียงแสน', 'แม่สาย']));
		expect(screen.getByTestId('report-district')).toHaveValue('');
		expect(within(screen.getByTestId('report-district')).getByRole('option', { name: 'Every district' })).toBeInTheDocument();
		expect(optionValues('report-village')).toEqual(['', 'v-1', 'v-2', 'v-3']);

		await user.selectOptions(screen.getByTestId('report-district'), 'แม่สาย');
		expect(optionValues('report-village')).toEqual(['', 'v-1', 'v-2']);
		expect(within(screen.getByTestId('report-village')).getByRole('option', { name: 'บ้านเหมืองแดง, Moo 5' })).toBeInTheDocument();
		await user.selectOptions(screen.getByTestId('report-village'), 'v-2');
		await fireEvent.input(screen.getByTestId('report-from'), { target: { value: '2026-07-01' } });
		await fireEvent.input(screen.getByTestId('report-to'), { target: { value: '2026-09-30' } });
		await user.click(screen.getByTestId('report-apply'));

		await waitFor(() => expect(core.callsTo('indicators')).toHaveLength(2));
		expect(core.callsTo('indicators')[1].args).toEqual({
			query: { from: '2026-07-01', to: '2026-09-30', district: 'แม่สาย', villageId: 'v-2' }
		});
		await waitFor(() => expect(screen.getByTestId('report-shown')).toHaveTextContent('บ้านเหมืองแดง (หมู่ 5), แม่สาย district'));

		// Another district: the village chosen is not in it, so every village of it is asked for.
		await user.selectOptions(screen.getByTestId('report-district'), 'เชียงแสน');
		expect(optionValues('report-village')).toEqual(['', 'v-3']);
		expect(screen.getByTestId('report-village')).toHaveValue('');
		await user.click(screen.getByTestId('report-apply'));
		await waitFor(() => expect(core.callsTo('indicators')).toHaveLength(3));
		expect(core.callsTo('indicators')[2].args).toEqual({
			query: { from: '2026-07-01', to: '2026-09-30', district: 'เชียงแสน', villageId: null }
		});
		await waitFor(() => expect(screen.getByTestId('report-shown')).toHaveTextContent('เชียงแสน district'));
	});

	it('shows a refused last day next to it, and puts the focus there', async () => {
		const { user } = open({
			indicators: (args) => {
				const query = args.query as { from: string; to: string };
				return query.to < query.from ? fail('invalid', { field: 'to', message: 'is before the first day' }) : report();
			}
		});
		await screen.findByTestId('report-assisted');
		await fireEvent.input(screen.getByTestId('report-to'), { target: { value: '2025-12-31' } });
		await user.click(screen.getByTestId('report-apply'));

		const alert = await screen.findByTestId('report-error');
		expect(alert).toHaveTextContent('Please check “To”');
		expect(alert).toHaveTextContent('is before the first day');
		const to = screen.getByTestId('report-to');
		expect(to).toHaveFocus();
		expect(to).toHaveAttribute('aria-invalid', 'true');
		expect(to).toHaveAttribute('aria-describedby', 'report-error');
		// Under the field it names, not at the end of the form.
		expect(to.closest('.field')?.nextElementSibling).toBe(alert);
		expect(screen.getByTestId('report-from')).not.toHaveAttribute('aria-invalid');
	});

	it('exports the dashboard and the funds, as PDF and as CSV, and shows where each was written', async () => {
		const { core, user } = open({
			indicators_export: (args) => {
				const request = args.request as { kind: string; format: string };
				return { path: `/home/somchai/Documents/Ruam/indicators-${request.kind}.${request.format}`, entries: 6 };
			}
		});
		await screen.findByTestId('report-assisted');
		const query = { from: '2026-01-01', to: '2026-11-20', district: null, villageId: null };
		const buttons = [
			['report-export-pdf', 'dashboard', 'pdf'],
			['report-export-csv', 'dashboard', 'csv'],
			['report-export-funds-pdf', 'funds', 'pdf'],
			['report-export-funds-csv', 'funds', 'csv']
		] as const;
		for (const [testid, kind, format] of buttons) {
			await user.click(screen.getByTestId(testid));
			expect(await screen.findByTestId('report-exported')).toHaveTextContent(
				`Written to /home/somchai/Documents/Ruam/indicators-${kind}.${format}`
			);
			expect(core.callsTo('indicators_export').at(-1)?.args).toEqual({ request: { query, kind, format } });
		}
		expect(core.callsTo('indicators_export')).toHaveLength(4);
	});

	it('shows an export refused for its district under the district, and any other refusal by the buttons', async () => {
		let refusal: 'district' | 'folder' = 'district';
		const { user } = open({
			indicators_export: () =>
				refusal === 'district'
					? fail('invalid', { field: 'district', message: 'no village of the team is in this district' })
					: fail('internal', { message: 'the export folder is not writable' })
		});
		await screen.findByTestId('report-assisted');
		await user.click(screen.getByTestId('report-export-pdf'));
		const alert = await screen.findByTestId('report-error');
		expect(alert).toHaveTextContent('Please check “District”');
		expect(screen.getByTestId('report-district')).toHaveFocus();
		expect(screen.queryByTestId('report-exported')).not.toBeInTheDocument();

		refusal = 'folder';
		await user.click(screen.getByTestId('report-export-csv'));
		expect(await screen.findByTestId('report-export-error')).toHaveTextContent('the export folder is not writable');
		expect(screen.queryByTestId('report-error')).not.toBeInTheDocument();
	});

	it('drops an answer that a newer Show overtook', async () => {
		const first = deferred<Indicators>();
		let calls = 0;
		const { user } = open({
			indicators: () => (++calls === 1 ? first.promise : report({ children: { ...report().children, assisted: shown(40) } }))
		});
		await user.click(screen.getByTestId('report-apply'));
		expect(await screen.findByTestId('report-assisted')).toHaveTextContent('40');
		first.resolve(report());
		await first.promise;
		await Promise.resolve();
		expect(screen.getByTestId('report-assisted')).toHaveTextContent('40');
	});

	it('reads in Thai', async () => {
		setLanguage('th');
		open({ indicators: () => protectedReport() });
		expect(await screen.findByTestId('report-protected')).toHaveTextContent(
			'จำนวนที่น้อยกว่า 5 ถูกซ่อนไว้ เนื่องจากคุณไม่ได้ดูแลทุกกรณี'
		);
		expect(screen.getByTestId('report-closed').textContent).toBe('น้อยกว่า 5');
		expect(within(screen.getByTestId('report-community')).getByRole('heading', { level: 2 })).toHaveTextContent('ชุมชน');
		expect(row('sex', 'female')).toHaveTextContent('หญิง14');
		expect(row('sex', 'unknown')).toHaveTextContent('ไม่ทราบ<5น้อยกว่า 5');
		expect(row('age', '0-5')).toHaveTextContent('0–5 ปี');
		expect(row('concern', 'trafficking')).toHaveTextContent('การค้ามนุษย์');
		expect(row('outcome', 'referred_province')).toHaveTextContent('ส่งต่อไปยังระดับจังหวัด');
		expect(row('documentation', 'birth_registration')).toHaveTextContent('การแจ้งเกิด');
		expect(within(row('referral', 'level:district')).getByRole('rowheader')).toHaveTextContent('ระดับอำเภอ ไม่ระบุหน่วยงาน');
		expect(screen.getByRole('columnheader', { name: 'รับเรื่องแล้ว' })).toBeInTheDocument();
		expect(screen.getByTestId('report-export-funds-csv')).toHaveTextContent('กองทุนแยกตามหน่วยงานเป็น CSV');
		expect(screen.getByTestId('report-apply')).toHaveTextContent('แสดง');
		// Buddhist-era years in the heading.
		expect(screen.getByTestId('report-shown')).toHaveTextContent('2569');
	});

	it('forgets the figures and the filters when the vault locks', async () => {
		open();
		await screen.findByTestId('report-assisted');
		await fireEvent.input(screen.getByTestId('report-from'), { target: { value: '2026-06-01' } });
		clearAll();
		await waitFor(() => expect(screen.queryByTestId('report-figures')).not.toBeInTheDocument());
		expect(screen.getByTestId('report-from')).toHaveValue('2026-01-01');
		expect(screen.queryAllByTestId('report-row')).toEqual([]);
	});
});
