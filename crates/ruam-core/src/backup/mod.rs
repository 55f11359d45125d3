//! Backups: the vault's files in one encrypted file, and their way back.
//!
//! A backup holds the database's pages exactly as they are on disk (already encrypted
//! with the data key: nothing is decrypted to make it), the key-slot file and the
//! recovery file, behind a manifest that records how many rows each table held. The file
//! is sealed a chunk at a time (`format.rs`) under a key only the data key makes, and
//! opened by the recovery key or a lead's backup passphrase (`keys.rs`).
//!
//! A copy is consistent because it is taken inside a read transaction begun when the
//! write-ahead log is empty: SQLite then reads from the database file alone, and no
//! checkpoint may write into that file until the transaction ends, so the bytes copied
//! are the database as of one commit, however many writes go on meanwhile (they wait in
//! the log).
//!
//! A restore (`restore.rs`) unpacks into a new folder inside the data directory, checks
//! what it unpacked (SQLite's integrity check, the audit chain, every count), and only
//! then switches the files, the vault locked, with a marker so that a switch cut short
//! by a crash is finished at the next start.

pub mod format;
pub mod keys;
pub mod restore;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

pub use format::BackupFault;
use format::Header;
pub use keys::{Opener, PassphraseSlot};

use crate::crypto::SecretKey;
use crate::paths::VaultPaths;
use crate::{Error, Result};

/// A backup file's extension.
pub const EXTENSION: &str = "ruambackup";
/// The files a backup holds, in the order they are written.
pub const FILES: [&str; 3] = ["ruam.vault", "ruam.slots", "ruam.recovery"];
const MAX_MANIFEST_LEN: u32 = 1 << 20;

/// How far a backup or a restore has gone, for a progress bar.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BackupProgress {
    pub phase: BackupPhase,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub done: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BackupPhase {
    /// Writing the backup.
    Writing,
    /// Opening a backup and unpacking it.
    Unpacking,
    /// Checking what was unpacked.
    Checking,
}

pub type Progress = Arc<dyn Fn(BackupProgress) + Send + Sync>;

/// What the payload starts with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub files: Vec<FileEntry>,
    /// Rows in each table when the backup was made.
    pub counts: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileEntry {
    pub name: String,
    pub len: u64,
}

impl Manifest {
    /// Read a manifest and check it describes exactly `payload_len` bytes of known files,
    /// each once, the database among them.
    pub fn parse(bytes: &[u8], payload_len: u64) -> Result<Self> {
        let damaged = || Error::Backup(BackupFault::Damaged);
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|_| damaged())?;
        let mut seen = Vec::new();
        let mut total = 4 + bytes.len() as u64;
        for file in &manifest.files {
            if !FILES.contains(&file.name.as_str()) || seen.contains(&file.name.as_str()) {
                return Err(damaged());
            }
            seen.push(file.name.as_str());
            total = total.checked_add(file.len).ok_or_else(damaged)?;
        }
        if !seen.contains(&FILES[0]) || total != payload_len {
            return Err(damaged());
        }
        Ok(manifest)
    }

    fn encode(&self) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(self)?;
        let len = u32::try_from(json.len())
            .ok()
            .filter(|&l| l <= MAX_MANIFEST_LEN)
            .ok_or(Error::Encode("the backup's manifest"))?;
        let mut bytes = len.to_le_bytes().to_vec();
        bytes.extend_from_slice(&json);
        Ok(bytes)
    }
}

/// Read the manifest at the start of a payload.
pub fn read_manifest<R: Read>(payload: &mut format::Payload<R>) -> Result<Manifest> {
    let mut len = [0u8; 4];
    payload.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len);
    if len > MAX_MANIFEST_LEN {
        return Err(Error::Backup(BackupFault::Damaged));
    }
    let mut bytes = vec![0u8; len as usize];
    payload.read_exact(&mut bytes)?;
    Manifest::parse(&bytes, payload.header().payload_len)
}

/// Rows in each of the vault's tables (not SQLite's own, nor a virtual table's, whose
/// shadow tables are counted instead), read on `conn` so that they belong to its snapshot.
pub(crate) async fn count_rows(conn: &mut sqlx::SqliteConnection) -> Result<BTreeMap<String, i64>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut counts = BTreeMap::new();
    for table in tables {
        // Table names come from the schema itself; quoted all the same.
        let sql = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *conn).await?;
        counts.insert(table, n);
    }
    Ok(counts)
}

fn wal_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// What a written backup is.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    pub path: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
    pub created_at: String,
}

/// Everything a backup's header says besides its lengths.
pub(crate) struct Openers {
    pub vault_id: String,
    pub recovery: Option<crate::slots::Slot>,
    pub passphrases: Vec<PassphraseSlot>,
}

/// Write a backup of the vault in `paths` (open on `pool`) to `dest`: first to a
/// `.partial` file beside it, synced, then renamed, so that `dest` is only ever a whole
/// backup.
pub(crate) async fn write(
    pool: &SqlitePool,
    paths: &VaultPaths,
    openers: Openers,
    data_key: &SecretKey,
    dest: &Path,
    progress: Progress,
) -> Result<BackupFile> {
    let mut conn = pool.acquire().await?;
    let database = paths.database();
    let wal = wal_path(&database);
    let mut tries = 0u32;
    let mut tx = loop {
        // An empty log first, then a read transaction that saw it empty.
        let _: (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let _: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_schema")
            .fetch_one(&mut *tx)
            .await?;
        let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if wal_len == 0 {
            break tx;
        }
        tx.rollback().await?;
        tries += 1;
        if tries == 100 {
            return Err(Error::Task(
                "the vault kept changing while the backup tried to copy it; try again".into(),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let counts = count_rows(&mut tx).await?;
    let db_len = std::fs::metadata(&database)
        .map_err(|e| Error::io(&database, e))?
        .len();
    let mut small = Vec::new();
    for name in &FILES[1..] {
        let path = paths.dir().join(name);
        match std::fs::read(&path) {
            Ok(bytes) => small.push((*name, bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    let mut files = vec![FileEntry {
        name: FILES[0].into(),
        len: db_len,
    }];
    files.extend(small.iter().map(|(name, bytes)| FileEntry {
        name: (*name).into(),
        len: bytes.len() as u64,
    }));
    let manifest = Manifest { files, counts }.encode()?;
    let payload_len =
        manifest.len() as u64 + db_len + small.iter().map(|(_, b)| b.len() as u64).sum::<u64>();
    let created_at = crate::outbox::now_utc();
    let header = Header {
        format: format::FORMAT,
        vault_id: openers.vault_id,
        backup_id: hex::encode(crate::crypto::random_array::<16>()?),
        created_at: created_at.clone(),
        payload_len,
        chunk_len: format::CHUNK_LEN,
        recovery: openers.recovery,
        passphrases: openers.passphrases,
    };
    let (key, dest_owned) = (data_key.clone(), dest.to_owned());
    let written = tokio::task::spawn_blocking(move || {
        write_file(
            &dest_owned,
            header,
            &key,
            &manifest,
            &database,
            db_len,
            &small,
            &progress,
        )
    })
    .await
    .map_err(|e| Error::Task(e.to_string()))?;
    // The snapshot may end now: the pages were copied.
    tx.rollback().await?;
    let bytes = written?;
    Ok(BackupFile {
        path: dest.display().to_string(),
        bytes,
        created_at,
    })
}

#[allow(clippy::too_many_arguments)]
fn write_file(
    dest: &Path,
    header: Header,
    key: &SecretKey,
    manifest: &[u8],
    database: &Path,
    db_len: u64,
    small: &[(&str, Vec<u8>)],
    progress: &Progress,
) -> Result<u64> {
    let mut partial = dest.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let result = (|| {
        let total = header.payload_len;
        let out = std::fs::File::create(&partial).map_err(|e| Error::io(&partial, e))?;
        let mut writer = format::Writer::new(out, header, key)?;
        writer.write_all(manifest)?;
        let mut db = std::fs::File::open(database).map_err(|e| Error::io(database, e))?;
        let mut buf = vec![0u8; format::CHUNK_LEN as usize];
        let mut left = db_len;
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).expect("small");
            db.read_exact(&mut buf[..want])
                .map_err(|e| Error::io(database, e))?;
            writer.write_all(&buf[..want])?;
            left -= want as u64;
            progress(BackupProgress {
                phase: BackupPhase::Writing,
                done: writer.written(),
                total,
            });
        }
        for (_, bytes) in small {
            writer.write_all(bytes)?;
        }
        let out = writer.finish()?;
        out.sync_all().map_err(|e| Error::io(&partial, e))?;
        let bytes = out.metadata().map_err(|e| Error::io(&partial, e))?.len();
        drop(out);
        std::fs::rename(&partial, dest).map_err(|e| Error::io(dest, e))?;
        #[cfg(unix)]
        if let Some(Ok(dir)) = dest.parent().map(std::fs::File::open) {
            let _ = dir.sync_all();
        }
        progress(BackupProgress {
            phase: BackupPhase::Writing,
            done: total,
            total,
        });
        Ok(bytes)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// What a backup file's header says, for a list to choose from (nothing decrypted).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    pub path: String,
    pub created_at: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
    /// Whether it is a backup of the vault on this laptop.
    pub this_vault: bool,
    /// Whether a lead's passphrase opens it (else only the recovery key).
    pub passphrase: bool,
}

/// Read a backup's header from `path`.
pub fn inspect(path: &Path) -> Result<Header> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(format::read_header(&mut file)?.0)
}

/// The backups of vault `vault_id` in `folder` (by their names), oldest first.
pub(crate) fn own_backups(folder: &Path, vault_id: &str) -> Result<Vec<PathBuf>> {
    let prefix = file_prefix(vault_id);
    let mut found = Vec::new();
    let entries = std::fs::read_dir(folder).map_err(|e| Error::io(folder, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name.ends_with(&format!(".{EXTENSION}")) {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}

/// Backups are named `ruam-<vault>-<UTC time>.ruambackup`: sorted by name, oldest first.
pub(crate) fn file_prefix(vault_id: &str) -> String {
    let short: String = vault_id.chars().filter(|c| *c != '-').take(8).collect();
    format!("ruam-{short}-")
}

pub(crate) fn file_name(vault_id: &str, now: time::OffsetDateTime) -> Result<String> {
    let stamp = now
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second][subsecond digits:3]Z"
        ))
        .map_err(|_| Error::Encode("a date"))?;
    Ok(format!("{}{stamp}.{EXTENSION}", file_prefix(vault_id)))
}

/// Everything that reads a backup file, on any bytes at all: the header, its slots (with
/// a fixed recovery key and passphrase, as a person would try them), the payload under a
/// fixed data key, and the manifest. Only errors come out, never a panic: the fuzz target
/// (`fuzz/`, `./x fuzz`) and the property tests call it.
pub fn read_any(bytes: &[u8]) {
    let mut input = bytes;
    if let Ok((header, hash)) = format::read_header(&mut input) {
        let Ok(key) =
            crate::recovery::RecoveryKey::parse("7777-7777-7777-7777-7777-7777-7777-7777")
        else {
            return;
        };
        let passphrase_slots: Vec<PassphraseSlot> = header
            .passphrases
            .iter()
            // A slot's Argon2id cost is the attacker's to choose: a fuzzer is not made to
            // pay it (`PassphraseSlot::open` refuses absurd costs before any work).
            .filter(|s| s.argon2.m_kib <= 64 && s.argon2.t <= 2)
            .cloned()
            .collect();
        let _ = keys::open_data_key(
            &header.vault_id,
            header.recovery.as_ref(),
            &passphrase_slots,
            &Opener::RecoveryKey(&key),
        );
        let _ = keys::open_data_key(
            &header.vault_id,
            None,
            &passphrase_slots,
            &Opener::Passphrase("fuzz passphrase"),
        );
        let data_key = SecretKey::from_bytes([9u8; 32]);
        if let Ok(mut payload) = format::Payload::new(input, header, hash, &data_key) {
            if read_manifest(&mut payload).is_ok() {
                let _ = payload.copy_to(u64::MAX, &mut std::io::sink(), &mut |_| {});
            }
        }
    }
    let _ = Manifest::parse(bytes, bytes.len() as u64);
}
