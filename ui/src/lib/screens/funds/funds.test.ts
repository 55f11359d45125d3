/**
 * The Funds screen against the fake core of `tests/backend.ts`: the overview as the core
 * computed it (totals, lines, contributors, the chart's lengths), controls shown only by the
 * core's flags, the request form (sent as typed; the core's refusal kept with what was
 * typed), deciding, paying with a receipt, the ledger's filters, pages and export, reversal,
 * requests for a case the reader does not follow, requests handed over when their member
 * left, and a case file's spending.
 */
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type {
	Amount,
	FundOverview,
	FundSummary,
	LedgerEntry,
	LedgerQuery,
	Permission,
	SpendingRequest
} from '$lib/ipc';
import { vaultData } from '$lib/stores/vault.svelte';
import {
	ALL_PERMISSIONS,
	caseFile,
	caseSummary,
	taskItem,
	fail,
	installBackend,
	team,
	type Handler
} from '../../../../tests/backend';
import CaseFileView from '../cases/CaseFileView.svelte';
import FundsView from '../FundsView.svelte';

function thb(text: string): Amount {
	return { minor: text.replace(/[^0-9-]/g, ''), text: `${text} THB` };
}

const FUND: FundSummary = {
	id: 'f-1',
	name: 'Child protection fund 2026',
	currency: 'THB',
	startsOn: '2026-01-01',
	endsOn: '2026-12-31',
	secondApprovalAbove: thb('10,000.00'),
	balance: thb('37,500.00')
};

const OTHER_FUND: FundSummary = { ...FUND, id: 'f-2', name: 'Emergency fund' };

/** A fund with two lines and two contributors, as a reader with every right sees it. */
function overview(overrides: Partial<FundOverview> = {}): FundOverview {
	return {
		fund: FUND,
		totals: {
			cash: thb('40,000.00'),
			inKind: thb('5,000.00'),
			allocated: thb('30,000.00'),
			unallocated: thb('10,000.00'),
			committed: thb('4,000.00'),
			paid: thb('2,500.00'),
			balance: thb('37,500.00'),
			available: thb('33,500.00')
		},
		lines: [
			{
				id: 'l-1',
				name: 'Transport',
				allocated: thb('10,000.00'),
				committed: thb('1,500.00'),
				paid: thb('2,500.00'),
				remaining: thb('6,000.00')
			},
			{
				id: 'l-2',
				name: 'Shelter',
				allocated: thb('20,000.00'),
				committed: thb('2,500.00'),
				paid: thb('0.00'),
				remaining: thb('17,500.00')
			}
		],
		contributors: [
			{
				agencyId: 'a-1',
				name: 'Chiang Rai Social Development Office',
				cash: thb('25,000.00'),
				inKind: thb('0.00'),
				shareOfPaid: thb('1,562.50'),
				unspent: thb('23,437.50'),
				cashPermille: 625
			},
			{
				agencyId: 'a-2',
				name: 'Mae Sai Police Station',
				cash: thb('15,000.00'),
				inKind: thb('5,000.00'),
				shareOfPaid: thb('937.50'),
				unspent: thb('14,062.50'),
				cashPermille: 375
			}
		],
		months: [
			{
				month: '2026-02',
				contributed: [
					{ id: 'a-1', amount: thb('25,000.00'), permille: 625 },
					{ id: 'a-2', amount: thb('15,000.00'), permille: 375 }
				],
				paid: []
			},
			{
				month: '2026-03',
				contributed: [{ id: 'a-2', amount: thb('5,000.00'), permille: 125 }],
				paid: [{ id: 'l-1', amount: thb('2,500.00'), permille: 63 }]
			}
		],
		mayManage: true,
		mayRequest: true,
		mayApprove: true,
		mayReadLedger: true,
		waitingForMe: 2,
		...overrides
	};
}

/** What a member with no right over funds sees: the overview, and their own requests. */
const VIEWER_FLAGS: Partial<FundOverview> = {
	mayManage: false,
	mayRequest: false,
	mayApprove: false,
	mayReadLedger: false,
	waitingForMe: 0
};

function request(overrides: Partial<SpendingRequest> = {}): SpendingRequest {
	return {
		id: 'r-3',
		number: 3,
		fundId: 'f-1',
		fundName: FUND.name,
		lineId: 'l-1',
		lineName: 'Transport',
		amount: thb('1,500.00'),
		purpose: 'Bus fare to the provincial court',
		caseId: 'c-1',
		caseHidden: false,
		cardId: null,
		requestedBy: 'm-2',
		requestedByName: 'Malee Srisuk',
		requestedAt: '2026-03-02T03:00:00.000Z',
		heldBy: 'm-2',
		heldByName: 'Malee Srisuk',
		handoverNote: null,
		status: 'pending',
		approvalsNeeded: 1,
		decisions: [],
		payment: null,
		awaitingSecond: false,
		mayDecide: true,
		mayPay: false,
		mayCancel: false,
		...overrides
	};
}

function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
	return {
		seq: 40,
		id: 'e-40',
		kind: 'contribution',
		amount: thb('25,000.00'),
		agencyId: 'a-1',
		agencyName: 'Chiang Rai Social Development Office',
		inKind: false,
		lineId: null,
		lineName: null,
		requestNumber: null,
		onDate: '2026-02-03',
		description: null,
		reference: 'RC-1001',
		method: null,
		original: null,
		receiptId: null,
		reverses: null,
		reversed: false,
		mayReverse: false,
		recordedByName: 'Somchai Jaidee',
		recordedAt: '2026-02-03T04:00:00.000Z',
		...overrides
	};
}

async function openFunds(
	handlers: Record<string, Handler> = {},
	permissions: Permission[] = ALL_PERMISSIONS
) {
	const core = installBackend({
		team_overview: () => team(),
		fund_list: () => [FUND, OTHER_FUND],
		fund_overview: () => overview(),
		fund_requests: () => [],
		fund_ledger: () => ({ entries: [], more: false }),
		...handlers
	});
	vaultData.permissions = permissions;
	const user = userEvent.setup();
	render(FundsView);
	await screen.findByTestId('fund-header');
	return { core, user };
}

function row(testid: string, attribute: string, value: string): HTMLElement {
	const found = screen.getAllByTestId(testid).find((element) => element.getAttribute(attribute) === value);
	if (!found) throw new Error(`no ${testid} with ${attribute}=${value}`);
	return found;
}

describe('a fund’s overview', () => {
	it('shows the core’s totals, lines and contributors as their text, for the first fund', async () => {
		const { core } = await openFunds();

		expect(core.callsTo('fund_overview')).toEqual([{ cmd: 'fund_overview', args: { fundId: 'f-1' } }]);
		const select = screen.getByTestId('fund-select') as HTMLSelectElement;
		expect(select).toHaveValue('f-1');
		expect([...select.options].map((option) => option.textContent)).toEqual([
			'Child protection fund 2026',
			'Emergency fund'
		]);
		expect(screen.getByTestId('fund-total-cash')).toHaveTextContent(/^40,000.00 THB$/);
		expect(screen.getByTestId('fund-total-in-kind')).toHaveTextContent(/^5,000.00 THB$/);
		expect(screen.getByTestId('fund-total-allocated')).toHaveTextContent(/^30,000.00 THB$/);
		expect(screen.getByTestId('fund-total-unallocated')).toHaveTextContent(/^10,000.00 THB$/);
		expect(screen.getByTestId('fund-total-committed')).toHaveTextContent(/^4,000.00 THB$/);
		expect(screen.getByTestId('fund-total-paid')).toHaveTextContent(/^2,500.00 THB$/);
		expect(screen.getByTestId('fund-total-balance')).toHaveTextContent(/^37,500.00 THB$/);
		expect(screen.getByTestId('fund-total-available')).toHaveTextContent(/^33,500.00 THB$/);
		expect(screen.getByTestId('fund-threshold')).toHaveTextContent('Requests above 10,000.00 THB need two different approvers');

		const transport = row('fund-line-row', 'data-line-name', 'Transport');
		expect(within(transport).getByTestId('fund-line-allocated')).toHaveTextContent('10,000.00 THB');
		expect(within(transport).getByTestId('fund-line-committed')).toHaveTextContent('1,500.00 THB');
		expect(within(transport).getByTestId('fund-line-paid')).toHaveTextContent('2,500.00 THB');
		expect(within(transport).getByTestId('fund-line-remaining')).toHaveTextContent('6,000.00 THB');
		expect(screen.getAllByTestId('fund-line-row')).toHaveLength(2);

		const police = row('contributor-row', 'data-agency-name', 'Mae Sai Police Station');
		expect(within(police).getByTestId('contributor-cash')).toHaveTextContent('15,000.00 THB');
		expect(within(police).getByTestId('contributor-in-kind')).toHaveTextContent('5,000.00 THB');
		expect(within(police).getByTestId('contributor-share')).toHaveTextContent('937.50 THB');
		expect(within(police).getByTestId('contributor-unspent')).toHaveTextContent('14,062.50 THB');
		expect(within(police).getByTestId('contributor-part')).toHaveTextContent('37.5%');
	});

	it('draws each month’s bars from the core’s thousandths, with a legend and a table for screen readers', async () => {
		await openFunds();

		const chart = screen.getByTestId('fund-chart');
		const months = within(chart).getAllByTestId('chart-month');
		expect(months.map((month) => month.dataset.month)).toEqual(['2026-02', '2026-03']);
		const february = within(months[0]);
		const parts = within(february.getByTestId('chart-contributed')).getAllByTestId('chart-part');
		expect(parts.map((part) => [part.dataset.id, part.style.width])).toEqual([
			['a-1', '62.5%'],
			['a-2', '37.5%']
		]);
		expect(within(february.getByTestId('chart-paid')).queryAllByTestId('chart-part')).toHaveLength(0);
		const paid = within(within(months[1]).getByTestId('chart-paid')).getAllByTestId('chart-part');
		expect(paid.map((part) => [part.dataset.id, part.style.width])).toEqual([['l-1', '6.3%']]);

		// The legend names each id; the same colour class marks a part and its key.
		const legend = within(chart).getAllByTestId('chart-legend-agency');
		expect(legend.map((key) => key.textContent?.trim())).toEqual([
			'Chiang Rai Social Development Office',
			'Mae Sai Police Station'
		]);
		expect(within(chart).getByTestId('chart-legend-line')).toHaveTextContent('Transport');
		expect(parts[1].className).toContain(legend[1].querySelector('.swatch')?.className.split(' ').find((name) => /^c\d$/.test(name)));

		// A screen reader reads the amounts from a table; the bars are hidden from it.
		expect(months[0].closest('ol')).toHaveAttribute('aria-hidden', 'true');
		expect(within(chart).queryAllByRole('listitem')).toHaveLength(0);
		const table = within(chart).getByTestId('fund-chart-table');
		expect(table).toHaveTextContent('Mae Sai Police Station: 5,000.00 THB');
		expect(table).toHaveTextContent('Transport: 2,500.00 THB');
		// Anyone can show the same figures on screen, and hide them again.
		expect(table).toHaveClass('visually-hidden');
		const figures = within(chart).getByTestId('fund-chart-figures');
		await userEvent.setup().click(figures);
		expect(table).not.toHaveClass('visually-hidden');
		expect(figures).toHaveAttribute('aria-pressed', 'true');
		await userEvent.setup().click(figures);
		expect(table).toHaveClass('visually-hidden');
	});

	it('opens another fund when it is chosen', async () => {
		const { core, user } = await openFunds({
			fund_overview: (args) =>
				args.fundId === 'f-2' ? overview({ fund: OTHER_FUND, totals: { ...overview().totals, cash: thb('1.00') } }) : overview()
		});
		await user.selectOptions(screen.getByTestId('fund-select'), 'f-2');

		await waitFor(() => expect(screen.getByTestId('fund-total-cash')).toHaveTextContent('1.00 THB'));
		expect(core.callsTo('fund_overview').map((call) => call.args.fundId)).toEqual(['f-1', 'f-2']);
	});

	it('shows nothing of the last fund while the one chosen loads, and takes only its answer', async () => {
		let release: () => void = () => {};
		const held = new Promise<void>((resolve) => (release = resolve));
		const { user } = await openFunds({
			fund_overview: async (args) => {
				if (args.fundId !== 'f-2') return overview();
				await held;
				return overview({ fund: OTHER_FUND, totals: { ...overview().totals, cash: thb('1.00') } });
			}
		});
		await waitFor(() => expect(screen.getByTestId('fund-header')).toHaveAttribute('data-fund-id', 'f-1'));
		await user.selectOptions(screen.getByTestId('fund-select'), 'f-2');
		// Fund A's totals and forms are gone: nothing can be written to it by mistake.
		expect(screen.queryByTestId('fund-header')).not.toBeInTheDocument();
		expect(screen.queryByTestId('fund-total-cash')).not.toBeInTheDocument();
		release();
		await waitFor(() => expect(screen.getByTestId('fund-header')).toHaveAttribute('data-fund-id', 'f-2'));
		expect(screen.getByTestId('fund-total-cash')).toHaveTextContent('1.00 THB');
	});
});

describe('what a reader is offered', () => {
	it('offers a viewer the overview and their own requests only, with no form', async () => {
		const { core, user } = await openFunds({ fund_overview: () => overview(VIEWER_FLAGS) }, []);

		expect(screen.queryByTestId('fund-new')).not.toBeInTheDocument();
		expect(screen.getByTestId('fund-tab-overview')).toBeInTheDocument();
		expect(screen.getByTestId('fund-tab-requests')).toBeInTheDocument();
		for (const tab of ['approvals', 'ledger', 'manage']) {
			expect(screen.queryByTestId(`fund-tab-${tab}`)).not.toBeInTheDocument();
		}
		await user.click(screen.getByTestId('fund-tab-requests'));
		expect(await screen.findByTestId('request-list-empty')).toBeInTheDocument();
		expect(screen.queryByTestId('request-form')).not.toBeInTheDocument();
		expect(screen.getByText('My requests')).toBeInTheDocument();
		expect(core.callsTo('fund_requests')[0].args).toEqual({ query: { fundId: 'f-1', status: null } });
		expect(core.callsTo('fund_ledger')).toHaveLength(0);
	});

	it('offers every part when the core’s flags allow it, with the count waiting for this reader', async () => {
		const { user } = await openFunds();

		expect(screen.getByTestId('fund-new')).toBeInTheDocument();
		for (const tab of ['overview', 'approvals', 'requests', 'ledger', 'manage']) {
			expect(screen.getByTestId(`fund-tab-${tab}`)).toBeInTheDocument();
		}
		expect(screen.getByTestId('fund-approvals-count')).toHaveTextContent(/^2$/);
		expect(screen.getByTestId('fund-tab-approvals')).toHaveAccessibleName('Approval queue 2 requests waiting for you');

		await user.click(screen.getByTestId('fund-tab-requests'));
		expect(screen.getByTestId('request-form')).toBeInTheDocument();
		await user.click(screen.getByTestId('fund-tab-manage'));
		for (const testid of ['contribution-submit', 'allocation-submit', 'line-add-submit']) {
			expect(screen.getByTestId(testid)).toBeInTheDocument();
		}
	});

	it('follows the flags, not the role: a manager’s role without this fund’s flags gets no tools', async () => {
		await openFunds({ fund_overview: () => overview({ ...VIEWER_FLAGS, mayRequest: true }) });
		expect(screen.getByTestId('fund-new')).toBeInTheDocument();
		expect(screen.queryByTestId('fund-tab-manage')).not.toBeInTheDocument();
		expect(screen.queryByTestId('fund-tab-ledger')).not.toBeInTheDocument();
		expect(screen.queryByTestId('fund-tab-approvals')).not.toBeInTheDocument();
	});

	it('moves between the tabs with the arrow keys', async () => {
		const { user } = await openFunds();
		screen.getByTestId('fund-tab-overview').focus();
		await user.keyboard('{ArrowRight}');
		expect(screen.getByTestId('fund-tab-approvals')).toHaveFocus();
		expect(screen.getByTestId('fund-tab-approvals')).toHaveAttribute('aria-selected', 'true');
		await user.keyboard('{End}');
		expect(screen.getByTestId('fund-tab-manage')).toHaveFocus();
	});
});

describe('opening a fund', () => {
	it('sends the form as typed, one line a row, and opens the new fund', async () => {
		const created = overview({ fund: { ...FUND, id: 'f-9', name: 'Flood relief' }, lines: [] });
		let list = [FUND];
		const { core, user } = await openFunds({
			fund_list: () => list,
			fund_create: () => {
				list = [FUND, created.fund];
				return created;
			}
		});
		await user.click(screen.getByTestId('fund-new'));
		expect(screen.getByTestId('fund-form-name')).toHaveFocus();
		await user.type(screen.getByTestId('fund-form-name'), 'Flood relief');
		await user.type(screen.getByTestId('fund-form-currency'), 'thb');
		// A calendar year is offered: this one.
		const year = String(new Date().getFullYear());
		expect(screen.getByTestId('fund-form-starts')).toHaveValue(`${year}-01-01`);
		expect(screen.getByTestId('fund-form-ends')).toHaveValue(`${year}-12-31`);
		await user.clear(screen.getByTestId('fund-form-starts'));
		await user.type(screen.getByTestId('fund-form-starts'), '2026-07-01');
		await user.clear(screen.getByTestId('fund-form-ends'));
		await user.type(screen.getByTestId('fund-form-ends'), '2026-12-31');
		await user.type(screen.getByTestId('fund-form-threshold'), '5,000');
		await user.type(screen.getByTestId('fund-form-lines'), 'Food\n\n  Shelter repairs \n');
		await user.click(screen.getByTestId('fund-form-submit'));

		await waitFor(() => expect(screen.getByTestId('fund-header')).toHaveAttribute('data-fund-id', 'f-9'));
		expect(core.callsTo('fund_create')[0].args).toEqual({
			fund: {
				name: 'Flood relief',
				currency: 'thb',
				startsOn: '2026-07-01',
				endsOn: '2026-12-31',
				secondApprovalAbove: '5,000',
				lines: ['Food', 'Shelter repairs']
			}
		});
		expect(screen.queryByTestId('fund-form')).not.toBeInTheDocument();
		await waitFor(() => expect(screen.getByTestId('fund-select')).toHaveValue('f-9'));
	});

	it('keeps what was typed when the core refuses, naming the field in the funds’ words', async () => {
		const { user } = await openFunds({
			fund_create: () => fail('invalid', { field: 'secondApprovalAbove', message: 'is not an amount' })
		});
		await user.click(screen.getByTestId('fund-new'));
		await user.type(screen.getByTestId('fund-form-name'), 'Flood relief');
		await user.type(screen.getByTestId('fund-form-threshold'), 'five thousand{Enter}');

		const error = await screen.findByTestId('funds-error');
		expect(error).toHaveTextContent('Please check “Second approval above”: the value was not accepted.');
		expect(screen.getByTestId('fund-form-threshold')).toHaveValue('five thousand');
		expect(screen.getByTestId('fund-form-threshold')).toHaveFocus();
		expect(screen.getByTestId('fund-form-threshold')).toHaveAttribute('aria-invalid', 'true');

		await user.keyboard('{Escape}');
		expect(screen.queryByTestId('fund-form')).not.toBeInTheDocument();
		expect(screen.getByTestId('fund-new')).toHaveFocus();
	});
});

describe('asking to spend', () => {
	const MY_CASES = { cases: [caseSummary()], next: null };

	it('sends the line, the amount and the purpose exactly as typed, with the case chosen', async () => {
		let requests: SpendingRequest[] = [];
		const { core, user } = await openFunds({
			case_list: () => MY_CASES,
			fund_requests: () => requests,
			fund_request: () => {
				requests = [request({ mayDecide: false, number: 7 })];
				return requests[0];
			}
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		const line = screen.getByTestId('request-line') as HTMLSelectElement;
		expect([...line.options].map((option) => option.textContent)).toEqual([
			'Choose…',
			'Transport (6,000.00 THB left)',
			'Shelter (17,500.00 THB left)'
		]);
		await waitFor(() => expect((screen.getByTestId('request-case') as HTMLSelectElement).options).toHaveLength(2));

		await user.selectOptions(line, 'l-1');
		await user.type(screen.getByTestId('request-amount'), ' 1,250.50 ');
		await user.type(screen.getByTestId('request-purpose'), 'Bus fare to the provincial court');
		await user.selectOptions(screen.getByTestId('request-case'), 'c-1');
		await user.click(screen.getByTestId('request-submit'));

		expect(await screen.findByTestId('request-sent')).toHaveTextContent('Request #7 was sent for approval.');
		expect(core.callsTo('fund_request')[0].args).toEqual({
			request: {
				fundId: 'f-1',
				lineId: 'l-1',
				amount: ' 1,250.50 ',
				purpose: 'Bus fare to the provincial court',
				caseId: 'c-1',
				cardId: null
			}
		});
		// The list and the totals are asked for again.
		await waitFor(() => expect(screen.getAllByTestId('request-row')).toHaveLength(1));
		expect(core.callsTo('fund_overview')).toHaveLength(2);
		expect(screen.getByTestId('request-amount')).toHaveValue('');
	});

	it('offers the member’s tasks on the chosen case, and sends the one chosen', async () => {
		const { core, user } = await openFunds({
			case_list: () => MY_CASES,
			my_tasks: (args) =>
				(args as { query: { caseId: string | null } }).query.caseId === 'c-1'
					? [taskItem({}, { id: 'k-1', title: 'Take her to the shelter', caseId: 'c-1' })]
					: [],
			fund_request: () => request({ number: 8 })
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		await waitFor(() => expect((screen.getByTestId('request-case') as HTMLSelectElement).options).toHaveLength(2));
		expect(screen.queryByTestId('request-task')).not.toBeInTheDocument();
		await user.selectOptions(screen.getByTestId('request-line'), 'l-1');
		await user.type(screen.getByTestId('request-amount'), '800');
		await user.type(screen.getByTestId('request-purpose'), 'Taxi to the shelter');
		await user.selectOptions(screen.getByTestId('request-case'), 'c-1');
		const task = (await screen.findByTestId('request-task')) as HTMLSelectElement;
		expect([...task.options].map((option) => option.textContent)).toEqual(['No task', 'Take her to the shelter']);
		await user.selectOptions(task, 'k-1');
		await user.click(screen.getByTestId('request-submit'));

		await screen.findByTestId('request-sent');
		expect(core.callsTo('my_tasks').at(-1)?.args).toEqual({ query: { due: null, caseId: 'c-1', boardId: null } });
		expect(core.callsTo('fund_request')[0].args).toMatchObject({ request: { caseId: 'c-1', cardId: 'k-1' } });
		// Cleared with the case: no task is offered until a case is chosen again.
		await waitFor(() => expect(screen.queryByTestId('request-task')).not.toBeInTheDocument());
	});

	it('keeps what was typed while the reader looks at another tab, and not for another fund', async () => {
		const { user } = await openFunds({
			case_list: () => MY_CASES,
			fund_overview: (args) => (args.fundId === 'f-2' ? overview({ fund: OTHER_FUND }) : overview())
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		await user.selectOptions(screen.getByTestId('request-line'), 'l-2');
		await user.type(screen.getByTestId('request-amount'), '4,000');
		await user.type(screen.getByTestId('request-purpose'), 'School fees for the term');
		await user.click(screen.getByTestId('fund-tab-overview'));
		expect(screen.queryByTestId('request-form')).not.toBeInTheDocument();
		await user.click(screen.getByTestId('fund-tab-requests'));
		expect(screen.getByTestId('request-line')).toHaveValue('l-2');
		expect(screen.getByTestId('request-amount')).toHaveValue('4,000');
		expect(screen.getByTestId('request-purpose')).toHaveValue('School fees for the term');

		await user.selectOptions(screen.getByTestId('fund-select'), 'f-2');
		await waitFor(() => expect(screen.getByTestId('fund-header')).toHaveAttribute('data-fund-id', 'f-2'));
		await user.click(screen.getByTestId('fund-tab-requests'));
		expect(screen.getByTestId('request-amount')).toHaveValue('');
		expect(screen.getByTestId('request-purpose')).toHaveValue('');
	});

	it('shows the core’s refusal with the field’s name and keeps what was typed', async () => {
		const { core, user } = await openFunds({
			fund_request: () => fail('invalid', { field: 'amount', message: 'is more than the line has left' })
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		await user.selectOptions(screen.getByTestId('request-line'), 'l-2');
		await user.type(screen.getByTestId('request-amount'), '99,999');
		await user.type(screen.getByTestId('request-purpose'), 'Rent{Enter}');

		const error = await screen.findByTestId('funds-error');
		expect(error).toHaveTextContent('Please check “Amount”: the value was not accepted.');
		expect(error).toHaveTextContent('is more than the line has left');
		expect(core.callsTo('fund_request')[0].args).toMatchObject({ request: { amount: '99,999', purpose: 'Rent', caseId: null } });
		const amount = screen.getByTestId('request-amount');
		expect(amount).toHaveValue('99,999');
		expect(amount).toHaveAttribute('aria-invalid', 'true');
		expect(amount).toHaveFocus();
		expect(screen.getByTestId('request-line')).toHaveValue('l-2');
		expect(screen.getByTestId('request-purpose')).toHaveValue('Rent');
	});
});

describe('deciding', () => {
	it('approves from the queue, then asks for the queue and the totals again', async () => {
		let pending = [request(), request({ id: 'r-4', number: 4, mayDecide: false })];
		const { core, user } = await openFunds({
			fund_requests: () => pending,
			fund_decide: () => {
				const decided = request({ status: 'approved', mayDecide: false });
				pending = [];
				return decided;
			}
		});
		await user.click(screen.getByTestId('fund-tab-approvals'));
		const queue = await screen.findByTestId('approval-queue');
		await waitFor(() => expect(within(queue).getAllByTestId('request-row')).toHaveLength(1));
		expect(core.callsTo('fund_requests')[0].args).toEqual({ query: { fundId: 'f-1', status: 'pending' } });
		const row = within(queue).getByTestId('request-row');
		expect(row).toHaveAttribute('data-request-number', '3');
		expect(row).toHaveAttribute('data-status', 'pending');

		await user.click(within(row).getByTestId('request-approve'));

		expect(await screen.findByTestId('approval-done')).toBeInTheDocument();
		expect(core.callsTo('fund_decide')[0].args).toEqual({
			decision: { requestId: 'r-3', approve: true, reason: null }
		});
		await waitFor(() => expect(screen.getByTestId('approval-queue-empty')).toBeInTheDocument());
		expect(core.callsTo('fund_overview')).toHaveLength(2);
		// The request left the queue with the button pressed: the focus stays in the queue.
		await waitFor(() => expect(queue).toHaveFocus());
	});

	it('says when a second approver is needed, and lists the decisions', async () => {
		await openFunds({
			fund_requests: () => [
				request({
					approvalsNeeded: 2,
					awaitingSecond: true,
					amount: thb('12,000.00'),
					decisions: [
						{ memberId: 'm-3', memberName: 'Anan Kaewmanee', approve: true, reason: null, decidedAt: '2026-03-03T03:00:00.000Z' }
					]
				})
			]
		});
		await userEvent.setup().click(screen.getByTestId('fund-tab-approvals'));
		const row = await screen.findByTestId('request-row');
		expect(within(row).getByTestId('request-needs-second')).toHaveTextContent('Approved once: needs a second approver');
		expect(within(row).getByTestId('request-decisions')).toHaveTextContent('Approved by Anan Kaewmanee');
	});

	it('rejects with the reason as typed; a blank one goes to the core, whose refusal shows', async () => {
		let refuse = true;
		const { core, user } = await openFunds({
			fund_requests: () => [request()],
			fund_decide: () =>
				refuse ? fail('invalid', { field: 'reason', message: 'say why' }) : request({ status: 'rejected', mayDecide: false })
		});
		await user.click(screen.getByTestId('fund-tab-approvals'));
		const row = await screen.findByTestId('request-row');
		await user.click(within(row).getByTestId('request-reject'));
		const reason = within(row).getByTestId('request-reject-reason');
		expect(reason).toHaveFocus();

		await user.click(within(row).getByTestId('request-reject-confirm'));
		const error = await within(row).findByTestId('funds-error');
		expect(error).toHaveTextContent('Please check “Reason”');
		expect(core.callsTo('fund_decide')[0].args).toEqual({ decision: { requestId: 'r-3', approve: false, reason: null } });
		expect(reason).toHaveFocus();

		refuse = false;
		await user.type(reason, 'Not for this line{Enter}');
		await waitFor(() => expect(core.callsTo('fund_decide')).toHaveLength(2));
		expect(core.callsTo('fund_decide')[1].args).toEqual({
			decision: { requestId: 'r-3', approve: false, reason: 'Not for this line' }
		});
	});

	it('closes the reason on Escape, back on the button that opened it', async () => {
		const { user } = await openFunds({ fund_requests: () => [request()] });
		await user.click(screen.getByTestId('fund-tab-approvals'));
		const row = await screen.findByTestId('request-row');
		await user.click(within(row).getByTestId('request-reject'));
		await user.keyboard('{Escape}');
		expect(within(row).queryByTestId('request-reject-reason')).not.toBeInTheDocument();
		expect(within(row).getByTestId('request-reject')).toHaveFocus();
	});

	it('cancels with a reason', async () => {
		const { core, user } = await openFunds({
			fund_requests: () => [request({ mayDecide: false, mayCancel: true })],
			fund_cancel: () => request({ status: 'cancelled', mayDecide: false })
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		const row = await screen.findByTestId('request-row');
		await user.click(within(row).getByTestId('request-cancel'));
		await user.type(within(row).getByTestId('request-cancel-reason'), 'Paid by the school instead');
		await user.click(within(row).getByTestId('request-cancel-confirm'));
		await waitFor(() => expect(core.callsTo('fund_cancel')).toHaveLength(1));
		expect(core.callsTo('fund_cancel')[0].args).toEqual({
			cancel: { requestId: 'r-3', reason: 'Paid by the school instead' }
		});
	});
});

describe('paying', () => {
	it('sends the chosen receipt as base64 with the date, method and reference', async () => {
		const { core, user } = await openFunds({
			fund_requests: () => [request({ status: 'approved', mayDecide: false, mayPay: true })],
			fund_pay: () =>
				request({
					status: 'paid',
					mayDecide: false,
					payment: { entryId: 'e-9', paidOn: '2026-03-05', method: 'transfer', reference: 'TR-77', receiptId: 'rc-1' }
				})
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		const row = await screen.findByTestId('request-row');
		await user.click(within(row).getByTestId('request-pay'));
		const date = within(row).getByTestId('pay-date');
		expect(date).toHaveFocus();
		await user.clear(date);
		await user.type(date, '2026-03-05');
		await user.selectOptions(within(row).getByTestId('pay-method'), 'transfer');
		await user.type(within(row).getByTestId('pay-reference'), 'TR-77');
		await user.upload(
			within(row).getByTestId('pay-receipt'),
			new File(['receipt bytes'], 'receipt.pdf', { type: 'application/pdf' })
		);
		await user.click(within(row).getByTestId('pay-submit'));

		await waitFor(() => expect(core.callsTo('fund_pay')).toHaveLength(1));
		expect(core.callsTo('fund_pay')[0].args).toEqual({
			payment: {
				requestId: 'r-3',
				paidOn: '2026-03-05',
				method: 'transfer',
				reference: 'TR-77',
				receiptFileName: 'receipt.pdf',
				receiptBase64: btoa('receipt bytes')
			}
		});
	});

	it('shows a paid request’s payment and opens its receipt', async () => {
		const { core, user } = await openFunds({
			fund_requests: () => [
				request({
					status: 'paid',
					mayDecide: false,
					payment: { entryId: 'e-9', paidOn: '2026-03-05', method: 'transfer', reference: 'TR-77', receiptId: 'rc-1' }
				})
			],
			fund_receipt_get: () => ({ fileName: 'receipt.png', mediaType: 'image/png', contentBase64: 'iVBORw0KGgo=' })
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		const row = await screen.findByTestId('request-row');
		expect(within(row).getByTestId('request-payment')).toHaveTextContent('Paid on 5 Mar 2026 (Bank transfer)');
		expect(within(row).getByTestId('request-payment')).toHaveTextContent('Ref. TR-77');

		await user.click(within(row).getByTestId('request-receipt'));
		const preview = await within(row).findByTestId('request-receipt-preview');
		expect(core.callsTo('fund_receipt_get')[0].args).toEqual({ receiptId: 'rc-1' });
		expect(within(preview).getByRole('img')).toHaveAttribute('src', 'data:image/png;base64,iVBORw0KGgo=');
		expect(within(preview).getByRole('img')).toHaveAttribute('alt', 'Receipt for request #3');
		await user.click(within(preview).getByTestId('request-receipt-preview-close'));
		expect(within(row).queryByTestId('request-receipt-preview')).not.toBeInTheDocument();
		expect(within(row).getByTestId('request-receipt')).toHaveFocus();
		// The button opens and closes it; each opening is one audited view, not more.
		await user.click(within(row).getByTestId('request-receipt'));
		await within(row).findByTestId('request-receipt-preview');
		expect(within(row).getByTestId('request-receipt')).toHaveAttribute('aria-pressed', 'true');
		await user.click(within(row).getByTestId('request-receipt'));
		expect(within(row).queryByTestId('request-receipt-preview')).not.toBeInTheDocument();
		expect(core.callsTo('fund_receipt_get')).toHaveLength(2);
	});
});

describe('a request for a case the reader does not follow', () => {
	it('says so, and shows no purpose', async () => {
		const { user } = await openFunds({
			fund_requests: () => [request({ purpose: 'Bus fare to the court', caseId: null, caseHidden: true, mayDecide: false })]
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		const row = await screen.findByTestId('request-row');
		expect(within(row).getByTestId('request-case-hidden')).toHaveTextContent('For a case you do not follow');
		expect(within(row).queryByTestId('request-purpose-shown')).not.toBeInTheDocument();
		expect(row).not.toHaveTextContent('Bus fare');
	});
});

describe('a request handed over when its member left the team', () => {
	const HANDED = {
		heldBy: 'm-1',
		heldByName: 'Somchai Jaidee',
		handoverNote: 'The receipt is with the court clerk'
	};

	it('says who follows it up now, with the note left for them', async () => {
		const { user } = await openFunds({
			fund_requests: () => [request(HANDED), request({ id: 'r-4', number: 4 })]
		});
		await user.click(screen.getByTestId('fund-tab-requests'));
		await waitFor(() => expect(screen.getAllByTestId('request-row')).toHaveLength(2));
		const handed = row('request-row', 'data-request-id', 'r-3');
		expect(handed).toHaveTextContent('Asked by Malee Srisuk');
		expect(within(handed).getByTestId('request-held-by')).toHaveTextContent('Followed up by Somchai Jaidee');
		expect(within(handed).getByTestId('request-handover-note')).toHaveTextContent(
			'Handover note: The receipt is with the court clerk'
		);
		// Still with the member who asked: nothing more.
		const own = row('request-row', 'data-request-id', 'r-4');
		expect(within(own).queryByTestId('request-held-by')).not.toBeInTheDocument();
		expect(within(own).queryByTestId('request-handover-note')).not.toBeInTheDocument();
	});

	it('shows the same in the case file’s spending', async () => {
		installBackend({ team_overview: () => team(), case_spending: () => [request(HANDED)] });
		render(CaseFileView, { file: caseFile(), onback: () => {}, onupdated: () => {} });

		const spending = await screen.findByTestId('case-spending-row');
		expect(within(spending).getByTestId('request-held-by')).toHaveTextContent('Followed up by Somchai Jaidee');
		expect(within(spending).getByTestId('request-handover-note')).toHaveTextContent('The receipt is with the court clerk');
	});
});

describe('the ledger', () => {
	const PAGE_ONE = {
		entries: [
			entry({ mayReverse: true }),
			entry({
				seq: 39,
				mayReverse: true,
				id: 'e-39',
				kind: 'payment',
				amount: thb('2,500.00'),
				agencyId: null,
				agencyName: null,
				lineId: 'l-1',
				lineName: 'Transport',
				requestNumber: 2,
				method: 'cash',
				receiptId: 'rc-0'
			}),
			entry({ seq: 38, id: 'e-38', kind: 'allocation', agencyId: null, agencyName: null, lineId: 'l-1', lineName: 'Transport' })
		],
		more: true
	};

	function sentQueries(core: ReturnType<typeof installBackend>): LedgerQuery[] {
		return core.callsTo('fund_ledger').map((call) => call.args.query as LedgerQuery);
	}

	it('applies the filters as chosen, and loads the page before the last row shown', async () => {
		const { core, user } = await openFunds({
			fund_ledger: (args) =>
				(args.query as LedgerQuery).before === null
					? PAGE_ONE
					: { entries: [entry({ seq: 12, id: 'e-12' })], more: false }
		});
		await user.click(screen.getByTestId('fund-tab-ledger'));
		await waitFor(() => expect(screen.getAllByTestId('ledger-row')).toHaveLength(3));
		expect(screen.getAllByTestId('ledger-row').map((element) => element.dataset.kind)).toEqual([
			'contribution',
			'payment',
			'allocation'
		]);
		expect(sentQueries(core)[0]).toEqual({
			fundId: 'f-1',
			kind: null,
			lineId: null,
			agencyId: null,
			from: null,
			to: null,
			before: null,
			limit: null
		});

		await user.selectOptions(screen.getByTestId('ledger-filter-kind'), 'payment');
		await user.selectOptions(screen.getByTestId('ledger-filter-line'), 'l-1');
		await user.selectOptions(screen.getByTestId('ledger-filter-agency'), 'a-2');
		await user.type(screen.getByTestId('ledger-filter-from'), '2026-02-01');
		await user.type(screen.getByTestId('ledger-filter-to'), '2026-03-31');
		await user.click(screen.getByTestId('ledger-filter-apply'));
		await waitFor(() => expect(sentQueries(core)).toHaveLength(2));
		const filtered = {
			fundId: 'f-1',
			kind: 'payment',
			lineId: 'l-1',
			agencyId: 'a-2',
			from: '2026-02-01',
			to: '2026-03-31',
			before: null,
			limit: null
		};
		expect(sentQueries(core)[1]).toEqual(filtered);

		await user.click(await screen.findByTestId('ledger-more'));
		await waitFor(() => expect(screen.getAllByTestId('ledger-row')).toHaveLength(4));
		expect(sentQueries(core)[2]).toEqual({ ...filtered, before: 38 });
		expect(screen.queryByTestId('ledger-more')).not.toBeInTheDocument();
	});

	it('exports what the filters show and says where the file is', async () => {
		const { core, user } = await openFunds({
			fund_ledger: () => PAGE_ONE,
			fund_ledger_export: () => ({ path: '/home/somchai/Downloads/ruam-fund-ledger.csv', entries: 3 })
		});
		await user.click(screen.getByTestId('fund-tab-ledger'));
		expect(screen.getByText(/never what a request was for/)).toBeInTheDocument();
		await user.click(screen.getByTestId('ledger-export'));

		expect(await screen.findByTestId('ledger-export-path')).toHaveTextContent(
			/^\/home\/somchai\/Downloads\/ruam-fund-ledger.csv$/
		);
		expect(screen.getByTestId('ledger-exported')).toHaveTextContent('3 entries were written to');
		expect(core.callsTo('fund_ledger_export')[0].args).toEqual({ query: sentQueries(core)[0] });
	});

	it('offers a reversal where the core allows one, and sends it with the reason', async () => {
		let reversed = false;
		const { core, user } = await openFunds({
			fund_ledger: () =>
				reversed
					? { entries: [entry({ seq: 41, id: 'e-41', amount: thb('-25,000.00'), reverses: 'e-40' }), entry({ reversed: true })], more: false }
					: PAGE_ONE,
			fund_reverse: () => {
				reversed = true;
				return overview({ totals: { ...overview().totals, cash: thb('15,000.00') } });
			}
		});
		await user.click(screen.getByTestId('fund-tab-ledger'));
		await waitFor(() => expect(screen.getAllByTestId('ledger-row')).toHaveLength(3));
		expect(screen.getAllByTestId('ledger-reverse').map((button) => button.dataset.entryId)).toEqual(['e-40', 'e-39']);

		await user.click(screen.getAllByTestId('ledger-reverse')[0]);
		await user.type(screen.getByTestId('ledger-reverse-reason'), 'Recorded twice');
		await user.click(screen.getByTestId('ledger-reverse-confirm'));

		expect(await screen.findByTestId('ledger-reversed')).toBeInTheDocument();
		expect(core.callsTo('fund_reverse')[0].args).toEqual({ reversal: { entryId: 'e-40', reason: 'Recorded twice' } });
		await waitFor(() => expect(screen.getAllByTestId('ledger-row')).toHaveLength(2));
		expect(screen.queryAllByTestId('ledger-reverse')).toHaveLength(0);
		await user.click(screen.getByTestId('fund-tab-overview'));
		expect(screen.getByTestId('fund-total-cash')).toHaveTextContent('15,000.00 THB');
	});
});

describe('managing a fund', () => {
	it('records a contribution in another currency at its rate, as typed', async () => {
		const { core, user } = await openFunds({ fund_contribute: () => overview() });
		await user.click(screen.getByTestId('fund-tab-manage'));
		await waitFor(() => expect((screen.getByTestId('contribution-agency') as HTMLSelectElement).options).toHaveLength(3));
		expect(screen.queryByTestId('contribution-rate')).not.toBeInTheDocument();
		expect(screen.queryByTestId('contribution-description')).not.toBeInTheDocument();

		await user.selectOptions(screen.getByTestId('contribution-agency'), 'a-2');
		await user.type(screen.getByTestId('contribution-amount'), '1,000');
		await user.type(screen.getByTestId('contribution-currency'), 'usd');
		await user.type(screen.getByTestId('contribution-rate'), '35.2175');
		const date = screen.getByTestId('contribution-date');
		await user.clear(date);
		await user.type(date, '2026-03-01');
		await user.type(screen.getByTestId('contribution-reference'), 'UNICEF-88{Enter}');

		expect(await screen.findByTestId('contribution-saved')).toBeInTheDocument();
		expect(core.callsTo('fund_contribute')[0].args).toEqual({
			contribution: {
				fundId: 'f-1',
				agencyId: 'a-2',
				inKind: false,
				amount: '1,000',
				currency: 'usd',
				rate: '35.2175',
				receivedOn: '2026-03-01',
				description: null,
				reference: 'UNICEF-88'
			}
		});
	});

	it('records a contribution in kind with what was given, and names the core’s field in its words', async () => {
		const { core, user } = await openFunds({
			fund_contribute: () => fail('invalid', { field: 'description', message: 'say what was given in kind' })
		});
		await user.click(screen.getByTestId('fund-tab-manage'));
		await user.click(screen.getByTestId('contribution-in-kind'));
		await user.type(screen.getByTestId('contribution-amount'), '5,000');
		await user.click(screen.getByTestId('contribution-submit'));

		expect(await screen.findByTestId('funds-error')).toHaveTextContent('Please check “What was given”');
		expect(screen.getByTestId('contribution-description')).toHaveFocus();
		expect(core.callsTo('fund_contribute')[0].args).toMatchObject({
			contribution: { inKind: true, amount: '5,000', description: null, currency: null, rate: null }
		});
	});

	it('moves money from the unallocated cash to a line, and adds a line', async () => {
		const { core, user } = await openFunds({
			fund_allocate: () => overview(),
			fund_line_add: () => overview()
		});
		await user.click(screen.getByTestId('fund-tab-manage'));
		expect(screen.getByTestId('allocation-from')).toHaveValue('');
		await user.selectOptions(screen.getByTestId('allocation-to'), 'l-2');
		await user.type(screen.getByTestId('allocation-amount'), '2,000.00');
		await user.type(screen.getByTestId('allocation-reason'), 'More families need shelter');
		await user.click(screen.getByTestId('allocation-submit'));
		await waitFor(() => expect(core.callsTo('fund_allocate')).toHaveLength(1));
		expect(core.callsTo('fund_allocate')[0].args).toEqual({
			change: { fundId: 'f-1', fromLineId: null, toLineId: 'l-2', amount: '2,000.00', reason: 'More families need shelter' }
		});

		await user.type(screen.getByTestId('line-add-name'), 'Interpreters{Enter}');
		await waitFor(() => expect(core.callsTo('fund_line_add')).toHaveLength(1));
		expect(core.callsTo('fund_line_add')[0].args).toEqual({ line: { fundId: 'f-1', name: 'Interpreters' } });
	});
});

describe('a case file', () => {
	it('lists what was asked of the funds for the case', async () => {
		const core = installBackend({
			team_overview: () => team(),
			case_spending: () => [
				request({ status: 'paid', mayDecide: false }),
				request({ id: 'r-5', number: 5, lineName: 'Shelter', amount: thb('800.00'), purpose: 'Two nights at the shelter' })
			]
		});
		render(CaseFileView, { file: caseFile(), onback: () => {}, onupdated: () => {} });

		const section = await screen.findByTestId('case-spending');
		await waitFor(() => expect(within(section).getAllByTestId('case-spending-row')).toHaveLength(2));
		expect(core.callsTo('case_spending')[0].args).toEqual({ caseId: 'c-1' });
		const [paid, pending] = within(section).getAllByTestId('case-spending-row');
		expect(paid).toHaveTextContent('#3');
		expect(paid).toHaveTextContent('Transport');
		expect(paid).toHaveTextContent('1,500.00 THB');
		expect(paid).toHaveTextContent('Paid');
		expect(paid).toHaveTextContent('Bus fare to the provincial court');
		expect(pending).toHaveAttribute('data-status', 'pending');
		expect(pending).toHaveTextContent('Two nights at the shelter');
	});
});
