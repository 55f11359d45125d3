//! The audit log across laptops. Each laptop keeps its own hash chain and never changes
//! it; its new entries go to the laptops of those who read the audit log (by their role,
//! as the team's scope says whose laptop each device is: not as the relay says), sealed to
//! each of them in its inbox. There they are kept as that laptop's chain, checked on their
//! own: a merge adds chains side by side, so every chain stays verifiable.

use base64::Engine as _;
use ruam_wire::envelope::Envelope;
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};
use uuid::Uuid;

use super::changes::{Inbox, SealedAudit};
use super::engine::{device_keys, SyncState};
use super::identity::DeviceIdentity;
use super::seal::{self, KeyLabel};
use crate::audit::{self, BrokenLink, Entry};
use crate::crypto::{self, SecretKey};
use crate::Result;

/// The most entries one envelope carries (about 300 bytes each).
const PER_ENVELOPE: i64 = 1000;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuditBatch {
    entries: Vec<Entry>,
}

/// The devices whose member's role reads the audit log, other than this one.
async fn readers(conn: &mut SqliteConnection, me: Uuid) -> Result<Vec<Uuid>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT d.device_id FROM sync_devices d
         JOIN members m ON m.id = d.member_id AND m.status = 'active' AND m.deleted_at IS NULL
         JOIN roles r ON r.id = m.role
         WHERE d.status = 'active' AND d.device_id != ?
           AND EXISTS (SELECT 1 FROM json_each(r.permissions) p WHERE p.value = 'audit.read')
         ORDER BY d.device_id",
    )
    .bind(me.to_string())
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect())
}

/// Envelopes of this laptop's audit entries not yet sent to each reader's laptop, with
/// the last entry each carries: (reader, last seq, envelope).
pub async fn outgoing(
    conn: &mut SqliteConnection,
    identity: &DeviceIdentity,
    state: &SyncState,
) -> Result<Vec<(Uuid, i64, Envelope)>> {
    let mut out = Vec::new();
    for reader in readers(conn, identity.device_id).await? {
        let Some(keys) = device_keys(conn, reader).await? else {
            continue;
        };
        let mut sent: i64 =
            sqlx::query_scalar("SELECT seq FROM sync_audit_sent WHERE device_id = ?")
                .bind(reader.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or(0);
        loop {
            let entries: Vec<Entry> = sqlx::query_as(
                "SELECT seq, id, at, actor, action, entity, entity_id, outcome, device, prev_hash, hash
                 FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
            )
            .bind(sent)
            .bind(PER_ENVELOPE)
            .fetch_all(&mut *conn)
            .await?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                break;
            };
            let header = ruam_wire::EnvelopeHeader {
                team_id: state.team_id,
                scope_id: reader,
                epoch: 0,
                envelope_id: Uuid::now_v7(),
                device_id: identity.device_id,
                created_ms: ruam_wire::client::now_ms(),
                nonce: crypto::random_array()?,
            };
            let key = SecretKey::random()?;
            let label = KeyLabel {
                team_id: state.team_id,
                scope_id: reader,
                epoch: 0,
                device_id: reader,
            };
            let nonce: [u8; 12] = crypto::random_array()?;
            let sealed = crypto::seal(
                &key,
                nonce,
                header.envelope_id.as_bytes(),
                &serde_json::to_vec(&AuditBatch { entries })?,
            )?;
            let b64 = base64::engine::general_purpose::STANDARD;
            let content = serde_json::to_vec(&Inbox {
                keys: Vec::new(),
                drops: Vec::new(),
                audit: Some(SealedAudit {
                    wrapped: b64.encode(seal::wrap_scope_key(&keys, label, &key)?),
                    nonce: b64.encode(nonce),
                    sealed: b64.encode(sealed),
                }),
            })?;
            out.push((
                reader,
                last,
                Envelope::sign(header, content, identity.signing()),
            ));
            sent = last;
        }
    }
    Ok(out)
}

/// The reader's laptop has this laptop's entries up to `seq`.
pub async fn mark_sent(conn: &mut SqliteConnection, reader: Uuid, seq: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_audit_sent (device_id, seq) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET seq = max(seq, excluded.seq)",
    )
    .bind(reader.to_string())
    .bind(seq)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keep the entries another laptop (`origin`, whose signature the envelope carries)
/// sealed to this one. Each must hash as it says; one that differs from an entry already
/// held under its number refuses the envelope (someone rewrote that laptop's history).
pub(crate) async fn receive(
    conn: &mut SqliteConnection,
    identity: &DeviceIdentity,
    state: &SyncState,
    envelope: &Envelope,
    sealed: &SealedAudit,
) -> Result<std::result::Result<usize, String>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let label = KeyLabel {
        team_id: state.team_id,
        scope_id: identity.device_id,
        epoch: 0,
        device_id: identity.device_id,
    };
    let key = b64
        .decode(&sealed.wrapped)
        .ok()
        .and_then(|w| seal::unwrap_scope_key(identity, label, &w));
    let nonce: Option<[u8; 12]> = b64
        .decode(&sealed.nonce)
        .ok()
        .and_then(|n| n.try_into().ok());
    let (Some(key), Some(nonce)) = (key, nonce) else {
        return Ok(Err("holds audit entries not sealed for this device".into()));
    };
    let plain = b64
        .decode(&sealed.sealed)
        .ok()
        .and_then(|s| crypto::open(&key, nonce, envelope.header.envelope_id.as_bytes(), &s));
    let Some(batch) = plain.and_then(|p| serde_json::from_slice::<AuditBatch>(&p).ok()) else {
        return Ok(Err("holds audit entries that do not open".into()));
    };
    let origin = envelope.header.device_id.to_string();
    let now = crate::outbox::now_utc();
    let mut kept = 0;
    for entry in &batch.entries {
        if entry.seq < 1 || entry.hash != entry.expected_hash(&entry.prev_hash) {
            return Ok(Err(format!(
                "holds audit entry {} whose hash is not its own",
                entry.seq
            )));
        }
        let held: Option<String> =
            sqlx::query_scalar("SELECT hash FROM audit_remote WHERE origin = ? AND seq = ?")
                .bind(&origin)
                .bind(entry.seq)
                .fetch_optional(&mut *conn)
                .await?;
        match held {
            Some(hash) if hash == entry.hash => continue,
            Some(_) => {
                return Ok(Err(format!(
                    "holds audit entry {} other than the one this laptop received before",
                    entry.seq
                )))
            }
            None => {}
        }
        sqlx::query(
            "INSERT INTO audit_remote (origin, seq, id, at, actor, action, entity, entity_id, outcome, device, prev_hash, hash, received_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&origin)
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
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        kept += 1;
    }
    Ok(Ok(kept))
}

/// Each other laptop's chain as held here, checked on its own from its first entry.
pub async fn verify_remote(pool: &SqlitePool) -> Result<Vec<(String, audit::ChainReport)>> {
    let origins: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT origin FROM audit_remote ORDER BY origin")
            .fetch_all(pool)
            .await?;
    let mut out = Vec::with_capacity(origins.len());
    for origin in origins {
        let entries: Vec<Entry> = sqlx::query_as(
            "SELECT seq, id, at, actor, action, entity, entity_id, outcome, device, prev_hash, hash
             FROM audit_remote WHERE origin = ? ORDER BY seq",
        )
        .bind(&origin)
        .fetch_all(pool)
        .await?;
        let report = audit::check_chain(&entries);
        out.push((origin, report));
    }
    Ok(out)
}

/// The first break in any laptop's chain held here: this laptop's own, then the others'.
pub async fn first_break(pool: &SqlitePool) -> Result<Option<BrokenLink>> {
    if let Some(broken) = audit::verify(pool).await?.first_broken {
        return Ok(Some(broken));
    }
    for (origin, report) in verify_remote(pool).await? {
        if let Some(mut broken) = report.first_broken {
            broken.laptop = Some(origin);
            return Ok(Some(broken));
        }
    }
    Ok(None)
}
