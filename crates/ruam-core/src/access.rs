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
}

impl Action {
    pub const ALL: [Action; 17] = [
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
        Action::AssignRole,
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
            Action::AssignRole => "member.role.assign",
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
            | Action::AssignRole
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
            | Action::UpdateAgency,
            Resource::Team,
        ) => action
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

    static NO_RIGHTS: std::sync::LazyLock<Permissions> = std::sync::LazyLock::new(Permissions::new);

    fn resource_for(action: Action) -> Resource<'static> {
        match action {
            Action::ReplaceRecoveryKey
            | Action::AcknowledgeRecoveryKey
            | Action::ChangeSettings => Resource::Vault,
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
