/**
 * Bar charts on a `<canvas>`, drawn by Chart.js. Only the bar chart's parts are registered,
 * so the rest of Chart.js stays out of the bundle. `use:barChart={data}` makes the chart,
 * redraws it when `data` changes and destroys it with the canvas. A canvas that gives no 2D
 * context (happy-dom, in the tests) gets no chart and no error: the table beside every chart
 * holds the same figures. A value of `null` draws no bar: a hidden count is never guessed.
 */
import {
	BarController,
	BarElement,
	CategoryScale,
	Chart,
	Legend,
	LinearScale,
	Tooltip,
	type ChartConfiguration
} from 'chart.js';
import type { Action } from 'svelte/action';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface BarSeries {
	label: string;
	/** One value a label; `null` draws no bar. */
	values: (number | null)[];
	/** One colour for the whole series, or one a bar. */
	colour: string | string[];
}

export interface BarChartData {
	/** The bars' names, one a row (the bars run across, so long names stay readable). */
	labels: string[];
	series: BarSeries[];
	/** The series stacked in one bar a label (referrals by status); side by side otherwise. */
	stacked?: boolean;
	/** The axis's numbers as text (a share as "50.0%"); whole numbers otherwise. */
	tick?: (value: number) => string;
	/** A bar's tooltip (series, label); "series: value" otherwise. */
	tooltip?: (series: number, index: number) => string;
	/** The Intl locale Chart.js writes its numbers in. */
	locale?: string;
}

/** The app's colours (`app.css`), for a chart: Chart.js draws on a canvas, where `var(--…)` means nothing. */
export function appColour(name: 'primary' | 'success' | 'danger' | 'warning' | 'text' | 'muted' | 'line'): string {
	const fallback: Record<typeof name, string> = {
		primary: '#1f5a86',
		success: '#1e7a46',
		danger: '#b42318',
		warning: '#b76e00',
		text: '#1b2733',
		muted: '#52606d',
		line: '#d9e0e7'
	};
	const root = typeof document === 'undefined' ? null : document.documentElement;
	const value = root ? getComputedStyle(root).getPropertyValue(`--${name}`).trim() : '';
	return value || fallback[name];
}

/** Money in, by agency: the Funds screen's blues and greens (`FundChart.svelte`), a colour an agency in turn. */
export const MONEY_IN = ['#1f5a86', '#2e8b57', '#5b8fc7', '#7a5ba6', '#2a9d9a', '#3b4f6b', '#88b04b', '#9ab8d8'];
/** Money out, by line: the Funds screen's warm colours, a colour a line in turn. */
export const MONEY_OUT = ['#b76e00', '#b42318', '#d99a3d', '#8c4a2f', '#d9603b', '#a3476e', '#c9a227', '#e0a899'];

/** The colour of the `index`th bar from `palette`; a ninth starts it again (the table tells them apart). */
export function paletteColour(palette: readonly string[], index: number): string {
	return palette[index % palette.length];
}

/** The longest name a bar shows beside it, in letters; the tooltip and the table show it whole. */
const LABEL_LETTERS = 36;

/** `label` cut to `LABEL_LETTERS` letters (whole letters: a Thai vowel mark stays with its consonant). */
export function shortLabel(label: string, locale = 'en'): string {
	const letters = [...new Intl.Segmenter(locale, { granularity: 'grapheme' }).segment(label)].map((part) => part.segment);
	return letters.length <= LABEL_LETTERS ? label : `${letters.slice(0, LABEL_LETTERS - 1).join('').trimEnd()}…`;
}

/** What Chart.js is given for `data`. */
export function barConfig(data: BarChartData): ChartConfiguration<'bar', (number | null)[], string> {
	const stacked = data.stacked ?? false;
	const { labels, tick, tooltip } = data;
	return {
		type: 'bar',
		data: {
			labels: labels.map((label) => shortLabel(label, data.locale)),
			datasets: data.series.map((series) => ({
				label: series.label,
				data: [...series.values],
				backgroundColor: series.colour,
				borderWidth: 0,
				maxBarThickness: 26
			}))
		},
		options: {
			indexAxis: 'y',
			responsive: true,
			maintainAspectRatio: false,
			// Calm: the bars are drawn where they belong, without motion.
			animation: false,
			...(data.locale ? { locale: data.locale } : {}),
			scales: {
				x: {
					stacked,
					beginAtZero: true,
					grid: { color: appColour('line') },
					ticks: tick ? { maxTicksLimit: 6, callback: (value) => tick(Number(value)) } : { precision: 0 }
				},
				y: { stacked, grid: { display: false } }
			},
			plugins: {
				legend: { display: data.series.length > 1, position: 'bottom' },
				tooltip: {
					callbacks: {
						title: (items) => (items.length > 0 ? labels[items[0].dataIndex] : ''),
						...(tooltip ? { label: (item) => tooltip(item.datasetIndex, item.dataIndex) } : {})
					}
				}
			}
		}
	};
}

/** The canvas's 2D context, or null where there is none (a test's DOM, a window closing). */
function drawingContext(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
	try {
		return canvas.getContext('2d');
	} catch {
		return null;
	}
}

let lookSet = false;

/**
 * Chart.js writes in the app's font and text colour. The font's Thai letters are a file of
 * their own, loaded when first needed: it is asked for now, and the charts are drawn again
 * once it is here (a canvas does not redraw itself when a font arrives).
 */
function useAppLook(): void {
	if (lookSet) return;
	lookSet = true;
	const root = document.documentElement;
	const font = getComputedStyle(root).getPropertyValue('--font-body').trim();
	if (font) {
		Chart.defaults.font.family = font;
		document.fonts?.load(`16px ${font}`, 'ภาษาไทย').catch(() => {});
	}
	Chart.defaults.color = appColour('text');
}

/** `use:barChart={data}`: a bar chart of `data` on this canvas, kept up to date, gone with it. */
export const barChart: Action<HTMLCanvasElement, BarChartData> = (canvas, data) => {
	const context = drawingContext(canvas);
	if (context === null) return;
	useAppLook();
	const chart = new Chart(context, barConfig(data));
	const redraw = () => chart.update();
	document.fonts?.addEventListener('loadingdone', redraw);
	return {
		update(next) {
			const config = barConfig(next);
			chart.data = config.data;
			if (config.options) chart.options = config.options;
			chart.update();
		},
		destroy() {
			document.fonts?.removeEventListener('loadingdone', redraw);
			chart.destroy();
		}
	};
};
