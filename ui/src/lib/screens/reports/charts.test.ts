/**
 * The reports' charts (`$lib/charts`, `ReportChart`) with Chart.js replaced by a recorder:
 * only the bar chart's parts are registered; a canvas without a 2D context gets no chart and
 * no error; one with a context gets a chart, redrawn when its data change and destroyed with
 * the canvas; a hidden count is a bar of `null`, never a guessed length.
 */
import { render } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { barConfig, shortLabel } from '$lib/charts';
import type { Amount, Cell, MoneyRow, ReferralRow } from '$lib/ipc';
import { countChart, moneyChart, referralChart, type NamedCount } from '$lib/reports';
import { _ } from '$lib/i18n';
import { get } from 'svelte/store';
import ReportChart from './ReportChart.svelte';

interface Recorded {
	context: unknown;
	data: { labels: string[]; datasets: { label: string; data: (number | null)[] }[] };
	options: Record<string, unknown>;
	updates: number;
	destroyed: boolean;
}

const charts = vi.hoisted(() => ({ made: [] as Recorded[], registered: [] as unknown[] }));

vi.mock('chart.js', () => {
	class Chart {
		static defaults = { font: { family: '' }, color: '' };
		static register(...parts: unknown[]) {
			charts.registered.push(...parts);
		}
		context: unknown;
		data: Recorded['data'];
		options: Recorded['options'];
		updates = 0;
		destroyed = false;
		constructor(context: unknown, config: { data: Recorded['data']; options: Recorded['options'] }) {
			this.context = context;
			this.data = config.data;
			this.options = config.options;
			charts.made.push(this);
		}
		update() {
			this.updates += 1;
		}
		destroy() {
			this.destroyed = true;
		}
	}
	return {
		Chart,
		BarController: { id: 'bar' },
		BarElement: { id: 'barElement' },
		CategoryScale: { id: 'category' },
		LinearScale: { id: 'linear' },
		Tooltip: { id: 'tooltip' },
		Legend: { id: 'legend' }
	};
});

const shown = (value: number): Cell => ({ value, suppressed: false });
const HIDDEN: Cell = { value: null, suppressed: true };
const t = (id: string, options?: { values?: Record<string, string | number | boolean | Date | null | undefined> }) =>
	get(_)(id, options);

function bySex(unknown: Cell): NamedCount[] {
	return [
		{ key: 'female', label: 'Female', count: shown(14) },
		{ key: 'male', label: 'Male', count: HIDDEN },
		{ key: 'other', label: 'Other', count: shown(0) },
		{ key: 'unknown', label: 'Not known', count: unknown }
	];
}

describe('the reports’ charts', () => {
	it('register only the bar chart’s parts of Chart.js', () => {
		expect(charts.registered.map((part) => (part as { id: string }).id)).toEqual([
			'bar',
			'barElement',
			'category',
			'linear',
			'tooltip',
			'legend'
		]);
	});

	it('draw nothing, and say nothing, on a canvas without a 2D context', () => {
		const errors = vi.spyOn(console, 'error');
		const warnings = vi.spyOn(console, 'warn');
		const before = charts.made.length;
		const { getByTestId } = render(ReportChart, { name: 'sex', data: countChart(bySex(HIDDEN), 'Children', 'en-GB') });
		expect(getByTestId('report-chart')).toHaveAttribute('data-chart', 'sex');
		expect(charts.made.length).toBe(before);
		expect(errors).not.toHaveBeenCalled();
		expect(warnings).not.toHaveBeenCalled();
	});

	it('make a chart on a canvas that draws, redraw it with new data, destroy it with the canvas', async () => {
		const context = { canvas: null };
		vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(context as never);
		const before = charts.made.length;
		const { rerender, unmount } = render(ReportChart, {
			name: 'sex',
			data: countChart(bySex(HIDDEN), 'Children', 'en-GB')
		});
		expect(charts.made.length).toBe(before + 1);
		const chart = charts.made[before];
		expect(chart.context).toBe(context);
		expect(chart.data.labels).toEqual(['Female', 'Male (<5)', 'Other', 'Not known (<5)']);
		expect(chart.data.datasets[0].data).toEqual([14, null, 0, null]);

		await rerender({ data: countChart(bySex(shown(6)), 'Children', 'en-GB') });
		expect(chart.updates).toBe(1);
		expect(chart.data.datasets[0].data).toEqual([14, null, 0, 6]);
		expect(chart.destroyed).toBe(false);

		unmount();
		expect(chart.destroyed).toBe(true);
	});

	it('give a hidden count no bar, stack referrals by status, and size money bars by the core’s share', () => {
		const referral: ReferralRow = {
			key: 'level:province',
			label: null,
			sent: shown(5),
			accepted: HIDDEN,
			declined: shown(0),
			done: HIDDEN,
			total: shown(9)
		};
		const referrals = referralChart([referral], t, 'en-GB');
		expect(referrals.labels).toEqual(['Province level, no agency named']);
		expect(referrals.series.map((series) => [series.label, series.values])).toEqual([
			['Sent', [5]],
			['Accepted', [null]],
			['Declined', [0]],
			['Done', [null]]
		]);
		const config = barConfig(referrals);
		expect(config.options?.indexAxis).toBe('y');
		expect(config.options?.scales?.x?.stacked).toBe(true);
		expect(config.options?.plugins?.legend?.display).toBe(true);
		expect(config.data.datasets.map((dataset) => dataset.data)).toEqual([[5], [null], [0], [null]]);

		const counts = barConfig(countChart(bySex(HIDDEN), 'Children', 'en-GB'));
		expect(counts.options?.plugins?.legend?.display).toBe(false);
		expect(counts.options?.scales?.x?.stacked).toBe(false);

		// A long name is cut beside its bar (whole letters), and shown whole in the tooltip.
		const office = 'สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดเชียงราย';
		const long = barConfig(countChart([{ key: 'a-1', label: office, count: shown(6) }], 'Referrals', 'th-TH'));
		expect(long.data.labels?.[0]).toBe(shortLabel(office, 'th-TH'));
		expect(shortLabel(office, 'th-TH')).toMatch(/^สำนักงานพัฒนาสังคม.*…$/);
		expect(shortLabel(office, 'th-TH').length).toBeLessThan(office.length);
		expect(shortLabel('Mae Sai Police Station')).toBe('Mae Sai Police Station');
		const title = long.options?.plugins?.tooltip?.callbacks?.title as unknown as (items: { dataIndex: number }[]) => string;
		expect(title([{ dataIndex: 0 }])).toBe(office);

		const thb = (text: string): Amount => ({ minor: text.replace(/\D/g, ''), text: `${text} THB` });
		const rows: MoneyRow[] = [
			{ key: 'a-1', label: 'Social Development Office', cash: thb('25,000.00'), inKind: thb('0.00'), permille: 625 },
			{ key: 'a-2', label: 'Police Station', cash: thb('15,000.00'), inKind: thb('5,000.00'), permille: 375 }
		];
		const money = moneyChart(rows, 'Share of the cash', ['#111111', '#222222'], (row) => row.cash.text, t, 'en-GB');
		expect(money.series[0].values).toEqual([625, 375]);
		expect(money.series[0].colour).toEqual(['#111111', '#222222']);
		expect(money.tooltip?.(0, 1)).toBe('15,000.00 THB');
		expect(money.tick?.(500)).toBe('50%');
		expect(money.tick?.(25)).toBe('2.5%');
		expect(moneyChart(rows, 'ส่วน', ['#111111'], (row) => row.cash.text, t, 'th-TH').tick?.(100)).toBe('10%');
	});
});
