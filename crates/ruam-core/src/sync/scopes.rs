//! The scopes this laptop holds keys of, and who is entitled to each: the team's scope to
//! every active laptop of a member still on the team; a case's to the laptops of its members and of those
//! who oversee every case (the same rule as the case file's own), each through the member
//! whose laptop it is. A laptop that manages a scope carries a change of who is entitled
//! to the relay, with a new key when someone is taken off.

use std::collections::BTreeMap;

use ruam_wire::api::Grant;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::capture::Target;
use crate::crypto::SecretKey;
use crate::Result;

/// A scope's newest key as held here.
#[derive(Debug, Clone)]
pub struct ScopeKey {
    pub scope_id: Uuid,
    pub epoch: u32,
    pub key: SecretKey,
}

fn target(kind: &str, case_id: Option<String>, section: Option<String>) -> Option<Target> {
    match (kind, case_id, section) {
        ("team", _, _) => Some(Target::Team),
        ("case", Some(case_id), _) => Some(Target::Case(case_id)),
        ("section", Some(case_id), Some(section)) => Some(Target::Section(case_id, section)),
        _ => None,
    }
}

/// The newest key of every scope this laptop holds, by what the scope is for.
pub async fn newest_keys(conn: &mut SqliteConnection) -> Result<BTreeMap<Target, ScopeKey>> {
    type Row = (String, i64, Vec<u8>, String, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT scope_id, epoch, key, kind, case_id, section FROM sync_scope_keys k
         WHERE epoch = (SELECT max(epoch) FROM sync_scope_keys WHERE scope_id = k.scope_id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = BTreeMap::new();
    for (scope, epoch, key, kind, case_id, section) in rows {
        let (Ok(scope_id), Ok(epoch), Some(key), Some(target)) = (
            Uuid::parse_str(&scope),
            u32::try_from(epoch),
            SecretKey::from_slice(&key),
            target(&kind, case_id, section),
        ) else {
            continue;
        };
        out.insert(
            target,
            ScopeKey {
                scope_id,
                epoch,
                key,
            },
        );
    }
    Ok(out)
}

/// What a scope held here is for.
pub async fn target_of_scope(
    conn: &mut SqliteConnection,
    scope_id: Uuid,
) -> Result<Option<Target>> {
    let row: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT kind, case_id, section FROM sync_scope_keys WHERE scope_id = ? LIMIT 1",
    )
    .bind(scope_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.and_then(|(kind, case_id, section)| target(&kind, case_id, section)))
}

/// The devices entitled to a scope now. Lead (admin) devices manage every scope; the
/// devices of a case's lead manage its scope. Every laptop computes the same answer from
/// the same rows.
pub async fn entitled(conn: &mut SqliteConnection, target: &Target) -> Result<Vec<Grant>> {
    let rows: Vec<(String, bool)> = match target {
        // Every active laptop, but those of members who have left the team.
        Target::Team => {
            sqlx::query_as(
                "SELECT d.device_id, d.admin FROM sync_devices d
                 WHERE d.status = 'active' AND NOT EXISTS (
                     SELECT 1 FROM members m WHERE m.id = d.member_id
                     AND (m.status <> 'active' OR m.deleted_at IS NOT NULL))
                 ORDER BY d.device_id",
            )
            .fetch_all(&mut *conn)
            .await?
        }
        Target::Case(case_id) => {
            sqlx::query_as(
                "SELECT d.device_id, d.admin OR EXISTS (
                        SELECT 1 FROM case_members cm WHERE cm.case_id = ?1 AND cm.member_id = m.id
                        AND cm.removed_at IS NULL AND cm.responsibility = 'lead')
                 FROM sync_devices d
                 JOIN members m ON m.id = d.member_id AND m.status = 'active' AND m.deleted_at IS NULL
                 WHERE d.status = 'active' AND (
                     EXISTS (SELECT 1 FROM case_members cm WHERE cm.case_id = ?1 AND cm.member_id = m.id
                             AND cm.removed_at IS NULL)
                     OR EXISTS (SELECT 1 FROM roles r, json_each(r.permissions) p
                                WHERE r.id = m.role AND p.value = 'cases.oversee'))
                 ORDER BY d.device_id",
            )
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?
        }
        // A narrower section (health, police): the case's lead, and its members of that
        // discipline; nobody else, not even those who oversee every case (the case file's
        // own rule, `access::section_grant`). Every laptop of its small audience manages it.
        Target::Section(case_id, section) => {
            sqlx::query_as(
                "SELECT d.device_id, 1
                 FROM sync_devices d
                 JOIN members m ON m.id = d.member_id AND m.status = 'active' AND m.deleted_at IS NULL
                 JOIN case_members cm ON cm.case_id = ?1 AND cm.member_id = m.id AND cm.removed_at IS NULL
                 WHERE d.status = 'active' AND (cm.responsibility = 'lead' OR m.discipline = ?2)
                 ORDER BY d.device_id",
            )
            .bind(case_id)
            .bind(section)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .filter_map(|(id, manage)| {
            Some(Grant {
                device_id: Uuid::parse_str(&id).ok()?,
                manage,
            })
        })
        .collect())
}

/// Who this laptop last told the relay may read and write the scope.
pub async fn granted(conn: &mut SqliteConnection, scope_id: Uuid) -> Result<Vec<Grant>> {
    let rows: Vec<(String, bool)> = sqlx::query_as(
        "SELECT device_id, manage FROM sync_scope_grants WHERE scope_id = ? ORDER BY device_id",
    )
    .bind(scope_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, manage)| {
            Some(Grant {
                device_id: Uuid::parse_str(&id).ok()?,
                manage,
            })
        })
        .collect())
}

pub async fn save_grants(
    conn: &mut SqliteConnection,
    scope_id: Uuid,
    grants: &[Grant],
) -> Result<()> {
    sqlx::query("DELETE FROM sync_scope_grants WHERE scope_id = ?")
        .bind(scope_id.to_string())
        .execute(&mut *conn)
        .await?;
    for grant in grants {
        sqlx::query("INSERT INTO sync_scope_grants (scope_id, device_id, manage) VALUES (?, ?, ?)")
            .bind(scope_id.to_string())
            .bind(grant.device_id.to_string())
            .bind(grant.manage)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The scopes this laptop holds and, by the same rule as [`entitled`], manages.
pub async fn managed(conn: &mut SqliteConnection, me: Uuid) -> Result<Vec<(Uuid, Target)>> {
    let keys = newest_keys(conn).await?;
    let mut out = Vec::new();
    for (target, key) in keys {
        let manages = entitled(conn, &target)
            .await?
            .iter()
            .any(|g| g.device_id == me && g.manage);
        if manages {
            out.push((key.scope_id, target));
        }
    }
    Ok(out)
}
