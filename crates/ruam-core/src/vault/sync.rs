//! Team sync through the vault: a lead puts the team on a relay, invites a member's laptop
//! and approves it once the short codes on both screens match, or revokes a lost one
//! (which rotates the team's key); every member's laptop syncs. Network calls run with the
//! vault's lock released; what they bring is applied under it, in one transaction a page.

use std::collections::BTreeSet;
use std::sync::Arc;

use ruam_wire::api::{self, DeviceStatus, Grant, SetScope};
use ruam_wire::client::{now_ms, RelayClient};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use uuid::Uuid;

use super::sync_scopes::{reconcile, revoke_departed};
use super::{blocking, Open, State, Vault};
use crate::access::{Action, Permission, Resource};
use crate::crypto::SecretKey;
use crate::keyring::DeviceSecretStore;
use crate::sync::capture::Target;
use crate::sync::engine::{self, Pulled, SyncState};
use crate::sync::scopes;
use crate::sync::{DeviceIdentity, InviteCode};
use crate::{Error, Result};

/// How long an invite stays open.
const INVITE_DAYS: i64 = 3;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether this laptop is set up for sync.
    pub configured: bool,
    pub relay_url: Option<String>,
    pub device_id: Option<String>,
    /// Whether a lead's laptop has sent this one the team's key (it may sync).
    pub has_team_key: bool,
    pub last_synced_at: Option<String>,
    pub last_error: Option<String>,
    /// Row changes sealed and waiting for the relay, and those not sealed yet.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub pending_changes: i64,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub open_conflicts: i64,
    /// Rows of other laptops held here, and why: a lead looks at what clashes.
    pub held: Vec<HeldRow>,
}

/// A row another laptop sent that waits here because it breaks a rule of this laptop's
/// records; it applies by itself once the clash is gone (each round tries again).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HeldRow {
    /// What kind of record (`member`, `card`, …).
    pub entity: String,
    pub entity_id: String,
    /// `unique` (another record here has the same name or number), `reference` (it refers
    /// to a record not here yet), `check` or `required` (a value this laptop refuses).
    pub reason: String,
    pub held_at: String,
}

/// An invite for a member's laptop, as the lead reads it out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncInvite {
    pub code: String,
    pub member_id: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncDevice {
    pub device_id: String,
    /// `pending`, `active` or `revoked`.
    pub status: String,
    pub admin: bool,
    pub member_id: Option<String>,
    /// For a waiting laptop: the six digits its screen must show.
    pub short_code: Option<String>,
    pub this_device: bool,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub last_seen_ms: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DeviceApproval {
    pub device_id: String,
    /// The six digits the new laptop shows, as the lead typed them.
    pub short_code: String,
}

/// What one round of sync did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub sealed: u32,
    pub pushed: u32,
    pub pulled: u32,
    pub applied_rows: u32,
    pub conflicts: u32,
    /// Envelopes refused (altered, not the team's, not decryptable): logged, not applied.
    pub refused: u32,
    /// Envelopes wait for a key this laptop has not been sent yet.
    pub waiting_for_keys: bool,
    /// Cases this laptop was taken off, and whose rows it deleted.
    pub dropped_cases: u32,
    /// Row changes held: they break a rule of this laptop's records (see `sync_status`).
    pub held: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What a round needs once the vault's lock is let go.
#[derive(Clone)]
pub(super) struct Session {
    pub(super) pool: SqlitePool,
    pub(super) identity: DeviceIdentity,
    pub(super) state: SyncState,
    pub(super) client: RelayClient,
    pub(super) vault_id: String,
}

impl Open {
    async fn sync_state(&self) -> Result<SyncState> {
        let mut conn = self.pool.acquire().await?;
        engine::load_state(&mut conn)
            .await?
            .ok_or_else(|| Error::invalid("relay_url", "this laptop is not set up for sync yet"))
    }

    async fn sync_session(&self, keyring: &Arc<dyn DeviceSecretStore>) -> Result<Session> {
        let state = self.sync_state().await?;
        let identity = {
            let keyring = keyring.clone();
            let vault_id = self.vault_id.clone();
            let device_id = state.device_id;
            blocking(move || DeviceIdentity::load(keyring.as_ref(), &vault_id, device_id)).await?
        }
        .ok_or(Error::DeviceNotEnrolled)?;
        let client = client(&state.relay_url, &identity)?;
        Ok(Session {
            pool: self.pool.clone(),
            identity,
            state,
            client,
            vault_id: self.vault_id.clone(),
        })
    }
}

pub(super) fn client(relay_url: &str, identity: &DeviceIdentity) -> Result<RelayClient> {
    RelayClient::new(relay_url, identity.device_id, identity.signing().clone())
        .map_err(engine::relay_error)
}

pub(super) fn check_relay_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let ok = (url.starts_with("https://") || url.starts_with("http://")) && url.len() < 500;
    if !ok {
        return Err(Error::invalid(
            "relay_url",
            "must be the relay's address, starting with https:// (or http:// on this computer)",
        ));
    }
    Ok(url.to_owned())
}

fn parse_device(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim())
        .map_err(|_| Error::invalid("device_id", "is not a device of the team"))
}

impl Vault {
    pub(super) fn unlocked(state: &State) -> Result<&Open> {
        match state {
            State::Unlocked(open) => Ok(open),
            State::Joining(_) | State::Locked => Err(Error::Locked),
        }
    }

    pub(super) async fn new_identity(&self, vault_id: &str) -> Result<DeviceIdentity> {
        let identity = DeviceIdentity::generate(Uuid::now_v7())?;
        let keyring = self.keyring.clone();
        let saved = identity.clone();
        let vault_id = vault_id.to_owned();
        blocking(move || saved.save(keyring.as_ref(), &vault_id)).await?;
        Ok(identity)
    }

    /// Put the team on a relay from this (a lead's) laptop: its first device, admin, and
    /// the team's scope with its first key.
    pub async fn sync_start_team(&self, relay_url: String) -> Result<SyncStatus> {
        let relay_url = check_relay_url(&relay_url)?;
        {
            let state = self.state.write().await;
            let open = Self::unlocked(&state)?;
            open.authorize(Action::ManageDevices, Resource::Vault)
                .await?;
            if open.sync_state().await.is_ok() {
                return Err(Error::invalid(
                    "relay_url",
                    "this laptop already syncs with a relay",
                ));
            }
            let team_id = Uuid::parse_str(&open.team_id)
                .map_err(|_| Error::invalid("team", "this team's id cannot be used on a relay"))?;
            let identity = self.new_identity(&open.vault_id).await?;
            let relay = client(&relay_url, &identity)?;
            relay
                .create_team(&api::CreateTeam {
                    team_id,
                    device: identity.keys(),
                })
                .await
                .map_err(engine::relay_error)?;
            let scope_id = Uuid::now_v7();
            relay
                .set_scope(
                    team_id,
                    scope_id,
                    &SetScope {
                        epoch: 1,
                        grants: vec![Grant {
                            device_id: identity.device_id,
                            manage: true,
                        }],
                    },
                )
                .await
                .map_err(engine::relay_error)?;
            let devices = relay.devices(team_id).await.map_err(engine::relay_error)?;
            let key = SecretKey::random()?;
            let mut tx = open.pool.begin().await?;
            engine::save_state(
                &mut tx,
                &SyncState {
                    relay_url,
                    team_id,
                    device_id: identity.device_id,
                    team_scope_id: Some(scope_id),
                    pulled_seq: 0,
                },
            )
            .await?;
            engine::store_key(&mut tx, scope_id, 1, &key, &Target::Team).await?;
            scopes::save_grants(
                &mut tx,
                scope_id,
                &[Grant {
                    device_id: identity.device_id,
                    manage: true,
                }],
            )
            .await?;
            for device in &devices {
                engine::store_device(&mut tx, device).await?;
            }
            open.set_member(&mut tx, identity.device_id, &open.member.id)
                .await?;
            open.audit_in(&mut tx, "sync.start", None).await?;
            tx.commit().await?;
        }
        self.sync_status().await
    }

    /// Invite a member's laptop: a one-time code, open for three days.
    pub async fn sync_invite(&self, member_id: String) -> Result<SyncInvite> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageDevices, Resource::Vault)
            .await?;
        let session = open.sync_session(&self.keyring).await?;
        let member = crate::team::load_member(&open.pool, &member_id)
            .await
            .map_err(|_| Error::invalid("member_id", "is not a member of the team"))?;
        if member.status != crate::team::MemberStatus::Active {
            return Err(Error::invalid(
                "member_id",
                "is not an active member of the team",
            ));
        }
        let Some(sign_in_name) = member.sign_in_name.clone() else {
            return Err(Error::invalid(
                "member_id",
                "has no sign-in name yet: give them one before inviting their laptop",
            ));
        };
        let code = InviteCode::generate()?;
        let welcome = code.seal_welcome(&crate::sync::invite::Welcome {
            team_name: open.team_name.clone(),
            member_id: member.id.clone(),
            display_name: member.display_name.clone(),
            sign_in_name,
        })?;
        let expires_ms = now_ms() + INVITE_DAYS * 24 * 60 * 60 * 1000;
        session
            .client
            .new_invite(
                session.state.team_id,
                &api::NewInvite {
                    invite_id: code.id(),
                    invite_key: code.invite_key()?.public_key(),
                    expires_ms,
                    welcome: Some(welcome),
                },
            )
            .await
            .map_err(engine::relay_error)?;
        let expires_at = time::OffsetDateTime::from_unix_timestamp(expires_ms / 1000)
            .map(crate::outbox::format_utc)
            .unwrap_or_default();
        let mut tx = open.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sync_invites (invite_id, code, member_id, expires_at, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(code.id())
        .bind(&code.raw()[..])
        .bind(&member.id)
        .bind(&expires_at)
        .bind(&open.member.id)
        .bind(crate::outbox::now_utc())
        .execute(&mut *tx)
        .await?;
        open.audit_in(&mut tx, "sync.invite", Some(("member", &member.id)))
            .await?;
        tx.commit().await?;
        Ok(SyncInvite {
            code: code.display().to_string(),
            member_id: member.id,
            expires_at,
        })
    }

    /// The team's laptops as the relay lists them, with the short code of each waiting one.
    pub async fn sync_devices(&self) -> Result<Vec<SyncDevice>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::SyncDevice, Resource::Vault).await?;
        let session = open.sync_session(&self.keyring).await?;
        let listed = session
            .client
            .devices(session.state.team_id)
            .await
            .map_err(engine::relay_error)?;
        let may_manage = open.permissions.contains(&Permission::ManageTeam);
        let mut out = Vec::with_capacity(listed.len());
        let mut conn = open.pool.acquire().await?;
        for device in listed {
            engine::store_device(&mut conn, &device).await?;
            let invite = invite_of(&mut conn, device.invite_id.as_deref()).await?;
            let known_member: Option<Option<String>> =
                sqlx::query_scalar("SELECT member_id FROM sync_devices WHERE device_id = ?")
                    .bind(device.keys.device_id.to_string())
                    .fetch_optional(&mut *conn)
                    .await?;
            let short_code = match (&invite, device.status, may_manage) {
                (Some((code, _)), DeviceStatus::Pending, true) => {
                    Some(InviteCode::from_raw(code)?.short_code(&device.keys))
                }
                _ => None,
            };
            out.push(SyncDevice {
                device_id: device.keys.device_id.to_string(),
                status: device.status.as_str().to_owned(),
                admin: device.admin,
                member_id: known_member.flatten().or(invite.map(|(_, m)| m)),
                short_code,
                this_device: device.keys.device_id == session.identity.device_id,
                last_seen_ms: device.last_seen_ms,
            });
        }
        Ok(out)
    }

    /// Let a waiting laptop in, once the lead typed the short code its screen shows: it
    /// becomes active, reads and writes the team's scope, and is sent its key.
    pub async fn sync_approve(&self, approval: DeviceApproval) -> Result<Vec<SyncDevice>> {
        let device_id = parse_device(&approval.device_id)?;
        {
            let state = self.state.write().await;
            let open = Self::unlocked(&state)?;
            open.authorize(Action::ManageDevices, Resource::Vault)
                .await?;
            let session = open.sync_session(&self.keyring).await?;
            let team = session.state.team_id;
            let listed = session
                .client
                .devices(team)
                .await
                .map_err(engine::relay_error)?;
            let device = listed
                .iter()
                .find(|d| d.keys.device_id == device_id && d.status == DeviceStatus::Pending)
                .ok_or_else(|| {
                    Error::invalid("device_id", "is not a laptop waiting for approval")
                })?;
            let mut conn = open.pool.acquire().await?;
            let invite = invite_of(&mut conn, device.invite_id.as_deref()).await?;
            let Some((code, member_id)) = invite else {
                return Err(Error::invalid(
                    "device_id",
                    "enrolled with an invite this laptop did not make",
                ));
            };
            let expected = InviteCode::from_raw(&code)?.short_code(&device.keys);
            let typed: String = approval
                .short_code
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            if typed != expected.replace(' ', "") {
                return Err(Error::invalid(
                    "short_code",
                    "does not match the code this laptop computes: do not approve it, and make a new invite",
                ));
            }
            let member_role = crate::team::load_member(&mut *conn, &member_id).await?.role;
            let lead = crate::team::load_role(&open.pool, &member_role)
                .await?
                .permissions
                .contains(&Permission::ManageTeam);
            drop(conn);
            let approved = session
                .client
                .approve(team, device_id, lead)
                .await
                .map_err(engine::relay_error)?;
            let mut tx = open.pool.begin().await?;
            engine::store_device(&mut tx, &approved).await?;
            open.set_member(&mut tx, device_id, &member_id).await?;
            sqlx::query("DELETE FROM sync_invites WHERE code = ?")
                .bind(&code)
                .execute(&mut *tx)
                .await?;
            open.audit_in(&mut tx, "sync.device.approve", Some(("member", &member_id)))
                .await?;
            tx.commit().await?;
            // It reads the team's scope, and the cases its member is on, from now on.
            reconcile(open, &session, &BTreeSet::new()).await?;
        }
        // A round now, so that the new laptop finds the team's rows without waiting for
        // the next one; offline, they go with the next.
        if let Err(err) = self.sync_now().await {
            tracing::info!(code = ?err.code(), "no sync round after approving a laptop");
        }
        self.sync_devices().await
    }

    /// Revoke a laptop (lost, or its member left): the relay refuses it from now on, and the
    /// team's key is replaced, sent to every other active laptop, so that nothing written
    /// after is readable with what it held.
    pub async fn sync_revoke(&self, device_id: String) -> Result<Vec<SyncDevice>> {
        let device_id = parse_device(&device_id)?;
        {
            let state = self.state.write().await;
            let open = Self::unlocked(&state)?;
            open.authorize(Action::ManageDevices, Resource::Vault)
                .await?;
            let session = open.sync_session(&self.keyring).await?;
            if device_id == session.identity.device_id {
                return Err(Error::invalid(
                    "device_id",
                    "is this laptop; revoke it from another lead's laptop",
                ));
            }
            let team = session.state.team_id;
            let revoked = session
                .client
                .revoke(team, device_id)
                .await
                .map_err(engine::relay_error)?;
            let mut tx = open.pool.begin().await?;
            engine::store_device(&mut tx, &revoked).await?;
            open.audit_in(&mut tx, "sync.device.revoke", None).await?;
            tx.commit().await?;
            // Every scope it could read gets a new key, sent to the laptops still entitled.
            reconcile(open, &session, &BTreeSet::new()).await?;
        }
        // The new keys wait in the outbox of envelopes: a round sends them now.
        if let Err(err) = self.sync_now().await {
            tracing::info!(code = ?err.code(), "no sync round after revoking a laptop");
        }
        self.sync_devices().await
    }

    /// One round: seal and push this laptop's changes, pull and apply the team's, make the
    /// scopes of new cases and carry changes of who may read what to the relay.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let session = {
            let state = self.state.write().await;
            let open = Self::unlocked(&state)?;
            open.authorize(Action::SyncDevice, Resource::Vault).await?;
            let session = open.sync_session(&self.keyring).await?;
            let mut tx = open.pool.begin().await?;
            let sealed = engine::seal_pending(&mut tx, &session.identity, &session.state).await?;
            report.sealed = count(sealed.changes);
            tx.commit().await?;
            session
        };
        let result = self.sync_network(&session, &mut report).await;
        self.sync_record(&session, result.as_ref().err()).await;
        result.map(|()| report)
    }

    async fn sync_network(&self, session: &Session, report: &mut SyncReport) -> Result<()> {
        let team = session.state.team_id;
        report.pushed = count(engine::push(&session.pool, &session.client, &session.state).await?);
        let mut total = Pulled::default();
        self.pull_into(session, &mut total, None).await?;
        report.pulled = count(total.envelopes);
        report.applied_rows = count(total.applied.rows);
        report.conflicts = count(total.applied.conflicts);
        report.refused = count(total.refused);
        report.waiting_for_keys = total.waiting_for_keys;
        report.dropped_cases = count(total.dropped_cases);
        report.held = count(total.applied.held);
        // Scopes this laptop was taken off, as the relay lists them.
        let dropped = session
            .client
            .me(team)
            .await
            .map_err(engine::relay_error)?
            .dropped;
        // What arrived may have given this laptop the team's key; cases made here need
        // their scopes; who may read what may have changed. Then what waited is sealed.
        let guard = self.state.write().await;
        let open = Self::unlocked(&guard)?;
        if open.vault_id != session.vault_id {
            return Err(Error::Locked);
        }
        let current = Session {
            state: self.reload_state(session).await?,
            ..session.clone()
        };
        let mut tx = open.pool.begin().await?;
        // An invite's code is kept until its laptop is approved; a week past its expiry it
        // is of no use to anyone.
        let week_ago = time::OffsetDateTime::now_utc() - time::Duration::days(7);
        sqlx::query("DELETE FROM sync_invites WHERE expires_at < ?")
            .bind(crate::outbox::format_utc(week_ago))
            .execute(&mut *tx)
            .await?;
        crate::sync::blob::let_go_stale(&mut tx, time::OffsetDateTime::now_utc()).await?;
        for scope_id in dropped {
            if let Some(Target::Case(case_id)) = scopes::target_of_scope(&mut tx, scope_id).await? {
                if crate::sync::drop::drop_case(
                    &mut tx,
                    scope_id,
                    &case_id,
                    current.identity.device_id,
                    false,
                )
                .await?
                {
                    open.audit_in(&mut tx, "sync.case.drop", Some(("case", &case_id)))
                        .await?;
                    report.dropped_cases += 1;
                }
            }
        }
        let first = engine::seal_pending(&mut tx, &current.identity, &current.state).await?;
        tx.commit().await?;
        revoke_departed(open, &current).await?;
        if current.state.team_scope_id.is_some() {
            reconcile(open, &current, &first.without_scope).await?;
        }
        let mut tx = open.pool.begin().await?;
        let second = engine::seal_pending(&mut tx, &current.identity, &current.state).await?;
        tx.commit().await?;
        drop(guard);
        report.sealed += count(first.changes + second.changes);
        report.pushed += count(engine::push(&current.pool, &current.client, &current.state).await?);
        // This laptop's new audit entries, to the laptops of those who read the audit log.
        let outgoing = {
            let mut conn = current.pool.acquire().await?;
            crate::sync::audit::outgoing(&mut conn, &current.identity, &current.state).await?
        };
        for (reader, last, envelope) in outgoing {
            current
                .client
                .push(team, std::slice::from_ref(&envelope))
                .await
                .map_err(engine::relay_error)?;
            let mut conn = current.pool.acquire().await?;
            crate::sync::audit::mark_sent(&mut conn, reader, last).await?;
            report.pushed += 1;
        }
        Ok(())
    }

    /// Pull what this laptop may read and apply it: its inbox (keys) first, then the
    /// scopes it was just given from their beginning, then the team's envelopes after
    /// where it stopped; with a budget, that last pull stops after so many pages. Returns
    /// whether more waits at the relay.
    pub(super) async fn pull_into(
        &self,
        session: &Session,
        total: &mut Pulled,
        budget: Option<usize>,
    ) -> Result<bool> {
        let team = session.state.team_id;
        // The team's devices, to verify what they wrote.
        let devices = session
            .client
            .devices(team)
            .await
            .map_err(engine::relay_error)?;
        {
            let mut conn = session.pool.acquire().await?;
            for device in &devices {
                engine::store_device(&mut conn, device).await?;
            }
        }
        let held_before = self.held_scopes(session).await?;
        let mut inbox_after = 0;
        loop {
            let page = session
                .client
                .pull(
                    team,
                    inbox_after,
                    engine::PULL_PAGE,
                    Some(session.identity.device_id),
                )
                .await
                .map_err(engine::relay_error)?;
            let (_, pulled) = self
                .apply_pulled(session, &page.envelopes, 0, false)
                .await?;
            total.add(pulled);
            inbox_after = page.next;
            if !page.more {
                break;
            }
        }
        let mut state = self.reload_state(session).await?;
        // A scope this laptop was just given (put on a case) holds envelopes from before
        // where it stopped: those are pulled from its beginning. (The team's own comes
        // with the team's pull, and so does everything while nothing was pulled yet.)
        if state.pulled_seq > 0 {
            for scope_id in self.held_scopes(session).await?.difference(&held_before) {
                if Some(*scope_id) == state.team_scope_id {
                    continue;
                }
                let mut after = 0;
                loop {
                    let page = session
                        .client
                        .pull_others(team, after, engine::PULL_PAGE, Some(*scope_id))
                        .await
                        .map_err(engine::relay_error)?;
                    let (_, pulled) = self
                        .apply_pulled(session, &page.envelopes, 0, false)
                        .await?;
                    let waiting = pulled.waiting_for_keys;
                    total.add(pulled);
                    after = page.next;
                    if !page.more || waiting {
                        break;
                    }
                }
            }
        }
        // What this laptop wrote stays at the relay: it is not pulled back.
        let mut pages = 0;
        loop {
            let page = session
                .client
                .pull_others(team, state.pulled_seq, engine::PULL_PAGE, None)
                .await
                .map_err(engine::relay_error)?;
            let (after, pulled) = self
                .apply_pulled(session, &page.envelopes, state.pulled_seq, true)
                .await?;
            let waiting = pulled.waiting_for_keys;
            total.add(pulled);
            state.pulled_seq = after;
            pages += 1;
            if !page.more || waiting {
                return Ok(false);
            }
            if budget.is_some_and(|b| pages >= b) {
                return Ok(true);
            }
        }
    }

    /// The scopes this laptop holds a key of.
    async fn held_scopes(&self, session: &Session) -> Result<BTreeSet<Uuid>> {
        let mut conn = session.pool.acquire().await?;
        Ok(scopes::newest_keys(&mut conn)
            .await?
            .into_values()
            .map(|k| k.scope_id)
            .collect())
    }

    /// The sync state as stored now, the team's scope learnt from the keys received.
    async fn reload_state(&self, session: &Session) -> Result<SyncState> {
        let mut conn = session.pool.acquire().await?;
        sqlx::query(
            "UPDATE sync_state SET team_scope_id =
                 (SELECT scope_id FROM sync_scope_keys WHERE kind = 'team' ORDER BY epoch DESC LIMIT 1)
             WHERE id = 1 AND team_scope_id IS NULL",
        )
        .execute(&mut *conn)
        .await?;
        engine::load_state(&mut conn)
            .await?
            .ok_or_else(|| Error::invalid("relay_url", "this laptop is not set up for sync yet"))
    }

    /// Apply a page under the vault's lock, this laptop's own new changes sealed first.
    async fn apply_pulled(
        &self,
        session: &Session,
        envelopes: &[(i64, ruam_wire::Envelope)],
        after: i64,
        advance: bool,
    ) -> Result<(i64, Pulled)> {
        let state = self.state.write().await;
        let (pool, outbox, vault_id) = match &*state {
            State::Unlocked(open) => (&open.pool, &open.outbox, open.vault_id.as_str()),
            State::Joining(joining) => (joining.pool(), joining.outbox(), joining.vault_id()),
            State::Locked => return Err(Error::Locked),
        };
        if vault_id != session.vault_id {
            return Err(Error::Locked);
        }
        let current = self.reload_state(session).await?;
        let mut tx = pool.begin().await?;
        engine::seal_pending(&mut tx, &session.identity, &current).await?;
        let result = engine::apply_page(
            &mut tx,
            &session.identity,
            &current,
            outbox,
            envelopes,
            after,
            advance,
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    async fn sync_record(&self, session: &Session, error: Option<&Error>) {
        let outcome = match error {
            None => {
                sqlx::query(
                    "UPDATE sync_state SET last_synced_at = ?, last_error = NULL WHERE id = 1",
                )
                .bind(crate::outbox::now_utc())
                .execute(&session.pool)
                .await
            }
            // The error names the relay's answer or the network's, never content.
            Some(err) => {
                sqlx::query("UPDATE sync_state SET last_error = ? WHERE id = 1")
                    .bind(err.to_string())
                    .execute(&session.pool)
                    .await
            }
        };
        if let Err(err) = outcome {
            tracing::warn!(%err, "could not record the sync round's outcome");
        }
    }

    /// Whether this laptop syncs, when it last did, and what waits.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::SyncDevice, Resource::Vault).await?;
        type Row = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT relay_url, device_id, team_scope_id, last_synced_at, last_error FROM sync_state WHERE id = 1",
        )
        .fetch_optional(&open.pool)
        .await?;
        let (_, sealed_changes) = engine::pending(&open.pool).await?;
        let unsealed: i64 = sqlx::query_scalar("SELECT count(*) FROM changes WHERE synced = 0")
            .fetch_one(&open.pool)
            .await?;
        let open_conflicts: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL")
                .fetch_one(&open.pool)
                .await?;
        // Which rows are held is a lead's to see: others see how many.
        let may_see_held = open.permissions.contains(&Permission::ManageTeam);
        let held = {
            let mut conn = open.pool.acquire().await?;
            crate::sync::held::list(&mut conn).await?
        }
        .into_iter()
        .map(|(entity, entity_id, reason, held_at)| HeldRow {
            entity,
            entity_id: if may_see_held {
                entity_id
            } else {
                String::new()
            },
            reason,
            held_at,
        })
        .collect::<Vec<_>>();
        Ok(match row {
            None => SyncStatus {
                configured: false,
                relay_url: None,
                device_id: None,
                has_team_key: false,
                last_synced_at: None,
                last_error: None,
                pending_changes: unsealed,
                open_conflicts,
                held,
            },
            Some((relay_url, device_id, scope, last_synced_at, last_error)) => SyncStatus {
                configured: true,
                relay_url: Some(relay_url),
                device_id: Some(device_id),
                has_team_key: scope.is_some(),
                last_synced_at,
                last_error,
                pending_changes: sealed_changes + unsealed,
                open_conflicts,
                held,
            },
        })
    }
}

/// The code and member of the invite a device enrolled with, if this laptop made it.
async fn invite_of(
    conn: &mut sqlx::SqliteConnection,
    invite_id: Option<&str>,
) -> Result<Option<(Vec<u8>, String)>> {
    let Some(id) = invite_id else {
        return Ok(None);
    };
    Ok(
        sqlx::query_as("SELECT code, member_id FROM sync_invites WHERE invite_id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}
