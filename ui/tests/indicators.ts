/**
 * The committee's indicators as the fake core answers them in the reports tests: the team's
 * villages in two districts, what a member who oversees every case sees for 1 January to
 * 20 November 2026, and what a case worker sees of the same (small counts hidden).
 */
import type { Amount, Cell, Indicators, Village } from '$lib/ipc';

export const shown = (value: number): Cell => ({ value, suppressed: false });
export const HIDDEN: Cell = { value: null, suppressed: true };

export function thb(text: string): Amount {
	return { minor: text.replace(/[^0-9-]/g, ''), text: `${text} THB` };
}

export const VILLAGES: Village[] = [
	{ id: 'v-1', nameTh: 'บ้านป่าสัก', nameEn: 'Ban Pa Sak', moo: 3, subdistrict: 'เวียงพางคำ', district: 'แม่สาย', province: 'เชียงราย' },
	{ id: 'v-2', nameTh: 'บ้านเหมืองแดง', nameEn: null, moo: 5, subdistrict: 'แม่สาย', district: 'แม่สาย', province: 'เชียงราย' },
	{ id: 'v-3', nameTh: 'บ้านสบรวก', nameEn: null, moo: null, subdistrict: 'เวียง', district: 'เชียงแสน', province: 'เชียงราย' }
];

/** What a member who oversees every case sees for the team, 1 January to 20 November 2026. */
export function report(overrides: Partial<Indicators> = {}): Indicators {
	return {
		from: '2026-01-01',
		to: '2026-11-20',
		district: null,
		villageId: null,
		villageName: null,
		protected: false,
		community: {
			volunteersActive: 14,
			volunteersTrained: 11,
			trainedInPeriod: 6,
			villages: 7,
			villagesCovered: 5,
			childrenRegistered: shown(230),
			childrenFlagged: shown(31)
		},
		children: {
			assisted: shown(23),
			bySex: [
				{ key: 'female', label: null, count: shown(14) },
				{ key: 'male', label: null, count: shown(8) },
				{ key: 'other', label: null, count: shown(0) },
				{ key: 'unknown', label: null, count: shown(1) }
			],
			byAge: [
				{ key: '0-5', label: null, count: shown(2) },
				{ key: '6-11', label: null, count: shown(7) },
				{ key: '12-14', label: null, count: shown(9) },
				{ key: '15-17', label: null, count: shown(5) },
				{ key: '18+', label: null, count: shown(0) },
				{ key: 'unknown', label: null, count: shown(0) }
			],
			byConcern: [
				{ key: 'trafficking', label: null, count: shown(9) },
				{ key: 'labour_exploitation', label: null, count: shown(12) },
				{ key: 'neglect', label: null, count: shown(6) }
			]
		},
		cases: {
			opened: shown(12),
			closed: shown(7),
			byOutcome: [
				{ key: 'resolved_district', label: null, count: shown(4) },
				{ key: 'referred_province', label: null, count: shown(2) },
				{ key: 'no_further_action', label: null, count: shown(1) }
			],
			resolvedDistrict: shown(4),
			referredProvince: shown(2),
			medianDaysToClose: 18
		},
		referrals: {
			total: shown(9),
			byAgency: [
				{
					key: 'a-1',
					label: 'Chiang Rai Social Development Office',
					sent: shown(1),
					accepted: shown(3),
					declined: shown(0),
					done: shown(2),
					total: shown(6)
				},
				{ key: 'level:district', label: null, sent: shown(2), accepted: shown(1), declined: shown(0), done: shown(0), total: shown(3) }
			]
		},
		documentation: {
			completed: shown(6),
			byKind: [
				{ key: 'birth_registration', label: null, count: shown(3) },
				{ key: 'dna_test', label: null, count: shown(1) },
				{ key: 'registrar_application', label: null, count: shown(2) },
				{ key: 'hearing', label: null, count: shown(0) },
				{ key: 'decision', label: null, count: shown(0) }
			]
		},
		funds: [
			{
				fundId: 'f-1',
				name: 'Child protection fund 2026',
				currency: 'THB',
				contributed: [
					{ key: 'a-1', label: 'Chiang Rai Social Development Office', cash: thb('25,000.00'), inKind: thb('0.00'), permille: 625 },
					{ key: 'a-2', label: 'Mae Sai Police Station', cash: thb('15,000.00'), inKind: thb('5,000.00'), permille: 375 }
				],
				contributedCash: thb('40,000.00'),
				contributedInKind: thb('5,000.00'),
				spent: [{ key: 'l-1', label: 'Transport', cash: thb('2,500.00'), inKind: thb('0.00'), permille: 1000 }],
				spentTotal: thb('2,500.00')
			}
		],
		...overrides
	};
}

/** What a case worker sees of the same: small counts hidden, and one more beside a lone hidden one. */
export function protectedReport(): Indicators {
	const full = report();
	return {
		...full,
		protected: true,
		children: {
			...full.children,
			bySex: [
				{ key: 'female', label: null, count: shown(14) },
				{ key: 'male', label: null, count: shown(8) },
				{ key: 'other', label: null, count: shown(0) },
				{ key: 'unknown', label: null, count: HIDDEN }
			]
		},
		cases: { ...full.cases, closed: HIDDEN, resolvedDistrict: HIDDEN, referredProvince: HIDDEN, medianDaysToClose: null },
		referrals: { ...full.referrals, total: shown(9) },
		documentation: { ...full.documentation, completed: HIDDEN }
	};
}
