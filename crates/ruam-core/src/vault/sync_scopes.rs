//! Who may read what, carried to the relay: every scope this laptop manages is brought in
//! line with who is entitled now (`sync::scopes::entitled`), new cases get their scopes,
//! keys go to the laptops newly entitled, a new key to all who remain when one was taken
//! off, and a signed notice to the laptops taken off a case.

use std::collections::BTreeSet;

use ruam_wire::api::SetScope;
use uuid::Uuid;

use super::sync::Session;
use super::Open;
use crate::crypto::SecretKey;
use crate::sync::capture::Target;
use crate::sync::{engine, scopes};
use crate::Result;

impl Open {
    /// Say whose laptop a device is, in the team's scope (through the outbox), so that
    /// every laptop knows whose laptops a case's grants go to.
    pub(super) async fn set_member(
        &self,
        tx: &mut sqlx::SqliteConnection,
        device_id: Uuid,
        member_id: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE sync_devices SET member_id = ? WHERE device_id = ?")
            .bind(member_id)
            .bind(device_id.to_string())
            .execute(&mut *tx)
            .await?;
        self.outbox
            .record_on(
                tx,
                Some(&self.member.id),
                "device",
                &device_id.to_string(),
                crate::outbox::Op::Update,
                &serde_json::json!({ "member_id": member_id }),
            )
            .await
    }
}

/// Bring the relay's grants of every scope this laptop manages in line with who is
/// entitled now, and make the scopes of `new_scopes` (cases, and their sections). The relay's grants are the truth: a
/// scope whose grants here already match is left alone; otherwise the relay is asked,
/// keys go to the laptops newly entitled, and when a laptop was taken off, a new key
/// goes to all who remain.
pub(super) async fn reconcile(
    open: &Open,
    session: &Session,
    new_scopes: &BTreeSet<Target>,
) -> Result<()> {
    let me = session.identity.device_id;
    let team = session.state.team_id;
    let mut conn = open.pool.acquire().await?;
    let held = scopes::newest_keys(&mut conn).await?;
    let mut work: Vec<(Uuid, Target, bool)> = Vec::new();
    for target in new_scopes {
        // A section's scope comes after its case's.
        let ready = match target {
            Target::Section(case_id, _) => held.contains_key(&Target::Case(case_id.clone())),
            _ => true,
        };
        if ready && !held.contains_key(target) {
            work.push((Uuid::now_v7(), target.clone(), true));
        }
    }
    for (scope_id, target) in scopes::managed(&mut conn, me).await? {
        work.push((scope_id, target, false));
    }
    drop(conn);
    for (scope_id, target, new) in work {
        let mut tx = open.pool.begin().await?;
        let desired = scopes::entitled(&mut tx, &target).await?;
        if !desired.iter().any(|g| g.device_id == me) {
            // This laptop is not entitled to it (any more): not for it to hand out.
            continue;
        }
        let saved = scopes::granted(&mut tx, scope_id).await?;
        if !new && saved == desired {
            continue;
        }
        let local_epoch = engine::keys_of(&mut tx, scope_id)
            .await?
            .last()
            .map(|(e, _)| *e)
            .unwrap_or(0);
        let (relay_epoch, current) = if new {
            (0, Vec::new())
        } else {
            match session.client.scope(team, scope_id).await {
                Ok(state) => (state.epoch, state.grants),
                Err(err) => {
                    tracing::warn!(scope = %scope_id, error = %err, "could not read a scope's grants");
                    continue;
                }
            }
        };
        if relay_epoch > local_epoch {
            // Another laptop moved it on; its key reaches this one first.
            continue;
        }
        // Taken off at the relay (a revoked laptop loses its grants there at once) or here:
        // either way it held the key, so a new one is made.
        let removed = current
            .iter()
            .chain(saved.iter())
            .any(|g| !desired.iter().any(|d| d.device_id == g.device_id));
        if !new && !removed && current == desired {
            scopes::save_grants(&mut tx, scope_id, &desired).await?;
            tx.commit().await?;
            continue;
        }
        let rotate = new || removed;
        let mut epoch = local_epoch;
        if rotate {
            epoch += 1;
            engine::store_key(&mut tx, scope_id, epoch, &SecretKey::random()?, &target).await?;
        }
        if let Err(err) = session
            .client
            .set_scope(
                team,
                scope_id,
                &SetScope {
                    epoch,
                    grants: desired.clone(),
                },
            )
            .await
        {
            tracing::warn!(scope = %scope_id, error = %err, "could not update a scope's grants");
            continue;
        }
        scopes::save_grants(&mut tx, scope_id, &desired).await?;
        let mut inboxes = Vec::new();
        for grant in desired.iter().filter(|g| g.device_id != me) {
            let newly = !current.iter().any(|c| c.device_id == grant.device_id);
            if !(rotate || newly) {
                continue;
            }
            if let Some(keys) = engine::device_keys(&mut tx, grant.device_id).await? {
                inboxes.push(
                    crate::sync::inbox::keys_for(
                        &mut tx,
                        &session.identity,
                        &session.state,
                        &keys,
                        scope_id,
                        &target,
                    )
                    .await?,
                );
            }
        }
        // The keys wait with what this laptop sends, in the same transaction as the key
        // and the grants: the relay is at the new epoch now, and a connection lost before
        // they reach it must not lose the only copy of the key (the next push sends them).
        for envelope in &inboxes {
            engine::queue_envelope(&mut tx, envelope, 0).await?;
        }
        // Laptops taken off a case are told to delete it (a revoked one is refused anyway).
        if let Target::Case(_) = &target {
            let mut notices = Vec::new();
            for gone in current
                .iter()
                .chain(saved.iter())
                .filter(|g| !desired.iter().any(|d| d.device_id == g.device_id))
            {
                let active: Option<i64> = sqlx::query_scalar(
                    "SELECT 1 FROM sync_devices WHERE device_id = ? AND status = 'active'",
                )
                .bind(gone.device_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                if active.is_some() && !notices.iter().any(|(d, _)| *d == gone.device_id) {
                    notices.push((
                        gone.device_id,
                        crate::sync::inbox::drop_notice(
                            &session.identity,
                            &session.state,
                            gone.device_id,
                            scope_id,
                        )?,
                    ));
                }
            }
            for (_, notice) in &notices {
                engine::queue_envelope(&mut tx, notice, 0).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Revoke, at the relay, the laptops of members who have left the team (as recorded here
/// or on another lead's laptop): a lead's laptop does it at its next round, so a member
/// marked as gone while offline loses the team at the first round after. What they could
/// read gets a new key in the same round ([`reconcile`]). A laptop the relay will not
/// revoke (the team's last lead laptop) is logged and tried again next round.
pub(super) async fn revoke_departed(open: &Open, session: &Session) -> Result<()> {
    if !open
        .permissions
        .contains(&crate::access::Permission::ManageTeam)
    {
        return Ok(());
    }
    let me = session.identity.device_id;
    let departed: Vec<String> = {
        let mut conn = open.pool.acquire().await?;
        sqlx::query_scalar(
            "SELECT d.device_id FROM sync_devices d JOIN members m ON m.id = d.member_id
             WHERE d.status = 'active' AND d.device_id <> ?
             AND (m.status <> 'active' OR m.deleted_at IS NOT NULL)
             AND EXISTS (SELECT 1 FROM sync_devices s WHERE s.device_id = ? AND s.admin)
             ORDER BY d.device_id",
        )
        .bind(me.to_string())
        .bind(me.to_string())
        .fetch_all(&mut *conn)
        .await?
    };
    for device in departed {
        let Ok(device_id) = Uuid::parse_str(&device) else {
            continue;
        };
        match session
            .client
            .revoke(session.state.team_id, device_id)
            .await
        {
            Ok(revoked) => {
                let mut tx = open.pool.begin().await?;
                engine::store_device(&mut tx, &revoked).await?;
                open.audit_in(&mut tx, "sync.device.revoke", None).await?;
                tx.commit().await?;
                tracing::info!(device = %device_id, "revoked the laptop of a member who left");
            }
            Err(err) => {
                tracing::warn!(device = %device_id, error = %err, "could not revoke the laptop of a member who left");
            }
        }
    }
    Ok(())
}
