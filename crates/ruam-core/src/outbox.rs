//! The outbox of changes: every mutation is recorded once, in the same transaction,
//! with a hybrid logical clock, its author and this device, ready for sync.

use std::sync::Mutex;

use serde::Serialize;
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::Result;

/// UTC now as RFC 3339 with milliseconds, the one timestamp format of the vault.
pub fn now_utc() -> String {
    format_utc(time::OffsetDateTime::now_utc())
}

/// A moment as the vault writes it: RFC 3339 in UTC with always three digits of
/// milliseconds. RFC 3339 as `time` writes it drops trailing zeros (`…:12Z` at a whole
/// second), and such a time sorts after `…:12.003Z`.
pub fn format_utc(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Insert,
    Update,
    Delete,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Insert => "insert",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
}

/// Stamps changes made on this device. Clock values only grow, even if the wall clock
/// steps back.
#[derive(Debug)]
pub struct Outbox {
    device_id: String,
    last: Mutex<(i64, u32)>,
}

impl Outbox {
    pub fn new(device_id: String) -> Self {
        Self {
            device_id,
            last: Mutex::new((0, 0)),
        }
    }

    /// Continue from the newest clock value already in the vault.
    pub async fn resume(device_id: String, pool: &sqlx::SqlitePool) -> Result<Self> {
        // The newest of this laptop's own clocks and of those seen from other laptops.
        let newest: Option<String> = sqlx::query_scalar(
            "SELECT max(h) FROM (SELECT max(hlc) AS h FROM changes
                                 UNION ALL SELECT newest_hlc FROM sync_state)",
        )
        .fetch_one(pool)
        .await?;
        let outbox = Self::new(device_id);
        if let Some((ms, counter)) = newest.as_deref().and_then(parse_hlc) {
            *outbox.last.lock().expect("clock mutex") = (ms, counter);
        }
        Ok(outbox)
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Move the clock past a stamp seen from another laptop, so that what is written here
    /// next is ordered after what was read.
    pub fn observe(&self, hlc: &str) {
        if let Some(seen) = parse_hlc(hlc) {
            let mut last = self.last.lock().expect("clock mutex");
            if seen > *last {
                *last = seen;
            }
        }
    }

    /// The next hybrid-logical-clock stamp: `<ms>:<counter>:<device>`, sortable as text.
    pub fn tick(&self) -> String {
        let wall = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        let wall = i64::try_from(wall).unwrap_or(i64::MAX);
        let mut last = self.last.lock().expect("clock mutex");
        *last = if wall > last.0 {
            (wall, 0)
        } else {
            (last.0, last.1 + 1)
        };
        format!("{:015}:{:05}:{}", last.0, last.1, self.device_id)
    }

    /// Record one mutation inside the caller's transaction.
    pub async fn record(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        author: Option<&str>,
        entity: &str,
        entity_id: &str,
        op: Op,
        fields: &serde_json::Value,
    ) -> Result<()> {
        self.record_on(tx, author, entity, entity_id, op, fields)
            .await
    }

    /// The same on a connection the caller holds inside its transaction.
    pub async fn record_on(
        &self,
        conn: &mut SqliteConnection,
        author: Option<&str>,
        entity: &str,
        entity_id: &str,
        op: Op,
        fields: &serde_json::Value,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO changes (id, entity, entity_id, op, fields, hlc, author, device, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(entity)
        .bind(entity_id)
        .bind(op.as_str())
        .bind(fields.to_string())
        .bind(self.tick())
        .bind(author)
        .bind(&self.device_id)
        .bind(now_utc())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Record many mutations of one entity inside the caller's transaction, a few
    /// hundred a statement (an import of thousands of rows).
    pub async fn record_many(
        &self,
        conn: &mut SqliteConnection,
        author: Option<&str>,
        entity: &str,
        rows: &[(String, Op, serde_json::Value)],
    ) -> Result<()> {
        const AT_ONCE: usize = 300;
        let now = now_utc();
        for chunk in rows.chunks(AT_ONCE) {
            let mut sql = String::from(
                "INSERT INTO changes (id, entity, entity_id, op, fields, hlc, author, device, created_at) VALUES ",
            );
            sql.push_str(&vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", "));
            let mut query = sqlx::query(&sql);
            for (id, op, fields) in chunk {
                query = query
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(entity)
                    .bind(id)
                    .bind(op.as_str())
                    .bind(fields.to_string())
                    .bind(self.tick())
                    .bind(author)
                    .bind(&self.device_id)
                    .bind(&now);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

pub(crate) fn parse_hlc(hlc: &str) -> Option<(i64, u32)> {
    let mut parts = hlc.splitn(3, ':');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_strictly_increasing_as_text() {
        let outbox = Outbox::new("dev".into());
        let mut previous = outbox.tick();
        for _ in 0..1000 {
            let next = outbox.tick();
            assert!(next > previous, "{next} !> {previous}");
            previous = next;
        }
    }

    #[test]
    fn a_clock_seen_from_another_laptop_is_passed() {
        let outbox = Outbox::new("here".into());
        let far = format!("{:015}:{:05}:{}", i64::MAX / 4, 3, "there");
        outbox.observe(&far);
        let next = outbox.tick();
        assert!(next > far, "{next} !> {far}");
        // An older one changes nothing.
        outbox.observe("000000000000001:00000:old");
        assert!(outbox.tick() > next);
    }

    #[test]
    fn clock_never_goes_back_after_resume() {
        let outbox = Outbox::new("dev".into());
        *outbox.last.lock().unwrap() = (i64::MAX / 2, 7);
        let stamp = outbox.tick();
        assert_eq!(parse_hlc(&stamp), Some((i64::MAX / 2, 8)));
    }

    #[test]
    fn timestamps_are_utc_rfc3339() {
        let now = now_utc();
        assert!(now.ends_with('Z'), "{now}");
        // Fixed width, so that text order is time order (even at a whole second).
        assert_eq!(now.len(), "2026-11-29T01:40:12.000Z".len(), "{now}");
        assert_eq!(&now[19..20], ".", "{now}");
        // A whole second (as failed sign-ins are kept) still has its three digits.
        let whole = time::OffsetDateTime::from_unix_timestamp(1_796_000_000).unwrap();
        assert_eq!(format_utc(whole), "2026-11-30T00:53:20.000Z");
        assert!(
            time::OffsetDateTime::parse(&now, &time::format_description::well_known::Rfc3339)
                .is_ok()
        );
    }
}
