/**
 * Catalog keys for the community register's closed lists (income bands, parents away,
 * school, who a child lives with, documentation steps and their status), the rule's
 * indicators, the survey file's columns, the register's tabs, and the names of the fields
 * the register's commands name when they refuse. The maps typed over a generated union fail
 * `npm run check` when Rust adds a value; their key order is the order the UI offers them in.
 */
import type { IncomeBand, LivesWith, ParentsAway, RulePoints, School, StepKind, StepStatus } from '$lib/ipc';
import type { ImportColumn } from '$lib/register';

export const INCOME_BAND_KEYS: { [B in IncomeBand]: string } = {
	below_poverty: 'register.income.below_poverty',
	low: 'register.income.low',
	sufficient: 'register.income.sufficient',
	unknown: 'register.income.unknown'
};

export const PARENTS_AWAY_KEYS: { [P in ParentsAway]: string } = {
	none: 'register.parentsAway.none',
	one: 'register.parentsAway.one',
	both: 'register.parentsAway.both'
};

export const SCHOOL_KEYS: { [S in School]: string } = {
	attending: 'register.school.attending',
	not_attending: 'register.school.not_attending',
	not_school_age: 'register.school.not_school_age'
};

export const LIVES_WITH_KEYS: { [L in LivesWith]: string } = {
	both_parents: 'register.livesWith.both_parents',
	one_parent: 'register.livesWith.one_parent',
	grandparents: 'register.livesWith.grandparents',
	relatives: 'register.livesWith.relatives',
	other: 'register.livesWith.other',
	alone: 'register.livesWith.alone'
};

export const STEP_KIND_KEYS: { [K in StepKind]: string } = {
	birth_registration: 'documentationSteps.kind.birth_registration',
	dna_test: 'documentationSteps.kind.dna_test',
	registrar_application: 'documentationSteps.kind.registrar_application',
	hearing: 'documentationSteps.kind.hearing',
	decision: 'documentationSteps.kind.decision'
};

export const STEP_STATUS_KEYS: { [S in StepStatus]: string } = {
	planned: 'documentationSteps.status.planned',
	in_progress: 'documentationSteps.status.in_progress',
	done: 'documentationSteps.status.done',
	refused: 'documentationSteps.status.refused',
	not_needed: 'documentationSteps.status.not_needed'
};

/** Each indicator of the rule: its name, and what it means (`label`, `about`). */
export const RULE_POINT_KEYS: { [P in keyof RulePoints]: { label: string; about: string } } = {
	incomeBelowPoverty: { label: 'register.rule.point.incomeBelowPoverty', about: 'register.rule.about.incomeBelowPoverty' },
	incomeLow: { label: 'register.rule.point.incomeLow', about: 'register.rule.about.incomeLow' },
	oneParentAway: { label: 'register.rule.point.oneParentAway', about: 'register.rule.about.oneParentAway' },
	bothParentsAway: { label: 'register.rule.point.bothParentsAway', about: 'register.rule.about.bothParentsAway' },
	debt: { label: 'register.rule.point.debt', about: 'register.rule.about.debt' },
	disability: { label: 'register.rule.point.disability', about: 'register.rule.about.disability' },
	noHealthCare: { label: 'register.rule.point.noHealthCare', about: 'register.rule.about.noHealthCare' },
	otherRisks: { label: 'register.rule.point.otherRisks', about: 'register.rule.about.otherRisks' },
	notInSchool: { label: 'register.rule.point.notInSchool', about: 'register.rule.about.notInSchool' },
	stateless: { label: 'register.rule.point.stateless', about: 'register.rule.about.stateless' },
	documentationUnknown: { label: 'register.rule.point.documentationUnknown', about: 'register.rule.about.documentationUnknown' },
	documentationInProcess: { label: 'register.rule.point.documentationInProcess', about: 'register.rule.about.documentationInProcess' },
	withOneParent: { label: 'register.rule.point.withOneParent', about: 'register.rule.about.withOneParent' },
	withGrandparents: { label: 'register.rule.point.withGrandparents', about: 'register.rule.about.withGrandparents' },
	withRelatives: { label: 'register.rule.point.withRelatives', about: 'register.rule.about.withRelatives' },
	withOthers: { label: 'register.rule.point.withOthers', about: 'register.rule.about.withOthers' },
	alone: { label: 'register.rule.point.alone', about: 'register.rule.about.alone' }
};

/** The household's indicators first, then the child's, in the order the form shows them. */
export const HOUSEHOLD_POINTS = [
	'incomeBelowPoverty',
	'incomeLow',
	'oneParentAway',
	'bothParentsAway',
	'debt',
	'disability',
	'noHealthCare',
	'otherRisks'
] as const satisfies readonly (keyof RulePoints)[];

export const CHILD_POINTS = [
	'notInSchool',
	'stateless',
	'documentationUnknown',
	'documentationInProcess',
	'withOneParent',
	'withGrandparents',
	'withRelatives',
	'withOthers',
	'alone'
] as const satisfies readonly (keyof RulePoints)[];

/** What each column of a survey file holds. */
export const IMPORT_COLUMN_KEYS: { [C in ImportColumn]: string } = {
	village: 'register.import.about.village',
	moo: 'register.import.about.moo',
	household: 'register.import.about.household',
	surveyed_on: 'register.import.about.surveyed_on',
	volunteer: 'register.import.about.volunteer',
	income_band: 'register.import.about.income_band',
	parents_away: 'register.import.about.parents_away',
	debt: 'register.import.about.debt',
	disability: 'register.import.about.disability',
	health_care: 'register.import.about.health_care',
	other_risks: 'register.import.about.other_risks',
	child_name: 'register.import.about.child_name',
	sex: 'register.import.about.sex',
	birth_date: 'register.import.about.birth_date',
	school: 'register.import.about.school',
	documentation: 'register.import.about.documentation',
	lives_with: 'register.import.about.lives_with'
};

export type RegisterTab = 'children' | 'import' | 'villages' | 'volunteers' | 'rule';

export const REGISTER_TAB_KEYS: { [T in RegisterTab]: string } = {
	children: 'register.tabs.children',
	import: 'register.tabs.import',
	villages: 'register.tabs.villages',
	volunteers: 'register.tabs.volunteers',
	rule: 'register.tabs.rule'
};

/**
 * The fields the register's and the documentation steps' commands name when they refuse,
 * as their forms call them (passed to `ErrorAlert` as `fields`).
 */
export const REGISTER_FIELD_KEYS: Readonly<Record<string, string>> = {
	nameTh: 'register.fields.nameTh',
	nameEn: 'register.fields.nameEn',
	moo: 'register.fields.moo',
	subdistrict: 'register.fields.subdistrict',
	district: 'register.fields.district',
	province: 'register.fields.province',
	name: 'register.fields.name',
	villageId: 'register.fields.villageId',
	memberId: 'register.fields.memberId',
	phone: 'register.fields.phone',
	trainings: 'register.fields.trainings',
	label: 'register.fields.label',
	surveyedOn: 'register.fields.surveyedOn',
	volunteerId: 'register.fields.volunteerId',
	otherRisks: 'register.fields.otherRisks',
	children: 'register.fields.children',
	birthDate: 'register.fields.birthDate',
	text: 'register.fields.text',
	file: 'register.fields.file',
	childId: 'register.fields.childId',
	threshold: 'register.fields.threshold',
	kind: 'documentationSteps.fields.kind',
	status: 'documentationSteps.fields.status',
	happenedOn: 'documentationSteps.fields.happenedOn',
	documents: 'documentationSteps.fields.documents',
	feeRequestId: 'documentationSteps.fields.feeRequestId',
	...Object.fromEntries(Object.entries(RULE_POINT_KEYS).map(([field, keys]) => [field, keys.label]))
};
