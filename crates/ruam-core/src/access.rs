//! The one place that decides who may do what. Every operation that needs a right asks
//! [`authorize`]; a refusal is `Error::Forbidden`, and the vault records it in the audit
//! log. Roles become data with permission sets, and resources gain case membership and
//! section audiences, without changing this signature.

use crate::team::ROLE_TEAM_LEAD;
use crate::{Error, Result};

/// Who asks: the signed-in member and their role.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub member_id: &'a str,
    pub role: &'a str,
}

impl<'a> Actor<'a> {
    pub fn of(member: &'a crate::team::MemberSummary) -> Self {
        Self {
            member_id: &member.id,
            role: &member.role,
        }
    }

    /// Whether `action` on `resource` would be allowed (for decisions that are not requests).
    pub fn may(self, action: Action, resource: Resource) -> bool {
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
}

impl Action {
    /// The name recorded in the audit log.
    pub fn audit_name(self) -> &'static str {
        match self {
            Action::ReplaceRecoveryKey => "recovery_key.replace",
            Action::AcknowledgeRecoveryKey => "recovery_key.acknowledge",
            Action::CheckAuditLog => "audit.verify",
        }
    }
}

/// What it is about. So far only the vault as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Vault,
}

/// Allow or refuse. The team lead holds the vault's keys and its audit trail.
pub fn authorize(actor: Actor<'_>, action: Action, resource: Resource) -> Result<()> {
    let allowed = match (action, resource) {
        (
            Action::ReplaceRecoveryKey | Action::AcknowledgeRecoveryKey | Action::CheckAuditLog,
            Resource::Vault,
        ) => actor.role == ROLE_TEAM_LEAD,
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

    const ACTIONS: [Action; 3] = [
        Action::ReplaceRecoveryKey,
        Action::AcknowledgeRecoveryKey,
        Action::CheckAuditLog,
    ];

    #[test]
    fn the_lead_may_and_every_other_role_may_not() {
        for action in ACTIONS {
            let lead = Actor {
                member_id: "m1",
                role: ROLE_TEAM_LEAD,
            };
            assert!(
                authorize(lead, action, Resource::Vault).is_ok(),
                "{action:?}"
            );
            for role in [
                "case_worker",
                "police_liaison",
                "health_officer",
                "viewer",
                "",
                "Team_Lead",
            ] {
                let other = Actor {
                    member_id: "m2",
                    role,
                };
                assert!(
                    matches!(
                        authorize(other, action, Resource::Vault),
                        Err(Error::Forbidden)
                    ),
                    "{role} {action:?}"
                );
            }
        }
    }
}
