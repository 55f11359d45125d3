//! The vault's life: create, unlock (passphrase or recovery key), lock, auto-lock,
//! change passphrase, replace the recovery key. A locked vault holds no key and no pool;
//! that is its own state, not an empty option.

mod audit_log;
mod backup;
mod boards;
mod cards;
mod case_records;
mod cases;
mod community;
mod fund_ledger;
mod funds;
mod indicators;
mod join;
mod keys;
mod meeting_exports;
mod meetings;
mod offboarding;
mod open;
mod register;
mod requests;
mod sync;
mod sync_conflicts;
mod sync_scopes;
mod team;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use sqlx::SqlitePool;
use tokio::sync::RwLock;

use crate::crypto::{Argon2Params, SecretKey};
use crate::keyring::DeviceSecretStore;
use crate::outbox::Outbox;
use crate::paths::VaultPaths;
use crate::settings::{Settings, SettingsPatch};
use crate::team::MemberSummary;
use crate::throttle::Attempts;
use crate::{access, audit, Error, Result};

pub use audit_log::{AuditPage, AuditQuery, AuditRow, ExportedFile};
pub use backup::{BackupPlan, BackupPlanRequest, BackupSecret, RestoreDone, RestoreRequest};
pub use boards::{CardMove, CardReview, MyTasksQuery};
pub use cards::{
    CardEdit, CardTick, ColumnPage, ColumnSave, NewCardAttachment, NewCardComment, TaskCounts,
};
pub use case_records::{NoteEdit, PersonChange, PersonRemoval};
pub use cases::{
    AttachmentContent, CaseMemberChange, CloseCase, NewAttachment, NewConsent, NewNote,
    NewReferral, ReferralUpdate,
};
pub use fund_ledger::{BooksCheck, LedgerEntry, LedgerPage, LedgerQuery};
pub use funds::{
    ChartPart, ContributorView, DecisionView, EntryReversal, FundAllocation, FundMonth,
    FundOverview, FundSummary, FundTotals, LineView, NewContribution, NewFund, NewFundLine,
    NewPayment, NewSpendingRequest, PaymentView, RequestCancel, RequestQuery, SpendingDecision,
    SpendingRequest,
};
pub use indicators::{ReportExport, ReportFormat, ReportKind};
pub use join::{JoinRequest, JoinStarted, JoinStatus};
pub use offboarding::{HandOver, HandedOver, Holdings};
pub use register::{ImportDone, ImportProgress};
pub use requests::{
    ChangePassphraseRequest, ConfirmPassphrase, CreateVaultRequest, CreatedVault,
    RecoveryUnlockRequest, ShownRecoveryKey, UnlockRequest, Unlocked, VaultState, VaultStatus,
};
pub use sync::{DeviceApproval, HeldRow, SyncDevice, SyncInvite, SyncReport, SyncStatus};
pub use sync_conflicts::{ConflictChoice, SyncConflict};

/// When the person last did something, on both clocks: the monotonic one does not move
/// while a laptop sleeps, the wall clock does.
#[derive(Debug, Clone, Copy)]
struct Activity {
    instant: Instant,
    wall: SystemTime,
}

impl Activity {
    fn now() -> Self {
        Self {
            instant: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    fn idle_at(&self, now: Instant, wall: SystemTime) -> Duration {
        let monotonic = now.saturating_duration_since(self.instant);
        let by_wall = wall.duration_since(self.wall).unwrap_or_default();
        monotonic.max(by_wall)
    }
}

/// What an unlocked vault holds. Dropping it zeroes the data key.
struct Open {
    pool: SqlitePool,
    data_key: SecretKey,
    vault_id: String,
    team_id: String,
    team_name: String,
    member: MemberSummary,
    /// The signed-in member's rights, from their role.
    permissions: access::Permissions,
    recovery_pending: bool,
    /// Checked at sign-in for team leads.
    audit_warning: Option<audit::BrokenLink>,
    outbox: Outbox,
    last_activity: std::sync::Mutex<Activity>,
    /// Entries written outside a change's transaction (refusals, reads) can come from
    /// calls running side by side under the state's read lock: one at a time, so that
    /// none loses the race for the next sequence number.
    audit_lock: tokio::sync::Mutex<()>,
}

impl Open {
    /// Record something the signed-in member did (or failed to do) in the audit log.
    async fn audit_outcome(
        &self,
        action: &str,
        entity: Option<(&str, &str)>,
        outcome: audit::Outcome,
    ) -> Result<()> {
        let _one_at_a_time = self.audit_lock.lock().await;
        let mut conn = self.pool.acquire().await?;
        let event = audit::Event {
            actor: Some(&self.member.id),
            action,
            entity: entity.map(|(kind, _)| kind),
            entity_id: entity.map(|(_, id)| id),
            outcome,
            at: None,
        };
        audit::append(&mut conn, self.outbox.device_id(), event).await?;
        Ok(())
    }

    fn actor(&self) -> access::Actor<'_> {
        access::Actor {
            member_id: &self.member.id,
            permissions: &self.permissions,
            must_change_passphrase: self.member.must_change_passphrase,
            discipline: self.member.discipline,
        }
    }

    /// Ask the one authorization path; a refusal is recorded in the audit log.
    async fn authorize(
        &self,
        action: access::Action,
        resource: access::Resource<'_>,
    ) -> Result<()> {
        let decision = access::authorize(self.actor(), action, resource);
        if decision.is_err() {
            let entity = match resource {
                access::Resource::Member { id, .. } => Some(("member", id)),
                _ => None,
            };
            if let Err(err) = self
                .audit_outcome(action.audit_name(), entity, audit::Outcome::Refused)
                .await
            {
                tracing::warn!(%err, "could not record a refusal in the audit log");
            }
        }
        decision
    }

    /// Record a change in the audit log in the transaction that makes it.
    async fn audit_in(
        &self,
        tx: &mut sqlx::SqliteConnection,
        action: &str,
        entity: Option<(&str, &str)>,
    ) -> Result<()> {
        let event = audit::Event {
            actor: Some(&self.member.id),
            action,
            entity: entity.map(|(kind, _)| kind),
            entity_id: entity.map(|(_, id)| id),
            outcome: audit::Outcome::Ok,
            at: None,
        };
        audit::append(tx, self.outbox.device_id(), event).await?;
        Ok(())
    }

    /// Read the signed-in member and their rights again (after their role changed).
    async fn reload_self(&mut self) -> Result<()> {
        self.member = crate::team::load_member_summary(&self.pool, &self.member.id).await?;
        self.permissions = crate::team::load_role(&self.pool, &self.member.role)
            .await?
            .permissions
            .into_iter()
            .collect();
        Ok(())
    }

    async fn audit(&self, action: &str, entity: Option<(&str, &str)>) -> Result<()> {
        self.audit_outcome(action, entity, audit::Outcome::Ok).await
    }

    /// For a change already saved to disk: a failure to record it is logged, never
    /// reported as if the change had not happened.
    async fn audit_after_change(&self, action: &str, entity: Option<(&str, &str)>) {
        if let Err(err) = self.audit(action, entity).await {
            tracing::warn!(%err, action, "could not record a saved change in the audit log");
        }
    }

    /// Record the wrong attempts made on the lock screen since the last sign-in, then this
    /// sign-in, and clear the attempts counter. Who typed is unknown; when the name tried
    /// was a member's, the entry names that member's account as its record.
    async fn audit_sign_in(
        &self,
        paths: &VaultPaths,
        action: &str,
        device_secret: &SecretKey,
    ) -> Result<()> {
        let attempts = Attempts::load(paths);
        let names: Vec<(String, String)> =
            sqlx::query_as("SELECT id, sign_in_name FROM members WHERE deleted_at IS NULL")
                .fetch_all(&self.pool)
                .await?;
        let mut accounts = std::collections::HashMap::new();
        for (id, name) in names {
            accounts.insert(
                crate::slots::sign_in_tag(device_secret, &self.vault_id, &name)?,
                id,
            );
        }
        let mut tx = self.pool.begin().await?;
        for (unix, tag) in attempts.failed_sign_ins() {
            let account = tag.and_then(|t| accounts.get(t));
            let at = time::OffsetDateTime::from_unix_timestamp(unix)
                .ok()
                .map(crate::outbox::format_utc);
            let event = audit::Event {
                actor: None,
                action: "vault.unlock",
                entity: account.map(|_| "member"),
                entity_id: account.map(String::as_str),
                outcome: audit::Outcome::Failed,
                at: at.as_deref(),
            };
            audit::append(&mut tx, self.outbox.device_id(), event).await?;
        }
        let event = audit::Event {
            actor: Some(&self.member.id),
            action,
            entity: None,
            entity_id: None,
            outcome: audit::Outcome::Ok,
            at: None,
        };
        audit::append(&mut tx, self.outbox.device_id(), event).await?;
        tx.commit().await?;
        Attempts::reset(paths);
        Ok(())
    }
}

enum State {
    Locked,
    /// A new laptop waiting for its team's data (see `join`).
    Joining(Box<join::Joining>),
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

impl Vault {
    /// A vault in `paths`, its device secrets in `keyring`. Starts locked (or absent).
    pub fn new(paths: VaultPaths, keyring: Arc<dyn DeviceSecretStore>) -> Self {
        let settings = Settings::load(&paths);
        if let Err(err) = crate::backup::restore::finish_interrupted(&paths) {
            tracing::error!(%err, "could not finish a restore that was interrupted");
        }
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
        self.status_of(&state)
    }

    fn status_of(&self, state: &State) -> VaultStatus {
        let settings = self.settings();
        match state {
            State::Unlocked(open) => VaultStatus {
                state: VaultState::Unlocked,
                team_name: Some(open.team_name.clone()),
                member: Some(open.member.clone()),
                permissions: open.permissions.iter().copied().collect(),
                recovery_key_pending: open.recovery_pending,
                audit_warning: open.audit_warning.clone(),
                joining: None,
                settings,
            },
            State::Joining(joining) => VaultStatus {
                state: VaultState::Joining,
                team_name: Some(joining.team_name().to_owned()),
                member: None,
                permissions: Vec::new(),
                recovery_key_pending: joining.recovery_pending(),
                audit_warning: None,
                joining: Some(joining.status()),
                settings,
            },
            State::Locked => VaultStatus {
                state: if self.paths.vault_exists() {
                    VaultState::Locked
                } else {
                    VaultState::Absent
                },
                team_name: None,
                member: None,
                permissions: Vec::new(),
                recovery_key_pending: false,
                audit_warning: None,
                joining: None,
                settings,
            },
        }
    }

    /// Lock now: fold the WAL into the file, close the pool and drop (zeroize) the keys.
    /// Returns whether it was open.
    pub async fn lock(&self) -> bool {
        // The guard is held until the pool is closed, so the audit entry below can never
        // race an unlock's entries on a new pool.
        let mut state = self.state.write().await;
        let previous = std::mem::replace(&mut *state, State::Locked);
        match previous {
            State::Unlocked(open) => {
                if let Err(err) = open.audit("vault.lock", None).await {
                    tracing::warn!(%err, "could not record the lock in the audit log");
                }
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
            State::Joining(joining) => {
                joining.close().await;
                tracing::info!("vault locked while joining");
                true
            }
            State::Locked => false,
        }
    }

    /// The person is active: push the auto-lock back.
    pub async fn touch(&self) {
        match &*self.state.read().await {
            State::Unlocked(open) => {
                *open.last_activity.lock().expect("activity lock") = Activity::now();
            }
            State::Joining(joining) => {
                *joining.last_activity.lock().expect("activity lock") = Activity::now();
            }
            State::Locked => {}
        }
    }

    /// Lock if idle for at least the auto-lock time at (`now`, `wall`), counting time
    /// asleep. Returns whether it locked.
    pub async fn lock_if_idle(&self, now: Instant, wall: SystemTime) -> bool {
        let limit = Duration::from_secs(u64::from(self.settings().auto_lock_minutes) * 60);
        let idle = match &*self.state.read().await {
            State::Unlocked(open) => {
                open.last_activity
                    .lock()
                    .expect("activity lock")
                    .idle_at(now, wall)
                    >= limit
            }
            State::Joining(joining) => {
                joining
                    .last_activity
                    .lock()
                    .expect("activity lock")
                    .idle_at(now, wall)
                    >= limit
            }
            State::Locked => false,
        };
        idle && self.lock().await
    }

    /// Change settings. The language can be changed on the lock screen; anything
    /// else needs an unlocked vault.
    pub async fn update_settings(&self, patch: SettingsPatch) -> Result<Settings> {
        if patch.auto_lock_minutes.is_some() {
            match &*self.state.read().await {
                State::Unlocked(open) => {
                    open.authorize(access::Action::ChangeSettings, access::Resource::Vault)
                        .await?
                }
                State::Joining(_) | State::Locked => return Err(Error::Locked),
            }
        }
        let mut settings = self.settings.write().expect("settings lock");
        let next = settings.apply(patch)?;
        next.save(&self.paths)?;
        *settings = next;
        Ok(next)
    }

    /// The database pool while unlocked, for the aggregates built on the vault. Locking
    /// closes it: a clone kept past the lock fails with `PoolClosed`.
    pub async fn pool(&self) -> Result<SqlitePool> {
        match &*self.state.read().await {
            State::Unlocked(open) => Ok(open.pool.clone()),
            State::Joining(_) | State::Locked => Err(Error::Locked),
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
}
