//! The audit log as the team lead reads it: filtered pages, and an export to a CSV file.
//! Entries name members and record ids, never the content of a record.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::{State, Vault};
use crate::access::{Action, Resource};
use crate::{Error, Result};

pub const PAGE_DEFAULT: u32 = 200;
pub const PAGE_MAX: u32 = 1000;

/// Which entries: by member, by kind of record (and one record), between two dates
/// (inclusive, in the viewer's time zone), newest first, a page at a time.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct AuditQuery {
    pub member_id: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// The viewer's offset from UTC in minutes (Thailand: 420), to read the dates in.
    pub utc_offset_minutes: Option<i32>,
    /// Entries older than this one: the `cursor` of the last entry of the previous page.
    pub before: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub outcome: String,
    pub device: String,
    /// Whose audit log it is from: `None` for this laptop's own, or the sync device id of
    /// the laptop that wrote it (its entries reach the laptops of those who read the log).
    pub laptop: Option<String>,
    /// Where this entry stands in the merged log, to ask for the entries after it.
    pub cursor: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditRow>,
    /// Older entries match too: ask again with `before` set to the last entry's cursor.
    pub more: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExportedFile {
    pub path: String,
    pub entries: u32,
}

/// A checked query: the SQL bounds of the dates, and where the page starts.
struct Bounds {
    from: Option<String>,
    until: Option<String>,
    before: Option<(String, String, i64)>,
}

/// A cursor as `AuditRow::cursor` makes it: `<at>|<laptop or empty>|<seq>`.
fn parse_cursor(raw: &str) -> Result<(String, String, i64)> {
    let refused = || Error::invalid("before", "is not the cursor of an entry of the audit log");
    let mut parts = raw.split('|');
    let (Some(at), Some(laptop), Some(seq), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused());
    };
    let seq: i64 = seq.parse().map_err(|_| refused())?;
    if at.is_empty() || at.len() > 40 || laptop.len() > 40 || seq < 1 {
        return Err(refused());
    }
    Ok((at.to_owned(), laptop.to_owned(), seq))
}

fn parse_date(field: &'static str, raw: &str) -> Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw.trim(), &format)
        .map_err(|_| Error::invalid(field, format!("“{raw}” is not a date (YYYY-MM-DD)")))
}

impl AuditQuery {
    fn bounds(&self) -> Result<Bounds> {
        let minutes = self.utc_offset_minutes.unwrap_or(0);
        if !(-720..=840).contains(&minutes) {
            return Err(Error::invalid(
                "utc_offset_minutes",
                "must be between -720 and 840",
            ));
        }
        let offset = time::UtcOffset::from_whole_seconds(minutes * 60)
            .map_err(|_| Error::invalid("utc_offset_minutes", "is not a time-zone offset"))?;
        let instant = |date: time::Date| {
            let at = date.with_time(time::Time::MIDNIGHT).assume_offset(offset);
            let utc = at.to_offset(time::UtcOffset::UTC);
            let format = time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].000Z"
            );
            utc.format(&format).map_err(|_| Error::Encode("a date"))
        };
        let from = self.from.as_deref().filter(|s| !s.trim().is_empty());
        let to = self.to.as_deref().filter(|s| !s.trim().is_empty());
        let from_date = from.map(|f| parse_date("from", f)).transpose()?;
        let to_date = to.map(|t| parse_date("to", t)).transpose()?;
        if let (Some(from), Some(to)) = (from_date, to_date) {
            if to < from {
                return Err(Error::invalid("to", "is before the start date"));
            }
        }
        let until = to_date
            .map(|d| {
                d.next_day()
                    .ok_or_else(|| Error::invalid("to", "is too far in the future"))
            })
            .transpose()?;
        Ok(Bounds {
            from: from_date.map(instant).transpose()?,
            until: until.map(instant).transpose()?,
            before: self
                .before
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(parse_cursor)
                .transpose()?,
        })
    }

    fn push_filters(&self, sql: &mut QueryBuilder<'_, Sqlite>, bounds: &Bounds) {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(member) = clean(&self.member_id) {
            sql.push(" AND a.actor = ").push_bind(member);
        }
        if let Some(entity) = clean(&self.entity) {
            sql.push(" AND a.entity = ").push_bind(entity);
        }
        if let Some(id) = clean(&self.entity_id) {
            sql.push(" AND a.entity_id = ").push_bind(id);
        }
        if let Some(from) = &bounds.from {
            sql.push(" AND a.at >= ").push_bind(from.clone());
        }
        if let Some(until) = &bounds.until {
            sql.push(" AND a.at < ").push_bind(until.clone());
        }
        if let Some((at, laptop, seq)) = &bounds.before {
            sql.push(" AND (a.at, a.laptop, a.seq) < (")
                .push_bind(at.clone())
                .push(", ")
                .push_bind(laptop.clone())
                .push(", ")
                .push_bind(*seq)
                .push(")");
        }
    }
}

async fn query(pool: &SqlitePool, q: &AuditQuery, limit: Option<u32>) -> Result<Vec<AuditRow>> {
    let bounds = q.bounds()?;
    let mut sql = QueryBuilder::<Sqlite>::new(
        "SELECT a.seq, a.at, a.actor AS actor_id, m.display_name AS actor_name, a.action,
                a.entity, a.entity_id, a.outcome, a.device, NULLIF(a.laptop, '') AS laptop,
                a.at || '|' || a.laptop || '|' || a.seq AS cursor
         FROM (SELECT seq, at, actor, action, entity, entity_id, outcome, device, '' AS laptop
               FROM audit_log
               UNION ALL
               SELECT seq, at, actor, action, entity, entity_id, outcome, device, origin
               FROM audit_remote) a
         LEFT JOIN members m ON m.id = a.actor WHERE 1 = 1",
    );
    q.push_filters(&mut sql, &bounds);
    sql.push(" ORDER BY a.at DESC, a.laptop DESC, a.seq DESC");
    if let Some(limit) = limit {
        sql.push(" LIMIT ").push_bind(i64::from(limit));
    }
    Ok(sql.build_query_as().fetch_all(pool).await?)
}

pub(super) use crate::csv::field as csv_field;

fn to_csv(rows: &[AuditRow]) -> String {
    let mut out =
        String::from("seq,at,member,member_id,action,entity,entity_id,outcome,device,laptop\n");
    for row in rows {
        let fields = [
            row.seq.to_string(),
            row.at.clone(),
            row.actor_name.clone().unwrap_or_default(),
            row.actor_id.clone().unwrap_or_default(),
            row.action.clone(),
            row.entity.clone().unwrap_or_default(),
            row.entity_id.clone().unwrap_or_default(),
            row.outcome.clone(),
            row.device.clone(),
            row.laptop.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

impl Vault {
    /// A page of the audit log, newest first.
    pub async fn audit_log(&self, q: AuditQuery) -> Result<AuditPage> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::ReadAuditLog, Resource::AuditLog)
            .await?;
        let limit = q.limit.unwrap_or(PAGE_DEFAULT);
        if !(1..=PAGE_MAX).contains(&limit) {
            return Err(Error::invalid(
                "limit",
                format!("must be between 1 and {PAGE_MAX}"),
            ));
        }
        let mut entries = query(&open.pool, &q, Some(limit + 1)).await?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        Ok(AuditPage { entries, more })
    }

    /// Write every entry that matches to a new CSV file in `dir`; the export itself is
    /// recorded in the audit log.
    pub async fn export_audit_log(&self, q: AuditQuery, dir: &Path) -> Result<ExportedFile> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::ExportAuditLog, Resource::AuditLog)
            .await?;
        let rows = query(&open.pool, &q, None).await?;
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]-[hour][minute][second]"
            ))
            .map_err(|_| Error::Encode("a date"))?;
        let path: PathBuf = dir.join(format!("ruam-audit-log-{stamp}.csv"));
        crate::paths::write_atomic(&path, to_csv(&rows).as_bytes())?;
        // An export that cannot be recorded is not left behind.
        if let Err(err) = open.audit("audit.export", None).await {
            if let Err(remove) = std::fs::remove_file(&path) {
                tracing::warn!(%remove, "could not remove an export that was not recorded");
            }
            return Err(err);
        }
        tracing::info!(entries = rows.len(), "audit log exported");
        Ok(ExportedFile {
            path: path.display().to_string(),
            entries: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_viewers_time_zone() {
        let q = AuditQuery {
            from: Some("2026-11-28".into()),
            to: Some("2026-11-28".into()),
            utc_offset_minutes: Some(420),
            ..AuditQuery::default()
        };
        let b = q.bounds().unwrap();
        assert_eq!(b.from.as_deref(), Some("2026-11-27T17:00:00.000Z"));
        assert_eq!(b.until.as_deref(), Some("2026-11-28T17:00:00.000Z"));
    }

    #[test]
    fn bad_dates_name_their_field() {
        for (from, to, field) in [
            ("28/11/2026", "", "from"),
            ("", "2026-13-01", "to"),
            ("2026-11-28", "2026-11-01", "to"),
        ] {
            let q = AuditQuery {
                from: Some(from.into()),
                to: Some(to.into()),
                ..AuditQuery::default()
            };
            match q.bounds() {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                Err(other) => panic!("{other:?}"),
                Ok(_) => panic!("{from} {to} accepted"),
            }
        }
    }
}
