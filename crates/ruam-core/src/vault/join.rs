//! A new laptop joins the team with an invite. It starts as an empty vault of its own (its
//! own data key, device secret and recovery key) with one key slot: the invited member's,
//! whose name and id the invite's sealed welcome gave. It enrols at the relay and waits,
//! showing its short code, until a lead approves it; then the team's key reaches its inbox,
//! the team's rows (and the cases its member is on) are pulled, and once the team and its
//! member are there it opens as that member, like any sign-in.
//!
//! Until then the vault is `Joining`: unlocked enough to pull and apply, for nothing else.
//! A restart meanwhile is fine: signing in with the new passphrase resumes the wait.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use super::sync::{check_relay_url, client, Session};
use super::{blocking, Activity, ShownRecoveryKey, State, Vault, VaultStatus};
use crate::crypto::SecretKey;
use crate::keyring::DeviceSecretStore;
use crate::outbox::Outbox;
use crate::passphrase::require_acceptable;
use crate::recovery::RecoveryKey;
use crate::secret::SecretString;
use crate::slots::{self, Slot, SlotFile};
use crate::sync::engine::{self, Pulled, SyncState};
use crate::sync::invite::Welcome;
use crate::sync::{DeviceIdentity, InviteCode};
use crate::{audit, db, Error, Result};

/// How many pages one check pulls at most, so that a large first pull shows its progress.
const PAGES_PER_CHECK: usize = 8;

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    pub relay_url: String,
    pub invite_code: SecretString,
    /// The passphrase the member chooses for this laptop.
    pub passphrase: SecretString,
}

/// A laptop waiting to join, as its screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct JoinStatus {
    pub team_name: String,
    pub display_name: String,
    /// The name to sign in with on this laptop.
    pub sign_in_name: String,
    /// The six digits to read to the lead, who types them to approve this laptop.
    pub short_code: String,
    pub relay_url: String,
    /// A lead has approved this laptop.
    pub approved: bool,
    /// Envelopes received so far.
    pub received: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct JoinStarted {
    /// This laptop's own recovery key, to be written down (shown once).
    pub recovery_key: ShownRecoveryKey,
    pub status: VaultStatus,
}

/// What is kept in `sync_state.joining` until the team's data has arrived.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pending {
    welcome: Welcome,
    short_code: String,
    #[serde(default)]
    recovery_acknowledged: bool,
}

/// A vault waiting to join: its key and pool, for pulling and applying only.
pub(super) struct Joining {
    pool: SqlitePool,
    data_key: SecretKey,
    vault_id: String,
    device_secret: SecretKey,
    pending: Pending,
    relay_url: String,
    outbox: Outbox,
    approved: bool,
    received: u32,
    pub(super) last_activity: std::sync::Mutex<Activity>,
}

impl Joining {
    pub(super) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(super) fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    pub(super) fn vault_id(&self) -> &str {
        &self.vault_id
    }

    pub(super) fn team_name(&self) -> &str {
        &self.pending.welcome.team_name
    }

    /// The member this laptop is for, and their sign-in name.
    pub(super) fn member(&self) -> (&str, &str) {
        let welcome = &self.pending.welcome;
        (&welcome.member_id, &welcome.sign_in_name)
    }

    pub(super) fn recovery_pending(&self) -> bool {
        !self.pending.recovery_acknowledged
    }

    pub(super) fn status(&self) -> JoinStatus {
        let welcome = &self.pending.welcome;
        JoinStatus {
            team_name: welcome.team_name.clone(),
            display_name: welcome.display_name.clone(),
            sign_in_name: welcome.sign_in_name.clone(),
            short_code: self.pending.short_code.clone(),
            relay_url: self.relay_url.clone(),
            approved: self.approved,
            received: self.received,
        }
    }

    pub(super) async fn close(self) {
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(%err, "checkpoint before locking failed");
        }
        self.pool.close().await;
    }

    pub(super) async fn acknowledge_recovery_key(&mut self) -> Result<()> {
        let mut pending = self.pending.clone();
        pending.recovery_acknowledged = true;
        save_pending(&self.pool, &pending).await?;
        self.pending = pending;
        Ok(())
    }
}

async fn save_pending(pool: &SqlitePool, pending: &Pending) -> Result<()> {
    sqlx::query("UPDATE sync_state SET joining = ? WHERE id = 1")
        .bind(serde_json::to_string(pending)?)
        .execute(pool)
        .await?;
    Ok(())
}

/// A session for the laptop's relay, from what its vault keeps.
pub(super) async fn session_of(
    pool: &SqlitePool,
    vault_id: &str,
    keyring: &Arc<dyn DeviceSecretStore>,
) -> Result<Session> {
    let state = {
        let mut conn = pool.acquire().await?;
        engine::load_state(&mut conn)
            .await?
            .ok_or_else(|| Error::invalid("relay_url", "this laptop is not set up for sync yet"))?
    };
    let identity = {
        let keyring = keyring.clone();
        let vault_id = vault_id.to_owned();
        let device_id = state.device_id;
        blocking(move || DeviceIdentity::load(keyring.as_ref(), &vault_id, device_id)).await?
    }
    .ok_or(Error::DeviceNotEnrolled)?;
    let client = client(&state.relay_url, &identity)?;
    Ok(Session {
        pool: pool.clone(),
        identity,
        state,
        client,
        vault_id: vault_id.to_owned(),
    })
}

impl Vault {
    /// Join a team on this laptop (which has no vault yet) with an invite a lead made:
    /// enrol at the relay, then make the vault for the invited member with the passphrase
    /// they chose. The laptop then waits for a lead's approval (`join_check`).
    pub async fn join_team(&self, request: JoinRequest) -> Result<JoinStarted> {
        let relay_url = check_relay_url(&request.relay_url)?;
        let code = InviteCode::parse(request.invite_code.expose())?;
        require_acceptable("passphrase", request.passphrase.expose(), &[])?;
        let mut state = self.state.write().await;
        self.prepare_new_vault()?;

        let vault_id = uuid::Uuid::now_v7().to_string();
        let data_key = SecretKey::random()?;
        let device_secret = self.enrol_device(&vault_id).await?;
        let built = async {
            let identity = self.new_identity(&vault_id).await?;
            let keys = identity.keys();
            let invite_signature = code
                .invite_key()?
                .sign(&ruam_wire::api::enrol_message(&code.id(), &keys));
            let enrolled = client(&relay_url, &identity)?
                .enrol(&ruam_wire::api::Enrol {
                    invite_id: code.id(),
                    device: keys.clone(),
                    invite_signature,
                })
                .await
                .map_err(engine::relay_error)?;
            let welcome = code.open_welcome(enrolled.welcome.as_deref().ok_or_else(|| {
                Error::invalid(
                    "invite_code",
                    "was made without a welcome for a new laptop; ask the lead for a new invite",
                )
            })?)?;
            let pending = Pending {
                welcome,
                short_code: code.short_code(&keys),
                recovery_acknowledged: false,
            };
            let member_id = pending.welcome.member_id.clone();
            let recovery = RecoveryKey::generate()?;
            let mut slot_file = SlotFile::new(&vault_id);
            slot_file
                .slots
                .push(Slot::new_recovery(&vault_id, &recovery, &data_key)?);
            slot_file.replace(
                self.passphrase_slot(
                    &vault_id,
                    &member_id,
                    &pending.welcome.sign_in_name,
                    request.passphrase,
                    &device_secret,
                    &data_key,
                )
                .await?,
            );
            let outbox = Outbox::new(slots::device_id(&device_secret, &vault_id)?);
            let pool = db::open(&self.paths.database(), &data_key, true).await?;
            let written = async {
                let mut tx = pool.begin().await?;
                engine::save_state(
                    &mut tx,
                    &SyncState {
                        relay_url: relay_url.clone(),
                        team_id: enrolled.team_id,
                        device_id: identity.device_id,
                        team_scope_id: None,
                        pulled_seq: 0,
                    },
                )
                .await?;
                sqlx::query("UPDATE sync_state SET member_id = ?, joining = ? WHERE id = 1")
                    .bind(&member_id)
                    .bind(serde_json::to_string(&pending)?)
                    .execute(&mut *tx)
                    .await?;
                let joined = audit::Event {
                    actor: Some(&member_id),
                    action: "vault.join",
                    entity: Some("member"),
                    entity_id: Some(&member_id),
                    outcome: audit::Outcome::Ok,
                    at: None,
                };
                audit::append(&mut tx, outbox.device_id(), joined).await?;
                tx.commit().await?;
                slot_file.save(&self.paths)?;
                Ok(())
            }
            .await;
            match written {
                Ok(()) => Ok((pool, outbox, pending, recovery)),
                Err(err) => {
                    pool.close().await;
                    Err(err)
                }
            }
        }
        .await;
        let (pool, outbox, pending, recovery) = match built {
            Ok(built) => built,
            Err(err) => {
                self.remove_partial_vault();
                self.forget_secrets(&vault_id).await;
                return Err(err);
            }
        };
        tracing::info!("vault made to join a team; waiting for approval");
        *state = State::Joining(Box::new(Joining {
            pool,
            data_key,
            vault_id,
            device_secret,
            pending,
            relay_url,
            outbox,
            approved: false,
            received: 0,
            last_activity: std::sync::Mutex::new(Activity::now()),
        }));
        Ok(JoinStarted {
            recovery_key: ShownRecoveryKey::new(recovery.display()),
            status: self.status_of(&state),
        })
    }

    /// Give up joining (a lead refused this laptop, or the invite was meant for someone
    /// else): the vault made for it, which holds nothing written on this laptop, is removed
    /// with its keys, and Ruam starts again at its first screen.
    pub async fn join_abandon(&self) -> Result<VaultStatus> {
        let mut state = self.state.write().await;
        if !matches!(*state, State::Joining(_)) {
            return Err(Error::invalid(
                "vault",
                "is not waiting to join a team: nothing was removed",
            ));
        }
        let State::Joining(joining) = std::mem::replace(&mut *state, State::Locked) else {
            unreachable!("matched above");
        };
        let vault_id = joining.vault_id.clone();
        joining.close().await;
        self.remove_partial_vault();
        if self.paths.vault_exists() {
            return Err(Error::io(
                self.paths.dir(),
                std::io::Error::other("the vault made to join could not be removed"),
            ));
        }
        self.forget_secrets(&vault_id).await;
        tracing::info!("gave up joining; the vault made for it was removed");
        Ok(self.status_of(&state))
    }

    /// After a sign-in's key opened the vault: if it is still waiting to join, the wait
    /// resumes (nothing else can open before the team's data is there).
    pub(super) async fn resume_joining(
        &self,
        vault_id: &str,
        data_key: &SecretKey,
        device_secret: &SecretKey,
    ) -> Result<Option<Joining>> {
        let pool = db::open(&self.paths.database(), data_key, false).await?;
        let row: Option<(Option<String>, String)> =
            sqlx::query_as("SELECT joining, relay_url FROM sync_state WHERE id = 1")
                .fetch_optional(&pool)
                .await?;
        let Some((Some(joining), relay_url)) = row else {
            pool.close().await;
            return Ok(None);
        };
        let pending: Pending = match serde_json::from_str(&joining) {
            Ok(pending) => pending,
            Err(err) => {
                pool.close().await;
                return Err(err.into());
            }
        };
        let outbox = match Outbox::resume(slots::device_id(device_secret, vault_id)?, &pool).await {
            Ok(outbox) => outbox,
            Err(err) => {
                pool.close().await;
                return Err(err);
            }
        };
        Ok(Some(Joining {
            pool,
            data_key: data_key.clone(),
            vault_id: vault_id.to_owned(),
            device_secret: device_secret.clone(),
            pending,
            relay_url,
            outbox,
            approved: false,
            received: 0,
            last_activity: std::sync::Mutex::new(Activity::now()),
        }))
    }

    /// While joining: ask the relay whether a lead approved this laptop and pull what it
    /// may now read, a few pages at a time (call again while `status.joining` is set).
    /// Once the team and this laptop's member are there, the vault opens as that member.
    pub async fn join_check(&self) -> Result<VaultStatus> {
        let session = {
            let state = self.state.read().await;
            match &*state {
                State::Joining(joining) => {
                    session_of(&joining.pool, &joining.vault_id, &self.keyring).await?
                }
                State::Unlocked(_) => return Ok(self.status_of(&state)),
                State::Locked => return Err(Error::Locked),
            }
        };
        let me = session
            .client
            .me(session.state.team_id)
            .await
            .map_err(engine::relay_error)?;
        match me.status {
            ruam_wire::api::DeviceStatus::Pending => {
                let state = self.state.read().await;
                return Ok(self.status_of(&state));
            }
            ruam_wire::api::DeviceStatus::Revoked => {
                return Err(Error::invalid(
                    "invite_code",
                    "a lead refused this laptop at the relay; ask them for a new invite",
                ))
            }
            ruam_wire::api::DeviceStatus::Active => {}
        }
        let mut total = Pulled::default();
        let more = self
            .pull_into(&session, &mut total, Some(PAGES_PER_CHECK))
            .await?;
        let mut state = self.state.write().await;
        let State::Joining(joining) = &mut *state else {
            return Ok(self.status_of(&state));
        };
        if joining.vault_id != session.vault_id {
            return Err(Error::Locked);
        }
        joining.approved = true;
        joining.received = joining
            .received
            .saturating_add(u32::try_from(total.envelopes).unwrap_or(u32::MAX));
        let member_id = joining.pending.welcome.member_id.clone();
        let team: Option<String> = sqlx::query_scalar("SELECT id FROM team LIMIT 1")
            .fetch_optional(&joining.pool)
            .await?;
        let member: Option<String> = sqlx::query_scalar("SELECT id FROM members WHERE id = ?")
            .bind(&member_id)
            .fetch_optional(&joining.pool)
            .await?;
        if more || team.is_none() || member.is_none() {
            return Ok(self.status_of(&state));
        }
        // Everything this laptop may read so far is here: it opens as its member.
        sqlx::query("UPDATE team SET recovery_acknowledged = ?")
            .bind(joining.pending.recovery_acknowledged)
            .execute(&joining.pool)
            .await?;
        sqlx::query("UPDATE sync_state SET joining = NULL WHERE id = 1")
            .execute(&joining.pool)
            .await?;
        let State::Joining(joining) = std::mem::replace(&mut *state, State::Locked) else {
            unreachable!("matched above");
        };
        let Joining {
            pool,
            data_key,
            vault_id,
            device_secret,
            ..
        } = *joining;
        pool.close().await;
        let open = self
            .open(
                vault_id,
                data_key,
                &device_secret,
                super::open::Who::Member(&member_id),
            )
            .await?;
        if let Err(err) = open
            .audit_sign_in(&self.paths, "vault.unlock", &device_secret)
            .await
        {
            tracing::warn!(%err, "could not record the sign-in in the audit log");
        }
        // Its recovery key was shown when it joined: only the recovery file is checked.
        if let Err(err) =
            SlotFile::load(&self.paths).and_then(|f| f.repair_recovery_file(&self.paths))
        {
            tracing::warn!(%err, "could not repair the recovery file");
        }
        tracing::info!("joined the team");
        *state = State::Unlocked(Box::new(open));
        Ok(self.status_of(&state))
    }
}
