import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '$lib/App.svelte';
import type { Permission, TeamOverview } from '$lib/ipc';
import { holdsNoVaultData, vaultData } from '$lib/stores/vault.svelte';
import {
	ALL_PERMISSIONS,
	deferred,
	fail,
	installBackend,
	member,
	status,
	team,
	teamMember,
	type Handler
} from './backend';

/** Lets every pending promise and re-render run. */
async function settle() {
	for (let round = 0; round < 5; round++) await new Promise((resolve) => setTimeout(resolve, 0));
}

async function openTeam(
	permissions: Permission[] = ALL_PERMISSIONS,
	extra: Record<string, Handler> = {},
	overview: TeamOverview = team(permissions.includes('team.manage'))
) {
	const core = installBackend({
		vault_status: () =>
			status('unlocked', {
				member: permissions.includes('team.manage') ? member : { ...member, role: 'case_worker' },
				permissions
			}),
		vault_lock: () => status('locked'),
		team_overview: () => overview,
		...extra
	});
	const user = userEvent.setup();
	render(App);
	await user.click(await screen.findByTestId('nav-team'));
	await screen.findAllByTestId('team-member');
	return { core, user };
}

function rowOf(name: string): HTMLElement {
	const row = screen.getAllByTestId('team-member').find((r) => r.textContent?.includes(name));
	if (!row) throw new Error(`no row for ${name}`);
	return row;
}

describe('team page', () => {
	it('shows every member the roles in plain words, the members and the agencies, without administration', async () => {
		const { core } = await openTeam([]);

		expect(screen.getByTestId('section-team')).toBeInTheDocument();
		expect(core.callsTo('team_overview')).toHaveLength(1);

		const liaison = screen.getByTestId('role-police_liaison');
		expect(liaison).toHaveTextContent('Police liaison');
		expect(liaison).toHaveTextContent(
			'Takes statements and works with the police; reviews and signs off the tasks assigned to them.'
		);
		expect(liaison).toHaveTextContent(
			'See who is on the team and what each role may do, and change their own passphrase'
		);
		expect(within(liaison).getAllByRole('listitem')).toHaveLength(1);

		const lead = screen.getByTestId('role-team_lead');
		expect(within(lead).getAllByRole('listitem')).toHaveLength(11);
		expect(lead).toHaveTextContent('Replace the vault’s recovery key');
		expect(lead).toHaveTextContent('Approve or reject spending requests (never their own) and read the whole ledger');
		expect(lead).toHaveTextContent('Ask to spend from a fund’s budget line');
		expect(lead).toHaveTextContent('Open cases');
		expect(lead).toHaveTextContent('See every case’s summary, social and general sections');
		expect(lead).toHaveTextContent(
			'Close and reopen cases, approve closures, and refer without consent with a written reason'
		);
		expect(lead).toHaveTextContent('Create roles and change what each may do');
		expect(lead).toHaveTextContent(
			'Add members and agencies, change their details and roles, and set a member’s first passphrase'
		);

		const custom = screen.getByTestId('role-r-auditor');
		expect(custom).toHaveTextContent('Committee auditor');
		expect(custom).toHaveTextContent('Checks the log for the provincial committee.');
		expect(custom).toHaveTextContent(
			'Read and export the audit log, and be warned if it was tampered with'
		);

		expect(screen.getAllByTestId('team-member')).toHaveLength(3);
		const malee = rowOf('Malee Srisuk');
		expect(malee).toHaveTextContent('Police liaison');
		expect(malee).toHaveTextContent('Police');
		expect(malee).toHaveTextContent('Mae Sai Police Station');
		const somchai = rowOf('Somchai Jaidee');
		expect(somchai).toHaveTextContent('Social work');
		expect(somchai).toHaveTextContent('Chiang Rai Social Development Office');
		expect(somchai).toHaveTextContent('053 123 456');
		expect(somchai).toHaveTextContent('somchai@example.org');
		const anan = rowOf('Anan Kaewmanee');
		expect(anan).toHaveTextContent('Committee auditor');
		expect(anan).toHaveTextContent('Left the team');
		expect(malee).not.toHaveTextContent('Left the team');

		const agencies = screen.getAllByTestId('team-agency');
		expect(agencies).toHaveLength(2);
		expect(agencies[0]).toHaveTextContent('Chiang Rai Social Development Office');
		expect(agencies[0]).toHaveTextContent('Social welfare');
		expect(agencies[0]).toHaveTextContent('Mueang, Chiang Rai');
		expect(agencies[0]).toHaveTextContent('053 150 000');

		// Nothing to manage, nothing offered.
		expect(screen.queryByTestId('member-admin')).not.toBeInTheDocument();
		expect(screen.queryByTestId('member-add-open')).not.toBeInTheDocument();
		expect(screen.queryByTestId('member-edit')).not.toBeInTheDocument();
		expect(screen.queryByTestId('member-reset-passphrase')).not.toBeInTheDocument();
		expect(screen.queryByTestId('agency-add-open')).not.toBeInTheDocument();
		expect(screen.queryByTestId('role-add-open')).not.toBeInTheDocument();
		expect(screen.queryByTestId('role-edit')).not.toBeInTheDocument();
		expect(screen.queryByText('Must change passphrase')).not.toBeInTheDocument();
		// The audit log is not offered either.
		expect(screen.queryByTestId('nav-audit')).not.toBeInTheDocument();
	});

	it('offers member administration with team.manage: sign-in names, who must change their passphrase', async () => {
		await openTeam(['team.manage']);

		const admin = screen.getByTestId('member-admin');
		expect(within(admin).getByTestId('member-add-open')).toBeInTheDocument();
		expect(within(admin).getAllByTestId('member-edit')).toHaveLength(3);
		expect(within(admin).getAllByTestId('member-reset-passphrase')).toHaveLength(3);
		expect(rowOf('Malee Srisuk')).toHaveTextContent('malee');
		expect(rowOf('Malee Srisuk')).toHaveTextContent('Must change passphrase');
		expect(rowOf('Somchai Jaidee')).not.toHaveTextContent('Must change passphrase');
		expect(screen.getByTestId('agency-add-open')).toBeInTheDocument();
		// Roles need roles.manage; the audit log audit.read.
		expect(screen.queryByTestId('role-add-open')).not.toBeInTheDocument();
		expect(screen.queryByTestId('role-edit')).not.toBeInTheDocument();
		expect(screen.queryByTestId('nav-audit')).not.toBeInTheDocument();
	});

	it('adds a member with what was typed, says what to tell them, and reloads the team', async () => {
		const added = teamMember({ id: 'm-4', displayName: 'Pim Thongdee', signInName: 'pim' });
		const { core, user } = await openTeam(ALL_PERMISSIONS, { member_add: () => added });

		await user.click(screen.getByTestId('member-add-open'));
		const form = screen.getByTestId('member-add-form');
		expect(screen.getByTestId('member-display-name')).toHaveFocus();
		expect(within(form).getByLabelText('Sign-in name')).toBe(screen.getByTestId('member-sign-in-name'));
		// Every role, by id, with its label; discipline starts unchosen, agency optional.
		const roleSelect = screen.getByTestId('member-role');
		expect([...roleSelect.querySelectorAll('option')].map((o) => [o.value, o.textContent])).toEqual([
			['team_lead', 'Team lead'],
			['case_worker', 'Case worker'],
			['police_liaison', 'Police liaison'],
			['r-auditor', 'Committee auditor']
		]);
		expect(screen.getByTestId('member-discipline')).toHaveValue('');
		expect(screen.getByTestId('member-agency')).toHaveValue('');

		await user.type(screen.getByTestId('member-display-name'), 'Pim Thongdee');
		await user.type(screen.getByTestId('member-sign-in-name'), 'pim');
		await user.selectOptions(roleSelect, 'police_liaison');
		await user.selectOptions(screen.getByTestId('member-discipline'), 'police');
		await user.selectOptions(screen.getByTestId('member-agency'), 'a-2');
		await user.type(screen.getByTestId('member-phone'), '081 234 5678');
		await user.type(screen.getByTestId('member-first-passphrase'), 'first river mango lantern');
		await user.type(screen.getByTestId('member-first-passphrase-confirm'), 'first river mango lantern{Enter}');

		expect(await screen.findByTestId('member-added')).toHaveTextContent(
			'Added. Tell them their sign-in name and first passphrase in person; they must change it when they first sign in.'
		);
		expect(core.callsTo('member_add')).toEqual([
			{
				cmd: 'member_add',
				args: {
					member: {
						displayName: 'Pim Thongdee',
						signInName: 'pim',
						role: 'police_liaison',
						discipline: 'police',
						agencyId: 'a-2',
						phone: '081 234 5678',
						email: null,
						firstPassphrase: 'first river mango lantern'
					}
				}
			}
		]);
		expect(screen.queryByTestId('member-add-form')).not.toBeInTheDocument();
		expect(screen.getByTestId('member-add-open')).toHaveFocus();
		await waitFor(() => expect(core.callsTo('team_overview')).toHaveLength(2));
	});

	it.each([
		['sign_in_name', 'member-sign-in-name', 'Sign-in name', 'is already used by another member'],
		['discipline', 'member-discipline', 'Discipline', '“” is not one of: social_work, police, health']
	])('shows the core’s error about %s next to that field', async (field, testid, label, message) => {
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			member_add: () => fail('invalid', { field, message })
		});

		await user.click(screen.getByTestId('member-add-open'));
		await user.type(screen.getByTestId('member-display-name'), 'Pim Thongdee');
		await user.type(screen.getByTestId('member-sign-in-name'), 'malee');
		await user.type(screen.getByTestId('member-first-passphrase'), 'first river mango lantern');
		await user.type(screen.getByTestId('member-first-passphrase-confirm'), 'first river mango lantern');
		await user.click(screen.getByTestId('member-add-submit'));

		const alert = await screen.findByTestId('member-add-error');
		expect(alert).toHaveAttribute('role', 'alert');
		expect(alert).toHaveTextContent(`Please check “${label}”: the value was not accepted.`);
		expect(alert).toHaveTextContent(message);
		const input = screen.getByTestId(testid);
		expect(input).toHaveAttribute('aria-invalid', 'true');
		expect(input).toHaveFocus();
		// Right under the field, and linked to it.
		expect(input.closest('.field')?.nextElementSibling).toBe(alert);
		expect(input.getAttribute('aria-describedby')).toContain(alert.id);
		expect(screen.getAllByTestId('member-add-error')).toHaveLength(1);
		// Nothing added: the form stays, no notice.
		expect(screen.getByTestId('member-add-form')).toBeInTheDocument();
		expect(screen.queryByTestId('member-added')).not.toBeInTheDocument();
		// Omitted discipline is sent as it is, for the core to refuse.
		expect((core.callsTo('member_add')[0].args.member as { discipline: string }).discipline).toBe('');
	});

	it('edits a member’s details and status', async () => {
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			member_update: () => teamMember({ id: 'm-2', status: 'left' })
		});

		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-edit'));
		const form = screen.getByTestId('member-edit-form');
		expect(form).toHaveTextContent('Edit Malee Srisuk');
		expect(screen.getByTestId('member-edit-display-name')).toHaveValue('Malee Srisuk');
		expect(screen.getByTestId('member-edit-role')).toHaveValue('police_liaison');
		expect(screen.getByTestId('member-edit-discipline')).toHaveValue('police');
		expect(screen.getByTestId('member-edit-agency')).toHaveValue('a-2');
		expect(screen.getByTestId('member-edit-status')).toHaveValue('active');

		await user.type(screen.getByTestId('member-edit-phone'), '081 234 5678');
		await user.selectOptions(screen.getByTestId('member-edit-status'), 'left');
		await user.click(screen.getByTestId('member-edit-submit'));

		await waitFor(() => expect(screen.queryByTestId('member-edit-form')).not.toBeInTheDocument());
		expect(core.callsTo('member_update')[0].args).toEqual({
			update: {
				id: 'm-2',
				displayName: 'Malee Srisuk',
				role: 'police_liaison',
				discipline: 'police',
				agencyId: 'a-2',
				phone: '081 234 5678',
				email: null,
				status: 'left'
			}
		});
		expect(screen.getByTestId('member-saved')).toHaveTextContent('Saved.');
		await waitFor(() => expect(core.callsTo('team_overview')).toHaveLength(2));
	});

	it('shows the core’s refusal of an edit, and Escape closes the form', async () => {
		const { user } = await openTeam(ALL_PERMISSIONS, {
			member_update: () => fail('invalid', { field: 'email', message: 'is not an e-mail address' })
		});

		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-edit'));
		await user.type(screen.getByTestId('member-edit-email'), 'malee-at-police{Enter}');
		const alert = await screen.findByTestId('member-edit-error');
		expect(alert).toHaveTextContent('Please check “E-mail”');
		expect(alert).toHaveTextContent('is not an e-mail address');
		expect(screen.getByTestId('member-edit-email')).toHaveAttribute('aria-invalid', 'true');

		await user.keyboard('{Escape}');
		expect(screen.queryByTestId('member-edit-form')).not.toBeInTheDocument();
		expect(within(rowOf('Malee Srisuk')).getByTestId('member-edit')).toHaveFocus();
	});

	it('an error about a field the form does not show still shows, at the end of the form', async () => {
		const { user } = await openTeam(ALL_PERMISSIONS, {
			member_update: () => fail('invalid', { field: 'sign_in_name', message: 'cannot be changed' })
		});

		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-edit'));
		await user.click(screen.getByTestId('member-edit-submit'));
		const alert = await screen.findByTestId('member-edit-error');
		expect(alert).toHaveTextContent('cannot be changed');
		expect(alert.nextElementSibling).toHaveClass('actions');
	});

	it('sets a new first passphrase for a member', async () => {
		const { core, user } = await openTeam(ALL_PERMISSIONS, { member_set_passphrase: () => null });

		await user.click(within(rowOf('Malee Srisuk')).getByTestId('member-reset-passphrase'));
		expect(screen.getByTestId('member-reset-form')).toHaveTextContent('A new first passphrase for Malee Srisuk');
		expect(screen.getByTestId('member-reset-new')).toHaveFocus();
		await user.type(screen.getByTestId('member-reset-new'), 'another first passphrase');
		await user.type(screen.getByTestId('member-reset-confirm'), 'another first passphrase{Enter}');

		expect(await screen.findByTestId('member-reset-done')).toHaveTextContent(
			'Done. Tell Malee Srisuk the new first passphrase in person.'
		);
		expect(core.callsTo('member_set_passphrase')[0].args).toEqual({
			request: { memberId: 'm-2', firstPassphrase: 'another first passphrase' }
		});
	});

	it('adds an agency; the core’s error shows next to the field', async () => {
		let accept = false;
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			agency_add: (args) =>
				accept
					? { id: 'a-3', ...(args.agency as object) }
					: fail('invalid', { field: 'name', message: 'another agency has this name' })
		});

		await user.click(screen.getByTestId('agency-add-open'));
		expect(screen.getByTestId('agency-name')).toHaveFocus();
		await user.type(screen.getByTestId('agency-name'), 'Mae Sai Police Station');
		await user.selectOptions(screen.getByTestId('agency-kind'), 'police');
		await user.type(screen.getByTestId('agency-district'), 'Mae Sai');
		await user.type(screen.getByTestId('agency-province'), 'Chiang Rai{Enter}');

		const alert = await screen.findByTestId('agency-add-error');
		expect(alert).toHaveTextContent('Please check “Name”');
		expect(alert).toHaveTextContent('another agency has this name');
		expect(screen.getByTestId('agency-name').closest('.field')?.nextElementSibling).toBe(alert);

		accept = true;
		await user.clear(screen.getByTestId('agency-name'));
		await user.type(screen.getByTestId('agency-name'), 'Mae Sai Hospital');
		await user.selectOptions(screen.getByTestId('agency-kind'), 'health');
		await user.click(screen.getByTestId('agency-add-submit'));

		expect(await screen.findByTestId('agency-added')).toBeInTheDocument();
		expect(core.callsTo('agency_add').at(-1)?.args).toEqual({
			agency: {
				name: 'Mae Sai Hospital',
				kind: 'health',
				district: 'Mae Sai',
				province: 'Chiang Rai',
				contact: null
			}
		});
	});

	it('adds a role with the permissions ticked, with roles.manage only', async () => {
		const { core, user } = await openTeam(['roles.manage'], {
			role_add: (args) => ({ id: 'r-new', builtin: false, ...(args.role as object) })
		});
		expect(screen.queryByTestId('member-admin')).not.toBeInTheDocument();

		await user.click(screen.getByTestId('role-add-open'));
		expect(screen.getByTestId('role-name')).toHaveFocus();
		await user.type(screen.getByTestId('role-name'), 'Committee auditor 2');
		await user.type(screen.getByTestId('role-description'), 'Reads the log for the committee.');
		await user.click(screen.getByTestId('role-permission-audit.read'));
		expect(screen.getByLabelText('Read and export the audit log, and be warned if it was tampered with')).toBe(
			screen.getByTestId('role-permission-audit.read')
		);
		await user.click(screen.getByTestId('role-add-submit'));

		expect(await screen.findByTestId('role-added')).toHaveTextContent('Role added.');
		expect(core.callsTo('role_add')[0].args).toEqual({
			role: {
				name: 'Committee auditor 2',
				description: 'Reads the log for the committee.',
				permissions: ['audit.read']
			}
		});
	});

	it('edits a built-in role’s description and permissions, never its name; shows the core’s refusal', async () => {
		let refuse = true;
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			role_update: () =>
				refuse
					? fail('invalid', { field: 'permissions', message: 'the team lead keeps every permission' })
					: { id: 'police_liaison', name: 'Police liaison', description: null, builtin: true, permissions: [] }
		});

		await user.click(within(screen.getByTestId('role-team_lead')).getByTestId('role-edit'));
		expect(screen.queryByTestId('role-edit-name')).not.toBeInTheDocument();
		expect(screen.getByTestId('role-edit-permission-recovery.manage')).toBeChecked();
		await user.click(screen.getByTestId('role-edit-permission-recovery.manage'));
		await user.click(screen.getByTestId('role-edit-submit'));
		expect(await screen.findByTestId('role-edit-error')).toHaveTextContent(
			'the team lead keeps every permission'
		);
		expect(core.callsTo('role_update')[0].args).toEqual({
			update: {
				id: 'team_lead',
				role: {
					name: 'Team lead',
					description: null,
					permissions: [
						'team.manage',
						'roles.manage',
						'audit.read',
						'cases.create',
						'cases.oversee',
						'cases.approve',
						'funds.manage',
						'funds.approve',
						'funds.request'
					]
				}
			}
		});

		refuse = false;
		await user.keyboard('{Escape}');
		await user.click(within(screen.getByTestId('role-police_liaison')).getByTestId('role-edit'));
		expect(screen.getByTestId('role-edit-description')).toHaveFocus();
		await user.type(screen.getByTestId('role-edit-description'), 'Works with the police.');
		await user.click(screen.getByTestId('role-edit-submit'));
		expect(await screen.findByTestId('role-saved')).toBeInTheDocument();
		expect(core.callsTo('role_update')[1].args).toEqual({
			update: {
				id: 'police_liaison',
				role: { name: 'Police liaison', description: 'Works with the police.', permissions: [] }
			}
		});
	});

	it('speaks Thai', async () => {
		installBackend({
			vault_status: () => status('unlocked', {}, { language: 'th' }),
			team_overview: () => team()
		});
		const user = userEvent.setup();
		render(App);
		await user.click(await screen.findByTestId('nav-team'));
		await screen.findAllByTestId('team-member');

		expect(screen.getByTestId('nav-team')).toHaveTextContent('ทีมและบทบาท');
		expect(screen.getByTestId('nav-audit')).toHaveTextContent('บันทึกการตรวจสอบ');
		expect(screen.getByTestId('role-police_liaison')).toHaveTextContent('เจ้าหน้าที่ประสานงานตำรวจ');
		expect(screen.getByTestId('role-police_liaison')).toHaveTextContent('สอบปากคำและประสานงานกับตำรวจ');
		expect(rowOf('Malee Srisuk')).toHaveTextContent('ตำรวจ');
		expect(rowOf('Anan Kaewmanee')).toHaveTextContent('ออกจากทีมแล้ว');
		expect(screen.getByTestId('member-add-open')).toHaveTextContent('เพิ่มสมาชิก');
	});

	it('is wiped on lock, and a late answer after a lock is dropped', async () => {
		const late = deferred();
		let first = true;
		const { core, user } = await openTeam(ALL_PERMISSIONS, {
			team_overview: () => {
				if (!first) return late.promise;
				first = false;
				return team();
			}
		});
		expect(vaultData.team).not.toBeNull();

		// Reload (after a change), then lock before the answer arrives.
		await user.click(screen.getByTestId('nav-cases'));
		await user.click(screen.getByTestId('nav-team'));
		await waitFor(() => expect(core.callsTo('team_overview')).toHaveLength(2));
		await user.click(screen.getByTestId('lock'));
		expect(holdsNoVaultData()).toBe(true);
		late.resolve(team());
		await settle();

		expect(vaultData.team).toBeNull();
		expect(screen.queryByTestId('team-member')).not.toBeInTheDocument();
	});

	it('shows the header role of a custom role by its name once the team is known', async () => {
		installBackend({
			vault_status: () =>
				status('unlocked', { member: { ...member, role: 'r-auditor' }, permissions: ['audit.read'] }),
			team_overview: () => team(false)
		});
		const user = userEvent.setup();
		render(App);
		await screen.findByTestId('main');
		expect(screen.queryByTestId('header-role')).not.toBeInTheDocument();

		await user.click(screen.getByTestId('nav-team'));
		expect(await screen.findByTestId('header-role')).toHaveTextContent('Committee auditor');
	});
});
