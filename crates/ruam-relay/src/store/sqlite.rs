//! The relay's embedded store: one SQLite file (WAL). One connection writes, so that
//! sequence numbers are handed out in commit order; four read.

use std::path::Path;
use std::str::FromStr;

use ruam_wire::api::{DeviceKeys, Grant, Pushed, ScopeGrant};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use uuid::Uuid;

use super::{
    epoch_from, keys_from, status_from, DeviceRow, InviteRow, NewEnvelope, PullScope, RelayStore,
    StoreResult,
};

#[derive(Debug, Clone)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

type DeviceTuple = (
    Uuid,
    Uuid,
    Vec<u8>,
    Vec<u8>,
    String,
    bool,
    i64,
    Option<i64>,
    Option<String>,
);
const DEVICE_COLUMNS: &str =
    "team_id, id, sign_key, exchange_key, status, admin, enrolled_ms, last_seen_ms, invite_id";

fn device_row(t: DeviceTuple) -> StoreResult<DeviceRow> {
    Ok(DeviceRow {
        team_id: t.0,
        keys: keys_from(t.1, &t.2, &t.3)?,
        status: status_from(&t.4)?,
        admin: t.5,
        enrolled_ms: t.6,
        last_seen_ms: t.7,
        invite_id: t.8,
    })
}

impl SqliteStore {
    /// Open (or make) the store at `path` and bring its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        Self::connect(options).await
    }

    /// `sqlite://…` as the relay's `--database` gives it.
    pub async fn open_url(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        Self::connect(options).await
    }

    async fn connect(options: SqliteConnectOptions) -> StoreResult<Self> {
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { read, write })
    }

    /// The reading pool, for tests that look at what the relay holds.
    pub fn pool(&self) -> &SqlitePool {
        &self.read
    }

    /// Close both pools, waiting for what they are doing (a relay stopping).
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

impl RelayStore for SqliteStore {
    async fn create_team(
        &self,
        team_id: Uuid,
        device: &DeviceKeys,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let made =
            sqlx::query("INSERT INTO teams (id, created_ms) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(team_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if made == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO devices (team_id, id, sign_key, exchange_key, status, admin, enrolled_ms)
             VALUES (?, ?, ?, ?, 'active', 1, ?)",
        )
        .bind(team_id)
        .bind(device.device_id)
        .bind(&device.sign_key.0[..])
        .bind(&device.exchange_key.0[..])
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn device(&self, team_id: Uuid, device_id: Uuid) -> StoreResult<Option<DeviceRow>> {
        let row: Option<DeviceTuple> = sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE team_id = ? AND id = ?"
        ))
        .bind(team_id)
        .bind(device_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(device_row).transpose()
    }

    async fn devices(&self, team_id: Uuid) -> StoreResult<Vec<DeviceRow>> {
        let rows: Vec<DeviceTuple> = sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE team_id = ? ORDER BY enrolled_ms, id"
        ))
        .bind(team_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(device_row).collect()
    }

    async fn touch_device(&self, team_id: Uuid, device_id: Uuid, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE devices SET last_seen_ms = ?
             WHERE team_id = ? AND id = ? AND (last_seen_ms IS NULL OR last_seen_ms < ?)",
        )
        .bind(now_ms)
        .bind(team_id)
        .bind(device_id)
        .bind(now_ms - 60_000)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn use_nonce(&self, device_id: Uuid, nonce: &str, now_ms: i64) -> StoreResult<bool> {
        let fresh = sqlx::query(
            "INSERT INTO request_nonces (device_id, nonce, seen_ms) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(device_id)
        .bind(nonce)
        .bind(now_ms)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(fresh == 1)
    }

    async fn prune_nonces(&self, before_ms: i64) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM request_nonces WHERE seen_ms < ?")
            .bind(before_ms)
            .execute(&self.write)
            .await?
            .rows_affected())
    }

    async fn prune_invites(&self, before_ms: i64) -> StoreResult<u64> {
        Ok(
            sqlx::query("DELETE FROM invites WHERE used_by IS NULL AND expires_ms < ?")
                .bind(before_ms)
                .execute(&self.write)
                .await?
                .rows_affected(),
        )
    }

    async fn add_invite(
        &self,
        invite: &InviteRow,
        created_by: Uuid,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let made = sqlx::query(
            "INSERT INTO invites (id, team_id, invite_key, expires_ms, created_by, created_ms, welcome)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&invite.id)
        .bind(invite.team_id)
        .bind(&invite.invite_key.0[..])
        .bind(invite.expires_ms)
        .bind(created_by)
        .bind(now_ms)
        .bind(&invite.welcome)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(made == 1)
    }

    async fn invite(&self, invite_id: &str) -> StoreResult<Option<InviteRow>> {
        let row: Option<super::InviteColumns> = sqlx::query_as(
            "SELECT id, team_id, invite_key, expires_ms, used_by IS NOT NULL, welcome FROM invites WHERE id = ?",
        )
        .bind(invite_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|(id, team_id, key, expires_ms, used, welcome)| {
            Ok(InviteRow {
                id,
                team_id,
                invite_key: ruam_wire::PublicKey(
                    key.as_slice()
                        .try_into()
                        .map_err(|_| super::StoreError::Corrupt("invite key"))?,
                ),
                expires_ms,
                used,
                welcome,
            })
        })
        .transpose()
    }

    async fn enrol(
        &self,
        invite: &InviteRow,
        device: &DeviceKeys,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let used = sqlx::query(
            "UPDATE invites SET used_by = ?, used_ms = ?, welcome = NULL WHERE id = ? AND used_by IS NULL",
        )
        .bind(device.device_id)
        .bind(now_ms)
        .bind(&invite.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used == 0 {
            return Ok(false);
        }
        let made = sqlx::query(
            "INSERT INTO devices (team_id, id, sign_key, exchange_key, status, admin, invite_id, enrolled_ms)
             VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(invite.team_id)
        .bind(device.device_id)
        .bind(&device.sign_key.0[..])
        .bind(&device.exchange_key.0[..])
        .bind(&invite.id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if made == 0 {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn approve(&self, team_id: Uuid, device_id: Uuid, admin: bool) -> StoreResult<()> {
        sqlx::query(
            "UPDATE devices SET status = 'active', admin = ?
             WHERE team_id = ? AND id = ? AND status = 'pending'",
        )
        .bind(admin)
        .bind(team_id)
        .bind(device_id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn revoke(&self, team_id: Uuid, device_id: Uuid, now_ms: i64) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE devices SET status = 'revoked', admin = 0, revoked_ms = ?
             WHERE team_id = ? AND id = ?",
        )
        .bind(now_ms)
        .bind(team_id)
        .bind(device_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO scope_drops (team_id, scope_id, device_id, dropped_ms)
             SELECT team_id, scope_id, device_id, ? FROM grants WHERE team_id = ? AND device_id = ?
             ON CONFLICT DO NOTHING",
        )
        .bind(now_ms)
        .bind(team_id)
        .bind(device_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM grants WHERE team_id = ? AND device_id = ?")
            .bind(team_id)
            .bind(device_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn scope_epoch(&self, team_id: Uuid, scope_id: Uuid) -> StoreResult<Option<u32>> {
        let epoch: Option<i64> =
            sqlx::query_scalar("SELECT epoch FROM scopes WHERE team_id = ? AND id = ?")
                .bind(team_id)
                .bind(scope_id)
                .fetch_optional(&self.read)
                .await?;
        epoch.map(epoch_from).transpose()
    }

    async fn grants(&self, team_id: Uuid, scope_id: Uuid) -> StoreResult<Vec<Grant>> {
        let rows: Vec<(Uuid, bool)> = sqlx::query_as(
            "SELECT device_id, manage FROM grants WHERE team_id = ? AND scope_id = ? ORDER BY device_id",
        )
        .bind(team_id)
        .bind(scope_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(device_id, manage)| Grant { device_id, manage })
            .collect())
    }

    async fn set_scope(
        &self,
        team_id: Uuid,
        scope_id: Uuid,
        epoch: u32,
        grants: &[Grant],
        dropped: &[Uuid],
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO scopes (team_id, id, epoch, updated_ms) VALUES (?, ?, ?, ?)
             ON CONFLICT (team_id, id) DO UPDATE SET epoch = excluded.epoch, updated_ms = excluded.updated_ms",
        )
        .bind(team_id)
        .bind(scope_id)
        .bind(i64::from(epoch))
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM grants WHERE team_id = ? AND scope_id = ?")
            .bind(team_id)
            .bind(scope_id)
            .execute(&mut *tx)
            .await?;
        for grant in grants {
            sqlx::query(
                "INSERT INTO grants (team_id, scope_id, device_id, manage) VALUES (?, ?, ?, ?)",
            )
            .bind(team_id)
            .bind(scope_id)
            .bind(grant.device_id)
            .bind(grant.manage)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM scope_drops WHERE team_id = ? AND scope_id = ? AND device_id = ?",
            )
            .bind(team_id)
            .bind(scope_id)
            .bind(grant.device_id)
            .execute(&mut *tx)
            .await?;
        }
        for device_id in dropped {
            sqlx::query(
                "INSERT INTO scope_drops (team_id, scope_id, device_id, dropped_ms) VALUES (?, ?, ?, ?)
                 ON CONFLICT DO NOTHING",
            )
            .bind(team_id)
            .bind(scope_id)
            .bind(device_id)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn device_scopes(&self, team_id: Uuid, device_id: Uuid) -> StoreResult<Vec<ScopeGrant>> {
        let rows: Vec<(Uuid, i64, bool)> = sqlx::query_as(
            "SELECT s.id, s.epoch, g.manage FROM grants g
             JOIN scopes s ON s.team_id = g.team_id AND s.id = g.scope_id
             WHERE g.team_id = ? AND g.device_id = ? ORDER BY s.id",
        )
        .bind(team_id)
        .bind(device_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|(scope_id, epoch, manage)| {
                Ok(ScopeGrant {
                    scope_id,
                    epoch: epoch_from(epoch)?,
                    manage,
                })
            })
            .collect()
    }

    async fn dropped_scopes(&self, team_id: Uuid, device_id: Uuid) -> StoreResult<Vec<Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT scope_id FROM scope_drops WHERE team_id = ? AND device_id = ? ORDER BY scope_id",
        )
        .bind(team_id)
        .bind(device_id)
        .fetch_all(&self.read)
        .await?)
    }

    async fn append(
        &self,
        team_id: Uuid,
        envelopes: &[NewEnvelope],
        now_ms: i64,
    ) -> StoreResult<Vec<Pushed>> {
        let mut tx = self.write.begin().await?;
        let mut next: i64 = sqlx::query_scalar("SELECT next_seq FROM teams WHERE id = ?")
            .bind(team_id)
            .fetch_one(&mut *tx)
            .await?;
        let mut out = Vec::with_capacity(envelopes.len());
        for envelope in envelopes {
            let held: Option<i64> = sqlx::query_scalar(
                "SELECT seq FROM envelopes WHERE team_id = ? AND envelope_id = ?",
            )
            .bind(team_id)
            .bind(envelope.envelope_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(seq) = held {
                out.push(Pushed {
                    envelope_id: envelope.envelope_id,
                    seq,
                    duplicate: true,
                });
                continue;
            }
            next += 1;
            sqlx::query(
                "INSERT INTO envelopes (team_id, seq, scope_id, envelope_id, device_id, body, received_ms)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(team_id)
            .bind(next)
            .bind(envelope.scope_id)
            .bind(envelope.envelope_id)
            .bind(envelope.device_id)
            .bind(&envelope.body)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            out.push(Pushed {
                envelope_id: envelope.envelope_id,
                seq: next,
                duplicate: false,
            });
        }
        sqlx::query("UPDATE teams SET next_seq = ? WHERE id = ?")
            .bind(next)
            .bind(team_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn pull(
        &self,
        team_id: Uuid,
        scope: PullScope,
        after: i64,
        limit: u32,
        skip: Option<Uuid>,
    ) -> StoreResult<Vec<(i64, Option<Vec<u8>>)>> {
        let rows =
            match scope {
                PullScope::Device(device_id) => sqlx::query_as(
                    "SELECT seq, CASE WHEN device_id IS ?5 THEN NULL ELSE body END FROM envelopes
                     WHERE team_id = ?1 AND seq > ?2 AND (scope_id = ?3 OR scope_id IN
                         (SELECT scope_id FROM grants WHERE team_id = ?1 AND device_id = ?3))
                     ORDER BY seq LIMIT ?4",
                )
                .bind(team_id)
                .bind(after)
                .bind(device_id)
                .bind(i64::from(limit))
                .bind(skip)
                .fetch_all(&self.read)
                .await?,
                PullScope::One(scope_id) => sqlx::query_as(
                    "SELECT seq, CASE WHEN device_id IS ? THEN NULL ELSE body END FROM envelopes
                     WHERE team_id = ? AND scope_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                )
                .bind(skip)
                .bind(team_id)
                .bind(scope_id)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.read)
                .await?,
            };
        Ok(rows)
    }

    async fn head_seq(&self, team_id: Uuid) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT next_seq FROM teams WHERE id = ?")
                .bind(team_id)
                .fetch_optional(&self.read)
                .await?
                .unwrap_or(0),
        )
    }
}
