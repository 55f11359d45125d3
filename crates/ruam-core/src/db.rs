//! Opening the SQLCipher database through sqlx with a raw 256-bit key.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Executor, SqlitePool};

use crate::crypto::SecretKey;
use crate::error::Remedy;
use crate::{Error, Result};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// SQLite's primary result codes that mean the file is not what it should be.
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_NOTADB: i32 = 26;

/// How each page's authentication code is computed. SQLCipher 4 defaults to HMAC-SHA512;
/// Ruam makes vaults with HMAC-SHA256, which is as sound for authenticating a page and
/// several times faster on processors with SHA extensions (most laptops since 2019), and
/// every page read from disk pays it. Vaults made before keep SHA-512 and still open.
const PAGE_HMAC: &str = "HMAC_SHA256";
const PAGE_HMAC_BEFORE: &str = "HMAC_SHA512";

/// Open (or create) the encrypted database and bring its schema up to date.
///
/// Every connection sends the key first, then checks that SQLCipher is really there
/// (a plain SQLite would accept `PRAGMA key`, ignore it and write plaintext).
/// Statement logging is off: the first statement of every connection holds the key.
pub async fn open(path: &Path, key: &SecretKey, create: bool) -> Result<SqlitePool> {
    open_migrated(path, key, create, true).await
}

/// Open an existing database without touching its schema: a restored backup is checked
/// as it was made before anything is written to it.
pub async fn open_as_is(path: &Path, key: &SecretKey) -> Result<SqlitePool> {
    open_migrated(path, key, false, false).await
}

async fn open_migrated(
    path: &Path,
    key: &SecretKey,
    create: bool,
    migrate: bool,
) -> Result<SqlitePool> {
    match open_with(path, key, create, PAGE_HMAC, migrate).await {
        // A file whose pages do not check out with this HMAC may be a vault made before;
        // if it does not open that way either, the first answer stands.
        Err(first @ Error::Corrupt { .. }) if !create && does_not_open(&first) => {
            open_with(path, key, create, PAGE_HMAC_BEFORE, migrate)
                .await
                .map_err(|_| first)
        }
        other => other,
    }
}

const DOES_NOT_OPEN: &str = "the database does not open with its key";

fn does_not_open(err: &Error) -> bool {
    matches!(err, Error::Corrupt { detail, .. } if detail == DOES_NOT_OPEN)
}

async fn open_with(
    path: &Path,
    key: &SecretKey,
    create: bool,
    page_hmac: &str,
    migrate: bool,
) -> Result<SqlitePool> {
    init_openssl();
    if !create {
        match std::fs::metadata(path) {
            Ok(meta) if meta.len() > 0 => {}
            Ok(_) => return Err(damaged(path, "the database file is empty")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(damaged(path, "the database file is missing"))
            }
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    let hex = key.to_hex();
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(create)
        .pragma("key", format!("\"x'{}'\"", hex.as_str()))
        .pragma("cipher_hmac_algorithm", page_hmac.to_owned())
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // SQLCipher decrypts each page it reads; a large cache makes repeat reads cheap.
        // Two connections of 128 MiB each stay warmer than four of 64 MiB (one person
        // uses the app; the pool hands its connections out in turn): opening a random
        // case of 100,000 went from 1.3-1.55x to 1.17x of plain SQLite (BENCHMARKS.md).
        .pragma("cache_size", "-131072")
        // Temporary tables and sort spills stay in memory, never in a temp file.
        .pragma("temp_store", "MEMORY")
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .min_connections(0)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                let version: Option<String> = sqlx::query_scalar("PRAGMA cipher_version")
                    .fetch_optional(&mut *conn)
                    .await?;
                if version.as_deref().unwrap_or_default().is_empty() {
                    return Err(sqlx::Error::Configuration(
                        "SQLCipher is not linked into this build".into(),
                    ));
                }
                // Reading the schema proves the key fits the file.
                conn.execute("SELECT count(*) FROM sqlite_master").await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| classify(path, e))?;
    if !migrate {
        return Ok(pool);
    }
    if let Err(err) = MIGRATOR.run(&pool).await {
        pool.close().await;
        return Err(match err {
            sqlx::migrate::MigrateError::Execute(inner) => classify(path, inner),
            other => Error::Migrate(other),
        });
    }
    Ok(pool)
}

/// Initialise OpenSSL (which SQLCipher uses) ourselves, before SQLCipher does, with its
/// exit-time cleanup switched off: otherwise that cleanup can free what a connection
/// still closing on another thread is using, and the process aborts as it exits
/// ("double free"). openssl-sys asks for `OPENSSL_INIT_NO_ATEXIT`.
fn init_openssl() {
    #[cfg(target_os = "linux")]
    openssl_sys::init();
}

fn damaged(path: &Path, detail: &str) -> Error {
    Error::Corrupt {
        path: path.to_owned(),
        detail: detail.to_owned(),
        remedy: Remedy::Backup,
    }
}

fn classify(path: &Path, err: sqlx::Error) -> Error {
    let primary = match &err {
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .map(|c| c & 0xff),
        _ => None,
    };
    match (&err, primary) {
        (sqlx::Error::Configuration(msg), _) if msg.to_string().contains("SQLCipher") => {
            Error::NoEncryption
        }
        (_, Some(SQLITE_NOTADB)) => damaged(path, DOES_NOT_OPEN),
        (_, Some(SQLITE_CORRUPT)) => damaged(path, "the database is damaged"),
        _ => Error::Storage(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection to `path` with `key` and an explicit page HMAC, outside `open`.
    async fn raw(path: &Path, key: &SecretKey, page_hmac: &str) -> sqlx::Result<i64> {
        let mut conn = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .pragma("key", format!("\"x'{}'\"", key.to_hex().as_str()))
            .pragma("cipher_hmac_algorithm", page_hmac.to_owned())
            .connect()
            .await?;
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master")
            .fetch_one(&mut conn)
            .await
    }

    #[tokio::test]
    async fn new_vaults_authenticate_pages_with_sha256_and_older_ones_still_open() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::random().unwrap();
        let new = dir.path().join("new.vault");
        open(&new, &key, true).await.unwrap().close().await;
        assert!(raw(&new, &key, PAGE_HMAC).await.unwrap() > 0);
        assert!(raw(&new, &key, PAGE_HMAC_BEFORE).await.is_err());

        // A vault written with SHA-512 pages (as the first versions made them).
        let before = dir.path().join("before.vault");
        let mut conn = SqliteConnectOptions::from_str("sqlite:")
            .unwrap()
            .filename(&before)
            .create_if_missing(true)
            .pragma("key", format!("\"x'{}'\"", key.to_hex().as_str()))
            .pragma("cipher_hmac_algorithm", PAGE_HMAC_BEFORE)
            .connect()
            .await
            .unwrap();
        conn.execute("CREATE TABLE kept (x TEXT); INSERT INTO kept VALUES ('still here')")
            .await
            .unwrap();
        sqlx::Connection::close(conn).await.unwrap();
        assert!(raw(&before, &key, PAGE_HMAC).await.is_err());
        let pool = open(&before, &key, false).await.unwrap();
        let kept: String = sqlx::query_scalar("SELECT x FROM kept")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(kept, "still here");
        pool.close().await;

        // The wrong key opens neither kind, and says so.
        let wrong = SecretKey::random().unwrap();
        for path in [&new, &before] {
            assert!(matches!(
                open(path, &wrong, false).await,
                Err(Error::Corrupt { .. })
            ));
        }
    }
}
