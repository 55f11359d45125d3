//! The one place that decides who may do what. Every operation that needs a right asks
//! [`authorize`]; a refusal is `Error::Forbidden` (or `PassphraseChangeRequired`), and the
//! vault records it in the audit log.
//!
//! Rights come from the member's role, which is data: a set of [`Permission`]s the lead
//! can adjust. Resources carry what a rule needs to know about the thing asked for; the
//! coming case files add a case resource with the actor's membership of the case and the
//! section asked for, and their rules join the `match` below.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::cases::{Responsibility, Section};
use crate::team::Discipline;
use crate::{Error, Result};

/// A right a role can hold. The names are stored in the vault: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Permission {
    /// Add members and agencies, change them, set a member's first passphrase.
    #[serde(rename = "team.manage")]
    ManageTeam,
    /// Add roles and change what each may do.
    #[serde(rename = "roles.manage")]
    ManageRoles,
    /// Browse and export the audit log; be warned at sign-in when its chain is broken.
    #[serde(rename = "audit.read")]
    ReadAudit,
    /// Replace the recovery key and confirm it was written down.
    #[serde(rename = "recovery.manage")]
    ManageRecovery,
    /// Open a case (and become its lead).
    #[serde(rename = "cases.create")]
    CreateCases,
    /// See every case, as a team lead does: its summary, people, and social and general
    /// sections. Health and police sections stay with their audiences.
    #[serde(rename = "cases.oversee")]
    OverseeCases,
    /// Close and reopen cases, approve closures, override missing consent to share.
    #[serde(rename = "cases.approve")]
    ApproveCases,
    /// Open funds and budget lines, record contributions, move money between lines,
    /// record payments, reverse rows; read the whole ledger.
    #[serde(rename = "funds.manage")]
    ManageFunds,
    /// Approve or reject spending requests (never one's own); read the whole ledger.
    #[serde(rename = "funds.approve")]
    ApproveSpending,
    /// Ask to spend from a fund's budget line.
    #[serde(rename = "funds.request")]
    RequestSpending,
    /// Keep the community register: villages, their volunteers, the household surveys and
    /// the rule that flags children; the only right that sees the register's children.
    #[serde(rename = "community.manage")]
    ManageCommunity,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::ManageTeam,
        Permission::ManageRoles,
        Permission::ReadAudit,
        Permission::ManageRecovery,
        Permission::CreateCases,
        Permission::OverseeCases,
        Permission::ApproveCases,
        Permission::ManageFunds,
        Permission::ApproveSpending,
        Permission::RequestSpending,
        Permission::ManageCommunity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Permission::ManageTeam => "team.manage",
            Permission::ManageRoles => "roles.manage",
            Permission::ReadAudit => "audit.read",
            Permission::ManageRecovery => "recovery.manage",
            Permission::CreateCases => "cases.create",
            Permission::OverseeCases => "cases.oversee",
            Permission::ApproveCases => "cases.approve",
            Permission::ManageFunds => "funds.manage",
            Permission::ApproveSpending => "funds.approve",
            Permission::RequestSpending => "funds.request",
            Permission::ManageCommunity => "community.manage",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

pub type Permissions = BTreeSet<Permission>;

/// Who asks: the signed-in member, their role's rights, and whether they must first
/// replace the passphrase the lead gave them.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub member_id: &'a str,
    pub permissions: &'a Permissions,
    pub must_change_passphrase: bool,
    /// Decides which sections of their cases a member sees (health, police).
    pub discipline: Option<Discipline>,
}

impl Actor<'_> {
    /// Whether `action` on `resource` would be allowed (for decisions that are not requests).
    pub fn may(self, action: Action, resource: Resource<'_>) -> bool {
        authorize(self, action, resource).is_ok()
    }
}

/// What they ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Make a new recovery key (the old one stops working).
    ReplaceRecoveryKey,
    /// Confirm the recovery key was written down.
    AcknowledgeRecoveryKey,
    /// Plan backups and make one: the whole vault, in a file the recovery key opens.
    BackUpVault,
    /// Put a backup in the vault's place.
    RestoreVault,
    /// Be told at sign-in whether the audit log's chain holds.
    CheckAuditLog,
    /// Browse the audit log.
    ReadAuditLog,
    /// Write the audit log to a file.
    ExportAuditLog,
    /// Change one's own passphrase.
    ChangeOwnPassphrase,
    /// Change this device's settings (auto-lock).
    ChangeSettings,
    /// See who is on the team, their discipline, agency and role, and what roles may do.
    ViewTeam,
    /// See members' sign-in names and whether they still must change their passphrase.
    ViewMemberAccounts,
    AddMember,
    /// Give a member a role (adding them, or changing theirs): only a role whose rights
    /// the actor holds.
    AssignRole,
    UpdateMember,
    /// Give a member a new first passphrase (which they must change at sign-in).
    SetMemberPassphrase,
    AddAgency,
    UpdateAgency,
    AddRole,
    UpdateRole,
    /// Open a new case.
    CreateCase,
    /// List or search cases (each answer holds only what the asker may see).
    FindCases,
    /// Open a case: its summary, people, concerns, members and the sections one may see.
    ViewCase,
    /// Change a case's details, people, concerns, risk or status (short of closing).
    UpdateCase,
    /// Add or remove members of a case, or change their responsibility.
    ManageCaseMembers,
    /// Read a section's notes and attachments.
    ViewSection,
    /// Add a note or an attachment to a section.
    WriteSection,
    /// Refer the case to another level or agency, record consent.
    ReferCase,
    /// Refer to an agency the person did not agree to share with, with a written reason.
    OverrideConsent,
    /// Ask a lead to close the case with an outcome.
    RequestClose,
    /// Close a case (or approve a requested closure), or reopen it.
    CloseCase,
    /// Move every open case of one member to another (before the first leaves the team).
    HandOverCases,
    /// See a board: the team's (every member) or a case's (who sees the case).
    ViewBoard,
    /// Add cards to a board and move them: on the team's board every member, on a case's
    /// board those who work on the case and those who oversee every case.
    WorkOnBoard,
    /// Approve a card waiting for review, or return it: its named reviewer, or a lead who
    /// may approve (checked against the card in the vault), among those who see the case.
    ReviewCard,
    /// See the funds and their totals: by line, by agency, month by month.
    ViewFunds,
    /// Open a fund, add budget lines, record contributions, move money between lines,
    /// record payments, reverse rows.
    ManageFund,
    /// Ask to spend from a budget line.
    RequestSpending,
    /// Approve or reject a spending request.
    DecideSpending,
    /// Read and export the whole ledger, and every request: those who manage funds or
    /// approve spending.
    ReadLedger,
    /// Put the team on a sync relay, invite a laptop, approve or revoke one.
    ManageDevices,
    /// Sync this laptop with the team's relay, see its sync status and resolve conflicts.
    SyncDevice,
    /// See the villages the team covers, their volunteers and the vulnerability rule
    /// (every member).
    ViewCommunity,
    /// Add or change a village, a volunteer, a survey or the rule; see and import the
    /// children of the register; open a case for one.
    ManageCommunity,
    /// See the committees and their meetings (every member; a case review shows its case
    /// only to those who see it).
    ViewMeetings,
    /// Make and change committees and working groups.
    ManageCommittees,
    /// Plan and record a meeting: the members of its committee, and those who manage the
    /// team (decided with the committee in `vault::meetings`).
    RunMeeting,
    /// See the committee's indicators (every member; small counts hidden from those who
    /// do not oversee every case).
    ViewIndicators,
    /// Export the indicators or the funds by agency as a file (every member, as they see
    /// them).
    ExportIndicators,
}

impl Action {
    pub const ALL: [Action; 48] = [
        Action::ReplaceRecoveryKey,
        Action::AcknowledgeRecoveryKey,
        Action::BackUpVault,
        Action::RestoreVault,
        Action::CheckAuditLog,
        Action::ReadAuditLog,
        Action::ExportAuditLog,
        Action::ChangeOwnPassphrase,
        Action::ChangeSettings,
        Action::ViewTeam,
        Action::ViewMemberAccounts,
        Action::AddMember,
        Action::AssignRole,
        Action::UpdateMember,
        Action::SetMemberPassphrase,
        Action::AddAgency,
        Action::UpdateAgency,
        Action::AddRole,
        Action::UpdateRole,
        Action::CreateCase,
        Action::FindCases,
        Action::ViewCase,
        Action::UpdateCase,
        Action::ManageCaseMembers,
        Action::ViewSection,
        Action::WriteSection,
        Action::ReferCase,
        Action::OverrideConsent,
        Action::RequestClose,
        Action::CloseCase,
        Action::HandOverCases,
        Action::ViewBoard,
        Action::WorkOnBoard,
        Action::ReviewCard,
        Action::ViewFunds,
        Action::ManageFund,
        Action::RequestSpending,
        Action::DecideSpending,
        Action::ReadLedger,
        Action::ManageDevices,
        Action::SyncDevice,
        Action::ViewCommunity,
        Action::ManageCommunity,
        Action::ViewMeetings,
        Action::ManageCommittees,
        Action::RunMeeting,
        Action::ViewIndicators,
        Action::ExportIndicators,
    ];

    /// The name recorded in the audit log.
    pub fn audit_name(self) -> &'static str {
        match self {
            Action::ReplaceRecoveryKey => "recovery_key.replace",
            Action::AcknowledgeRecoveryKey => "recovery_key.acknowledge",
            Action::BackUpVault => "vault.backup",
            Action::RestoreVault => "vault.restore",
            Action::CheckAuditLog => "audit.verify",
            Action::ReadAuditLog => "audit.read",
            Action::ExportAuditLog => "audit.export",
            Action::ChangeOwnPassphrase => "passphrase.change",
            Action::ChangeSettings => "settings.change",
            Action::ViewTeam => "team.view",
            Action::ViewMemberAccounts => "member.accounts.view",
            Action::AddMember => "member.add",
            Action::AssignRole => "member.role.assign",
            Action::UpdateMember => "member.update",
            Action::SetMemberPassphrase => "member.passphrase.set",
            Action::AddAgency => "agency.add",
            Action::UpdateAgency => "agency.update",
            Action::AddRole => "role.add",
            Action::UpdateRole => "role.update",
            Action::CreateCase => "case.create",
            Action::FindCases => "case.find",
            Action::ViewCase => "case.view",
            Action::UpdateCase => "case.update",
            Action::ManageCaseMembers => "case.members",
            Action::ViewSection => "case.section.view",
            Action::WriteSection => "case.section.write",
            Action::ReferCase => "case.refer",
            Action::OverrideConsent => "case.consent.override",
            Action::RequestClose => "case.close.request",
            Action::CloseCase => "case.close",
            Action::HandOverCases => "case.handover",
            Action::ViewBoard => "board.view",
            Action::WorkOnBoard => "board.work",
            Action::ReviewCard => "card.review",
            Action::ViewFunds => "fund.view",
            Action::ManageFund => "fund.manage",
            Action::RequestSpending => "fund.request",
            Action::DecideSpending => "fund.decide",
            Action::ReadLedger => "fund.ledger.read",
            Action::ManageDevices => "sync.devices",
            Action::SyncDevice => "sync.run",
            Action::ViewCommunity => "community.view",
            Action::ManageCommunity => "community.manage",
            Action::ViewMeetings => "meeting.view",
            Action::ManageCommittees => "committee.manage",
            Action::RunMeeting => "meeting.run",
            Action::ViewIndicators => "report.view",
            Action::ExportIndicators => "report.export",
        }
    }

    /// The right an action needs, if any; `None` is open to every signed-in member.
    pub fn requires(self) -> Option<Permission> {
        match self {
            Action::ReplaceRecoveryKey
            | Action::AcknowledgeRecoveryKey
            | Action::BackUpVault
            | Action::RestoreVault => Some(Permission::ManageRecovery),
            Action::CheckAuditLog | Action::ReadAuditLog | Action::ExportAuditLog => {
                Some(Permission::ReadAudit)
            }
            Action::ViewMemberAccounts
            | Action::AddMember
            | Action::AssignRole
            | Action::UpdateMember
            | Action::SetMemberPassphrase
            | Action::AddAgency
            | Action::UpdateAgency
            | Action::ManageDevices
            | Action::ManageCommittees => Some(Permission::ManageTeam),
            Action::AddRole | Action::UpdateRole => Some(Permission::ManageRoles),
            Action::CreateCase => Some(Permission::CreateCases),
            Action::HandOverCases => Some(Permission::OverseeCases),
            Action::OverrideConsent | Action::CloseCase => Some(Permission::ApproveCases),
            Action::ManageFund => Some(Permission::ManageFunds),
            Action::RequestSpending => Some(Permission::RequestSpending),
            Action::DecideSpending => Some(Permission::ApproveSpending),
            Action::ManageCommunity => Some(Permission::ManageCommunity),
            // Either of two rights: decided in `authorize`.
            Action::ReadLedger => None,
            // Need to know: membership of the case and section audiences decide these.
            Action::FindCases
            | Action::ViewCase
            | Action::UpdateCase
            | Action::ManageCaseMembers
            | Action::ViewSection
            | Action::WriteSection
            | Action::ReferCase
            | Action::RequestClose
            | Action::ViewBoard
            | Action::WorkOnBoard
            | Action::ReviewCard => None,
            Action::ChangeOwnPassphrase
            | Action::ChangeSettings
            | Action::ViewTeam
            | Action::ViewFunds
            | Action::SyncDevice
            | Action::ViewCommunity
            | Action::ViewMeetings
            // Membership of the meeting's committee decides (or managing the team).
            | Action::RunMeeting
            | Action::ViewIndicators
            | Action::ExportIndicators => None,
        }
    }
}

/// What it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// The vault as a whole: its keys and settings.
    Vault,
    /// The team: its members, agencies and roles.
    Team,
    /// One member (their record, or their own passphrase), with the rights their role
    /// holds: nobody acts on a member who holds rights they lack.
    Member {
        id: &'a str,
        rights: &'a Permissions,
    },
    /// A role with the rights it holds or would hold (to give to a member, to make or to
    /// change): nobody hands out rights they lack.
    Role { rights: &'a Permissions },
    /// The audit log.
    AuditLog,
    /// Cases in general (to open one, to list or search).
    Cases,
    /// One case, with the asker's part in it.
    Case(&'a CaseAccess),
    /// One section of a case.
    CaseSection(&'a CaseAccess, Section),
    /// A board: the team's (`None`), or a case's with the asker's part in the case.
    Board(Option<&'a CaseAccess>),
    /// The team's pooled funds.
    Funds,
    /// The community register: villages, volunteers, surveys and their children.
    Community,
}

/// The asker's part in a case: their responsibility, if they are a member of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseAccess {
    pub membership: Option<Responsibility>,
}

/// Who may see a section, for one asker: when not a member of the case, as any member,
/// or only as its lead. The same answer filters single reads and whole-vault queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionGrant {
    pub non_member: bool,
    pub member: bool,
    pub case_lead: bool,
}

/// Section audiences (DESIGN "need to know"): social and general to every member of the
/// case (and to those who oversee all cases); health to the health members of the case
/// and its lead; police to the police members of the case and its lead.
pub fn section_grant(actor: Actor<'_>, section: Section) -> SectionGrant {
    let oversee = actor.permissions.contains(&Permission::OverseeCases);
    match section {
        Section::General | Section::Social => SectionGrant {
            non_member: oversee,
            member: true,
            case_lead: true,
        },
        Section::Health => SectionGrant {
            non_member: false,
            member: actor.discipline == Some(Discipline::Health),
            case_lead: true,
        },
        Section::Police => SectionGrant {
            non_member: false,
            member: actor.discipline == Some(Discipline::Police),
            case_lead: true,
        },
    }
}

/// Whether the asker sees this section of a case they have this part in.
pub fn sees_section(actor: Actor<'_>, access: &CaseAccess, section: Section) -> bool {
    let grant = section_grant(actor, section);
    match access.membership {
        None => grant.non_member,
        Some(Responsibility::Lead) => grant.member || grant.case_lead,
        Some(_) => grant.member,
    }
}

/// Whether the asker sees the case at all: its members and those who oversee all cases.
pub fn sees_case(actor: Actor<'_>, access: &CaseAccess) -> bool {
    access.membership.is_some() || actor.permissions.contains(&Permission::OverseeCases)
}

/// Who may correct or delete a note or an attachment (in a section they see): whoever
/// wrote or added it, the case's lead, and those who oversee every case.
pub fn may_change_record(
    member_id: &str,
    oversees: bool,
    membership: Option<Responsibility>,
    author: &str,
) -> bool {
    oversees || membership == Some(Responsibility::Lead) || author == member_id
}

fn case_rule(actor: Actor<'_>, action: Action, access: &CaseAccess) -> bool {
    let sees = sees_case(actor, access);
    let oversee = actor.permissions.contains(&Permission::OverseeCases);
    let works_on = matches!(
        access.membership,
        Some(Responsibility::Lead | Responsibility::Support)
    );
    match action {
        Action::ViewCase => sees,
        Action::UpdateCase | Action::ReferCase | Action::RequestClose => works_on || oversee,
        Action::ManageCaseMembers => access.membership == Some(Responsibility::Lead) || oversee,
        Action::OverrideConsent | Action::CloseCase => sees,
        _ => false,
    }
}

/// Allow or refuse.
pub fn authorize(actor: Actor<'_>, action: Action, resource: Resource<'_>) -> Result<()> {
    // A member signed in with the passphrase the lead gave them may only replace it.
    if actor.must_change_passphrase && action != Action::ChangeOwnPassphrase {
        return Err(Error::PassphraseChangeRequired);
    }
    let allowed = match (action, resource) {
        // One's own passphrase, and only one's own.
        (Action::ChangeOwnPassphrase, Resource::Member { id, .. }) => id == actor.member_id,
        (Action::ChangeOwnPassphrase, _) => false,
        // Rights are never handed out, or used on someone, by a member who lacks them:
        // a deputy who manages the team cannot make a lead, nor take over one.
        (Action::UpdateMember | Action::SetMemberPassphrase, Resource::Member { rights, .. })
        | (Action::AssignRole | Action::AddRole | Action::UpdateRole, Resource::Role { rights }) => {
            action
                .requires()
                .is_none_or(|needed| actor.permissions.contains(&needed))
                && rights.is_subset(actor.permissions)
        }
        (
            Action::ReplaceRecoveryKey
            | Action::AcknowledgeRecoveryKey
            | Action::BackUpVault
            | Action::RestoreVault
            | Action::ChangeSettings
            | Action::ManageDevices
            | Action::SyncDevice,
            Resource::Vault,
        )
        | (
            Action::CheckAuditLog | Action::ReadAuditLog | Action::ExportAuditLog,
            Resource::AuditLog,
        )
        | (
            Action::ViewTeam
            | Action::ViewMemberAccounts
            | Action::AddMember
            | Action::AddAgency
            | Action::UpdateAgency
            | Action::ViewMeetings
            | Action::ManageCommittees
            | Action::RunMeeting
            | Action::ViewIndicators
            | Action::ExportIndicators,
            Resource::Team,
        ) => action
            .requires()
            .is_none_or(|needed| actor.permissions.contains(&needed)),
        (Action::CreateCase | Action::FindCases | Action::HandOverCases, Resource::Cases) => action
            .requires()
            .is_none_or(|needed| actor.permissions.contains(&needed)),
        (
            Action::ViewCase
            | Action::UpdateCase
            | Action::ManageCaseMembers
            | Action::ReferCase
            | Action::OverrideConsent
            | Action::RequestClose
            | Action::CloseCase,
            Resource::Case(access),
        ) => {
            action
                .requires()
                .is_none_or(|needed| actor.permissions.contains(&needed))
                && case_rule(actor, action, access)
        }
        (Action::ViewSection, Resource::CaseSection(access, section)) => {
            sees_section(actor, access, section)
        }
        // Whoever sees a section may add to it.
        (Action::WriteSection, Resource::CaseSection(access, section)) => {
            sees_section(actor, access, section)
        }
        // The team's board is every member's; a case's board follows its case.
        (Action::ViewBoard | Action::WorkOnBoard, Resource::Board(None)) => true,
        (Action::ViewBoard | Action::ReviewCard, Resource::Board(Some(access))) => {
            sees_case(actor, access)
        }
        (Action::ReviewCard, Resource::Board(None)) => true,
        (Action::WorkOnBoard, Resource::Board(Some(access))) => {
            case_rule(actor, Action::UpdateCase, access)
        }
        (
            Action::ViewFunds
            | Action::ManageFund
            | Action::RequestSpending
            | Action::DecideSpending,
            Resource::Funds,
        ) => action
            .requires()
            .is_none_or(|needed| actor.permissions.contains(&needed)),
        (Action::ViewCommunity | Action::ManageCommunity, Resource::Community) => action
            .requires()
            .is_none_or(|needed| actor.permissions.contains(&needed)),
        (Action::ReadLedger, Resource::Funds) => {
            actor.permissions.contains(&Permission::ManageFunds)
                || actor.permissions.contains(&Permission::ApproveSpending)
        }
        // An action asked about the wrong kind of thing is a caller's mistake: refuse.
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(permissions: &Permissions) -> Actor<'_> {
        Actor {
            member_id: "m1",
            permissions,
            must_change_passphrase: false,
            discipline: None,
        }
    }

    const CASE_LEAD: CaseAccess = CaseAccess {
        membership: Some(Responsibility::Lead),
    };

    static NO_RIGHTS: std::sync::LazyLock<Permissions> = std::sync::LazyLock::new(Permissions::new);

    fn resource_for(action: Action) -> Resource<'static> {
        match action {
            Action::ReplaceRecoveryKey
            | Action::AcknowledgeRecoveryKey
            | Action::BackUpVault
            | Action::RestoreVault
            | Action::ChangeSettings
            | Action::ManageDevices
            | Action::SyncDevice => Resource::Vault,
            Action::CheckAuditLog | Action::ReadAuditLog | Action::ExportAuditLog => {
                Resource::AuditLog
            }
            Action::ChangeOwnPassphrase | Action::UpdateMember | Action::SetMemberPassphrase => {
                Resource::Member {
                    id: "m1",
                    rights: &NO_RIGHTS,
                }
            }
            Action::AssignRole | Action::AddRole | Action::UpdateRole => {
                Resource::Role { rights: &NO_RIGHTS }
            }
            Action::CreateCase | Action::FindCases | Action::HandOverCases => Resource::Cases,
            Action::ViewBoard | Action::WorkOnBoard | Action::ReviewCard => {
                Resource::Board(Some(&CASE_LEAD))
            }
            Action::ViewSection | Action::WriteSection => {
                Resource::CaseSection(&CASE_LEAD, Section::General)
            }
            Action::ViewCase
            | Action::UpdateCase
            | Action::ManageCaseMembers
            | Action::ReferCase
            | Action::OverrideConsent
            | Action::RequestClose
            | Action::CloseCase => Resource::Case(&CASE_LEAD),
            Action::ViewFunds
            | Action::ManageFund
            | Action::RequestSpending
            | Action::DecideSpending
            | Action::ReadLedger => Resource::Funds,
            Action::ViewCommunity | Action::ManageCommunity => Resource::Community,
            _ => Resource::Team,
        }
    }

    #[test]
    fn each_action_needs_exactly_its_permission() {
        let all: Permissions = Permission::ALL.into_iter().collect();
        let none = Permissions::new();
        for action in Action::ALL {
            let resource = resource_for(action);
            assert!(
                authorize(actor(&all), action, resource).is_ok(),
                "{action:?}"
            );
            match action.requires() {
                // Either of two rights (below).
                None if action == Action::ReadLedger => {}
                None => assert!(authorize(actor(&none), action, resource).is_ok()),
                Some(needed) => {
                    assert!(matches!(
                        authorize(actor(&none), action, resource),
                        Err(Error::Forbidden)
                    ));
                    let mut all_but: Permissions = all.clone();
                    all_but.remove(&needed);
                    assert!(
                        matches!(
                            authorize(actor(&all_but), action, resource),
                            Err(Error::Forbidden)
                        ),
                        "{action:?} without {needed:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_ledger_is_read_by_those_who_manage_funds_or_approve_spending() {
        let allowed = |rights: &[Permission]| {
            let set: Permissions = rights.iter().copied().collect();
            actor(&set).may(Action::ReadLedger, Resource::Funds)
        };
        assert!(allowed(&[Permission::ManageFunds]));
        assert!(allowed(&[Permission::ApproveSpending]));
        assert!(!allowed(&[Permission::RequestSpending]));
        assert!(!allowed(&[Permission::OverseeCases, Permission::ReadAudit]));
        assert!(!allowed(&[]));
    }

    #[test]
    fn one_changes_only_ones_own_passphrase() {
        let all: Permissions = Permission::ALL.into_iter().collect();
        assert!(matches!(
            authorize(
                actor(&all),
                Action::ChangeOwnPassphrase,
                Resource::Member {
                    id: "m2",
                    rights: &NO_RIGHTS
                }
            ),
            Err(Error::Forbidden)
        ));
    }

    #[test]
    fn a_first_passphrase_must_be_changed_before_anything_else() {
        let all: Permissions = Permission::ALL.into_iter().collect();
        let fresh = Actor {
            must_change_passphrase: true,
            ..actor(&all)
        };
        for action in Action::ALL {
            let result = authorize(fresh, action, resource_for(action));
            if action == Action::ChangeOwnPassphrase {
                assert!(result.is_ok());
            } else {
                assert!(
                    matches!(result, Err(Error::PassphraseChangeRequired)),
                    "{action:?}"
                );
            }
        }
    }

    #[test]
    fn nobody_hands_out_or_uses_rights_they_lack() {
        let deputy: Permissions = [Permission::ManageTeam, Permission::ManageRoles].into();
        let lead: Permissions = Permission::ALL.into_iter().collect();
        let a = actor(&deputy);
        for (action, resource) in [
            (Action::AssignRole, Resource::Role { rights: &lead }),
            (Action::AddRole, Resource::Role { rights: &lead }),
            (Action::UpdateRole, Resource::Role { rights: &lead }),
            (
                Action::UpdateMember,
                Resource::Member {
                    id: "lead",
                    rights: &lead,
                },
            ),
            (
                Action::SetMemberPassphrase,
                Resource::Member {
                    id: "lead",
                    rights: &lead,
                },
            ),
        ] {
            assert!(
                matches!(authorize(a, action, resource), Err(Error::Forbidden)),
                "{action:?}"
            );
        }
        let within: Permissions = [Permission::ManageTeam].into();
        assert!(authorize(a, Action::AssignRole, Resource::Role { rights: &within }).is_ok());
        assert!(authorize(
            a,
            Action::UpdateMember,
            Resource::Member {
                id: "x",
                rights: &within
            }
        )
        .is_ok());
    }

    #[test]
    fn sections_go_to_their_audiences() {
        use Section::*;
        let none = Permissions::new();
        let oversee: Permissions = [Permission::OverseeCases].into();
        let with = |permissions, discipline| Actor {
            discipline,
            ..actor(permissions)
        };
        let police = with(&none, Some(Discipline::Police));
        let health = with(&none, Some(Discipline::Health));
        let social = with(&none, Some(Discipline::SocialWork));
        let team_lead = with(&oversee, Some(Discipline::SocialWork));
        let member = |r| CaseAccess {
            membership: Some(r),
        };
        let outsider = CaseAccess { membership: None };
        let sees = |a, access: &CaseAccess| -> Vec<Section> {
            Section::ALL
                .iter()
                .copied()
                .filter(|&s| sees_section(a, access, s))
                .collect()
        };
        assert_eq!(
            sees(police, &member(Responsibility::Support)),
            [Social, Police, General]
        );
        assert_eq!(
            sees(health, &member(Responsibility::Review)),
            [Social, Health, General]
        );
        assert_eq!(
            sees(social, &member(Responsibility::Support)),
            [Social, General]
        );
        assert_eq!(
            sees(social, &member(Responsibility::Lead)),
            [Social, Police, Health, General]
        );
        assert_eq!(sees(team_lead, &outsider), [Social, General]);
        assert!(sees(police, &outsider).is_empty());
        assert!(!sees_case(police, &outsider));
        assert!(sees_case(team_lead, &outsider));
    }

    #[test]
    fn an_action_on_the_wrong_kind_of_resource_is_refused() {
        let all: Permissions = Permission::ALL.into_iter().collect();
        assert!(authorize(actor(&all), Action::AddMember, Resource::Vault).is_err());
        assert!(authorize(actor(&all), Action::ReadAuditLog, Resource::Team).is_err());
    }

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.name()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.name());
        }
        assert_eq!(Permission::parse("team.Manage"), None);
    }
}
