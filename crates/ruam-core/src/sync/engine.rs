//! One round of sync: seal what this laptop changed into envelopes (kept in the vault until
//! the relay has them), push them, pull what the others sent, check and open it, and apply
//! it. Sealing and applying run in vault transactions; the network calls run outside
//! them, so nothing is lost when the relay is down or the connection breaks mid-way: the
//! envelopes wait in `sync_outgoing`, and a pull resumes after the last page applied.

use std::collections::BTreeSet;

use ruam_wire::client::{ClientError, RelayClient};
use ruam_wire::envelope::Envelope;
use ruam_wire::{ExchangeKey, PublicKey};
use sqlx::{SqliteConnection, SqlitePool};
use uuid::Uuid;

use super::apply::{self, Applied};

use super::capture::{self, Target};
use super::changes::{Batch, RowChange};
use super::identity::DeviceIdentity;
use super::scopes;
use super::seal;
use crate::crypto::SecretKey;
use crate::outbox::Outbox;
use crate::{Error, Result};

/// Plaintext per envelope, well below the envelope's limit.
const BATCH_BYTES: usize = 256 * 1024;
/// Envelopes per push, and bytes (well under the relay's limit on a request's body).
const PUSH_ENVELOPES: i64 = 100;
const PUSH_BYTES: usize = ruam_wire::api::MAX_BODY / 2;
/// Envelopes per pull.
pub const PULL_PAGE: u32 = 500;

/// This laptop's place in the team's sync, as `sync_state` keeps it.
#[derive(Debug, Clone)]
pub struct SyncState {
    pub relay_url: String,
    pub team_id: Uuid,
    pub device_id: Uuid,
    /// Known once a lead's laptop has sent this one the team scope's key.
    pub team_scope_id: Option<Uuid>,
    pub pulled_seq: i64,
}

fn uuid(text: &str, what: &'static str) -> Result<Uuid> {
    Uuid::parse_str(text)
        .map_err(|_| Error::invalid("sync", format!("the sync state's {what} is not a UUID")))
}

pub async fn load_state(conn: &mut SqliteConnection) -> Result<Option<SyncState>> {
    let row: Option<(String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT relay_url, team_remote_id, device_id, team_scope_id, pulled_seq FROM sync_state WHERE id = 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some((relay_url, team, device, scope, pulled_seq)) = row else {
        return Ok(None);
    };
    Ok(Some(SyncState {
        relay_url,
        team_id: uuid(&team, "team")?,
        device_id: uuid(&device, "device")?,
        team_scope_id: scope
            .as_deref()
            .map(|s| uuid(s, "team scope"))
            .transpose()?,
        pulled_seq,
    }))
}

pub async fn save_state(conn: &mut SqliteConnection, state: &SyncState) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_state (id, relay_url, team_remote_id, device_id, team_scope_id, pulled_seq, created_at)
         VALUES (1, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&state.relay_url)
    .bind(state.team_id.to_string())
    .bind(state.device_id.to_string())
    .bind(state.team_scope_id.map(|s| s.to_string()))
    .bind(state.pulled_seq)
    .bind(crate::outbox::now_utc())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a scope is for, as its keys are kept: `team`, or `case` (or `section`) with the
/// case's id.
pub fn scope_kind(target: &Target) -> (&'static str, Option<&str>) {
    match target {
        Target::Team => ("team", None),
        Target::Case(case_id) => ("case", Some(case_id)),
        Target::Section(case_id, _) => ("section", Some(case_id)),
    }
}

pub async fn store_key(
    conn: &mut SqliteConnection,
    scope_id: Uuid,
    epoch: u32,
    key: &SecretKey,
    target: &Target,
) -> Result<()> {
    let (kind, case_id) = scope_kind(target);
    let section = match target {
        Target::Section(_, section) => Some(section.as_str()),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO sync_scope_keys (scope_id, epoch, key, kind, case_id, section, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope_id, epoch) DO NOTHING",
    )
    .bind(scope_id.to_string())
    .bind(i64::from(epoch))
    .bind(&key.expose()[..])
    .bind(kind)
    .bind(case_id)
    .bind(section)
    .bind(crate::outbox::now_utc())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn key_at(
    conn: &mut SqliteConnection,
    scope_id: Uuid,
    epoch: Option<u32>,
) -> Result<Option<(u32, SecretKey)>> {
    let row: Option<(i64, Vec<u8>)> = match epoch {
        Some(epoch) => {
            sqlx::query_as(
                "SELECT epoch, key FROM sync_scope_keys WHERE scope_id = ? AND epoch = ?",
            )
            .bind(scope_id.to_string())
            .bind(i64::from(epoch))
            .fetch_optional(&mut *conn)
            .await?
        }
        None => sqlx::query_as(
            "SELECT epoch, key FROM sync_scope_keys WHERE scope_id = ? ORDER BY epoch DESC LIMIT 1",
        )
        .bind(scope_id.to_string())
        .fetch_optional(&mut *conn)
        .await?,
    };
    Ok(row
        .and_then(|(epoch, key)| Some((u32::try_from(epoch).ok()?, SecretKey::from_slice(&key)?))))
}

/// Every key this laptop holds of a scope, oldest epoch first (for a device just given it).
pub async fn keys_of(conn: &mut SqliteConnection, scope_id: Uuid) -> Result<Vec<(u32, SecretKey)>> {
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT epoch, key FROM sync_scope_keys WHERE scope_id = ? ORDER BY epoch")
            .bind(scope_id.to_string())
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(epoch, key)| Some((u32::try_from(epoch).ok()?, SecretKey::from_slice(&key)?)))
        .collect())
}

/// Keep a device's public keys (from the relay's list), to verify what it wrote.
pub async fn store_device(
    conn: &mut SqliteConnection,
    info: &ruam_wire::api::DeviceInfo,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_devices (device_id, sign_key, exchange_key, status, admin, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET status = excluded.status, admin = excluded.admin,
             updated_at = excluded.updated_at",
    )
    .bind(info.keys.device_id.to_string())
    .bind(&info.keys.sign_key.0[..])
    .bind(&info.keys.exchange_key.0[..])
    .bind(info.status.as_str())
    .bind(info.admin)
    .bind(crate::outbox::now_utc())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A device's signing key and whether it is a lead's (admin) device.
async fn signer(conn: &mut SqliteConnection, device_id: Uuid) -> Result<Option<(PublicKey, bool)>> {
    let row: Option<(Vec<u8>, bool)> =
        sqlx::query_as("SELECT sign_key, admin FROM sync_devices WHERE device_id = ?")
            .bind(device_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.and_then(|(key, admin)| Some((PublicKey(key.try_into().ok()?), admin))))
}

/// What sealing found.
#[derive(Debug, Default)]
pub struct Sealed {
    pub changes: usize,
    /// Cases and sections whose rows wait for a scope this laptop is to make.
    pub without_scope: BTreeSet<Target>,
}

/// Seal every change not yet sealed into envelopes of its scope, waiting in
/// `sync_outgoing`. Changes of scopes this laptop holds no key of wait in the outbox.
pub async fn seal_pending(
    conn: &mut SqliteConnection,
    identity: &DeviceIdentity,
    state: &SyncState,
) -> Result<Sealed> {
    let keys = scopes::newest_keys(conn).await?;
    if state.team_scope_id.is_none() || !keys.contains_key(&Target::Team) {
        // Until this laptop holds the team's key, nothing it wrote can travel.
        return Ok(Sealed::default());
    }
    let ready: BTreeSet<Target> = keys.keys().cloned().collect();
    let captured = capture::capture(conn, &ready).await?;
    let mut sealed = Sealed {
        changes: 0,
        without_scope: captured.without_scope,
    };
    for (target, changes) in captured.changes {
        let Some(scope) = keys.get(&target) else {
            continue;
        };
        sealed.changes += changes.len();
        let mut batch: Vec<RowChange> = Vec::new();
        let mut bytes = 0;
        for change in changes {
            bytes += serde_json::to_vec(&change)?.len();
            batch.push(change);
            if bytes >= BATCH_BYTES {
                queue(conn, identity, state, scope, std::mem::take(&mut batch)).await?;
                bytes = 0;
            }
        }
        if !batch.is_empty() {
            queue(conn, identity, state, scope, batch).await?;
        }
    }
    Ok(sealed)
}

async fn queue(
    conn: &mut SqliteConnection,
    identity: &DeviceIdentity,
    state: &SyncState,
    scope: &scopes::ScopeKey,
    changes: Vec<RowChange>,
) -> Result<()> {
    let count = changes.len();
    let plaintext = zeroize::Zeroizing::new(serde_json::to_vec(&Batch { changes })?);
    let envelope = seal::seal_envelope(
        identity,
        state.team_id,
        scope.scope_id,
        scope.epoch,
        &scope.key,
        &plaintext,
        ruam_wire::client::now_ms(),
    )?;
    queue_envelope(conn, &envelope, count).await
}

pub async fn queue_envelope(
    conn: &mut SqliteConnection,
    envelope: &Envelope,
    changes: usize,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_outgoing (envelope_id, scope_id, epoch, body, changes, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(envelope.header.envelope_id.to_string())
    .bind(envelope.header.scope_id.to_string())
    .bind(i64::from(envelope.header.epoch))
    .bind(envelope.encode())
    .bind(i64::try_from(changes).unwrap_or(i64::MAX))
    .bind(crate::outbox::now_utc())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Envelopes sealed and waiting for the relay, and the row changes they carry.
pub async fn pending(pool: &SqlitePool) -> Result<(i64, i64)> {
    Ok(
        sqlx::query_as("SELECT count(*), coalesce(sum(changes), 0) FROM sync_outgoing")
            .fetch_one(pool)
            .await?,
    )
}

pub fn relay_error(err: ClientError) -> Error {
    match err {
        ClientError::Refused { message, .. } => Error::RelayRefused(message),
        other => Error::Offline(other.to_string()),
    }
}

/// Push what waits, oldest first, until none does. Each page leaves the queue only once
/// the relay has stored it; a repeat is harmless (the relay keeps one copy).
pub async fn push(pool: &SqlitePool, client: &RelayClient, state: &SyncState) -> Result<usize> {
    let mut pushed = 0;
    loop {
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, body FROM sync_outgoing ORDER BY seq LIMIT ?")
                .bind(PUSH_ENVELOPES)
                .fetch_all(pool)
                .await?;
        if rows.is_empty() {
            return Ok(pushed);
        }
        // As many as fit in one request's body (at least one: an envelope always fits).
        let mut bytes = 0;
        let fit = rows
            .iter()
            .take_while(|(_, body)| {
                bytes += body.len() + 4;
                bytes <= PUSH_BYTES
            })
            .count()
            .max(1);
        let rows = &rows[..fit];
        let envelopes = rows
            .iter()
            .map(|(_, body)| Envelope::decode(body))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::invalid("sync", format!("a sealed envelope waiting here {e}")))?;
        if let Err(refused) = client.push(state.team_id, &envelopes).await {
            // A push is refused whole. Keys or a notice for a laptop's inbox that the relay
            // refuses (that laptop was revoked meanwhile) are moot: they are let go, one by
            // one, so that they never hold back the rest. Anything else stops the round.
            if !matches!(refused, ClientError::Refused { .. }) || rows.len() == 1 {
                if rows.len() == 1 && envelopes[0].header.epoch == 0 {
                    if let ClientError::Refused { .. } = refused {
                        tracing::warn!(envelope = %envelopes[0].header.envelope_id, "an inbox envelope the relay refuses is let go");
                        sqlx::query("DELETE FROM sync_outgoing WHERE seq = ?")
                            .bind(rows[0].0)
                            .execute(pool)
                            .await?;
                        continue;
                    }
                }
                return Err(relay_error(refused));
            }
            for ((seq, _), envelope) in rows.iter().zip(&envelopes) {
                match client
                    .push(state.team_id, std::slice::from_ref(envelope))
                    .await
                {
                    Ok(_) => pushed += 1,
                    Err(ClientError::Refused { .. }) if envelope.header.epoch == 0 => {
                        tracing::warn!(envelope = %envelope.header.envelope_id, "an inbox envelope the relay refuses is let go");
                    }
                    Err(err) => return Err(relay_error(err)),
                }
                sqlx::query("DELETE FROM sync_outgoing WHERE seq = ?")
                    .bind(seq)
                    .execute(pool)
                    .await?;
            }
            continue;
        }
        let last = rows.last().map(|(seq, _)| *seq).unwrap_or_default();
        sqlx::query("DELETE FROM sync_outgoing WHERE seq <= ?")
            .bind(last)
            .execute(pool)
            .await?;
        pushed += rows.len();
    }
}

/// What a pull did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pulled {
    pub envelopes: usize,
    pub applied: Applied,
    /// Envelopes refused (bad signature, not decryptable, malformed): logged, not applied.
    pub refused: usize,
    /// Envelopes of a key epoch this laptop does not hold yet: the pull stops before them.
    pub waiting_for_keys: bool,
    /// Cases this laptop was taken off, and deleted.
    pub dropped_cases: usize,
}

impl Pulled {
    pub fn add(&mut self, other: Pulled) {
        self.envelopes += other.envelopes;
        self.refused += other.refused;
        self.applied.add(other.applied);
        self.waiting_for_keys |= other.waiting_for_keys;
        self.dropped_cases += other.dropped_cases;
    }
}

async fn seen(conn: &mut SqliteConnection, envelope: &Envelope) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sync_seen WHERE envelope_id = ?")
        .bind(envelope.header.envelope_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

async fn mark_seen(
    conn: &mut SqliteConnection,
    envelope: &Envelope,
    seq: i64,
    refused: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_seen (envelope_id, seq, outcome, reason, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (envelope_id) DO NOTHING",
    )
    .bind(envelope.header.envelope_id.to_string())
    .bind(seq)
    .bind(if refused.is_some() {
        "refused"
    } else {
        "applied"
    })
    .bind(refused)
    .bind(crate::outbox::now_utc())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Apply one page of pulled envelopes in the caller's transaction (after this laptop's own
/// changes were sealed in it). Stops before an envelope whose key this laptop lacks;
/// returns the sequence number to pull after next time, and keeps it when `advance` (a
/// page of the team's pull, not of this laptop's inbox).
pub async fn apply_page(
    conn: &mut SqliteConnection,
    identity: &DeviceIdentity,
    state: &SyncState,
    outbox: &Outbox,
    envelopes: &[(i64, Envelope)],
    mut after: i64,
    advance: bool,
) -> Result<(i64, Pulled)> {
    let mut report = Pulled::default();
    for (seq, envelope) in envelopes {
        let h = &envelope.header;
        if seen(conn, envelope).await? || h.device_id == identity.device_id {
            after = (*seq).max(after);
            continue;
        }
        report.envelopes += 1;
        let refusal = if h.team_id != state.team_id {
            Some("is for another team".to_owned())
        } else {
            match signer(conn, h.device_id).await? {
                None => Some("is signed by a device the team does not know".to_owned()),
                Some((key, admin)) if h.scope_id == identity.device_id => {
                    match super::inbox::open_inbox(conn, identity, state, envelope, &key, admin)
                        .await?
                    {
                        Ok(dropped) => {
                            report.dropped_cases += dropped;
                            None
                        }
                        Err(reason) => Some(reason),
                    }
                }
                Some((key, admin)) => {
                    let Some((_, scope_key)) = key_at(conn, h.scope_id, Some(h.epoch)).await?
                    else {
                        report.waiting_for_keys = true;
                        break;
                    };
                    let Some(expected) = scopes::target_of_scope(conn, h.scope_id).await? else {
                        report.waiting_for_keys = true;
                        break;
                    };
                    match seal::open_envelope(envelope, &key, &scope_key) {
                        Err(e) => Some(e.to_string()),
                        Ok(plaintext) => match serde_json::from_slice::<Batch>(&plaintext) {
                            Err(_) => Some("does not hold row changes".to_owned()),
                            Ok(batch) => {
                                match apply_batch(
                                    conn,
                                    &batch,
                                    &expected,
                                    outbox,
                                    (h.device_id, admin),
                                )
                                .await?
                                {
                                    Err(reason) => Some(reason),
                                    Ok(applied) => {
                                        report.applied.add(applied);
                                        None
                                    }
                                }
                            }
                        },
                    }
                }
            }
        };
        if let Some(reason) = &refusal {
            report.refused += 1;
            tracing::warn!(envelope = %h.envelope_id, device = %h.device_id, seq, reason = %reason, "envelope refused");
        }
        mark_seen(conn, envelope, *seq, refusal.as_deref()).await?;
        after = (*seq).max(after);
    }
    if advance {
        sqlx::query("UPDATE sync_state SET pulled_seq = max(pulled_seq, ?) WHERE id = 1")
            .bind(after)
            .execute(&mut *conn)
            .await?;
    }
    // What this page brought may let held changes in (the row they refer to, a rename).
    let any_held: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sync_held)")
        .fetch_one(&mut *conn)
        .await?;
    if any_held {
        report.applied.rows += super::held::retry(conn).await?;
    }
    if report.envelopes > 0 {
        // Approvals given on two laptops may together approve a request.
        let me: Option<String> =
            sqlx::query_scalar("SELECT member_id FROM sync_devices WHERE device_id = ?")
                .bind(identity.device_id.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .flatten();
        if let Some(me) = me {
            crate::funds::store::settle_approved(conn, outbox, &me).await?;
            crate::funds::store::release_withdrawn(conn, outbox, &me).await?;
        }
    }
    Ok((after, report))
}

/// Rows new here, of one entity and giving the same columns, waiting to go in together.
#[derive(Default)]
struct Fresh {
    entity: Option<&'static super::entities::Entity>,
    columns: Vec<&'static str>,
    /// Each: the change's index in its batch, and the row's shadow after.
    rows: Vec<(usize, capture::Shadow)>,
    keys: std::collections::HashSet<(String, String)>,
}

/// How many rows one statement inserts at most.
const FRESH_ROWS: usize = 100;

impl Fresh {
    fn columns_of(
        entity: &'static super::entities::Entity,
        change: &RowChange,
    ) -> Vec<&'static str> {
        entity
            .columns
            .iter()
            .copied()
            .filter(|c| change.fields.contains_key(*c))
            .collect()
    }

    fn holds(&self, key: &(String, String)) -> bool {
        self.keys.contains(key)
    }

    fn fits(&self, entity: &'static super::entities::Entity, change: &RowChange) -> bool {
        self.rows.is_empty()
            || (self.rows.len() < FRESH_ROWS
                && self.entity.is_some_and(|e| e.name == entity.name)
                && self.columns == Self::columns_of(entity, change))
    }

    fn add(
        &mut self,
        entity: &'static super::entities::Entity,
        index: usize,
        change: &RowChange,
        next: capture::Shadow,
    ) {
        if self.rows.is_empty() {
            self.entity = Some(entity);
            self.columns = Self::columns_of(entity, change);
        }
        self.keys
            .insert((entity.name.to_owned(), change.id.clone()));
        self.rows.push((index, next));
    }

    /// Insert the rows waiting, in one statement. Should one of them break a rule, each
    /// goes in on its own instead (and the one that breaks it is held). `Err(reason)`:
    /// the batch is refused.
    async fn flush(
        &mut self,
        conn: &mut SqliteConnection,
        batch: &Batch,
        ahead: &mut apply::Ahead,
        total: &mut Applied,
    ) -> Result<std::result::Result<(), String>> {
        let rows = std::mem::take(&mut self.rows);
        self.keys.clear();
        let Some(entity) = self.entity.take() else {
            return Ok(Ok(()));
        };
        if rows.is_empty() {
            return Ok(Ok(()));
        }
        let values: Vec<(&str, &serde_json::Map<String, serde_json::Value>)> = rows
            .iter()
            .map(|(i, _)| (batch.changes[*i].id.as_str(), &batch.changes[*i].fields))
            .collect();
        match super::entities::insert_rows(conn, entity, &self.columns, &values).await {
            Ok(()) => {
                for (i, next) in rows {
                    let key = (entity.name.to_owned(), batch.changes[i].id.clone());
                    match &mut ahead.written {
                        Some(written) => {
                            written.insert(key, next);
                        }
                        None => {
                            capture::save_shadow(conn, entity.name, &key.1, &next).await?;
                        }
                    }
                    total.rows += 1;
                }
                Ok(Ok(()))
            }
            Err(err) if super::held::broken_rule(&err).is_some() => {
                for (i, _) in rows {
                    let change = &batch.changes[i];
                    ahead
                        .exists
                        .insert((entity.name.to_owned(), change.id.clone()), false);
                    match super::held::apply_or_hold(conn, change, None, ahead).await {
                        Ok((applied, _)) => total.add(applied),
                        Err(Error::Invalid { reason, .. }) => return Ok(Err(reason)),
                        Err(err) => return Err(err),
                    }
                }
                Ok(Ok(()))
            }
            Err(err) => Err(err),
        }
    }
}

/// Apply a batch whole, in a savepoint. A change that is not of the envelope's scope (a
/// laptop writing into a case what belongs elsewhere) refuses the whole batch, as does one
/// that names what is not replicated; a failure of the vault itself is an error.
async fn apply_batch(
    conn: &mut SqliteConnection,
    batch: &Batch,
    expected: &Target,
    outbox: &Outbox,
    (sender, from_lead): (Uuid, bool),
) -> Result<std::result::Result<Applied, String>> {
    // Who is on the team and what each role may do is a lead's to change: a member's
    // laptop that writes it (a changed client) is refused whole, on every laptop.
    if !from_lead {
        if let Some(change) = batch
            .changes
            .iter()
            .find(|c| super::entities::leads_only(c))
        {
            return Ok(Err(format!(
                "changes the team's {} but is not a lead's laptop",
                change.entity
            )));
        }
    }
    // What a member may write, by their role and their part in the case; a lead's laptop
    // may write all.
    if !from_lead {
        if let Some(reason) = super::rights::refusal(conn, batch, expected, sender).await? {
            return Ok(Err(reason));
        }
    }
    let mut total = Applied::default();
    sqlx::query("SAVEPOINT batch").execute(&mut *conn).await?;
    let mut refusal = None;
    // The batch's rows, their shadows and open conflicts, read ahead.
    let mut by_entity: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for change in &batch.changes {
        by_entity
            .entry(change.entity.as_str())
            .or_default()
            .push(change.id.clone());
    }
    let mut ahead = apply::Ahead {
        open: None,
        exists: Default::default(),
        written: Some(Default::default()),
    };
    let mut shadows: std::collections::HashMap<(String, String), capture::Shadow> =
        Default::default();
    for (name, ids) in &by_entity {
        let Some(entity) = super::entities::entity(name) else {
            continue;
        };
        let found = super::entities::existing(conn, entity, ids).await?;
        for id in ids {
            ahead
                .exists
                .insert((entity.name.to_owned(), id.clone()), found.contains(id));
        }
        for (id, shadow) in capture::load_shadows(conn, entity.name, ids).await? {
            shadows.insert((entity.name.to_owned(), id), shadow);
        }
    }
    let open: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT entity, entity_id FROM sync_conflicts WHERE resolved_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    ahead.open = Some(open.into_iter().collect());
    let mut fresh = Fresh::default();
    for (index, change) in batch.changes.iter().enumerate() {
        let Some(entity) = super::entities::entity(&change.entity) else {
            refusal = Some(format!("names an unknown entity {}", change.entity));
            break;
        };
        let key = (entity.name.to_owned(), change.id.clone());
        let reads_parent = entity.scope == super::entities::ScopeRule::Parent;
        if fresh.holds(&key) || reads_parent {
            // A second change of a row waiting to go in, or a row whose scope is its
            // parent's (read from the vault): what waits goes in first.
            if let Err(reason) = fresh.flush(conn, batch, &mut ahead, &mut total).await? {
                refusal = Some(reason);
                break;
            }
        }
        let shadow = match ahead.written.as_ref().and_then(|w| w.get(&key)) {
            Some(written) => Some(written.clone()),
            None => shadows.remove(&key),
        };
        if capture::target_of_change(conn, entity, change, shadow.as_ref()).await? != *expected {
            refusal = Some("holds a row of another scope".to_owned());
            break;
        }
        if change.entity == super::blob::PART {
            // Kept apart, never shadowed, until its file's row comes.
            match super::blob::receive_part(conn, change).await {
                Ok(()) => continue,
                Err(Error::Invalid { reason, .. }) => {
                    refusal = Some(reason);
                    break;
                }
                Err(err) => {
                    undo_batch(conn).await?;
                    return Err(err);
                }
            }
        }
        // Rows new here go in together, many a statement.
        let new_here = shadow.is_none()
            && ahead.exists.get(&key) == Some(&false)
            && !super::entities::checked_on_apply(entity.name);
        let next = if new_here {
            match apply::fresh_row(change) {
                Ok(next) => next,
                Err(Error::Invalid { reason, .. }) => {
                    refusal = Some(reason);
                    break;
                }
                Err(err) => {
                    undo_batch(conn).await?;
                    return Err(err);
                }
            }
        } else {
            None
        };
        if let Some(next) = next {
            if !fresh.fits(entity, change) {
                if let Err(reason) = fresh.flush(conn, batch, &mut ahead, &mut total).await? {
                    refusal = Some(reason);
                    break;
                }
            }
            fresh.add(entity, index, change, next);
            // Taken as new from here on (a later change of it in this batch waits for it).
            ahead.exists.insert(key, true);
            continue;
        }
        if let Err(reason) = fresh.flush(conn, batch, &mut ahead, &mut total).await? {
            refusal = Some(reason);
            break;
        }
        match super::held::apply_or_hold(conn, change, shadow, &mut ahead).await {
            Ok((applied, _)) => {
                total.add(applied);
            }
            Err(Error::Invalid { reason, .. }) => {
                refusal = Some(reason);
                break;
            }
            Err(err) => {
                undo_batch(conn).await?;
                return Err(err);
            }
        }
    }
    if refusal.is_none() {
        if let Err(reason) = fresh.flush(conn, batch, &mut ahead, &mut total).await? {
            refusal = Some(reason);
        }
    }
    if let Some(reason) = refusal {
        undo_batch(conn).await?;
        return Ok(Err(reason));
    }
    ahead.save(conn).await?;
    if let Target::Case(case_id) = expected {
        // The case's search index follows its people and notes as they now are.
        crate::cases::store::rebuild_index(conn, case_id).await?;
    }
    for change in &batch.changes {
        outbox.observe(&change.hlc);
    }
    if let Some(newest) = batch.changes.iter().map(|c| c.hlc.as_str()).max() {
        sqlx::query(
            "UPDATE sync_state SET newest_hlc = max(coalesce(newest_hlc, ''), ?) WHERE id = 1",
        )
        .bind(newest)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("RELEASE batch").execute(&mut *conn).await?;
    Ok(Ok(total))
}

/// Undo what a batch wrote so far, and end its savepoint.
async fn undo_batch(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("ROLLBACK TO batch").execute(&mut *conn).await?;
    sqlx::query("RELEASE batch").execute(&mut *conn).await?;
    Ok(())
}

/// The exchange key bytes of a device this laptop knows.
pub async fn device_keys(
    conn: &mut SqliteConnection,
    device_id: Uuid,
) -> Result<Option<ruam_wire::api::DeviceKeys>> {
    let row: Option<(Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT sign_key, exchange_key FROM sync_devices WHERE device_id = ?")
            .bind(device_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.and_then(|(sign, exchange)| {
        Some(ruam_wire::api::DeviceKeys {
            device_id,
            sign_key: PublicKey(sign.try_into().ok()?),
            exchange_key: ExchangeKey(exchange.try_into().ok()?),
        })
    }))
}
