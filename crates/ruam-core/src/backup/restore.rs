//! A backup's way back: unpack into a new folder, check it, then switch.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::format::{self, Header, Payload};
use super::keys::{open_data_key, Opener};
use super::{BackupFault, BackupPhase, BackupProgress, Manifest, Progress, FILES};
use crate::crypto::SecretKey;
use crate::paths::{write_atomic, VaultPaths};
use crate::slots::SlotFile;
use crate::{audit, db, Error, Result};

/// A backup unpacked into `dir`, not yet checked.
#[derive(Debug)]
pub struct Unpacked {
    pub dir: PathBuf,
    pub header: Header,
    pub manifest: Manifest,
    pub data_key: SecretKey,
    /// The member whose backup passphrase opened it (`None` for the recovery key).
    pub member_id: Option<String>,
}

/// Open `file` with what the person typed and unpack its files into `dir`, which must not
/// exist yet. Blocking (Argon2id, file I/O). On any failure `dir` is removed again.
pub fn unpack(
    file: &Path,
    dir: &Path,
    opener: &Opener<'_>,
    expect_vault: Option<&str>,
    progress: &Progress,
) -> Result<Unpacked> {
    let mut input = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
    let (header, hash) = format::read_header(&mut input)?;
    if expect_vault.is_some_and(|id| id != header.vault_id) {
        return Err(Error::Backup(BackupFault::OtherVault));
    }
    let (data_key, member_id) = open_data_key(
        &header.vault_id,
        header.recovery.as_ref(),
        &header.passphrases,
        opener,
    )?;
    std::fs::create_dir(dir).map_err(|e| Error::io(dir, e))?;
    let result = (|| {
        let mut payload = Payload::new(input, header.clone(), hash, &data_key)?;
        let manifest = super::read_manifest(&mut payload)?;
        let total = header.payload_len;
        for entry in &manifest.files {
            let path = dir.join(&entry.name);
            let mut out = std::fs::File::create_new(&path).map_err(|e| Error::io(&path, e))?;
            payload.copy_to(entry.len, &mut out, &mut |done| {
                progress(BackupProgress {
                    phase: BackupPhase::Unpacking,
                    done,
                    total,
                });
            })?;
            out.sync_all().map_err(|e| Error::io(&path, e))?;
        }
        payload.finish()?;
        Ok(manifest)
    })();
    match result {
        Ok(manifest) => Ok(Unpacked {
            dir: dir.to_owned(),
            header,
            manifest,
            data_key,
            member_id,
        }),
        Err(err) => {
            let _ = std::fs::remove_dir_all(dir);
            Err(err)
        }
    }
}

/// What the checks of an unpacked backup found, for the person restoring it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RestoreCheck {
    pub created_at: String,
    /// Tables whose rows were counted and found as many as when the backup was made.
    pub tables: u32,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub rows: u64,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub audit_entries: i64,
}

/// Check what was unpacked as it was made, before anything writes to it: SQLite's
/// quick check (every page read, so authenticated, and its structure), this laptop's
/// audit chain, the count of every table, and a slot file of the same vault. Any failure is `FailedChecks`. The
/// database stays open for the caller (to record the restore), who closes it.
pub async fn check(unpacked: &Unpacked) -> Result<(sqlx::SqlitePool, RestoreCheck)> {
    let failed = || Error::Backup(BackupFault::FailedChecks);
    let paths = VaultPaths::new(&unpacked.dir);
    let slots = SlotFile::load(&paths).map_err(|_| failed())?;
    if slots.vault_id != unpacked.header.vault_id {
        return Err(failed());
    }
    let pool = match db::open_as_is(&paths.database(), &unpacked.data_key).await {
        Ok(pool) => pool,
        Err(Error::Corrupt { .. }) => return Err(failed()),
        Err(err) => return Err(err),
    };
    let result = async {
        let mut conn = pool.acquire().await?;
        // Every page of every table and index is read (so SQLCipher checks its HMAC, as
        // `cipher_integrity_check` would) and its structure checked. `integrity_check`
        // would also compare each index with its table, at a cost measured in
        // docs/BENCHMARKS.md; the backup's own seal already says the pages are those
        // that were copied from a vault that was running.
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(&mut *conn)
            .await?;
        if integrity != ["ok"] {
            tracing::warn!(
                problems = integrity.len(),
                "restored database fails its quick check"
            );
            return Err(failed());
        }
        let counts = super::count_rows(&mut conn).await?;
        if counts != unpacked.manifest.counts {
            tracing::warn!("restored database's counts differ from the backup's manifest");
            return Err(failed());
        }
        drop(conn);
        let chain = audit::verify(&pool).await?;
        if chain.first_broken.is_some() {
            tracing::warn!("restored database's audit chain is broken");
            return Err(failed());
        }
        Ok(RestoreCheck {
            created_at: unpacked.header.created_at.clone(),
            tables: u32::try_from(counts.len()).unwrap_or(u32::MAX),
            rows: counts.values().map(|n| n.unsigned_abs()).sum(),
            audit_entries: chain.entries,
        })
    }
    .await;
    match result {
        Ok(check) => Ok((pool, check)),
        Err(err) => {
            pool.close().await;
            Err(err)
        }
    }
}

/// The marker of a switch under way, in the data directory.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Marker {
    /// The folder (in the data directory) holding the restored files.
    restored: String,
    /// The folder the files they replace go to.
    replaced: String,
}

fn marker_path(paths: &VaultPaths) -> PathBuf {
    paths.dir().join("restore.json")
}

/// The current vault's files, the database's log and index among them.
fn current_files() -> Vec<String> {
    let mut names: Vec<String> = FILES.iter().map(|f| (*f).to_owned()).collect();
    names.push("ruam.vault-wal".into());
    names.push("ruam.vault-shm".into());
    names
}

/// Put the restored files in `restored` (a folder in the data directory) in place of the
/// vault's, which move to `replaced`. The vault must be closed. Returns the folder the
/// replaced files went to.
pub fn switch(paths: &VaultPaths, restored: &Path, replaced_name: &str) -> Result<PathBuf> {
    let restored_name = restored
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or(Error::Encode("the restore folder's name"))?;
    let marker = Marker {
        restored: restored_name.to_owned(),
        replaced: replaced_name.to_owned(),
    };
    write_atomic(&marker_path(paths), &serde_json::to_vec(&marker)?)?;
    finish(paths, &marker)?;
    Ok(paths.dir().join(replaced_name))
}

fn finish(paths: &VaultPaths, marker: &Marker) -> Result<()> {
    let dir = paths.dir();
    let restored = dir.join(&marker.restored);
    let replaced = dir.join(&marker.replaced);
    let rename = |from: &Path, to: &Path| std::fs::rename(from, to).map_err(|e| Error::io(to, e));
    // While the restored database is still in its folder, the old files are being moved
    // away; once it has moved, the new ones are being moved in.
    if restored.join(FILES[0]).exists() {
        std::fs::create_dir_all(&replaced).map_err(|e| Error::io(&replaced, e))?;
        for name in current_files() {
            let from = dir.join(&name);
            if from.exists() {
                rename(&from, &replaced.join(&name))?;
            }
        }
    }
    // The restored database's write-ahead log comes along if one is left: it holds the
    // restore's own audit entry until a checkpoint moves it into the database.
    for name in current_files() {
        let from = restored.join(&name);
        if from.exists() {
            rename(&from, &dir.join(&name))?;
        }
    }
    let _ = std::fs::remove_dir_all(&restored);
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    std::fs::remove_file(marker_path(paths)).map_err(|e| Error::io(marker_path(paths), e))?;
    tracing::info!("restored vault switched in");
    Ok(())
}

/// At start: finish a switch a crash interrupted, and remove folders of restores that
/// never reached their switch.
pub fn finish_interrupted(paths: &VaultPaths) -> Result<()> {
    let path = marker_path(paths);
    let mut keep = None;
    match std::fs::read(&path) {
        Ok(bytes) => {
            let marker: Marker = serde_json::from_slice(&bytes)?;
            if marker.restored.contains(['/', '\\']) || marker.replaced.contains(['/', '\\']) {
                return Err(Error::Encode("the restore marker"));
            }
            tracing::warn!("finishing a restore that was interrupted");
            finish(paths, &marker)?;
            keep = Some(marker.replaced);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&path, e)),
    }
    let Ok(entries) = std::fs::read_dir(paths.dir()) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(RESTORING) && Some(&name) != keep.as_ref() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}

/// The prefix of the folders restores unpack into.
pub const RESTORING: &str = "restoring-";
/// The prefix of the folders the files a restore replaced are kept in.
pub const REPLACED: &str = "before-restore-";
