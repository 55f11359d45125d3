import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '$lib/App.svelte';
import type {
	DocumentationStep,
	ImportPreview,
	ImportProgress,
	Permission,
	RegisterChild,
	RegisterPage,
	SpendingRequest,
	Village,
	Volunteer
} from '$lib/ipc';
import { IMPORT_COLUMNS, templateCsv } from '$lib/register';
import {
	ALL_PERMISSIONS,
	caseFile,
	caseSummary,
	deferred,
	fail,
	installBackend,
	status,
	type Handler
} from './backend';

const KEEPER: Permission[] = [...ALL_PERMISSIONS, 'community.manage'];

/** Lets every pending promise and re-render run. */
async function settle() {
	for (let round = 0; round < 5; round++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function village(overrides: Partial<Village> = {}): Village {
	return {
		id: 'v-1',
		nameTh: 'บ้านป่าสัก',
		nameEn: 'Ban Pa Sak',
		moo: 3,
		subdistrict: 'เวียงพางคำ',
		district: 'แม่สาย',
		province: 'เชียงราย',
		...overrides
	};
}

function volunteer(overrides: Partial<Volunteer> = {}): Volunteer {
	return {
		id: 'vo-1',
		name: 'Nang Bua',
		memberId: null,
		villageId: 'v-1',
		phone: '081 234 5678',
		active: true,
		trainings: [{ title: 'Child protection basics', heldOn: '2026-02-10' }],
		...overrides
	};
}

function child(overrides: Partial<RegisterChild> = {}): RegisterChild {
	return {
		id: 'ch-1',
		name: 'Nong Mai',
		sex: 'female',
		birthDate: '2015-04-02',
		school: 'not_attending',
		documentation: 'stateless',
		livesWith: 'grandparents',
		householdId: 'h-1',
		household: '12/3',
		villageId: 'v-1',
		surveyedOn: '2026-03-01',
		volunteerId: 'vo-1',
		wellbeing: {
			incomeBand: 'below_poverty',
			parentsAway: 'both',
			debt: true,
			disability: false,
			healthCare: true,
			otherRisks: 'An uncle offered her work in the city'
		},
		score: 13,
		flagged: true,
		caseId: null,
		...overrides
	};
}

function page(children: RegisterChild[], overrides: Partial<RegisterPage> = {}): RegisterPage {
	return {
		children,
		total: children.length,
		flagged: children.filter((c) => c.flagged).length,
		threshold: 8,
		...overrides
	};
}

const TWO_CHILDREN = [
	child(),
	child({
		id: 'ch-2',
		name: 'Dek Chai',
		sex: 'male',
		birthDate: '2018-09-20',
		school: 'attending',
		documentation: 'thai_id',
		livesWith: 'both_parents',
		household: '14',
		householdId: 'h-2',
		score: 2,
		flagged: false,
		caseId: 'c-9'
	})
];

async function openRegister(handlers: Record<string, Handler> = {}, permissions: Permission[] = KEEPER) {
	const core = installBackend({
		vault_status: () => status('unlocked', { permissions }),
		village_list: () => [village()],
		volunteer_list: () => [volunteer()],
		register_search: () => page(TWO_CHILDREN),
		register_child_get: (args) => TWO_CHILDREN.find((c) => c.id === args.childId) ?? fail('not_found'),
		...handlers
	});
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-register'));
	await screen.findByTestId('register');
	return { core, user };
}

function preview(overrides: Partial<ImportPreview> = {}): ImportPreview {
	return {
		rows: 3,
		households: 2,
		children: 3,
		errors: [],
		errorCount: 0,
		warnings: [],
		warningCount: 0,
		sample: [
			{ row: 2, village: 'บ้านป่าสัก', household: '12/3', name: 'Nong Mai', birthDate: '2015-04-02', documentation: 'stateless' }
		],
		digest: 'digest-clean',
		...overrides
	};
}

function base64(text: string): string {
	return Buffer.from(text, 'utf8').toString('base64');
}

/** What the core does with the channel it was given: sends a message on it, in order. */
function sendOnChannel(channel: unknown, message: ImportProgress, index: number) {
	const id = (channel as { id: number }).id;
	const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
		.__TAURI_INTERNALS__;
	internals.runCallback(id, { message, index });
}

describe('community register', () => {
	it('shows every member the villages and volunteers only, without the forms', async () => {
		const { core } = await openRegister({}, ALL_PERMISSIONS);

		expect(screen.getByTestId('register-tab-villages')).toBeInTheDocument();
		expect(screen.getByTestId('register-tab-volunteers')).toBeInTheDocument();
		for (const tab of ['children', 'import', 'rule']) {
			expect(screen.queryByTestId(`register-tab-${tab}`)).not.toBeInTheDocument();
		}
		const row = await screen.findByTestId('village-row');
		expect(row).toHaveTextContent('บ้านป่าสัก');
		expect(row).toHaveTextContent('Ban Pa Sak');
		expect(row).toHaveTextContent('3');
		expect(row).toHaveTextContent('เวียงพางคำ, แม่สาย, เชียงราย');
		expect(screen.queryByTestId('village-add-open')).not.toBeInTheDocument();
		expect(screen.queryByTestId('village-edit')).not.toBeInTheDocument();

		await userEvent.click(screen.getByTestId('register-tab-volunteers'));
		const volunteerRow = screen.getByTestId('volunteer-row');
		expect(volunteerRow).toHaveTextContent('Nang Bua');
		expect(volunteerRow).toHaveTextContent('บ้านป่าสัก, Moo 3');
		expect(volunteerRow).toHaveTextContent('081 234 5678');
		expect(volunteerRow).toHaveTextContent('Active');
		expect(volunteerRow).toHaveTextContent('1 training');
		expect(screen.queryByTestId('volunteer-add-open')).not.toBeInTheDocument();
		// The children are never asked for without the right to see them.
		expect(core.callsTo('register_search')).toHaveLength(0);
	});

	it('marks flagged children with a badge in words, and counts them', async () => {
		await openRegister();

		const rows = await screen.findAllByTestId('register-row');
		expect(rows).toHaveLength(2);
		const [mai, chai] = rows;
		expect(mai).toHaveAttribute('data-flagged', 'true');
		expect(within(mai).getByTestId('register-flag')).toHaveTextContent('Flagged');
		expect(mai).toHaveTextContent('Nong Mai');
		expect(mai).toHaveTextContent('Female');
		expect(mai).toHaveTextContent('บ้านป่าสัก, Moo 3');
		expect(mai).toHaveTextContent('12/3');
		expect(mai).toHaveTextContent('Stateless');
		expect(within(mai).getByTestId('register-score')).toHaveTextContent('13');
		expect(within(mai).queryByTestId('register-case-marker')).not.toBeInTheDocument();

		expect(chai).toHaveAttribute('data-flagged', 'false');
		expect(within(chai).queryByTestId('register-flag')).not.toBeInTheDocument();
		expect(within(chai).getByTestId('register-case-marker')).toHaveTextContent('Case opened');

		expect(screen.getByTestId('register-total')).toHaveTextContent('2 children, 1 flagged');
	});

	it('searches a moment after typing, and filters at once, 50 a page', async () => {
		const many = Array.from({ length: 120 }, (_, index) =>
			child({ id: `ch-${index}`, name: `Child ${index}`, score: 120 - index, flagged: index < 40 })
		);
		const { core, user } = await openRegister({
			register_search: (args) => {
				const query = args.query as { offset: number; limit: number };
				return page(many.slice(query.offset, query.offset + query.limit), { total: 120, flagged: 40 });
			}
		});
		await screen.findAllByTestId('register-row');
		expect(core.callsTo('register_search')[0].args.query).toEqual({
			text: null,
			villageId: null,
			flaggedOnly: false,
			documentation: null,
			school: null,
			offset: 0,
			limit: 50
		});

		await user.type(screen.getByTestId('register-search'), 'Mai');
		await waitFor(() =>
			expect(core.callsTo('register_search').at(-1)?.args.query).toMatchObject({ text: 'Mai', offset: 0 })
		);
		// One question for the whole word, not one a keystroke.
		expect(core.callsTo('register_search')).toHaveLength(2);

		await user.click(screen.getByTestId('register-flagged'));
		await user.selectOptions(screen.getByTestId('register-documentation'), 'stateless');
		await user.selectOptions(screen.getByTestId('register-school'), 'not_attending');
		await user.selectOptions(screen.getByTestId('register-village'), 'v-1');
		await waitFor(() =>
			expect(core.callsTo('register_search').at(-1)?.args.query).toEqual({
				text: 'Mai',
				villageId: 'v-1',
				flaggedOnly: true,
				documentation: 'stateless',
				school: 'not_attending',
				offset: 0,
				limit: 50
			})
		);

		expect(screen.getByTestId('register-prev')).toBeDisabled();
		await user.click(screen.getByTestId('register-next'));
		await waitFor(() => expect(core.callsTo('register_search').at(-1)?.args.query).toMatchObject({ offset: 50 }));
		expect(await screen.findByText('51–100 of 120')).toBeInTheDocument();
		expect(screen.getAllByTestId('register-row')[0]).toHaveTextContent('Child 50');
		expect(document.activeElement).toBe(screen.getAllByTestId('register-open-child')[0]);
		await user.click(screen.getByTestId('register-next'));
		await waitFor(() => expect(core.callsTo('register_search').at(-1)?.args.query).toMatchObject({ offset: 100 }));
		await waitFor(() => expect(screen.getByTestId('register-next')).toBeDisabled());
		expect(screen.getByTestId('register-page')).toHaveTextContent('101–120 of 120');
		expect(screen.getByTestId('register-total')).toHaveTextContent('120 children, 40 flagged');
		expect(screen.getByTestId('register-prev')).toBeEnabled();
	});

	it('exports the children matching the filters to a CSV file, and says where it is', async () => {
		const { core, user } = await openRegister({
			register_export: () => ({ path: '/home/somchai/Downloads/ruam-register-20261203-180000.csv', entries: 2 })
		});
		await screen.findAllByTestId('register-row');
		await user.click(screen.getByTestId('register-flagged'));
		await user.selectOptions(screen.getByTestId('register-village'), 'v-1');
		await user.click(screen.getByTestId('register-export'));

		await waitFor(() => expect(core.callsTo('register_export')).toHaveLength(1));
		// The filters as they are now; the core writes every match, whatever the page.
		expect(core.callsTo('register_export')[0].args).toEqual({
			query: {
				text: null,
				villageId: 'v-1',
				flaggedOnly: true,
				documentation: null,
				school: null,
				offset: 0,
				limit: 50
			}
		});
		const exported = await screen.findByTestId('register-exported');
		expect(exported).toHaveTextContent('2 children were written to /home/somchai/Downloads/ruam-register-20261203-180000.csv');
		expect(document.activeElement).toBe(exported);
	});

	it('shows why the core refused an export', async () => {
		const { user } = await openRegister({ register_export: () => fail('forbidden') });
		await screen.findAllByTestId('register-row');
		await user.click(screen.getByTestId('register-export'));
		expect(await screen.findByTestId('register-export-error')).toHaveAttribute('data-code', 'forbidden');
		expect(screen.queryByTestId('register-exported')).not.toBeInTheDocument();
	});

	it('shows a child in full, and opens a case for them in one step, in the Cases section', async () => {
		const opened = caseFile({}, { id: 'c-new', subjectName: 'Nong Mai', subjectAlias: null, subjectAge: 10 });
		const { core, user } = await openRegister({
			register_child_case_open: () => opened,
			case_open: () => opened
		});
		const [mai] = await screen.findAllByTestId('register-row');
		// Enter on the row's button opens the child, as a click on the row does.
		within(mai).getByTestId('register-open-child').focus();
		await user.keyboard('{Enter}');

		const detail = await screen.findByTestId('register-child');
		expect(core.callsTo('register_child_get')[0].args).toEqual({ childId: 'ch-1' });
		expect(detail).toHaveTextContent('Score 13; flagged from 8.');
		expect(within(detail).getByTestId('register-child-flag')).toHaveTextContent('Flagged');
		expect(within(detail).getByTestId('register-child-volunteer')).toHaveTextContent('Nang Bua');
		expect(detail).toHaveTextContent('Below the poverty line');
		expect(detail).toHaveTextContent('Both parents');
		expect(detail).toHaveTextContent('An uncle offered her work in the city');
		expect(within(detail).queryByTestId('register-case-link')).not.toBeInTheDocument();
		expect(document.activeElement).toBe(screen.getByRole('heading', { name: /Nong Mai/ }));

		await user.click(within(detail).getByTestId('register-open-case'));

		await waitFor(() => expect(core.callsTo('register_child_case_open')).toHaveLength(1));
		expect(core.callsTo('register_child_case_open')[0].args).toEqual({ childId: 'ch-1' });
		const file = await screen.findByTestId('case-file');
		expect(file).toHaveAttribute('data-case-id', 'c-new');
		expect(screen.getByTestId('nav-cases')).toHaveAttribute('aria-current', 'page');
		expect(document.activeElement).toBe(screen.getByTestId('case-subject-shown'));
		// The case came with the answer: it is not asked for again.
		expect(core.callsTo('case_open')).toHaveLength(0);
	});

	it('opens the existing case of a child with a case', async () => {
		const existing = caseFile({}, { id: 'c-9', subjectName: 'Dek Chai', subjectAlias: null });
		const { core, user } = await openRegister({ case_open: () => existing });
		const rows = await screen.findAllByTestId('register-row');
		// A click anywhere on the row opens the child.
		await user.click(within(rows[1]).getByText('14'));
		const detail = await screen.findByTestId('register-child');
		expect(within(detail).queryByTestId('register-open-case')).not.toBeInTheDocument();

		await user.click(within(detail).getByTestId('register-case-link'));

		expect(await screen.findByTestId('case-file')).toHaveAttribute('data-case-id', 'c-9');
		expect(core.callsTo('case_open')[0].args).toEqual({ caseId: 'c-9' });
		expect(core.callsTo('register_child_case_open')).toHaveLength(0);
	});

	it('says why a case could not be opened, and stays on the child', async () => {
		const { user } = await openRegister({
			register_child_case_open: () =>
				fail('invalid', { field: 'child_id', message: 'a case is open for this child already (c-3)' })
		});
		const [mai] = await screen.findAllByTestId('register-row');
		await user.click(within(mai).getByTestId('register-open-child'));
		await user.click(await screen.findByTestId('register-open-case'));
		const alert = await screen.findByTestId('register-open-case-error');
		expect(alert).toHaveTextContent('Please check “Child”');
		expect(alert).toHaveTextContent('a case is open for this child already (c-3)');
		expect(screen.getByTestId('nav-register')).toHaveAttribute('aria-current', 'page');
	});

	it('adds a household survey typed by hand, with its children, and shows its village', async () => {
		const added = child({ id: 'ch-5', name: 'Nong Fah', household: '21' });
		const { core, user } = await openRegister({
			household_add: () => page([added], { total: 1, flagged: 1 })
		});
		await screen.findAllByTestId('register-row');
		await user.click(screen.getByTestId('household-open'));
		const form = screen.getByTestId('household-form');
		expect(document.activeElement).toBe(screen.getByTestId('household-village'));

		// Nothing is assumed for the person: every closed list must be chosen from.
		await user.click(screen.getByTestId('household-submit'));
		expect(core.callsTo('household_add')).toHaveLength(0);
		expect(document.activeElement).toBe(screen.getByTestId('household-income'));
		expect(form).toHaveTextContent('Please choose one.');

		await user.selectOptions(screen.getByTestId('household-village'), 'v-1');
		await user.type(screen.getByTestId('household-label'), '21');
		const date = screen.getByTestId('household-date');
		await user.clear(date);
		await user.type(date, '2026-03-05');
		await user.selectOptions(screen.getByTestId('household-volunteer'), 'vo-1');
		await user.selectOptions(screen.getByTestId('household-income'), 'low');
		await user.selectOptions(screen.getByTestId('household-parents'), 'one');
		await user.click(screen.getByTestId('household-debt'));
		await user.click(screen.getByTestId('household-health-care'));
		await user.type(screen.getByTestId('household-other-risks'), 'Father works in Malaysia');
		await user.type(screen.getByTestId('child-name'), 'Nong Fah');
		await user.selectOptions(screen.getByTestId('child-sex'), 'female');
		await user.type(screen.getByTestId('child-birth-date'), '2016-01-15');
		await user.selectOptions(screen.getByTestId('child-school'), 'attending');
		await user.selectOptions(screen.getByTestId('child-documentation'), 'in_process');
		await user.selectOptions(screen.getByTestId('child-lives-with'), 'one_parent');
		await user.click(screen.getByTestId('child-add'));
		expect(screen.getAllByTestId('household-child')).toHaveLength(2);
		await user.click(screen.getAllByTestId('child-remove')[1]);
		expect(screen.getAllByTestId('household-child')).toHaveLength(1);

		await user.click(screen.getByTestId('household-submit'));

		await waitFor(() => expect(core.callsTo('household_add')).toHaveLength(1));
		expect(core.callsTo('household_add')[0].args).toEqual({
			household: {
				villageId: 'v-1',
				label: '21',
				surveyedOn: '2026-03-05',
				volunteerId: 'vo-1',
				wellbeing: {
					incomeBand: 'low',
					parentsAway: 'one',
					debt: true,
					disability: false,
					healthCare: true,
					otherRisks: 'Father works in Malaysia'
				},
				children: [
					{
						name: 'Nong Fah',
						sex: 'female',
						birthDate: '2016-01-15',
						school: 'attending',
						documentation: 'in_process',
						livesWith: 'one_parent'
					}
				]
			}
		});
		const done = await screen.findByTestId('household-added');
		expect(done).toHaveTextContent('Household 21 added with 1 child.');
		expect(document.activeElement).toBe(done);
		expect(screen.queryByTestId('household-form')).not.toBeInTheDocument();
		expect(screen.getAllByTestId('register-row')).toHaveLength(1);
		expect(screen.getByTestId('register-village')).toHaveValue('v-1');
	});

	it('shows the field the core refuses in a survey, and focuses it', async () => {
		const { user } = await openRegister({
			household_add: () => fail('invalid', { field: 'surveyed_on', message: '2027-01-01 is after today' })
		});
		await screen.findAllByTestId('register-row');
		await user.click(screen.getByTestId('household-open'));
		await user.selectOptions(screen.getByTestId('household-village'), 'v-1');
		await user.selectOptions(screen.getByTestId('household-income'), 'unknown');
		await user.selectOptions(screen.getByTestId('household-parents'), 'none');
		await user.selectOptions(screen.getByTestId('child-sex'), 'male');
		await user.selectOptions(screen.getByTestId('child-school'), 'not_school_age');
		await user.selectOptions(screen.getByTestId('child-documentation'), 'unknown');
		await user.selectOptions(screen.getByTestId('child-lives-with'), 'alone');
		await user.click(screen.getByTestId('household-submit'));

		const alert = await screen.findByTestId('household-error');
		expect(alert).toHaveAttribute('data-field', 'surveyed_on');
		expect(alert).toHaveTextContent('Please check “Survey date”');
		expect(screen.getByTestId('household-date')).toHaveAttribute('aria-invalid', 'true');
		expect(document.activeElement).toBe(screen.getByTestId('household-date'));
	});
});

describe('register import', () => {
	const BAD = 'village,household\nบ้านป่าสัก,12/3\n';
	const FIXED = `${IMPORT_COLUMNS.join(',')}\nบ้านป่าสัก,3,12/3,2026-03-01,Nang Bua,low,none,no,no,yes,,Nong Mai,female,2015-04-02,attending,thai_id,both_parents\n`;

	function previewOf(content: string): ImportPreview {
		return content === base64(BAD)
			? preview({
					rows: 1,
					households: 0,
					children: 0,
					errors: [
						{ row: 1, column: 'surveyed_on', message: 'column surveyed_on is missing' },
						{ row: 2, column: 'volunteer', message: '“Nang Kham” is not a volunteer of บ้านป่าสัก' }
					],
					errorCount: 2,
					warnings: [{ row: 2, column: 'other_risks', message: 'begins like a formula: kept as text' }],
					warningCount: 1,
					sample: [],
					digest: 'digest-bad'
				})
			: preview();
	}

	async function openImport(handlers: Record<string, Handler> = {}) {
		const opened = await openRegister({
			register_import_preview: (args) => previewOf(args.contentBase64 as string),
			...handlers
		});
		await opened.user.click(screen.getByTestId('register-tab-import'));
		return opened;
	}

	it('explains the columns and offers a template with them', async () => {
		const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:ruam/template');
		await openImport();
		const columns = screen.getAllByTestId('import-column');
		expect(columns.map((row) => row.querySelector('code')?.textContent)).toEqual([...IMPORT_COLUMNS]);
		expect(columns[3]).toHaveTextContent('YYYY-MM-DD, not after today');
		const link = screen.getByTestId('import-template');
		expect(link).toHaveAttribute('href', 'blob:ruam/template');
		expect(link).toHaveAttribute('download', 'ruam-household-surveys.csv');
		const blob = created.mock.calls[0][0] as Blob;
		const bytes = new Uint8Array(await blob.arrayBuffer());
		// A byte-order mark (so that a spreadsheet reads the Thai as Thai), then the header.
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(new TextDecoder().decode(bytes.slice(3))).toBe(`${IMPORT_COLUMNS.join(',')}\r\n`);
		expect(await templateCsv().text()).toContain('village,moo,household,surveyed_on,volunteer,income_band');
	});

	it('previews a file with problems, keeps the import closed, and previews the fixed file clean', async () => {
		const { core, user } = await openImport();
		const input = screen.getByTestId('import-file');
		expect(input).toHaveAttribute('accept', '.csv,text/csv');

		await user.upload(input, new File([BAD], 'survey.csv', { type: 'text/csv' }));

		const summary = await screen.findByTestId('import-summary');
		expect(core.callsTo('register_import_preview')[0].args).toEqual({ contentBase64: base64(BAD) });
		expect(within(summary).getByTestId('import-rows')).toHaveTextContent('1');
		expect(within(summary).getByTestId('import-error-count')).toHaveTextContent('2');
		expect(within(summary).getByTestId('import-warning-count')).toHaveTextContent('1');
		expect(summary).toHaveTextContent('2 problems stop the import');
		const errors = screen.getAllByTestId('import-error');
		expect(errors).toHaveLength(2);
		expect(errors[0]).toHaveTextContent('1');
		expect(errors[0]).toHaveTextContent('surveyed_on');
		expect(errors[0]).toHaveTextContent('column surveyed_on is missing');
		expect(errors[1]).toHaveTextContent('“Nang Kham” is not a volunteer of บ้านป่าสัก');
		expect(screen.getByTestId('import-warning')).toHaveTextContent('begins like a formula: kept as text');
		expect(screen.getByTestId('import-confirm')).toBeDisabled();
		expect(document.activeElement).toBe(summary);

		await user.upload(screen.getByTestId('import-file'), new File([FIXED], 'survey.csv', { type: 'text/csv' }));

		await waitFor(() => expect(core.callsTo('register_import_preview')).toHaveLength(2));
		await waitFor(() => expect(screen.getByTestId('import-error-count')).toHaveTextContent('0'));
		expect(screen.queryAllByTestId('import-error')).toHaveLength(0);
		expect(screen.queryAllByTestId('import-warning')).toHaveLength(0);
		expect(screen.getByTestId('import-summary')).toHaveTextContent('No problem: the file can be imported.');
		expect(screen.getByTestId('import-sample-row')).toHaveTextContent('Nong Mai');
		expect(screen.getByTestId('import-confirm')).toBeEnabled();
		expect(screen.getByTestId('import-confirm')).toHaveTextContent('Import 2 households and 3 children');
	});

	it('imports the previewed file, showing how far the core is, then what it added', async () => {
		const answer = deferred<unknown>();
		let channel: unknown = null;
		const { core, user } = await openImport({
			register_import: (args) => {
				channel = args.onProgress;
				return answer.promise;
			}
		});
		await user.upload(screen.getByTestId('import-file'), new File([FIXED], 'survey.csv', { type: 'text/csv' }));
		await screen.findByTestId('import-summary');

		await user.click(screen.getByTestId('import-confirm'));

		await waitFor(() => expect(core.callsTo('register_import')).toHaveLength(1));
		const call = core.callsTo('register_import')[0].args;
		expect(call.contentBase64).toBe(base64(FIXED));
		expect(call.digest).toBe('digest-clean');
		const progress = screen.getByTestId('import-progress');
		expect(progress.tagName).toBe('PROGRESS');
		expect(screen.getByTestId('import-confirm')).toBeDisabled();

		sendOnChannel(channel, { written: 0, total: 3 }, 0);
		sendOnChannel(channel, { written: 2, total: 3 }, 1);
		await waitFor(() => expect(screen.getByTestId('import-progress')).toHaveAttribute('value', '2'));
		expect(screen.getByTestId('import-progress')).toHaveAttribute('max', '3');
		expect(screen.getByText('2 of 3 children written')).toBeInTheDocument();

		sendOnChannel(channel, { written: 3, total: 3 }, 2);
		answer.resolve({ households: 2, children: 3 });

		const done = await screen.findByTestId('import-done');
		expect(done).toHaveTextContent('2 households and 3 children added to the register.');
		expect(document.activeElement).toBe(done);
		expect(screen.queryByTestId('import-progress')).not.toBeInTheDocument();
		expect(screen.queryByTestId('import-confirm')).not.toBeInTheDocument();
	});

	it('keeps the preview when the core refuses the import, and previews the file again when chosen again', async () => {
		const { core, user } = await openImport({
			register_import: () =>
				fail('invalid', { field: 'file', message: 'the file changed since its preview: preview it again' })
		});
		await user.upload(screen.getByTestId('import-file'), new File([FIXED], 'survey.csv', { type: 'text/csv' }));
		await screen.findByTestId('import-summary');
		await user.click(screen.getByTestId('import-confirm'));

		const alert = await screen.findByTestId('import-failed');
		expect(alert).toHaveTextContent('Please check “Survey file”');
		expect(alert).toHaveTextContent('the file changed since its preview: preview it again');
		expect(screen.getByTestId('import-summary')).toBeInTheDocument();
		expect(screen.getByTestId('import-confirm')).toBeEnabled();
		expect(screen.queryByTestId('import-done')).not.toBeInTheDocument();

		await user.upload(screen.getByTestId('import-file'), new File([FIXED], 'survey.csv', { type: 'text/csv' }));
		await waitFor(() => expect(core.callsTo('register_import_preview')).toHaveLength(2));
		await waitFor(() => expect(screen.queryByTestId('import-failed')).not.toBeInTheDocument());
	});
});

describe('villages, volunteers and the rule', () => {
	it('adds a village placed by choosing a sub-district the core found', async () => {
		const { core, user } = await openRegister({
			place_search: () => [
				{ province: 'เชียงราย', district: 'แม่สาย', subdistrict: 'เวียงพางคำ', postcodes: ['57130'] },
				{ province: 'เชียงราย', district: 'แม่สาย', subdistrict: 'เกาะช้าง', postcodes: [] }
			],
			village_add: (args) => ({ id: 'v-2', ...(args.village as object) })
		});
		await user.click(screen.getByTestId('register-tab-villages'));
		await user.click(screen.getByTestId('village-add-open'));
		const form = screen.getByTestId('village-form');
		await user.type(within(form).getByTestId('village-name-th'), 'บ้านใหม่');
		await user.type(within(form).getByTestId('village-moo'), '7');

		await user.type(within(form).getByTestId('place-search'), 'แ');
		await settle();
		expect(core.callsTo('place_search')).toHaveLength(0);
		await user.type(within(form).getByTestId('place-search'), 'ม่สาย');
		const options = await within(form).findAllByTestId('place-option');
		expect(core.callsTo('place_search')).toHaveLength(1);
		expect(core.callsTo('place_search')[0].args).toEqual({ query: 'แม่สาย' });
		expect(options[0]).toHaveTextContent('เวียงพางคำ, แม่สาย, เชียงราย (57130)');
		expect(options[1]).toHaveTextContent(/^เกาะช้าง, แม่สาย, เชียงราย$/);
		await user.click(options[0]);
		expect(within(form).getByTestId('village-place')).toHaveTextContent('Place: เวียงพางคำ, แม่สาย, เชียงราย');
		expect(within(form).queryAllByTestId('place-option')).toHaveLength(0);

		await user.click(within(form).getByTestId('village-submit'));

		await waitFor(() => expect(core.callsTo('village_add')).toHaveLength(1));
		expect(core.callsTo('village_add')[0].args).toEqual({
			village: {
				nameTh: 'บ้านใหม่',
				nameEn: null,
				moo: 7,
				subdistrict: 'เวียงพางคำ',
				district: 'แม่สาย',
				province: 'เชียงราย'
			}
		});
		const saved = await screen.findByTestId('village-saved');
		expect(saved).toHaveTextContent('Village บ้านใหม่ added.');
		expect(document.activeElement).toBe(saved);
		// The lists are asked for again.
		await waitFor(() => expect(core.callsTo('village_list')).toHaveLength(2));
	});

	it('edits a village in the same form, and shows the field the core refuses', async () => {
		const { core, user } = await openRegister({
			village_update: () => fail('invalid', { field: 'name_th', message: 'this sub-district already has a village of this name and number' })
		});
		await user.click(screen.getByTestId('register-tab-villages'));
		await user.click(screen.getByTestId('village-edit'));
		const form = screen.getByTestId('village-form');
		expect(within(form).getByTestId('village-name-th')).toHaveValue('บ้านป่าสัก');
		expect(within(form).getByTestId('village-place')).toHaveTextContent('เวียงพางคำ, แม่สาย, เชียงราย');
		await user.clear(within(form).getByTestId('village-name-en'));
		await user.click(within(form).getByTestId('village-submit'));

		await waitFor(() => expect(core.callsTo('village_update')).toHaveLength(1));
		expect(core.callsTo('village_update')[0].args).toEqual({
			update: {
				id: 'v-1',
				village: {
					nameTh: 'บ้านป่าสัก',
					nameEn: null,
					moo: 3,
					subdistrict: 'เวียงพางคำ',
					district: 'แม่สาย',
					province: 'เชียงราย'
				}
			}
		});
		const alert = await screen.findByTestId('village-error');
		expect(alert).toHaveTextContent('Please check “Name in Thai”');
		expect(document.activeElement).toBe(within(form).getByTestId('village-name-th'));
	});

	it('adds a volunteer with their trainings and the team member they are', async () => {
		const { core, user } = await openRegister({
			volunteer_add: (args) => ({ id: 'vo-2', ...(args.volunteer as object) })
		});
		await user.click(screen.getByTestId('register-tab-volunteers'));
		await user.click(screen.getByTestId('volunteer-add-open'));
		await user.type(screen.getByTestId('volunteer-name'), 'Pi Noi');
		await user.selectOptions(screen.getByTestId('volunteer-village'), 'v-1');
		await waitFor(() =>
			expect(within(screen.getByTestId('volunteer-member')).getByRole('option', { name: 'Malee Srisuk' })).toBeInTheDocument()
		);
		// A member who left is not offered.
		expect(within(screen.getByTestId('volunteer-member')).queryByRole('option', { name: 'Anan Kaewmanee' })).toBeNull();
		await user.selectOptions(screen.getByTestId('volunteer-member'), 'm-2');
		await user.type(screen.getByTestId('volunteer-phone'), '089 111 2222');
		await user.click(screen.getByTestId('volunteer-active'));
		await user.click(screen.getByTestId('training-add'));
		await user.type(screen.getByTestId('training-title'), 'Spotting trafficking');
		await user.type(screen.getByTestId('training-date'), '2026-01-20');
		await user.click(screen.getByTestId('training-add'));
		await user.click(screen.getByTestId('training-add'));
		await user.click(screen.getAllByTestId('training-remove')[2]);
		// The second row is left blank: it is not sent.
		await user.click(screen.getByTestId('volunteer-submit'));

		await waitFor(() => expect(core.callsTo('volunteer_add')).toHaveLength(1));
		expect(core.callsTo('volunteer_add')[0].args).toEqual({
			volunteer: {
				name: 'Pi Noi',
				memberId: 'm-2',
				villageId: 'v-1',
				phone: '089 111 2222',
				active: false,
				trainings: [{ title: 'Spotting trafficking', heldOn: '2026-01-20' }]
			}
		});
		expect(await screen.findByTestId('volunteer-saved')).toHaveTextContent('Volunteer Pi Noi added.');
	});

	it('changes the rule, and shows the figure the core refuses next to it', async () => {
		const rule = {
			points: {
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
			},
			threshold: 8
		};
		let refuse = true;
		const { core, user } = await openRegister({
			register_rule_get: () => rule,
			register_rule_set: (args) =>
				refuse ? fail('invalid', { field: 'notInSchool', message: 'gives at most 20 points' }) : args.rule
		});
		await user.click(screen.getByTestId('register-tab-rule'));
		const school = await screen.findByTestId('rule-notInSchool');
		expect(school).toHaveValue(3);
		expect(screen.getByLabelText('Not in school')).toBe(school);
		expect(screen.getByTestId('rule')).toHaveTextContent('the strongest single sign of child labour and trafficking');
		expect(screen.getByTestId('rule-threshold')).toHaveValue(8);

		await user.clear(school);
		await user.type(school, '25');
		await user.click(screen.getByTestId('rule-submit'));

		await waitFor(() => expect(core.callsTo('register_rule_set')).toHaveLength(1));
		expect(core.callsTo('register_rule_set')[0].args).toEqual({
			rule: { points: { ...rule.points, notInSchool: 25 }, threshold: 8 }
		});
		const alert = await screen.findByTestId('rule-error');
		expect(alert).toHaveTextContent('Please check “Not in school”');
		expect(alert).toHaveTextContent('gives at most 20 points');
		expect(school).toHaveAttribute('aria-invalid', 'true');
		expect(document.activeElement).toBe(school);

		refuse = false;
		await user.clear(school);
		await user.type(school, '4');
		await user.clear(screen.getByTestId('rule-threshold'));
		await user.type(screen.getByTestId('rule-threshold'), '9');
		await user.click(screen.getByTestId('rule-submit'));
		await waitFor(() => expect(core.callsTo('register_rule_set')).toHaveLength(2));
		expect(core.callsTo('register_rule_set')[1].args).toEqual({
			rule: { points: { ...rule.points, notInSchool: 4 }, threshold: 9 }
		});
		expect(await screen.findByTestId('rule-saved')).toHaveTextContent('The rule is saved');
	});
});

describe('documentation steps on a case', () => {
	function fee(overrides: Partial<SpendingRequest> = {}): SpendingRequest {
		return {
			id: 'r-3',
			number: 3,
			fundId: 'f-1',
			fundName: 'Shelter fund',
			lineId: 'l-1',
			lineName: 'Documents',
			amount: { minor: '50000', text: '500.00 THB' },
			purpose: 'Birth registration fee',
			caseId: 'c-1',
			caseHidden: false,
			cardId: null,
			requestedBy: 'm-1',
			requestedByName: 'Somchai Jaidee',
			requestedAt: '2026-03-02T03:00:00.000Z',
			heldBy: 'm-1',
			heldByName: 'Somchai Jaidee',
			handoverNote: null,
			status: 'approved',
			approvalsNeeded: 1,
			decisions: [],
			payment: null,
			awaitingSecond: false,
			mayDecide: false,
			mayPay: false,
			mayCancel: false,
			...overrides
		};
	}

	function step(overrides: Partial<DocumentationStep> = {}): DocumentationStep {
		return {
			id: 's-1',
			caseId: 'c-1',
			kind: 'birth_registration',
			status: 'done',
			happenedOn: '2026-03-03',
			documents: 'Birth certificate from the hospital',
			feeRequestId: 'r-3',
			fee: { minor: '50000', text: '500.00 THB' },
			feeStatus: 'paid',
			...overrides
		};
	}

	async function openCaseFile(handlers: Record<string, Handler> = {}) {
		const core = installBackend({
			vault_status: () => status('unlocked', { permissions: KEEPER }),
			case_list: () => ({ cases: [caseSummary()], next: null }),
			case_open: () => caseFile(),
			case_spending: () => [fee(), fee({ id: 'r-4', number: 4, purpose: 'DNA test', amount: { minor: '300000', text: '3,000.00 THB' }, status: 'pending' })],
			...handlers
		});
		const user = userEvent.setup();
		render(App);
		await user.click((await screen.findAllByTestId('case-row'))[0].querySelector('button') as HTMLElement);
		await screen.findByTestId('case-file');
		return { core, user };
	}

	it('lists the steps with their fee, and adds one with the fields the core takes', async () => {
		const { core, user } = await openCaseFile({
			documentation_steps: () => [step()],
			documentation_step_add: (args) => [
				step(),
				step({ id: 's-2', kind: 'dna_test', status: 'planned', happenedOn: '2026-04-10', documents: null, feeRequestId: 'r-4', fee: { minor: '300000', text: '3,000.00 THB' }, feeStatus: 'pending', ...(args.step as object) })
			]
		});
		const panel = await screen.findByTestId('documentation-steps');
		const [first] = await within(panel).findAllByTestId('documentation-step');
		expect(first).toHaveTextContent('Birth registration');
		expect(first).toHaveTextContent('Done');
		expect(first).toHaveTextContent('3 Mar 2026');
		expect(first).toHaveTextContent('Birth certificate from the hospital');
		expect(within(first).getByTestId('documentation-step-fee')).toHaveTextContent('Fee: 500.00 THB (Paid)');

		const fees = within(screen.getByTestId('step-fee')).getAllByRole('option');
		expect(fees.map((option) => option.textContent)).toEqual([
			'No fee',
			'Request #3: Birth registration fee · 500.00 THB · Approved',
			'Request #4: DNA test · 3,000.00 THB · Waiting for approval'
		]);
		expect(screen.getByTestId('step-fee')).toHaveValue('');

		await user.selectOptions(screen.getByTestId('step-kind'), 'dna_test');
		await user.selectOptions(screen.getByTestId('step-status'), 'planned');
		await user.type(screen.getByTestId('step-date'), '2026-04-10');
		await user.type(screen.getByTestId('step-documents'), 'Letter from the registrar');
		await user.selectOptions(screen.getByTestId('step-fee'), 'r-4');
		await user.click(screen.getByTestId('step-submit'));

		await waitFor(() => expect(core.callsTo('documentation_step_add')).toHaveLength(1));
		expect(core.callsTo('documentation_step_add')[0].args).toEqual({
			step: {
				caseId: 'c-1',
				kind: 'dna_test',
				status: 'planned',
				happenedOn: '2026-04-10',
				documents: 'Letter from the registrar',
				feeRequestId: 'r-4'
			}
		});
		await waitFor(() => expect(within(panel).getAllByTestId('documentation-step')).toHaveLength(2));
		expect(within(panel).getAllByTestId('documentation-step')[1]).toHaveTextContent('DNA test');
		const added = screen.getByTestId('step-added');
		expect(document.activeElement).toBe(added);
		// The form is clear for the next step, with no fee chosen.
		expect(screen.getByTestId('step-kind')).toHaveValue('');
		expect(screen.getByTestId('step-fee')).toHaveValue('');
	});

	it('sends no fee when none is chosen, and asks for the kind first', async () => {
		const { core, user } = await openCaseFile({
			documentation_step_add: () => [step({ id: 's-9', kind: 'hearing', status: 'in_progress', happenedOn: null, documents: null, feeRequestId: null, fee: null, feeStatus: null })]
		});
		await screen.findByTestId('documentation-empty');
		await user.click(screen.getByTestId('step-submit'));
		expect(core.callsTo('documentation_step_add')).toHaveLength(0);
		expect(document.activeElement).toBe(screen.getByTestId('step-kind'));
		expect(screen.getByTestId('step-form')).toHaveTextContent('Please choose the step.');

		await user.selectOptions(screen.getByTestId('step-kind'), 'hearing');
		await user.selectOptions(screen.getByTestId('step-status'), 'in_progress');
		await user.click(screen.getByTestId('step-submit'));
		await waitFor(() => expect(core.callsTo('documentation_step_add')).toHaveLength(1));
		expect(core.callsTo('documentation_step_add')[0].args).toEqual({
			step: { caseId: 'c-1', kind: 'hearing', status: 'in_progress', happenedOn: null, documents: null, feeRequestId: null }
		});
	});

	it('changes a step, and shows the field the core refuses', async () => {
		let refuse = true;
		const { core, user } = await openCaseFile({
			documentation_steps: () => [step({ status: 'in_progress', happenedOn: null, feeRequestId: null, fee: null, feeStatus: null })],
			documentation_step_update: () =>
				refuse
					? fail('invalid', { field: 'happened_on', message: 'a step done has the day it was done' })
					: [step()]
		});
		await user.click(await screen.findByTestId('step-edit-open'));
		const form = screen.getByTestId('step-edit-form');
		expect(within(form).queryByTestId('step-edit-kind')).not.toBeInTheDocument();
		await user.selectOptions(within(form).getByTestId('step-edit-status'), 'done');
		await user.click(within(form).getByTestId('step-edit-submit'));

		const alert = await within(form).findByTestId('step-edit-error');
		expect(alert).toHaveTextContent('Please check “Date”');
		expect(document.activeElement).toBe(within(form).getByTestId('step-edit-date'));

		refuse = false;
		await user.type(within(form).getByTestId('step-edit-date'), '2026-03-03');
		await user.selectOptions(within(form).getByTestId('step-edit-fee'), 'r-3');
		await user.click(within(form).getByTestId('step-edit-submit'));
		await waitFor(() => expect(core.callsTo('documentation_step_update')).toHaveLength(2));
		expect(core.callsTo('documentation_step_update')[1].args).toEqual({
			update: { id: 's-1', status: 'done', happenedOn: '2026-03-03', documents: 'Birth certificate from the hospital', feeRequestId: 'r-3' }
		});
		await waitFor(() => expect(screen.queryByTestId('step-edit-form')).not.toBeInTheDocument());
		expect(screen.getByTestId('documentation-step')).toHaveTextContent('Fee: 500.00 THB (Paid)');
	});

	it('says when a case is a register child’s, and leads to the child in the register', async () => {
		const { core, user } = await openCaseFile({
			case_register_child: () => child(),
			village_list: () => [village()],
			volunteer_list: () => [volunteer()],
			register_search: () => page(TWO_CHILDREN),
			register_child_get: () => child()
		});
		const line = await screen.findByTestId('case-register-child');
		expect(core.callsTo('case_register_child')[0].args).toEqual({ caseId: 'c-1' });
		expect(line).toHaveTextContent('From the community register: Nong Mai, household 12/3');

		await user.click(within(line).getByTestId('case-register-open'));

		expect(screen.getByTestId('nav-register')).toHaveAttribute('aria-current', 'page');
		expect(await screen.findByTestId('register-child')).toHaveAttribute('data-child-id', 'ch-1');
		expect(core.callsTo('register_child_get')[0].args).toEqual({ childId: 'ch-1' });
		expect(screen.getByTestId('register-tab-children')).toHaveAttribute('aria-selected', 'true');
	});

	it('shows no register line for a case that is no register child’s', async () => {
		await openCaseFile();
		await screen.findByTestId('documentation-steps');
		await settle();
		expect(screen.queryByTestId('case-register-child')).not.toBeInTheDocument();
	});
});
