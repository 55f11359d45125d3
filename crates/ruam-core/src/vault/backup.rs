//! Backups as a lead uses them: the plan (a folder, a daily backup, how many are kept,
//! the backup passphrase), a backup now, the backups found in the folder, and a restore.
//! Each needs `recovery.manage` (the right that gets the whole vault back), but a restore
//! on a laptop with no vault yet, where there is nobody to ask.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{blocking, State, Vault};
use crate::access::{Action, Resource};
use crate::backup::restore::{self, RestoreCheck, REPLACED, RESTORING};
use crate::backup::{self, BackupFile, BackupInfo, Opener, PassphraseSlot, Progress};
use crate::recovery::RecoveryKey;
use crate::slots::{self, Slot, SlotFile};
use crate::throttle::{now_unix, Attempts};
use crate::{audit, Error, Result, SecretString};

/// Backups kept when nobody said how many.
pub const DEFAULT_KEEP: u8 = 7;

/// This laptop's backup plan, as a lead sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BackupPlan {
    pub folder: Option<String>,
    pub keep: u8,
    pub daily: bool,
    pub last_at: Option<String>,
    pub last_file: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub last_bytes: Option<u64>,
    /// The error code of the last scheduled backup, when it failed.
    pub last_error: Option<String>,
    /// Whether the signed-in lead's passphrase opens this laptop's backups.
    pub my_passphrase: bool,
    /// How many leads' passphrases open them (the recovery key always does).
    pub passphrases: u32,
    /// Where a backup goes when no folder is set.
    pub suggested_folder: String,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BackupPlanRequest {
    /// An existing folder, written to once to be sure it can be.
    pub folder: Option<String>,
    pub keep: u8,
    pub daily: bool,
    /// The signed-in lead's passphrase, to make (or renew) the slot that lets it open
    /// backups on another laptop. Optional once the slot exists.
    pub passphrase: Option<SecretString>,
}

/// How a person opens a backup to restore it.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "with", content = "secret")]
pub enum BackupSecret {
    RecoveryKey(SecretString),
    Passphrase(SecretString),
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RestoreRequest {
    pub file: String,
    pub secret: BackupSecret,
}

/// A restore done: the vault is the backup's now, and locked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RestoreDone {
    pub check: RestoreCheck,
    /// Where the vault's files as they were before the restore are kept (`None` on a
    /// laptop that had no vault).
    pub replaced: Option<String>,
    /// Whether the passphrase typed now signs in on this laptop (else the recovery key
    /// does, and sets one).
    pub passphrase_signs_in: bool,
}

/// What the person typed to open a backup, read.
enum Typed {
    RecoveryKey(RecoveryKey),
    Passphrase(SecretString),
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    folder: Option<String>,
    keep: i64,
    daily: bool,
    last_at: Option<String>,
    last_file: Option<String>,
    last_bytes: Option<i64>,
    last_error: Option<String>,
}

async fn plan_row(pool: &sqlx::SqlitePool) -> Result<PlanRow> {
    Ok(sqlx::query_as(
        "SELECT folder, keep, daily, last_at, last_file, last_bytes, last_error
         FROM backup_plan WHERE id = 1",
    )
    .fetch_one(pool)
    .await?)
}

async fn passphrase_slots(pool: &sqlx::SqlitePool) -> Result<Vec<PassphraseSlot>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT b.slot FROM backup_slots b JOIN members m ON m.id = b.member_id
         WHERE m.deleted_at IS NULL AND m.status = 'active' ORDER BY b.made_at",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|json| serde_json::from_str(json).map_err(Error::from))
        .collect()
}

/// A folder a person typed: absolute, existing, and writable (a probe file is made and
/// removed).
fn writable_folder(field: &'static str, folder: &Path) -> Result<PathBuf> {
    let path = folder.to_owned();
    if path.as_os_str().is_empty() || !path.is_absolute() {
        return Err(Error::invalid(field, "is not a full folder path"));
    }
    if !path.is_dir() {
        return Err(Error::invalid(field, "is not an existing folder"));
    }
    let probe = path.join(".ruam-backup-probe");
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|_| Error::invalid(field, "cannot be written to"))?;
    Ok(path)
}

/// Keep a failed backup's error code (as the UI knows it: `invalid`, `internal`, …) for
/// the plan to show, and hand the error back.
async fn record_failure(pool: &sqlx::SqlitePool, err: Error) -> Error {
    let code = serde_json::to_value(err.code())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned));
    if let Err(e) = sqlx::query("UPDATE backup_plan SET last_error = ? WHERE id = 1")
        .bind(code)
        .execute(pool)
        .await
    {
        tracing::warn!(%e, "could not record a failed backup");
    }
    err
}

impl Vault {
    /// This laptop's backup plan.
    pub async fn backup_plan(&self, suggested: &Path) -> Result<BackupPlan> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::BackUpVault, Resource::Vault).await?;
        let row = plan_row(&open.pool).await?;
        let slots = passphrase_slots(&open.pool).await?;
        Ok(BackupPlan {
            folder: row.folder,
            keep: u8::try_from(row.keep).unwrap_or(DEFAULT_KEEP),
            daily: row.daily,
            last_at: row.last_at,
            last_file: row.last_file,
            last_bytes: row.last_bytes.map(i64::unsigned_abs),
            last_error: row.last_error,
            my_passphrase: slots.iter().any(|s| s.member_id == open.member.id),
            passphrases: u32::try_from(slots.len()).unwrap_or(u32::MAX),
            suggested_folder: suggested.display().to_string(),
        })
    }

    /// Set the plan. A passphrase, when given, is checked against the lead's own slot
    /// (a wrong one counts as a wrong attempt) and then opens this laptop's backups.
    pub async fn set_backup_plan(
        &self,
        request: BackupPlanRequest,
        suggested: &Path,
    ) -> Result<BackupPlan> {
        if !(1..=60).contains(&request.keep) {
            return Err(Error::invalid("keep", "must be from 1 to 60"));
        }
        let folder = match request.folder.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(folder) => Some(writable_folder("folder", Path::new(folder))?),
        };
        if request.daily && folder.is_none() {
            return Err(Error::invalid("folder", "is needed for a daily backup"));
        }
        {
            let state = self.state.read().await;
            let open = Self::unlocked(&state)?;
            open.authorize(Action::BackUpVault, Resource::Vault).await?;
            let slot = match request.passphrase {
                Some(passphrase) if !passphrase.is_empty() => {
                    self.verify_passphrase(open, SecretString::from(passphrase.expose()))
                        .await?;
                    Some(self.backup_slot(open, passphrase).await?)
                }
                _ => None,
            };
            let mut tx = open.pool.begin().await?;
            sqlx::query("UPDATE backup_plan SET folder = ?, keep = ?, daily = ? WHERE id = 1")
                .bind(folder.as_ref().map(|f| f.display().to_string()))
                .bind(i64::from(request.keep))
                .bind(request.daily)
                .execute(&mut *tx)
                .await?;
            if let Some(slot) = &slot {
                sqlx::query(
                    "INSERT INTO backup_slots (member_id, slot, made_at) VALUES (?, ?, ?)
                     ON CONFLICT (member_id) DO UPDATE SET slot = excluded.slot,
                     made_at = excluded.made_at",
                )
                .bind(&open.member.id)
                .bind(serde_json::to_string(slot)?)
                .bind(crate::outbox::now_utc())
                .execute(&mut *tx)
                .await?;
            }
            open.audit_in(&mut tx, "backup.plan", None).await?;
            tx.commit().await?;
        }
        self.backup_plan(suggested).await
    }

    /// The signed-in lead's backup slot for `passphrase`, made on a blocking thread
    /// (Argon2id is slow).
    async fn backup_slot(
        &self,
        open: &super::Open,
        passphrase: SecretString,
    ) -> Result<PassphraseSlot> {
        let (vault_id, member_id, key, argon2) = (
            open.vault_id.clone(),
            open.member.id.clone(),
            open.data_key.clone(),
            self.argon2,
        );
        blocking(move || {
            PassphraseSlot::new(&vault_id, &member_id, passphrase.expose(), argon2, &key)
        })
        .await
    }

    /// After a lead changed their passphrase: the slot that opens this laptop's backups
    /// follows (backups made before still open with the old one).
    pub(super) async fn renew_backup_slot(
        &self,
        open: &super::Open,
        passphrase: &SecretString,
    ) -> Result<()> {
        let held: i64 = sqlx::query_scalar("SELECT count(*) FROM backup_slots WHERE member_id = ?")
            .bind(&open.member.id)
            .fetch_one(&open.pool)
            .await?;
        if held == 0 {
            return Ok(());
        }
        let slot = self
            .backup_slot(open, SecretString::from(passphrase.expose()))
            .await?;
        sqlx::query("UPDATE backup_slots SET slot = ?, made_at = ? WHERE member_id = ?")
            .bind(serde_json::to_string(&slot)?)
            .bind(crate::outbox::now_utc())
            .bind(&open.member.id)
            .execute(&open.pool)
            .await?;
        Ok(())
    }

    /// A backup now: into `folder` (the plan's when `None`), then the oldest of this
    /// vault's backups there beyond the plan's number are removed.
    pub async fn back_up(&self, folder: Option<&Path>, progress: Progress) -> Result<BackupFile> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::BackUpVault, Resource::Vault).await?;
        let row = plan_row(&open.pool).await?;
        let folder = match (folder, row.folder.as_deref()) {
            (Some(folder), _) => writable_folder("folder", folder),
            (None, Some(folder)) => writable_folder("folder", Path::new(folder)),
            (None, None) => Err(Error::invalid("folder", "is not set")),
        };
        // A folder gone (a USB stick unplugged) is the daily backup's likeliest failure.
        let folder = match folder {
            Ok(folder) => folder,
            Err(err) => return Err(record_failure(&open.pool, err).await),
        };
        let file = SlotFile::load(&self.paths)?;
        let openers = backup::Openers {
            vault_id: open.vault_id.clone(),
            recovery: file.recovery_slot().cloned(),
            passphrases: passphrase_slots(&open.pool).await?,
        };
        let mut now = time::OffsetDateTime::now_utc();
        let mut dest = folder.join(backup::file_name(&open.vault_id, now)?);
        while dest.exists() {
            // Two in the same millisecond: the second takes the next one's name.
            now += time::Duration::milliseconds(1);
            dest = folder.join(backup::file_name(&open.vault_id, now)?);
        }
        let written = backup::write(
            &open.pool,
            &self.paths,
            openers,
            &open.data_key,
            &dest,
            progress,
        )
        .await;
        let written = match written {
            Ok(written) => written,
            Err(err) => return Err(record_failure(&open.pool, err).await),
        };
        sqlx::query(
            "UPDATE backup_plan SET last_at = ?, last_file = ?, last_bytes = ?, last_error = NULL
             WHERE id = 1",
        )
        .bind(&written.created_at)
        .bind(&written.path)
        .bind(i64::try_from(written.bytes).unwrap_or(i64::MAX))
        .execute(&open.pool)
        .await?;
        let keep = usize::try_from(row.keep).unwrap_or(usize::from(DEFAULT_KEEP));
        let mine = backup::own_backups(&folder, &open.vault_id)?;
        for old in mine.iter().take(mine.len().saturating_sub(keep)) {
            if let Err(err) = std::fs::remove_file(old) {
                tracing::warn!(%err, "could not remove an old backup");
            }
        }
        open.audit_after_change("vault.backup", None).await;
        tracing::info!(bytes = written.bytes, "backup written");
        Ok(written)
    }

    /// The daily backup, when one is due at `now`: planned daily, a folder set, and none
    /// made in the last 24 hours.
    pub async fn back_up_if_due(
        &self,
        now: time::OffsetDateTime,
        progress: Progress,
    ) -> Result<Option<BackupFile>> {
        {
            let state = self.state.read().await;
            let Ok(open) = Self::unlocked(&state) else {
                return Ok(None);
            };
            if !open.actor().may(Action::BackUpVault, Resource::Vault) {
                return Ok(None);
            }
            let row = plan_row(&open.pool).await?;
            if !row.daily || row.folder.is_none() {
                return Ok(None);
            }
            let last = row.last_at.as_deref().and_then(|at| {
                time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
            });
            if last.is_some_and(|last| now - last < time::Duration::hours(24)) {
                return Ok(None);
            }
        }
        self.back_up(None, progress).await.map(Some)
    }

    /// The backups in `folder`, newest first: their headers read, nothing decrypted.
    /// Files that are not backups are left out.
    pub async fn backups_in(&self, folder: &str) -> Result<Vec<BackupInfo>> {
        let vault_id = {
            let state = self.state.read().await;
            match &*state {
                State::Unlocked(open) => {
                    open.authorize(Action::BackUpVault, Resource::Vault).await?;
                    Some(open.vault_id.clone())
                }
                _ if self.paths.vault_exists() => return Err(Error::Locked),
                _ => None,
            }
        };
        let folder = PathBuf::from(folder.trim());
        if !folder.is_absolute() || !folder.is_dir() {
            return Err(Error::invalid("folder", "is not an existing folder"));
        }
        blocking(move || {
            let mut found = Vec::new();
            let entries = std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, e))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().and_then(|e| e.to_str()) != Some(backup::EXTENSION) {
                    continue;
                }
                let Ok(header) = backup::inspect(&path) else {
                    continue;
                };
                found.push(BackupInfo {
                    path: path.display().to_string(),
                    created_at: header.created_at,
                    bytes: entry.metadata().map(|m| m.len()).unwrap_or(0),
                    this_vault: vault_id.as_deref() == Some(header.vault_id.as_str()),
                    passphrase: !header.passphrases.is_empty(),
                });
            }
            found.sort_by(|a, b| b.created_at.cmp(&a.created_at));
            Ok(found)
        })
        .await
    }

    /// Restore a backup. Over a vault on this laptop: a lead who signed in, or, while it
    /// is locked (its database too damaged to open, say), whoever types its recovery key
    /// (the authority `unlock_with_recovery` accepts); and only a backup of the same vault
    /// (when locked, of the same data key: a file made to look like this vault's is
    /// refused). On a laptop with no vault: anyone holding the backup and its recovery key
    /// or a lead's passphrase. The backup is unpacked into a new
    /// folder and checked (a damaged one is refused and the vault stays as it was); then
    /// the vault locks and the files switch, the old ones kept in a folder beside.
    pub async fn restore(
        &self,
        request: RestoreRequest,
        progress: Progress,
    ) -> Result<RestoreDone> {
        let file = PathBuf::from(request.file.trim());
        if request.file.trim().is_empty() || !file.is_file() {
            return Err(Error::invalid("file", "is not an existing file"));
        }
        let secret = match request.secret {
            BackupSecret::RecoveryKey(key) => Typed::RecoveryKey(RecoveryKey::parse(key.expose())?),
            BackupSecret::Passphrase(p) if p.is_empty() => {
                return Err(Error::invalid("passphrase", "is empty"))
            }
            BackupSecret::Passphrase(p) => Typed::Passphrase(p),
        };
        let mut state = self.state.write().await;
        let (expect_vault, current) = match &*state {
            State::Unlocked(open) => {
                open.authorize(Action::RestoreVault, Resource::Vault)
                    .await?;
                (Some(open.vault_id.clone()), None)
            }
            State::Joining(_) => return Err(Error::Locked),
            State::Locked if self.paths.vault_exists() => {
                if !matches!(secret, Typed::RecoveryKey(_)) {
                    return Err(Error::invalid(
                        "passphrase",
                        "while the vault is locked, only its recovery key restores a backup over it; or sign in and restore from Settings",
                    ));
                }
                Attempts::load(&self.paths).check(now_unix())?;
                let (file, _) = SlotFile::load_for_recovery(&self.paths)?;
                let slot = file.recovery_slot().cloned().ok_or(Error::Crypto)?;
                (Some(file.vault_id.clone()), Some(slot))
            }
            State::Locked => (None, None),
        };
        std::fs::create_dir_all(self.paths.dir()).map_err(|e| Error::io(self.paths.dir(), e))?;
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let staging = self.paths.dir().join(format!("{RESTORING}{stamp}"));
        let _ = std::fs::remove_dir_all(&staging);
        let unpacked = {
            let (staging, expect) = (staging.clone(), expect_vault.clone());
            let progress = progress.clone();
            blocking(move || {
                // Locked over this vault: the key must open this vault's own recovery slot,
                // and the backup must hold the same data key.
                let current_key = match (&current, &secret, expect.as_deref()) {
                    (Some(slot), Typed::RecoveryKey(key), Some(vault_id)) => Some(
                        slot.open_with_recovery(vault_id, key)?
                            .ok_or(Error::InvalidCredentials)?,
                    ),
                    _ => None,
                };
                let opener = match &secret {
                    Typed::RecoveryKey(key) => Opener::RecoveryKey(key),
                    Typed::Passphrase(p) => Opener::Passphrase(p.expose()),
                };
                let unpacked =
                    restore::unpack(&file, &staging, &opener, expect.as_deref(), &progress)?;
                if current_key.is_some_and(|key| key != unpacked.data_key) {
                    let _ = std::fs::remove_dir_all(&staging);
                    return Err(Error::Backup(backup::BackupFault::OtherVault));
                }
                let passphrase = match secret {
                    Typed::Passphrase(p) => Some(p),
                    Typed::RecoveryKey(_) => None,
                };
                Ok((unpacked, passphrase))
            })
            .await
        };
        let (unpacked, passphrase) = match unpacked {
            Err(Error::InvalidCredentials)
                if self.paths.vault_exists() && !matches!(*state, State::Unlocked(_)) =>
            {
                Attempts::record_unlock_failure(&self.paths, now_unix(), None);
                tracing::info!("restore refused: wrong recovery key");
                return Err(Error::InvalidCredentials);
            }
            other => other?,
        };
        progress(backup::BackupProgress {
            phase: backup::BackupPhase::Checking,
            done: 0,
            total: 1,
        });
        let checked = self.check_and_prepare(&unpacked, passphrase).await;
        let (check, passphrase_signs_in) = match checked {
            Ok(done) => done,
            Err(err) => {
                let _ = std::fs::remove_dir_all(&unpacked.dir);
                return Err(err);
            }
        };
        progress(backup::BackupProgress {
            phase: backup::BackupPhase::Checking,
            done: 1,
            total: 1,
        });
        // Switch, locked: the pool closes and the keys go.
        if let State::Unlocked(open) = std::mem::replace(&mut *state, State::Locked) {
            if let Err(err) = open.audit("vault.lock", None).await {
                tracing::warn!(%err, "could not record the lock in the audit log");
            }
            open.pool.close().await;
        }
        let had_vault = self.paths.vault_exists();
        let replaced_name = format!("{REPLACED}{stamp}");
        let replaced = restore::switch(&self.paths, &unpacked.dir, &replaced_name)?;
        tracing::info!("backup restored");
        Ok(RestoreDone {
            check,
            replaced: had_vault.then(|| replaced.display().to_string()),
            passphrase_signs_in,
        })
    }

    /// Check an unpacked backup; record the restore in its audit log; and when a lead's
    /// backup passphrase opened it on a laptop without this vault's device secret, give
    /// this laptop one and the lead a slot for it, so that the same passphrase signs in.
    async fn check_and_prepare(
        &self,
        unpacked: &restore::Unpacked,
        passphrase: Option<SecretString>,
    ) -> Result<(RestoreCheck, bool)> {
        let (pool, check) = restore::check(unpacked).await?;
        let result = async {
            let vault_id = &unpacked.header.vault_id;
            let (device_secret, enrolled) = match self.device_secret(vault_id).await? {
                Some(secret) => (secret, false),
                None => (self.enrol_device(vault_id).await?, true),
            };
            let mut signs_in = !enrolled;
            if let (Some(member_id), Some(passphrase), true) =
                (&unpacked.member_id, passphrase, enrolled)
            {
                let sign_in_name: Option<String> = sqlx::query_scalar(
                    "SELECT sign_in_name FROM members WHERE id = ? AND deleted_at IS NULL",
                )
                .bind(member_id)
                .fetch_optional(&pool)
                .await?
                .flatten();
                if let Some(name) = sign_in_name {
                    let paths = crate::paths::VaultPaths::new(&unpacked.dir);
                    let mut file = SlotFile::load(&paths)?;
                    let (vault_id, member_id, key, secret, argon2) = (
                        vault_id.clone(),
                        member_id.clone(),
                        unpacked.data_key.clone(),
                        device_secret.clone(),
                        self.argon2,
                    );
                    let slot = blocking(move || {
                        Slot::new_passphrase(
                            &vault_id,
                            &member_id,
                            &name,
                            passphrase.expose(),
                            argon2,
                            &secret,
                            &key,
                        )
                    })
                    .await?;
                    file.replace(slot);
                    file.save(&paths)?;
                    signs_in = true;
                }
            }
            let device = slots::device_id(&device_secret, vault_id)?;
            let mut conn = pool.acquire().await?;
            let event = audit::Event {
                actor: unpacked.member_id.as_deref(),
                action: "vault.restore",
                entity: None,
                entity_id: None,
                outcome: audit::Outcome::Ok,
                at: None,
            };
            audit::append(&mut conn, &device, event).await?;
            // Into the database file itself before the switch, rather than left to the
            // pool's close.
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&mut *conn)
                .await?;
            if busy != 0 {
                tracing::warn!("the restored vault's log was busy at its checkpoint");
            }
            Ok::<_, Error>(signs_in)
        }
        .await;
        pool.close().await;
        Ok((check, result?))
    }
}
