/**
 * Catalog keys for the case file's closed lists (status, risk, level, outcome, concerns,
 * sex, documentation, parties, referral status, who gave consent, sections,
 * responsibilities), and the words for a timeline line and a search snippet. The maps are
 * typed over the generated unions, so `npm run check` fails when Rust adds a value; their
 * key order is the order the UI offers them in.
 */
import type {
	Concern,
	ConsentGiver,
	Documentation,
	Level,
	Outcome,
	Party,
	ReferralStatus,
	Responsibility,
	Risk,
	Section,
	Sex,
	Status,
	TimelineItem
} from '$lib/ipc';
import type { Translate } from './index';
import { labelFrom } from './team';

export const STATUS_KEYS: { [S in Status]: string } = {
	intake: 'caseStatus.intake',
	assessment: 'caseStatus.assessment',
	plan: 'caseStatus.plan',
	in_progress: 'caseStatus.in_progress',
	closed: 'caseStatus.closed'
};

/** The statuses a case is moved through by hand (closing has its own command). */
export const OPEN_STATUSES: readonly Status[] = ['intake', 'assessment', 'plan', 'in_progress'];

export const RISK_KEYS: { [R in Risk]: string } = {
	low: 'risk.low',
	medium: 'risk.medium',
	high: 'risk.high'
};

export const LEVEL_KEYS: { [L in Level]: string } = {
	village: 'level.village',
	district: 'level.district',
	province: 'level.province'
};

export const OUTCOME_KEYS: { [O in Outcome]: string } = {
	resolved_district: 'outcome.resolved_district',
	referred_province: 'outcome.referred_province',
	referred_agency: 'outcome.referred_agency',
	transferred: 'outcome.transferred',
	no_further_action: 'outcome.no_further_action'
};

export const CONCERN_KEYS: { [C in Concern]: string } = {
	trafficking: 'concern.trafficking',
	sexual_abuse: 'concern.sexual_abuse',
	rape: 'concern.rape',
	sexual_harassment: 'concern.sexual_harassment',
	labour_exploitation: 'concern.labour_exploitation',
	neglect: 'concern.neglect',
	human_rights_violation: 'concern.human_rights_violation',
	high_vulnerability: 'concern.high_vulnerability'
};

export const SEX_KEYS: { [S in Sex]: string } = {
	female: 'sex.female',
	male: 'sex.male',
	other: 'sex.other',
	unknown: 'sex.unknown'
};

export const DOCUMENTATION_KEYS: { [D in Documentation]: string } = {
	thai_id: 'documentation.thai_id',
	other_id: 'documentation.other_id',
	stateless: 'documentation.stateless',
	in_process: 'documentation.in_process',
	unknown: 'documentation.unknown'
};

export const PARTY_KEYS: { [P in Party]: string } = {
	subject: 'party.subject',
	alleged_perpetrator: 'party.alleged_perpetrator',
	guardian: 'party.guardian',
	witness: 'party.witness',
	other: 'party.other'
};

export const REFERRAL_STATUS_KEYS: { [S in ReferralStatus]: string } = {
	sent: 'referralStatus.sent',
	accepted: 'referralStatus.accepted',
	declined: 'referralStatus.declined',
	done: 'referralStatus.done'
};

export const CONSENT_GIVER_KEYS: { [G in ConsentGiver]: string } = {
	person: 'consentGiver.person',
	guardian: 'consentGiver.guardian'
};

export const SECTION_KEYS: { [S in Section]: string } = {
	social: 'section.social',
	police: 'section.police',
	health: 'section.health',
	general: 'section.general'
};

export const RESPONSIBILITY_KEYS: { [R in Responsibility]: string } = {
	lead: 'responsibility.lead',
	support: 'responsibility.support',
	review: 'responsibility.review'
};

/** Options for a select over `keys`, in the map's order (optionally after a "choose…" one). */
export function optionsFrom(
	keys: Readonly<Record<string, string>>,
	t: Translate,
	first: { value: string; label: string } | null = null
): { value: string; label: string }[] {
	const options = Object.entries(keys).map(([value, key]) => ({ value, label: t(key) }));
	return first ? [first, ...options] : options;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An event's detail: the JSON the core recorded, or nothing when it is not an object. */
function detailOf(summary: string): Record<string, unknown> {
	try {
		const parsed: unknown = JSON.parse(summary);
		return isRecord(parsed) ? parsed : {};
	} catch {
		return {};
	}
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/**
 * A timeline line in words: a note's section and first line, a referral's levels, or an
 * event ("Status: Intake → Assessment", "Closed: Resolved at district level", "Person
 * added: Guardian", "Handed over from Anan to Malee (Lead)"). A kind this version does not
 * know shows as recorded.
 */
export function describeTimeline(item: TimelineItem, t: Translate): string {
	if (item.kind === 'note') {
		const firstLine = item.summary.split('\n', 1)[0].trim();
		const section = item.section ? labelFrom(SECTION_KEYS, item.section, t) : '';
		return t('cases.timeline.note', { values: { section, text: firstLine } });
	}
	const detail = detailOf(item.summary);
	const level = (value: unknown) => labelFrom(LEVEL_KEYS, text(value), t);
	const status = (value: unknown) => labelFrom(STATUS_KEYS, text(value), t);
	const outcome = (value: unknown) => labelFrom(OUTCOME_KEYS, text(value), t);
	const party = (value: unknown) => labelFrom(PARTY_KEYS, text(value), t);
	switch (item.kind) {
		case 'referral':
			return t('cases.timeline.referral', {
				values: {
					from: level(detail.from),
					to: level(detail.to),
					status: labelFrom(REFERRAL_STATUS_KEYS, text(detail.status), t)
				}
			});
		case 'created':
			return t('cases.timeline.created');
		case 'status':
			return t('cases.timeline.status', {
				values: { from: status(detail.from), to: status(detail.to) }
			});
		case 'close_requested':
			return t('cases.timeline.closeRequested', { values: { outcome: outcome(detail.outcome) } });
		case 'close_declined':
			return t('cases.timeline.closeDeclined', { values: { outcome: outcome(detail.outcome) } });
		case 'closed':
			return t('cases.timeline.closed', { values: { outcome: outcome(detail.outcome) } });
		case 'reopened':
			return t('cases.timeline.reopened');
		case 'member': {
			const member = text(detail.member);
			const responsibility = text(detail.responsibility);
			return responsibility
				? t('cases.timeline.memberSet', {
						values: {
							member,
							responsibility: labelFrom(RESPONSIBILITY_KEYS, responsibility, t)
						}
					})
				: t('cases.timeline.memberRemoved', { values: { member } });
		}
		case 'level':
			return t('cases.timeline.level', { values: { from: level(detail.from), to: level(detail.to) } });
		case 'person_added':
			return t('cases.timeline.personAdded', { values: { party: party(detail.party) } });
		case 'person_updated':
			return t('cases.timeline.personUpdated', { values: { party: party(detail.party) } });
		case 'person_removed':
			return t('cases.timeline.personRemoved', { values: { party: party(detail.party) } });
		case 'handover':
			return t('cases.timeline.handover', {
				values: {
					from: text(detail.from),
					to: text(detail.to),
					responsibility: labelFrom(RESPONSIBILITY_KEYS, text(detail.responsibility), t)
				}
			});
		case 'consent':
			return t('cases.timeline.consent', {
				values: { givenBy: labelFrom(CONSENT_GIVER_KEYS, text(detail.given_by), t) }
			});
		default:
			return `${item.kind}: ${item.summary}`;
	}
}

/** A piece of a search snippet: `match` is the part the core marked with « and ». */
export interface SnippetPart {
	text: string;
	match: boolean;
}

/**
 * Splits a snippet from the core at its « » marks. The parts are shown as text (never as
 * HTML), the matches highlighted. A mark left open runs to the end.
 */
export function snippetParts(snippet: string): SnippetPart[] {
	const parts: SnippetPart[] = [];
	let rest = snippet;
	while (rest.length > 0) {
		const open = rest.indexOf('«');
		if (open === -1) {
			parts.push({ text: rest, match: false });
			break;
		}
		if (open > 0) parts.push({ text: rest.slice(0, open), match: false });
		const close = rest.indexOf('»', open + 1);
		const end = close === -1 ? rest.length : close;
		const marked = rest.slice(open + 1, end);
		if (marked) parts.push({ text: marked, match: true });
		rest = close === -1 ? '' : rest.slice(close + 1);
	}
	return parts;
}
