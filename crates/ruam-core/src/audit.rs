//! The audit log: every sign-in, every change and every read of a sensitive record, as a
//! hash chain (SHA-256 over the previous hash and the entry's canonical bytes) that
//! [`verify`] checks. Entries say who, when, what and which record — never the content.

use ring::digest::{digest, SHA256};
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use crate::outbox::now_utc;
use crate::Result;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Refused,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// What happened, as the caller describes it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub entity: Option<&'a str>,
    pub entity_id: Option<&'a str>,
    pub outcome: Outcome,
    /// When it happened (RFC 3339 UTC), if not now: failed unlocks are written later.
    pub at: Option<&'a str>,
}

/// One stored entry (and as it travels to a lead's laptop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub outcome: String,
    pub device: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// The bytes the hash covers: every field but the hashes, in a fixed order, as JSON.
    fn canonical(&self) -> Vec<u8> {
        serde_json::json!([
            self.seq,
            self.id,
            self.at,
            self.actor,
            self.action,
            self.entity,
            self.entity_id,
            self.outcome,
            self.device
        ])
        .to_string()
        .into_bytes()
    }

    /// This entry's hash when it follows an entry whose hash is `prev_hash`.
    pub fn expected_hash(&self, prev_hash: &str) -> String {
        let mut input = prev_hash.as_bytes().to_vec();
        input.extend_from_slice(&self.canonical());
        hex::encode(digest(&SHA256, &input))
    }
}

/// Append an entry, on the caller's connection (inside its transaction when it has one,
/// so the entry and the change it records commit together).
pub async fn append(conn: &mut SqliteConnection, device: &str, event: Event<'_>) -> Result<Entry> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_owned()));
    let mut entry = Entry {
        seq: prev_seq + 1,
        id: uuid::Uuid::now_v7().to_string(),
        at: event.at.map_or_else(now_utc, str::to_owned),
        actor: event.actor.map(str::to_owned),
        action: event.action.to_owned(),
        entity: event.entity.map(str::to_owned),
        entity_id: event.entity_id.map(str::to_owned),
        outcome: event.outcome.as_str().to_owned(),
        device: device.to_owned(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.expected_hash(&entry.prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, id, at, actor, action, entity, entity_id, outcome, device, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.seq)
    .bind(&entry.id)
    .bind(&entry.at)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.entity)
    .bind(&entry.entity_id)
    .bind(&entry.outcome)
    .bind(&entry.device)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await?;
    Ok(entry)
}

/// How the chain is broken at the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Break {
    /// The entry's content no longer matches its hash (edited).
    Altered,
    /// The entry does not link to the one before it (deleted, reordered or inserted).
    Unlinked,
    /// A sequence number is missing before this entry (deleted).
    Gap {
        #[cfg_attr(feature = "specta", specta(type = u32))]
        expected: i64,
    },
}

/// Where the chain first breaks, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BrokenLink {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub seq: i64,
    pub problem: Break,
    /// Whose chain: `None` for this laptop's own, or the other laptop's sync device id.
    pub laptop: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChainReport {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub entries: i64,
    pub first_broken: Option<BrokenLink>,
}

/// Walk the whole chain from the first entry and report the first broken link.
pub async fn verify(pool: &SqlitePool) -> Result<ChainReport> {
    let entries: Vec<Entry> = sqlx::query_as(
        "SELECT seq, id, at, actor, action, entity, entity_id, outcome, device, prev_hash, hash
         FROM audit_log ORDER BY seq",
    )
    .fetch_all(pool)
    .await?;
    Ok(check_chain(&entries))
}

/// Check one chain, in order from its first entry, and report its first broken link.
pub fn check_chain(entries: &[Entry]) -> ChainReport {
    let mut prev_hash = GENESIS.to_owned();
    let mut first_broken = None;
    for (i, entry) in entries.iter().enumerate() {
        let expected_seq = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        let problem = if entry.seq != expected_seq {
            Some(Break::Gap {
                expected: expected_seq,
            })
        } else if entry.prev_hash != prev_hash {
            Some(Break::Unlinked)
        } else if entry.hash != entry.expected_hash(&entry.prev_hash) {
            Some(Break::Altered)
        } else {
            None
        };
        if let Some(problem) = problem {
            first_broken = Some(BrokenLink {
                seq: entry.seq,
                problem,
                laptop: None,
            });
            break;
        }
        prev_hash = entry.hash.clone();
    }
    ChainReport {
        entries: i64::try_from(entries.len()).unwrap_or(i64::MAX),
        first_broken,
    }
}
