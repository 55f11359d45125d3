//! The vault's life: create, unlock (passphrase or recovery key), lock, auto-lock,
//! change passphrase. A locked vault holds no key and no pool; that is its own state.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use tokio::sync::RwLock;

use crate::crypto::{Argon2Params, SecretKey};
use crate::keyring::DeviceSecretStore;
use crate::outbox::Outbox;
use crate::passphrase::require_acceptable;
use crate::paths::VaultPaths;
use crate::recovery::RecoveryKey;
use crate::settings::{Settings, SettingsPatch};
use crate::slots::{self, Slot, SlotFile};
use crate::team::{self, MemberSummary};
use crate::throttle::{now_unix, Attempts};
use crate::{db, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum VaultState {
    Absent,
    Locked,
    Unlocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub state: VaultState,
    /// Known only while unlocked: the team's name is inside the encrypted vault.
    pub team_name: Option<String>,
    pub member: Option<MemberSummary>,
    /// The recovery key has not been acknowledged as written down yet.
    pub recovery_key_pending: bool,
    pub settings: Settings,
}

#[derive(Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CreatedVault {
    /// Shown once, for the person to write down; never stored in the clear.
    pub recovery_key: String,
    pub status: VaultStatus,
}

impl std::fmt::Debug for CreatedVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedVault")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

macro_rules! redacted_debug {
    ($name:ident { $($shown:ident),* }) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))$(.field(stringify!($shown), &self.$shown))*.finish_non_exhaustive()
            }
        }
    };
}

#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CreateVaultRequest {
    pub team_name: String,
    pub display_name: String,
    pub passphrase: String,
}
redacted_debug!(CreateVaultRequest {});

#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UnlockRequest {
    pub passphrase: String,
}
redacted_debug!(UnlockRequest {});

#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RecoveryUnlockRequest {
    pub recovery_key: String,
    pub new_passphrase: String,
}
redacted_debug!(RecoveryUnlockRequest {});

#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChangePassphraseRequest {
    pub current: String,
    pub new: String,
}
redacted_debug!(ChangePassphraseRequest {});

/// What an unlocked vault holds. Dropping it zeroes the data key.
struct Open {
    pool: SqlitePool,
    data_key: SecretKey,
    vault_id: String,
    team_id: String,
    team_name: String,
    member: MemberSummary,
    recovery_pending: bool,
    outbox: Outbox,
    last_activity: std::sync::Mutex<Instant>,
}

enum State {
    Locked,
    Unlocked(Box<Open>),
}

/// One vault on this device, locked or unlocked. Cheap to share behind an `Arc`.
pub struct Vault {
    paths: VaultPaths,
    keyring: Arc<dyn DeviceSecretStore>,
    argon2: Argon2Params,
    settings: std::sync::RwLock<Settings>,
    state: RwLock<State>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.paths.dir())
            .finish_non_exhaustive()
    }
}

/// Run slow or blocking work (KDFs, keyring calls) off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}

fn require_present(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "is empty"));
    }
    Ok(())
}

impl Vault {
    /// A vault in `paths`, its device secrets in `keyring`. Starts locked (or absent).
    pub fn new(paths: VaultPaths, keyring: Arc<dyn DeviceSecretStore>) -> Self {
        let settings = Settings::load(&paths);
        Self {
            paths,
            keyring,
            argon2: Argon2Params::STANDARD,
            settings: std::sync::RwLock::new(settings),
            state: RwLock::new(State::Locked),
        }
    }

    /// Cheaper key stretching for tests that create many vaults.
    #[cfg(any(test, feature = "test-support"))]
    pub fn with_argon2(mut self, params: Argon2Params) -> Self {
        self.argon2 = params;
        self
    }

    pub fn paths(&self) -> &VaultPaths {
        &self.paths
    }

    pub fn settings(&self) -> Settings {
        *self.settings.read().expect("settings lock")
    }

    pub async fn status(&self) -> VaultStatus {
        let state = self.state.read().await;
        let settings = self.settings();
        match &*state {
            State::Unlocked(open) => VaultStatus {
                state: VaultState::Unlocked,
                team_name: Some(open.team_name.clone()),
                member: Some(open.member.clone()),
                recovery_key_pending: open.recovery_pending,
                settings,
            },
            State::Locked => VaultStatus {
                state: if self.paths.slots().exists() {
                    VaultState::Locked
                } else {
                    VaultState::Absent
                },
                team_name: None,
                member: None,
                recovery_key_pending: false,
                settings,
            },
        }
    }

    /// Create the vault with its first member, the team lead. Returns the recovery key,
    /// to be shown once. On any failure nothing is left behind.
    pub async fn create(&self, request: CreateVaultRequest) -> Result<CreatedVault> {
        let team_name = team::clean_name("team_name", &request.team_name)?;
        let display_name = team::clean_name("display_name", &request.display_name)?;
        require_acceptable(
            "passphrase",
            &request.passphrase,
            &[&team_name, &display_name],
        )?;

        let mut state = self.state.write().await;
        if self.paths.slots().exists() {
            return Err(Error::VaultExists(self.paths.dir().to_owned()));
        }
        self.set_aside_abandoned_database()?;

        let vault_id = uuid::Uuid::now_v7().to_string();
        let data_key = SecretKey::random()?;
        let device_secret = self.enrol_device(&vault_id).await?;
        let member = MemberSummary {
            id: uuid::Uuid::now_v7().to_string(),
            display_name,
            role: team::ROLE_TEAM_LEAD.to_owned(),
        };
        let recovery = RecoveryKey::generate()?;
        let slot_file = {
            let (vault_id, member_id, argon2) = (vault_id.clone(), member.id.clone(), self.argon2);
            let (device_secret, data_key) = (device_secret.clone(), data_key.clone());
            let passphrase = zeroize::Zeroizing::new(request.passphrase);
            let recovery_slot = Slot::new_recovery(&vault_id, &recovery, &data_key)?;
            blocking(move || {
                let mut file = SlotFile::new(&vault_id);
                file.slots.push(Slot::new_passphrase(
                    &vault_id,
                    &member_id,
                    &passphrase,
                    argon2,
                    &device_secret,
                    &data_key,
                )?);
                file.slots.push(recovery_slot);
                Ok(file)
            })
            .await?
        };

        let outbox = Outbox::new(slots::device_id(&device_secret, &vault_id)?);
        let team_id = uuid::Uuid::now_v7().to_string();
        let built = async {
            let pool = db::open(&self.paths.database(), &data_key, true).await?;
            let mut tx = pool.begin().await?;
            team::insert_team(&mut tx, &outbox, &member.id, &team_id, &team_name).await?;
            team::insert_member(&mut tx, &outbox, &member.id, &member).await?;
            tx.commit().await?;
            slot_file.save(&self.paths)?;
            Ok::<_, Error>(pool)
        }
        .await;
        let pool = match built {
            Ok(pool) => pool,
            Err(err) => {
                self.remove_database_files();
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
            member,
            recovery_pending: true,
            outbox,
            last_activity: std::sync::Mutex::new(Instant::now()),
        }));
        drop(state);
        Ok(CreatedVault {
            recovery_key: recovery.display().to_string(),
            status: self.status().await,
        })
    }

    /// Unlock with a member's passphrase.
    pub async fn unlock(&self, request: UnlockRequest) -> Result<VaultStatus> {
        require_present("passphrase", &request.passphrase)?;
        let mut state = self.state.write().await;
        if matches!(*state, State::Unlocked(_)) {
            drop(state);
            return Ok(self.status().await);
        }
        let file = SlotFile::load(&self.paths)?;
        Attempts::load(&self.paths).check(now_unix())?;
        let device_secret = self
            .device_secret(&file.vault_id)
            .await?
            .ok_or(Error::DeviceNotEnrolled)?;
        let check = slots::device_check(&device_secret, &file.vault_id)?;
        let candidates: Vec<Slot> = file
            .passphrase_slots()
            .filter(|s| matches!(&s.kind, slots::SlotKind::Passphrase { device_check, .. } if *device_check == check))
            .cloned()
            .collect();
        if candidates.is_empty() {
            return Err(Error::DeviceNotEnrolled);
        }
        let vault_id = file.vault_id.clone();
        let passphrase = zeroize::Zeroizing::new(request.passphrase);
        let secret = device_secret.clone();
        let opened = blocking(move || {
            for slot in &candidates {
                if let Some(key) = slot.open_with_passphrase(&vault_id, &passphrase, &secret)? {
                    return Ok(Some((key, slot.member_id().unwrap_or_default().to_owned())));
                }
            }
            Ok(None)
        })
        .await?;
        let Some((data_key, member_id)) = opened else {
            Attempts::record_failure(&self.paths, now_unix())?;
            tracing::info!("unlock refused: wrong passphrase");
            return Err(Error::InvalidCredentials);
        };
        let open = self
            .open(file.vault_id, data_key, &device_secret, Some(&member_id))
            .await?;
        Attempts::reset(&self.paths)?;
        tracing::info!("vault unlocked");
        *state = State::Unlocked(Box::new(open));
        drop(state);
        Ok(self.status().await)
    }

    /// Unlock with the recovery key and set a new passphrase for the team lead. On a
    /// device that was not enrolled (a copied vault), this enrols it.
    pub async fn unlock_with_recovery(
        &self,
        request: RecoveryUnlockRequest,
    ) -> Result<VaultStatus> {
        let recovery = RecoveryKey::parse(&request.recovery_key)?;
        require_acceptable("new_passphrase", &request.new_passphrase, &[])?;
        let mut state = self.state.write().await;
        if matches!(*state, State::Unlocked(_)) {
            drop(state);
            return Ok(self.status().await);
        }
        let mut file = SlotFile::load(&self.paths)?;
        Attempts::load(&self.paths).check(now_unix())?;
        let recovery_slot = file.recovery_slot().cloned().ok_or(Error::Crypto)?;
        let vault_id = file.vault_id.clone();
        let data_key =
            blocking(move || recovery_slot.open_with_recovery(&vault_id, &recovery)).await?;
        let Some(data_key) = data_key else {
            Attempts::record_failure(&self.paths, now_unix())?;
            tracing::info!("recovery refused: wrong recovery key");
            return Err(Error::InvalidCredentials);
        };
        let device_secret = match self.device_secret(&file.vault_id).await? {
            Some(secret) => secret,
            None => self.enrol_device(&file.vault_id).await?,
        };
        let open = self
            .open(file.vault_id.clone(), data_key, &device_secret, None)
            .await?;
        let slot = self
            .passphrase_slot(
                &open,
                &open.member.id,
                request.new_passphrase,
                &device_secret,
            )
            .await?;
        file.replace(slot);
        file.save(&self.paths)?;
        Attempts::reset(&self.paths)?;
        tracing::info!("vault unlocked with the recovery key; passphrase reset");
        *state = State::Unlocked(Box::new(open));
        drop(state);
        Ok(self.status().await)
    }

    /// Lock now: close the pool and drop (zeroize) the keys. Returns whether it was open.
    pub async fn lock(&self) -> bool {
        let previous = std::mem::replace(&mut *self.state.write().await, State::Locked);
        match previous {
            State::Unlocked(open) => {
                // Fold the write-ahead log into the file so nothing waits in a side file.
                if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&open.pool)
                    .await
                {
                    tracing::warn!(%err, "checkpoint before locking failed");
                }
                open.pool.close().await;
                drop(open);
                tracing::info!("vault locked");
                true
            }
            State::Locked => false,
        }
    }

    /// The person is active: push the auto-lock back.
    pub async fn touch(&self) {
        if let State::Unlocked(open) = &*self.state.read().await {
            *open.last_activity.lock().expect("activity lock") = Instant::now();
        }
    }

    /// Lock if idle for longer than the auto-lock setting at `now`. Returns whether it locked.
    pub async fn lock_if_idle(&self, now: Instant) -> bool {
        let limit = Duration::from_secs(u64::from(self.settings().auto_lock_minutes) * 60);
        let idle = match &*self.state.read().await {
            State::Unlocked(open) => {
                now.saturating_duration_since(*open.last_activity.lock().expect("activity lock"))
                    >= limit
            }
            State::Locked => false,
        };
        idle && self.lock().await
    }

    /// Change the signed-in member's passphrase: rewraps one slot, re-encrypts nothing.
    pub async fn change_passphrase(&self, request: ChangePassphraseRequest) -> Result<()> {
        require_present("current", &request.current)?;
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        require_acceptable(
            "new",
            &request.new,
            &[&open.team_name, &open.member.display_name],
        )?;
        if request.new == request.current {
            return Err(Error::invalid(
                "new",
                "is the same as the current passphrase",
            ));
        }
        let mut file = SlotFile::load(&self.paths)?;
        Attempts::load(&self.paths).check(now_unix())?;
        let device_secret = self
            .device_secret(&open.vault_id)
            .await?
            .ok_or(Error::DeviceNotEnrolled)?;
        let slot = file
            .passphrase_slots()
            .find(|s| s.member_id() == Some(open.member.id.as_str()))
            .cloned()
            .ok_or(Error::NotFound("your key slot"))?;
        let (vault_id, secret) = (open.vault_id.clone(), device_secret.clone());
        let current = zeroize::Zeroizing::new(request.current);
        let ok = blocking(move || slot.open_with_passphrase(&vault_id, &current, &secret)).await?;
        if ok.is_none() {
            Attempts::record_failure(&self.paths, now_unix())?;
            return Err(Error::InvalidCredentials);
        }
        let slot = self
            .passphrase_slot(open, &open.member.id, request.new, &device_secret)
            .await?;
        file.replace(slot);
        file.save(&self.paths)?;
        Attempts::reset(&self.paths)?;
        tracing::info!("passphrase changed");
        Ok(())
    }

    /// Make a new recovery key (the old one stops working) and return it, to show once.
    pub async fn regenerate_recovery_key(&self) -> Result<String> {
        let mut state = self.state.write().await;
        let State::Unlocked(open) = &mut *state else {
            return Err(Error::Locked);
        };
        let mut file = SlotFile::load(&self.paths)?;
        let recovery = RecoveryKey::generate()?;
        file.replace(Slot::new_recovery(
            &open.vault_id,
            &recovery,
            &open.data_key,
        )?);
        team::set_recovery_acknowledged(
            &open.pool,
            &open.outbox,
            &open.member.id,
            &open.team_id,
            false,
        )
        .await?;
        file.save(&self.paths)?;
        open.recovery_pending = true;
        tracing::info!("recovery key replaced");
        Ok(recovery.display().to_string())
    }

    /// The person confirms they wrote the recovery key down.
    pub async fn acknowledge_recovery_key(&self) -> Result<VaultStatus> {
        {
            let mut state = self.state.write().await;
            let State::Unlocked(open) = &mut *state else {
                return Err(Error::Locked);
            };
            team::set_recovery_acknowledged(
                &open.pool,
                &open.outbox,
                &open.member.id,
                &open.team_id,
                true,
            )
            .await?;
            open.recovery_pending = false;
        }
        Ok(self.status().await)
    }

    /// Change settings. The language can be changed on the lock screen; anything
    /// else needs an unlocked vault.
    pub async fn update_settings(&self, patch: SettingsPatch) -> Result<Settings> {
        let unlocked = matches!(*self.state.read().await, State::Unlocked(_));
        if patch.auto_lock_minutes.is_some() && !unlocked {
            return Err(Error::Locked);
        }
        let mut settings = self.settings.write().expect("settings lock");
        let next = settings.apply(patch)?;
        next.save(&self.paths)?;
        *settings = next;
        Ok(next)
    }

    /// The database pool while unlocked, for the aggregates built on the vault.
    pub async fn pool(&self) -> Result<SqlitePool> {
        match &*self.state.read().await {
            State::Unlocked(open) => Ok(open.pool.clone()),
            State::Locked => Err(Error::Locked),
        }
    }

    async fn device_secret(&self, vault_id: &str) -> Result<Option<SecretKey>> {
        let (keyring, vault_id) = (self.keyring.clone(), vault_id.to_owned());
        blocking(move || keyring.get(&vault_id)).await
    }

    /// Give this device a secret for the vault, in the OS keyring.
    async fn enrol_device(&self, vault_id: &str) -> Result<SecretKey> {
        let secret = SecretKey::random()?;
        let (keyring, vault_id, stored) =
            (self.keyring.clone(), vault_id.to_owned(), secret.clone());
        blocking(move || keyring.set(&vault_id, &stored)).await?;
        Ok(secret)
    }

    async fn passphrase_slot(
        &self,
        open: &Open,
        member_id: &str,
        passphrase: String,
        device_secret: &SecretKey,
    ) -> Result<Slot> {
        let (vault_id, member_id, argon2) =
            (open.vault_id.clone(), member_id.to_owned(), self.argon2);
        let (secret, data_key) = (device_secret.clone(), open.data_key.clone());
        let passphrase = zeroize::Zeroizing::new(passphrase);
        blocking(move || {
            Slot::new_passphrase(
                &vault_id,
                &member_id,
                &passphrase,
                argon2,
                &secret,
                &data_key,
            )
        })
        .await
    }

    /// Open the database with an unwrapped data key and load who is signing in
    /// (`member_id`, or the first team lead for a recovery).
    async fn open(
        &self,
        vault_id: String,
        data_key: SecretKey,
        device_secret: &SecretKey,
        member_id: Option<&str>,
    ) -> Result<Open> {
        let pool = db::open(&self.paths.database(), &data_key, false).await?;
        let loaded = async {
            let team = team::load_team(&pool).await?;
            let member = match member_id {
                Some(id) => team::load_member(&pool, id).await?,
                None => team::first_lead(&pool).await?,
            };
            let outbox = Outbox::resume(slots::device_id(device_secret, &vault_id)?, &pool).await?;
            Ok::<_, Error>((team, member, outbox))
        }
        .await;
        let (team, member, outbox) = match loaded {
            Ok(loaded) => loaded,
            Err(err) => {
                pool.close().await;
                return Err(err);
            }
        };
        Ok(Open {
            pool,
            data_key,
            vault_id,
            team_id: team.id,
            team_name: team.name,
            member,
            recovery_pending: !team.recovery_acknowledged,
            outbox,
            last_activity: std::sync::Mutex::new(Instant::now()),
        })
    }

    /// A database without a slot file can never be opened (its key was never saved):
    /// it is what an interrupted first run leaves. Move it aside rather than delete it.
    fn set_aside_abandoned_database(&self) -> Result<()> {
        let db = self.paths.database();
        if db.exists() {
            let aside = db.with_extension(format!("vault.abandoned-{}", now_unix()));
            std::fs::rename(&db, &aside).map_err(|e| Error::io(&db, e))?;
            tracing::warn!("moved aside a database left by an interrupted first run");
        }
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        Ok(())
    }

    fn remove_database_files(&self) {
        let db = self.paths.database();
        for path in [
            db.display().to_string(),
            format!("{}-wal", db.display()),
            format!("{}-shm", db.display()),
        ] {
            let _ = std::fs::remove_file(path);
        }
    }
}
