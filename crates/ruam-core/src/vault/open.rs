//! Creating a vault and opening it: with a member's passphrase, or with the recovery key.

use super::{
    blocking, Activity, CreateVaultRequest, CreatedVault, Open, RecoveryUnlockRequest,
    ShownRecoveryKey, State, UnlockRequest, Unlocked, Vault,
};
use crate::crypto::SecretKey;
use crate::outbox::Outbox;
use crate::passphrase::require_acceptable;
use crate::recovery::RecoveryKey;
use crate::slots::{self, Slot, SlotFile, SlotKind};
use crate::team::{self, Member, MemberStatus, MemberSummary};
use crate::throttle::{now_unix, Attempts};
use crate::{access, audit, db, Error, Result};

/// Who a sign-in opens the vault as.
#[derive(Clone, Copy)]
pub(super) enum Who<'a> {
    /// The member whose slot opened.
    Member(&'a str),
    /// After the recovery key: the lead with this sign-in name, or the longest-serving one.
    Lead(Option<&'a str>),
}

/// A member who left opened their old slot: refused, and recorded.
async fn record_refused_sign_in(
    pool: &sqlx::SqlitePool,
    device_secret: &SecretKey,
    vault_id: &str,
    member_id: &str,
) -> Result<()> {
    let mut conn = pool.acquire().await?;
    let event = audit::Event {
        actor: Some(member_id),
        action: "vault.unlock",
        entity: Some("member"),
        entity_id: Some(member_id),
        outcome: audit::Outcome::Refused,
        at: None,
    };
    audit::append(
        &mut conn,
        &slots::device_id(device_secret, vault_id)?,
        event,
    )
    .await?;
    Ok(())
}

impl Vault {
    /// Create the vault with its first member, the team lead. Returns the recovery key,
    /// to be shown once. On any failure nothing is left behind.
    pub async fn create(&self, request: CreateVaultRequest) -> Result<CreatedVault> {
        let team_name = team::clean_name("team_name", &request.team_name)?;
        let display_name = team::clean_name("display_name", &request.display_name)?;
        let sign_in_name = team::normalize_sign_in_name(&request.sign_in_name)?;
        require_acceptable(
            "passphrase",
            request.passphrase.expose(),
            &[&team_name, &display_name, &sign_in_name],
        )?;

        let mut state = self.state.write().await;
        self.prepare_new_vault()?;

        let vault_id = uuid::Uuid::now_v7().to_string();
        let data_key = SecretKey::random()?;
        let device_secret = self.enrol_device(&vault_id).await?;
        let member = Member {
            id: uuid::Uuid::now_v7().to_string(),
            display_name,
            sign_in_name: Some(sign_in_name.clone()),
            role: team::ROLE_TEAM_LEAD.to_owned(),
            discipline: None,
            agency_id: None,
            phone: None,
            email: None,
            status: MemberStatus::Active,
            must_change_passphrase: Some(false),
            created_at: crate::outbox::now_utc(),
        };
        let recovery = RecoveryKey::generate()?;
        let team_id = uuid::Uuid::now_v7().to_string();
        // Everything after the device was enrolled is undone together if any step fails.
        let built = async {
            let mut slot_file = SlotFile::new(&vault_id);
            slot_file
                .slots
                .push(Slot::new_recovery(&vault_id, &recovery, &data_key)?);
            slot_file.replace(
                self.passphrase_slot(
                    &vault_id,
                    &member.id,
                    &sign_in_name,
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
                team::insert_team(&mut tx, &outbox, &member.id, &team_id, &team_name).await?;
                team::insert_member(&mut tx, &outbox, &member.id, &member).await?;
                let permissions = team::load_role(&mut *tx, team::ROLE_TEAM_LEAD)
                    .await?
                    .permissions;
                let created = audit::Event {
                    actor: Some(&member.id),
                    action: "vault.create",
                    entity: Some("team"),
                    entity_id: Some(&team_id),
                    outcome: audit::Outcome::Ok,
                    at: None,
                };
                audit::append(&mut tx, outbox.device_id(), created).await?;
                tx.commit().await?;
                slot_file.save(&self.paths)?;
                Ok(permissions)
            }
            .await;
            match written {
                Ok(permissions) => Ok((pool, outbox, permissions)),
                Err(err) => {
                    pool.close().await;
                    Err(err)
                }
            }
        }
        .await;
        let (pool, outbox, permissions) = match built {
            Ok(built) => built,
            Err(err) => {
                self.remove_partial_vault();
                self.forget_secrets(&vault_id).await;
                return Err(err);
            }
        };
        tracing::info!("vault created");
        *state = State::Unlocked(Box::new(Open {
            pool,
            data_key,
            vault_id,
            team_id,
            team_name,
            member: MemberSummary {
                id: member.id,
                display_name: member.display_name,
                sign_in_name,
                role: member.role,
                discipline: None,
                must_change_passphrase: false,
            },
            permissions: permissions.into_iter().collect(),
            recovery_pending: true,
            audit_warning: None,
            outbox,
            last_activity: std::sync::Mutex::new(Activity::now()),
            audit_lock: tokio::sync::Mutex::new(()),
        }));
        Ok(CreatedVault {
            recovery_key: ShownRecoveryKey::new(recovery.display()),
            status: self.status_of(&state),
        })
    }

    /// Sign in: a member's sign-in name and passphrase unlock the vault as that member.
    pub async fn unlock(&self, request: UnlockRequest) -> Result<Unlocked> {
        let sign_in_name = team::normalize_sign_in_name(&request.sign_in_name)?;
        if request.passphrase.is_empty() {
            return Err(Error::invalid("passphrase", "is empty"));
        }
        let mut state = self.state.write().await;
        if matches!(*state, State::Unlocked(_)) {
            return Err(Error::AlreadyUnlocked);
        }
        let mut file = SlotFile::load(&self.paths)?;
        Attempts::load(&self.paths).check(now_unix())?;
        let device_secret = self
            .device_secret(&file.vault_id)
            .await?
            .ok_or(Error::DeviceNotEnrolled)?;
        let check = slots::device_check(&device_secret, &file.vault_id)?;
        let enrolled: Vec<Slot> = file
            .passphrase_slots()
            .filter(|s| matches!(&s.kind, SlotKind::Passphrase { device_check, .. } if *device_check == check))
            .cloned()
            .collect();
        if enrolled.is_empty() {
            return Err(Error::DeviceNotEnrolled);
        }
        let tag = slots::sign_in_tag(&device_secret, &file.vault_id, &sign_in_name)?;
        let candidates: Vec<Slot> = enrolled
            .into_iter()
            .filter(|s| s.may_be_for(&tag))
            .collect();
        let vault_id = file.vault_id.clone();
        let passphrase = request.passphrase;
        let secret = device_secret.clone();
        let argon2 = self.argon2;
        let opened = blocking(move || {
            if candidates.is_empty() {
                // An unknown name costs what a wrong passphrase costs.
                let salt: [u8; 16] = crate::crypto::random_array()?;
                crate::crypto::argon2id(passphrase.expose(), &salt, argon2)?;
            }
            for slot in &candidates {
                if let Some(key) =
                    slot.open_with_passphrase(&vault_id, passphrase.expose(), &secret)?
                {
                    return Ok(Some((key, slot.clone())));
                }
            }
            Ok(None)
        })
        .await?;
        let Some((data_key, slot)) = opened else {
            Attempts::record_unlock_failure(&self.paths, now_unix(), Some(tag));
            tracing::info!("unlock refused: wrong sign-in name or passphrase");
            return Err(Error::InvalidCredentials);
        };
        let member_id = slot.member_id().unwrap_or_default().to_owned();
        if let Some(joining) = self
            .resume_joining(&file.vault_id, &data_key, &device_secret)
            .await?
        {
            // The wrong attempts before this one stay counted, and are recorded at the
            // first sign-in once the team's data is here.
            tracing::info!("vault unlocked; still waiting to join its team");
            *state = State::Joining(Box::new(joining));
            return Ok(Unlocked {
                status: self.status_of(&state),
                new_recovery_key: None,
            });
        }
        let mut open = self
            .open(
                file.vault_id.clone(),
                data_key,
                &device_secret,
                Who::Member(&member_id),
            )
            .await?;
        if !slot.has_sign_in_tag() {
            // A slot from before sign-in names opened for whatever name was typed: that
            // name becomes the member's (unless someone else has it), and from now on the
            // slot answers to it alone.
            match team::adopt_sign_in_name(&open.pool, &open.outbox, &open.member.id, &sign_in_name)
                .await
            {
                Ok(true) => open.member.sign_in_name = sign_in_name.clone(),
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(%err, "could not keep the sign-in name of an older slot")
                }
            }
            let mut tagged = slot;
            tagged.set_sign_in_tag(slots::sign_in_tag(
                &device_secret,
                &file.vault_id,
                &open.member.sign_in_name,
            )?);
            file.replace(tagged);
            if let Err(err) = file.save(&self.paths) {
                tracing::warn!(%err, "could not tag an older key slot with its sign-in name");
            }
        }
        if let Err(err) = open
            .audit_sign_in(&self.paths, "vault.unlock", &device_secret)
            .await
        {
            tracing::warn!(%err, "could not record the sign-in in the audit log");
        }
        let new_recovery_key = self.after_unlock(&mut open, &mut file).await;
        tracing::info!("vault unlocked");
        *state = State::Unlocked(Box::new(open));
        Ok(Unlocked {
            status: self.status_of(&state),
            new_recovery_key,
        })
    }

    /// Unlock with the recovery key and set a new passphrase for the team lead. On a
    /// device that was not enrolled (a copied vault), this enrols it; a damaged or lost
    /// slot file is rebuilt from the recovery file.
    pub async fn unlock_with_recovery(&self, request: RecoveryUnlockRequest) -> Result<Unlocked> {
        let lead_name = match request.sign_in_name.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(team::normalize_sign_in_name(name)?),
        };
        let recovery = RecoveryKey::parse(request.recovery_key.expose())?;
        require_acceptable("new_passphrase", request.new_passphrase.expose(), &[])?;
        let mut state = self.state.write().await;
        if matches!(*state, State::Unlocked(_)) {
            return Err(Error::AlreadyUnlocked);
        }
        let (mut file, rebuild) = SlotFile::load_for_recovery(&self.paths)?;
        Attempts::load(&self.paths).check(now_unix())?;
        let recovery_slot = file.recovery_slot().cloned().ok_or(Error::Crypto)?;
        let vault_id = file.vault_id.clone();
        let data_key =
            blocking(move || recovery_slot.open_with_recovery(&vault_id, &recovery)).await?;
        let Some(data_key) = data_key else {
            Attempts::record_unlock_failure(&self.paths, now_unix(), None);
            tracing::info!("recovery refused: wrong recovery key");
            return Err(Error::InvalidCredentials);
        };
        let device_secret = match self.device_secret(&file.vault_id).await? {
            Some(secret) => secret,
            None => self.enrol_device(&file.vault_id).await?,
        };
        if let Some(joining) = self
            .resume_joining(&file.vault_id, &data_key, &device_secret)
            .await?
        {
            // Still waiting to join: the new passphrase is the joining member's.
            let (member_id, sign_in_name) = joining.member();
            let slot = self
                .passphrase_slot(
                    &file.vault_id,
                    member_id,
                    sign_in_name,
                    request.new_passphrase,
                    &device_secret,
                    &data_key,
                )
                .await;
            let saved = slot.and_then(|slot| {
                file.replace(slot);
                if rebuild {
                    SlotFile::set_aside_damaged(&self.paths)?;
                }
                file.save(&self.paths)
            });
            if let Err(err) = saved {
                joining.close().await;
                return Err(err);
            }
            tracing::info!("vault unlocked with the recovery key; still waiting to join");
            *state = State::Joining(Box::new(joining));
            return Ok(Unlocked {
                status: self.status_of(&state),
                new_recovery_key: None,
            });
        }
        let mut open = self
            .open(
                file.vault_id.clone(),
                data_key,
                &device_secret,
                Who::Lead(lead_name.as_deref()),
            )
            .await?;
        let slot = self
            .passphrase_slot(
                &open.vault_id,
                &open.member.id,
                &open.member.sign_in_name,
                request.new_passphrase,
                &device_secret,
                &open.data_key,
            )
            .await?;
        if file.passphrase_slots().next().is_none() {
            tracing::warn!("rebuilding the slot file: only the team lead's passphrase is restored");
        }
        file.replace(slot);
        let saved = if rebuild {
            SlotFile::set_aside_damaged(&self.paths).and_then(|()| file.save(&self.paths))
        } else {
            file.save(&self.paths)
        };
        if let Err(err) = saved {
            open.pool.close().await;
            return Err(err);
        }
        if let Err(err) = open
            .audit_sign_in(
                &self.paths,
                "vault.unlock_with_recovery_key",
                &device_secret,
            )
            .await
        {
            tracing::warn!(%err, "could not record the sign-in in the audit log");
        }
        let new_recovery_key = self.after_unlock(&mut open, &mut file).await;
        tracing::info!("vault unlocked with the recovery key; passphrase reset");
        *state = State::Unlocked(Box::new(open));
        Ok(Unlocked {
            status: self.status_of(&state),
            new_recovery_key,
        })
    }

    /// A passphrase slot for `member_id`, made on a blocking thread (Argon2id is slow).
    pub(super) async fn passphrase_slot(
        &self,
        vault_id: &str,
        member_id: &str,
        sign_in_name: &str,
        passphrase: crate::SecretString,
        device_secret: &SecretKey,
        data_key: &SecretKey,
    ) -> Result<Slot> {
        let (vault_id, member_id, sign_in_name, argon2) = (
            vault_id.to_owned(),
            member_id.to_owned(),
            sign_in_name.to_owned(),
            self.argon2,
        );
        let (secret, data_key) = (device_secret.clone(), data_key.clone());
        blocking(move || {
            Slot::new_passphrase(
                &vault_id,
                &member_id,
                &sign_in_name,
                passphrase.expose(),
                argon2,
                &secret,
                &data_key,
            )
        })
        .await
    }

    /// Open the database with an unwrapped data key and load who is signing in. A member
    /// who left is refused, and the refusal is written to the audit log.
    pub(super) async fn open(
        &self,
        vault_id: String,
        data_key: SecretKey,
        device_secret: &SecretKey,
        who: Who<'_>,
    ) -> Result<Open> {
        let pool = db::open(&self.paths.database(), &data_key, false).await?;
        let loaded = async {
            let team = team::load_team(&pool).await?;
            let own: Option<String> =
                sqlx::query_scalar("SELECT member_id FROM sync_state WHERE id = 1")
                    .fetch_optional(&pool)
                    .await?
                    .flatten();
            let member = match (who, own.as_deref()) {
                (Who::Member(id), _) => team::load_member_summary(&pool, id).await?,
                // A laptop that joined its team opens as its own member, whoever holds
                // its recovery key: never as a lead it was not made for.
                (Who::Lead(_), Some(own)) => team::load_member_summary(&pool, own).await?,
                (Who::Lead(Some(name)), None) => team::lead_by_sign_in_name(&pool, name).await?,
                (Who::Lead(None), None) => team::first_lead(&pool).await?,
            };
            let permissions: access::Permissions = team::load_role(&pool, &member.role)
                .await?
                .permissions
                .into_iter()
                .collect();
            let outbox = Outbox::resume(slots::device_id(device_secret, &vault_id)?, &pool).await?;
            Ok::<_, Error>((team, member, permissions, outbox))
        }
        .await;
        let (team, member, permissions, outbox) = match loaded {
            Ok(loaded) => loaded,
            Err(err) => {
                if let (Error::MembershipEnded, Who::Member(id)) = (&err, who) {
                    if let Err(audit_err) =
                        record_refused_sign_in(&pool, device_secret, &vault_id, id).await
                    {
                        tracing::warn!(%audit_err, "could not record a refused sign-in");
                    }
                }
                pool.close().await;
                return Err(err);
            }
        };
        // A lead is warned at sign-in if the audit log was tampered with.
        // Asked as the role, before any first-passphrase change: the warning must not wait.
        let may_check = permissions.contains(&access::Permission::ReadAudit);
        let audit_warning = if may_check {
            // This laptop's chain and every other laptop's held here.
            match crate::sync::audit::first_break(&pool).await {
                Ok(broken) => broken,
                Err(err) => {
                    tracing::warn!(%err, "could not check the audit log");
                    None
                }
            }
        } else {
            None
        };
        if let Some(broken) = &audit_warning {
            tracing::warn!(seq = broken.seq, problem = ?broken.problem, "the audit log's chain is broken");
        }
        Ok(Open {
            pool,
            data_key,
            vault_id,
            team_id: team.id,
            team_name: team.name,
            member,
            permissions,
            recovery_pending: !team.recovery_acknowledged,
            audit_warning,
            outbox,
            last_activity: std::sync::Mutex::new(Activity::now()),
            audit_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// A database without either key file can never be opened (its key was never
    /// saved): it is what an interrupted first run leaves. Move it aside, never delete.
    pub(super) fn set_aside_abandoned_database(&self) -> Result<()> {
        let db = self.paths.database();
        if db.exists() {
            let mut aside = db.as_os_str().to_owned();
            aside.push(format!(".abandoned-{}", now_unix()));
            std::fs::rename(&db, &aside).map_err(|e| Error::io(&db, e))?;
            tracing::warn!("moved aside a database left by an interrupted first run");
        }
        // Its write-ahead log may hold committed pages: it goes aside too, never deleted.
        let stamp = now_unix();
        for side in self.side_files() {
            if side.exists() {
                let mut aside = side.as_os_str().to_owned();
                aside.push(format!(".abandoned-{stamp}"));
                std::fs::rename(&side, &aside).map_err(|e| Error::io(&side, e))?;
            }
        }
        Ok(())
    }

    /// Make the data directory ready for a new vault: none there yet, the folder made, a
    /// database an interrupted first run left set aside.
    pub(super) fn prepare_new_vault(&self) -> Result<()> {
        if self.paths.vault_exists() {
            return Err(Error::VaultExists(self.paths.dir().to_owned()));
        }
        std::fs::create_dir_all(self.paths.dir()).map_err(|e| Error::io(self.paths.dir(), e))?;
        self.set_aside_abandoned_database()
    }

    /// Forget a vault's secrets in the OS keyring: its device secret and its sync keys, if
    /// any. Best effort: a failure is logged.
    pub(super) async fn forget_secrets(&self, vault_id: &str) {
        let (keyring, id) = (self.keyring.clone(), vault_id.to_owned());
        let forgotten = blocking(move || {
            crate::sync::DeviceIdentity::forget(keyring.as_ref(), &id)?;
            keyring.delete(&id)
        })
        .await;
        if let Err(err) = forgotten {
            tracing::warn!(%err, "could not remove a vault's secrets from the keyring");
        }
    }

    /// Undo a creation that failed part-way: it made these files, and nothing else uses them.
    pub(super) fn remove_partial_vault(&self) {
        let mut files = vec![
            self.paths.database(),
            self.paths.slots(),
            self.paths.recovery(),
        ];
        files.extend(self.side_files());
        for path in files {
            let _ = std::fs::remove_file(path);
        }
    }

    fn side_files(&self) -> [std::path::PathBuf; 2] {
        let db = self.paths.database().display().to_string();
        [format!("{db}-wal").into(), format!("{db}-shm").into()]
    }
}
