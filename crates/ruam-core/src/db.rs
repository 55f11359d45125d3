//! Opening the SQLCipher database through sqlx with a raw 256-bit key.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, SqlitePool};

use crate::crypto::SecretKey;
use crate::{Error, Result};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// SQLite's "file is not a database": the key does not fit, or the file is damaged.
const SQLITE_NOTADB: &str = "26";

/// Open (or create) the encrypted database and bring its schema up to date.
///
/// Every connection sends the key first, then checks that SQLCipher is really there
/// (a plain SQLite would accept `PRAGMA key`, ignore it and write plaintext).
pub async fn open(path: &Path, key: &SecretKey, create: bool) -> Result<SqlitePool> {
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
        .pragma("temp_store", "MEMORY");
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
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

fn classify(path: &Path, err: sqlx::Error) -> Error {
    match &err {
        sqlx::Error::Configuration(msg) if msg.to_string().contains("SQLCipher") => {
            Error::NoEncryption
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some(SQLITE_NOTADB) => {
            Error::Corrupt {
                path: path.to_owned(),
                detail: "the database does not open with its key".into(),
            }
        }
        _ => Error::Storage(err),
    }
}
