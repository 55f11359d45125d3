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

/// Open (or create) the encrypted database and bring its schema up to date.
///
/// Every connection sends the key first, then checks that SQLCipher is really there
/// (a plain SQLite would accept `PRAGMA key`, ignore it and write plaintext).
/// Statement logging is off: the first statement of every connection holds the key.
pub async fn open(path: &Path, key: &SecretKey, create: bool) -> Result<SqlitePool> {
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
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // SQLCipher decrypts each page it reads; a large cache makes repeat reads cheap.
        .pragma("cache_size", "-65536")
        // Temporary tables and sort spills stay in memory, never in a temp file.
        .pragma("temp_store", "MEMORY")
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
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
        (_, Some(SQLITE_NOTADB)) => damaged(path, "the database does not open with its key"),
        (_, Some(SQLITE_CORRUPT)) => damaged(path, "the database is damaged"),
        _ => Error::Storage(err),
    }
}
