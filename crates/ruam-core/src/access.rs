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
}

impl Permission {
    pub const ALL: [Permission; 4] = [
        Permission::ManageTeam,
        Permission::ManageRoles,
        Permission::ReadAudit,
        Permission::ManageRecovery,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Permission::ManageTeam => "team.manage",
            Permission::ManageRoles => "roles.manage",
            Permission::ReadAudit => "audit.read",
            Permission::ManageRecovery => "recovery.manage",
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
    UpdateMember,
    /// Give a member a new first passphrase (which they must change at sign-in).
    SetMemberPassphrase,
    AddAgency,
    UpdateAgency,
    AddRole,
    UpdateRole,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::ReplaceRecoveryKey,
        Action::AcknowledgeRecoveryKey,
        Action::CheckAuditLog,
        Action::ReadAuditLog,
        Action::ExportAuditLog,
        Action::ChangeOwnPassphrase,
        Action::ChangeSettings,
        Action::ViewTeam,
        Action::ViewMemberAccounts,
        Action::AddMember,
        Action::UpdateMember,
        Action::SetMemberPassphrase,
        Action::AddAgency,
        Action::UpdateAgency,
        Action::AddRole,
        Action::UpdateRole,
    ];

    /// The name recorded in the audit log.
    pub fn audit_name(self) -> &'static str {
        match self {
            Action::ReplaceRecoveryKey => "recovery_key.replace",
            Action::AcknowledgeRecoveryKey => "recovery_key.acknowledge",
            Action::CheckAuditLog => "audit.verify",
            Action::ReadAuditLog => "audit.read",
            Action::ExportAuditLog => "audit.export",
            Action::ChangeOwnPassphrase => "passphrase.change",
            Action::ChangeSettings => "settings.change",
            Action::ViewTeam => "team.view",
            Action::ViewMemberAccounts => "member.accounts.view",
            Action::AddMember => "member.add",
            Action::UpdateMember => "member.update",
            Action::SetMemberPassphrase => "member.passphrase.set",
            Action::AddAgency => "agency.add",
            Action::UpdateAgency => "agency.update",
            Action::AddRole => "role.add",
            Action::UpdateRole => "role.update",
        }
    }

    /// The right an action needs, if any; `None` is open to every signed-in member.
    pub fn requires(self) -> Option<Permission> {
        match self {
            Action::ReplaceRecoveryKey | Action::AcknowledgeRecoveryKey => {
                Some(Permission::ManageRecovery)
            }
            Action::CheckAuditLog | Action::ReadAuditLog | Action::ExportAuditLog => {
                Some(Permission::ReadAudit)
            }
            Action::ViewMemberAccounts
            | Action::AddMember
            | Action::UpdateMember
            | Action::SetMemberPassphrase
            | Action::AddAgency
            | Action::UpdateAgency => Some(Permission::ManageTeam),
            Action::AddRole | Action::UpdateRole => Some(Permission::ManageRoles),
            Action::ChangeOwnPassphrase | Action::ChangeSettings | Action::ViewTeam => None,
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
    /// One member (their record, or their own passphrase).
    Member(&'a str),
    /// The audit log.
    AuditLog,
}

/// Allow or refuse.
pub fn authorize(actor: Actor<'_>, action: Action, resource: Resource<'_>) -> Result<()> {
    // A member signed in with the passphrase the lead gave them may only replace it.
    if actor.must_change_passphrase && action != Action::ChangeOwnPassphrase {
        return Err(Error::PassphraseChangeRequired);
    }
    let allowed = match (action, resource) {
        // One's own passphrase, and only one's own.
        (Action::ChangeOwnPassphrase, Resource::Member(id)) => id == actor.member_id,
        (Action::ChangeOwnPassphrase, _) => false,
        (
            Action::ReplaceRecoveryKey | Action::AcknowledgeRecoveryKey | Action::ChangeSettings,
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
            | Action::AddRole
            | Action::UpdateRole,
            Resource::Team,
        )
        | (Action::UpdateMember | Action::SetMemberPassphrase, Resource::Member(_)) => action
            .requires()
            .is_none_or(|needed| actor.permissions.contains(&needed)),
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
        }
    }

    fn resource_for(action: Action) -> Resource<'static> {
        match action {
            Action::ReplaceRecoveryKey
            | Action::AcknowledgeRecoveryKey
            | Action::ChangeSettings => Resource::Vault,
            Action::CheckAuditLog | Action::ReadAuditLog | Action::ExportAuditLog => {
                Resource::AuditLog
            }
            Action::ChangeOwnPassphrase | Action::UpdateMember | Action::SetMemberPassphrase => {
                Resource::Member("m1")
            }
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
    fn one_changes_only_ones_own_passphrase() {
        let all: Permissions = Permission::ALL.into_iter().collect();
        assert!(matches!(
            authorize(
                actor(&all),
                Action::ChangeOwnPassphrase,
                Resource::Member("m2")
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
