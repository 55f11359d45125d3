//! The role × command matrix: every command of the app so far that acts inside the vault,
//! called by a member of every default role. Each allowed call succeeds; each forbidden
//! call returns `forbidden`, writes nothing, and is written to the audit log as refused.
//!
//! Commands that need no right are in the matrix too (allowed for every role). Those
//! that act before anyone is signed in (status, create, unlock, recovery unlock,
//! passphrase assessment, reading settings) or only end a session (lock, activity) have
//! no actor to authorize; their own tests are in `create`, `unlock` and `recovery`.
//! The matrix grows with each feature.

use ruam_core::access::Permission;
use ruam_core::{Error, Result};

use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    TeamOverview,
    MemberAdd,
    MemberUpdate,
    MemberSetPassphrase,
    AgencyAdd,
    AgencyUpdate,
    RoleAdd,
    RoleUpdate,
    AuditLog,
    AuditExport,
    RecoveryKeyRegenerate,
    RecoveryKeyAcknowledge,
    SettingsSet,
    PassphraseChange,
}

const COMMANDS: [Command; 14] = [
    Command::TeamOverview,
    Command::MemberAdd,
    Command::MemberUpdate,
    Command::MemberSetPassphrase,
    Command::AgencyAdd,
    Command::AgencyUpdate,
    Command::RoleAdd,
    Command::RoleUpdate,
    Command::AuditLog,
    Command::AuditExport,
    Command::RecoveryKeyRegenerate,
    Command::RecoveryKeyAcknowledge,
    Command::SettingsSet,
    // Last: it changes the caller's passphrase.
    Command::PassphraseChange,
];

impl Command {
    /// The right each command needs (from the issue: leads manage the team, roles, the
    /// audit log and the recovery key; everyone sees the team and keeps their own
    /// passphrase and device settings).
    fn needs(self) -> Option<Permission> {
        match self {
            Command::MemberAdd
            | Command::MemberUpdate
            | Command::MemberSetPassphrase
            | Command::AgencyAdd
            | Command::AgencyUpdate => Some(Permission::ManageTeam),
            Command::RoleAdd | Command::RoleUpdate => Some(Permission::ManageRoles),
            Command::AuditLog | Command::AuditExport => Some(Permission::ReadAudit),
            Command::RecoveryKeyRegenerate | Command::RecoveryKeyAcknowledge => {
                Some(Permission::ManageRecovery)
            }
            Command::TeamOverview | Command::SettingsSet | Command::PassphraseChange => None,
        }
    }

    /// The action name a refusal is recorded under.
    fn audit_name(self) -> &'static str {
        match self {
            Command::TeamOverview => "team.view",
            Command::MemberAdd => "member.add",
            Command::MemberUpdate => "member.update",
            Command::MemberSetPassphrase => "member.passphrase.set",
            Command::AgencyAdd => "agency.add",
            Command::AgencyUpdate => "agency.update",
            Command::RoleAdd => "role.add",
            Command::RoleUpdate => "role.update",
            Command::AuditLog => "audit.read",
            Command::AuditExport => "audit.export",
            Command::RecoveryKeyRegenerate => "recovery_key.replace",
            Command::RecoveryKeyAcknowledge => "recovery_key.acknowledge",
            Command::SettingsSet => "settings.change",
            Command::PassphraseChange => "passphrase.change",
        }
    }
}

/// What the commands act on: an agency, a role and a member that are not the caller.
struct Targets {
    agency_id: String,
    role_id: String,
    other: ruam_core::team::Member,
}

async fn call(t: &TestVault, command: Command, targets: &Targets, n: usize) -> Result<()> {
    let v = &t.vault;
    let json = |value: serde_json::Value| value;
    match command {
        Command::TeamOverview => v.team_overview().await.map(drop),
        Command::MemberAdd => v
            .add_member(new_member(
                &format!("Added {n}"),
                &format!("added{n}"),
                "viewer",
            ))
            .await
            .map(drop),
        Command::MemberUpdate => {
            let o = &targets.other;
            let update = serde_json::from_value(json(serde_json::json!({
                "id": o.id, "displayName": o.display_name, "role": o.role,
                "discipline": "education", "agencyId": null, "phone": format!("053 000 {n:03}"),
                "email": null, "status": "active",
            })))
            .unwrap();
            v.update_member(update).await.map(drop)
        }
        Command::MemberSetPassphrase => {
            let request = serde_json::from_value(serde_json::json!({
                "memberId": targets.other.id, "firstPassphrase": FIRST,
            }))
            .unwrap();
            v.set_member_passphrase(request).await
        }
        Command::AgencyAdd => v
            .add_agency(
                serde_json::from_value(
                    serde_json::json!({ "name": format!("Agency {n}"), "kind": "ngo" }),
                )
                .unwrap(),
            )
            .await
            .map(drop),
        Command::AgencyUpdate => v
            .update_agency(
                serde_json::from_value(serde_json::json!({
                    "id": targets.agency_id,
                    "agency": { "name": "Target agency", "kind": "health", "contact": format!("{n}") },
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::RoleAdd => v
            .add_role(
                serde_json::from_value(serde_json::json!({
                    "name": format!("Role {n}"), "description": null, "permissions": [],
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::RoleUpdate => v
            .update_role(
                serde_json::from_value(serde_json::json!({
                    "id": targets.role_id,
                    "role": { "name": "Target role", "description": format!("{n}"), "permissions": [] },
                }))
                .unwrap(),
            )
            .await
            .map(drop),
        Command::AuditLog => v
            .audit_log(ruam_core::vault::AuditQuery::default())
            .await
            .map(drop),
        Command::AuditExport => v
            .export_audit_log(ruam_core::vault::AuditQuery::default(), t.dir.path())
            .await
            .map(drop),
        Command::RecoveryKeyRegenerate => {
            let own = if v.status().await.member.unwrap().sign_in_name == LEAD {
                PASSPHRASE
            } else {
                OWN
            };
            v.regenerate_recovery_key(confirm(own)).await.map(drop)
        }
        Command::RecoveryKeyAcknowledge => v.acknowledge_recovery_key().await.map(drop),
        Command::SettingsSet => v
            .update_settings(
                serde_json::from_value(
                    serde_json::json!({ "language": null, "autoLockMinutes": 15 }),
                )
                .unwrap(),
            )
            .await
            .map(drop),
        Command::PassphraseChange => {
            let own = if v.status().await.member.unwrap().sign_in_name == LEAD {
                PASSPHRASE
            } else {
                OWN
            };
            v.change_passphrase(change_request(own, "quartz pelican summit ember"))
                .await
        }
    }
}

async fn refusals(t: &TestVault, member_id: &str, action: &str) -> i64 {
    let pool = t.vault.pool().await.unwrap();
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND action = ? AND outcome = 'refused'",
    )
    .bind(member_id)
    .bind(action)
    .fetch_one(&pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_role_against_every_command() {
    const ROLES: [&str; 6] = [
        "team_lead",
        "case_worker",
        "police_liaison",
        "health_officer",
        "volunteer_coordinator",
        "viewer",
    ];
    let (t, _) = TestVault::created().await;
    let agency = t
        .vault
        .add_agency(
            serde_json::from_value(
                serde_json::json!({ "name": "Target agency", "kind": "police" }),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let role = t
        .vault
        .add_role(
            serde_json::from_value(
                serde_json::json!({ "name": "Target role", "description": null, "permissions": [] }),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let other = t
        .vault
        .add_member(new_member("Target member", "target", "viewer"))
        .await
        .unwrap();
    let targets = Targets {
        agency_id: agency.id,
        role_id: role.id,
        other,
    };
    // A second lead, so the lead in the matrix is a member added like the others.
    for role in ROLES {
        t.vault
            .add_member(new_member(
                &format!("As {role}"),
                &format!("as.{role}"),
                role,
            ))
            .await
            .unwrap();
    }

    let mut n = 0;
    let mut checked = 0;
    for role in ROLES {
        let status = sign_in_fresh(&t, &format!("as.{role}")).await;
        let me = status.member.unwrap();
        assert_eq!(me.role, role);
        for command in COMMANDS {
            n += 1;
            let allowed = command
                .needs()
                .is_none_or(|needed| status.permissions.contains(&needed));
            let before = (
                count(&t, "changes").await,
                refusals(&t, &me.id, command.audit_name()).await,
                std::fs::read(t.paths().slots()).unwrap(),
            );
            let result = call(&t, command, &targets, n).await;
            if allowed {
                assert!(result.is_ok(), "{role} × {command:?}: {result:?}");
            } else {
                assert!(
                    matches!(result, Err(Error::Forbidden)),
                    "{role} × {command:?}: {result:?}"
                );
                assert_eq!(
                    (
                        count(&t, "changes").await,
                        refusals(&t, &me.id, command.audit_name()).await,
                        std::fs::read(t.paths().slots()).unwrap(),
                    ),
                    (before.0, before.1 + 1, before.2),
                    "{role} × {command:?}: nothing written, one refusal recorded"
                );
            }
            checked += 1;
        }
        // The default sets: the lead holds every right, the other roles none beyond
        // what every member may do (cases, tasks and funds add theirs).
        let expected: Vec<Permission> = if role == "team_lead" {
            Permission::ALL.to_vec()
        } else {
            Vec::new()
        };
        assert_eq!(status.permissions, expected, "{role}");
    }
    assert_eq!(checked, ROLES.len() * COMMANDS.len());
}
