/**
 * Catalog keys for what the fund screens show: a request's status, how a payment was made,
 * the kinds of ledger row, and the funds forms' own names for the fields the core may name
 * in an `invalid` answer. The core's words are closed lists; a value this version does not
 * know shows as the core wrote it (`labelFrom`).
 */

/** A spending request's status, in the order the request list offers it as a filter. */
export const REQUEST_STATUS_KEYS: Readonly<Record<string, string>> = {
	pending: 'funds.status.pending',
	approved: 'funds.status.approved',
	paid: 'funds.status.paid',
	rejected: 'funds.status.rejected',
	cancelled: 'funds.status.cancelled'
};

/** How a payment was made (the core's `METHODS`), in the order the pay form offers them. */
export const PAYMENT_METHOD_KEYS: Readonly<Record<string, string>> = {
	cash: 'funds.method.cash',
	transfer: 'funds.method.transfer',
	cheque: 'funds.method.cheque',
	other: 'funds.method.other'
};

/** The kinds of ledger row (the core's `KINDS`), in the order the ledger filter offers them. */
export const LEDGER_KIND_KEYS: Readonly<Record<string, string>> = {
	contribution: 'funds.kind.contribution',
	allocation: 'funds.kind.allocation',
	commitment: 'funds.kind.commitment',
	payment: 'funds.kind.payment'
};

/**
 * The fields the fund commands name when they refuse, as the funds forms call them (passed
 * to `ErrorAlert` as `fields`): "Purpose" rather than a role's "Responsibilities".
 */
export const FUND_FIELD_KEYS: Readonly<Record<string, string>> = {
	name: 'funds.fields.name',
	currency: 'funds.fields.currency',
	startsOn: 'funds.fields.startsOn',
	endsOn: 'funds.fields.endsOn',
	secondApprovalAbove: 'funds.fields.secondApprovalAbove',
	lines: 'funds.fields.lines',
	amount: 'funds.fields.amount',
	rate: 'funds.fields.rate',
	agencyId: 'funds.fields.agencyId',
	receivedOn: 'funds.fields.receivedOn',
	description: 'funds.fields.description',
	reference: 'funds.fields.reference',
	lineId: 'funds.fields.lineId',
	fromLineId: 'funds.fields.fromLineId',
	toLineId: 'funds.fields.toLineId',
	purpose: 'funds.fields.purpose',
	caseId: 'funds.fields.caseId',
	cardId: 'funds.fields.cardId',
	request: 'funds.fields.request',
	reason: 'funds.fields.reason',
	paidOn: 'funds.fields.paidOn',
	method: 'funds.fields.method',
	receipt: 'funds.fields.receipt',
	entryId: 'funds.fields.entryId',
	kind: 'funds.fields.kind',
	from: 'funds.fields.from',
	to: 'funds.fields.to'
};
