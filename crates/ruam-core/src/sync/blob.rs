//! Files between laptops: the bytes of an attachment or a receipt (up to
//! `cases::ATTACHMENT_MAX_BYTES`) go in parts small enough for an envelope each, ahead of
//! the row that names the file, in the same scope. Parts are never shadowed: they wait in
//! `sync_blob_parts` until all have arrived; then the file's row goes in with its bytes,
//! checked against the size and SHA-256 it gives, and the parts are let go. A file's row
//! whose parts have not all arrived is held (`Error::FileIncomplete`) and tried again
//! after every page.

use base64::Engine as _;
use serde_json::{Map, Value};
use sqlx::SqliteConnection;

use super::capture::Target;
use super::changes::RowChange;
use super::entities::{self, Entity};
use crate::{Error, Result};

/// Bytes of a file in one part (its base64 is a third more): one part an envelope.
pub const PART_BYTES: usize = 192 * 1024;

/// Parts of the largest file there may be.
const MAX_PARTS: usize = crate::cases::ATTACHMENT_MAX_BYTES.div_ceil(PART_BYTES);

/// The entity of a part of a file.
pub const PART: &str = "blob_part";

/// Whether rows of this entity carry a file's bytes (`content`, which never travels as a
/// field).
pub fn has_content(entity: &str) -> bool {
    matches!(
        entity,
        "case_attachment" | "card_attachment" | "fund_receipt"
    )
}

/// The parts of a file's bytes, to go ahead of its row's first change, in its scope.
pub async fn parts_of(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
    target: &Target,
    hlc: &str,
    author: Option<&str>,
) -> Result<Vec<RowChange>> {
    let content: Option<Vec<u8>> = sqlx::query_scalar(&format!(
        "SELECT content FROM {} WHERE {} = ?",
        entity.table, entity.id_column
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(content) = content else {
        return Ok(Vec::new());
    };
    let (case_id, section) = match target {
        Target::Team => (Value::Null, Value::Null),
        Target::Case(case) => (Value::from(case.as_str()), Value::Null),
        Target::Section(case, section) => {
            (Value::from(case.as_str()), Value::from(section.as_str()))
        }
    };
    let chunks: Vec<&[u8]> = if content.is_empty() {
        vec![&[]]
    } else {
        content.chunks(PART_BYTES).collect()
    };
    let parts = chunks.len();
    Ok(chunks
        .into_iter()
        .enumerate()
        .map(|(n, chunk)| {
            let fields = Map::from_iter([
                ("owner".to_owned(), Value::from(entity.name)),
                ("owner_id".to_owned(), Value::from(id)),
                ("part".to_owned(), Value::from(n)),
                ("parts".to_owned(), Value::from(parts)),
                ("case_id".to_owned(), case_id.clone()),
                ("section".to_owned(), section.clone()),
                (
                    "data".to_owned(),
                    Value::from(base64::engine::general_purpose::STANDARD.encode(chunk)),
                ),
            ]);
            RowChange {
                entity: PART.to_owned(),
                id: id.to_owned(),
                hlc: hlc.to_owned(),
                author: author.map(str::to_owned),
                fields,
                parents: Map::new(),
            }
        })
        .collect())
}

fn refuse(reason: &str) -> Error {
    Error::invalid("sync", format!("a file's part {reason}"))
}

/// Keep a part that arrived (again: no change). A malformed part refuses its batch.
pub async fn receive_part(conn: &mut SqliteConnection, change: &RowChange) -> Result<()> {
    let f = &change.fields;
    let owner = f
        .get("owner")
        .and_then(Value::as_str)
        .filter(|o| has_content(o))
        .ok_or_else(|| refuse("names no file's entity"))?;
    let owner_id = f
        .get("owner_id")
        .and_then(Value::as_str)
        .filter(|id| *id == change.id)
        .ok_or_else(|| refuse("names no file"))?;
    let parts = f
        .get("parts")
        .and_then(Value::as_u64)
        .and_then(|p| usize::try_from(p).ok())
        .filter(|p| (1..=MAX_PARTS).contains(p))
        .ok_or_else(|| refuse("gives no usable count of parts"))?;
    let part = f
        .get("part")
        .and_then(Value::as_u64)
        .and_then(|p| usize::try_from(p).ok())
        .filter(|p| *p < parts)
        .ok_or_else(|| refuse("gives no usable number"))?;
    let data = f
        .get("data")
        .and_then(Value::as_str)
        .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
        .filter(|d| d.len() <= PART_BYTES)
        .ok_or_else(|| refuse("holds no bytes, or too many"))?;
    sqlx::query(
        "INSERT OR IGNORE INTO sync_blob_parts
             (owner, owner_id, part, parts, case_id, section, data, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(owner)
    .bind(owner_id)
    .bind(i64::try_from(part).unwrap_or(i64::MAX))
    .bind(i64::try_from(parts).unwrap_or(i64::MAX))
    .bind(f.get("case_id").and_then(Value::as_str))
    .bind(f.get("section").and_then(Value::as_str))
    .bind(data)
    .bind(crate::outbox::now_utc())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How long parts wait for their file's row: it comes in the envelope after them, so
/// parts still here after this long belong to a row that will not come (its batch was
/// refused) and are let go. A row held for its parts keeps them.
pub const PARTS_KEPT_DAYS: i64 = 30;

/// Let go of parts that waited longer than [`PARTS_KEPT_DAYS`] for a row that never came.
pub async fn let_go_stale(conn: &mut SqliteConnection, now: time::OffsetDateTime) -> Result<u64> {
    let before = crate::outbox::format_utc(now - time::Duration::days(PARTS_KEPT_DAYS));
    let done = sqlx::query(
        "DELETE FROM sync_blob_parts WHERE received_at < ? AND NOT EXISTS (
             SELECT 1 FROM sync_held h WHERE h.entity = sync_blob_parts.owner
             AND h.entity_id = sync_blob_parts.owner_id)",
    )
    .bind(before)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Put in a file's new row with its bytes, once all its parts are here and they are the
/// bytes the row gives (size and SHA-256); then let the parts go.
pub async fn insert_with_content(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
    fields: &Map<String, Value>,
) -> Result<()> {
    let rows: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT part, parts, data FROM sync_blob_parts WHERE owner = ? AND owner_id = ?
         ORDER BY part",
    )
    .bind(entity.name)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let whole = rows
        .first()
        .is_some_and(|(_, parts, _)| usize::try_from(*parts) == Ok(rows.len()))
        && rows
            .iter()
            .enumerate()
            .all(|(n, (part, _, _))| usize::try_from(*part) == Ok(n));
    if !whole {
        return Err(Error::FileIncomplete);
    }
    let content: Vec<u8> = rows.into_iter().flat_map(|(_, _, data)| data).collect();
    let size = fields.get("size").and_then(Value::as_u64);
    let sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, &content));
    if size != u64::try_from(content.len()).ok()
        || fields.get("sha256").and_then(Value::as_str) != Some(sha.as_str())
    {
        return Err(Error::invalid(
            "sync",
            format!(
                "the bytes of a file of {} are not the file its row gives",
                entity.name
            ),
        ));
    }
    let columns: Vec<&str> = entity
        .columns
        .iter()
        .copied()
        .filter(|c| fields.contains_key(*c))
        .collect();
    entities::insert_with(conn, entity, id, &columns, fields, ("content", content)).await?;
    sqlx::query("DELETE FROM sync_blob_parts WHERE owner = ? AND owner_id = ?")
        .bind(entity.name)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::Connection as _;
    use std::str::FromStr as _;

    fn part(owner_id: &str, n: usize, parts: usize, data: &[u8]) -> RowChange {
        RowChange {
            entity: PART.to_owned(),
            id: owner_id.to_owned(),
            hlc: "1:0:d".to_owned(),
            author: None,
            fields: Map::from_iter([
                ("owner".to_owned(), Value::from("card_attachment")),
                ("owner_id".to_owned(), Value::from(owner_id)),
                ("part".to_owned(), Value::from(n)),
                ("parts".to_owned(), Value::from(parts)),
                ("case_id".to_owned(), Value::Null),
                ("section".to_owned(), Value::Null),
                (
                    "data".to_owned(),
                    Value::from(base64::engine::general_purpose::STANDARD.encode(data)),
                ),
            ]),
            parents: Map::new(),
        }
    }

    /// Malformed parts are refused; a file's row waits until every part is here, and goes
    /// in only with the bytes it names.
    #[tokio::test]
    async fn a_file_goes_in_whole_and_as_its_row_names_it_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::from_str("sqlite:")
            .unwrap()
            .filename(dir.path().join("v.db"))
            .create_if_missing(true)
            .foreign_keys(false);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        crate::db::MIGRATOR.run(&mut conn).await.unwrap();
        let mut bad = Vec::new();
        let mut other_owner = part("a1", 0, 1, b"x");
        other_owner
            .fields
            .insert("owner".into(), Value::from("case_note"));
        bad.push(other_owner);
        bad.push(part("a1", 2, 2, b"x"));
        bad.push(part("a1", 0, MAX_PARTS + 1, b"x"));
        bad.push(part("a1", 0, 1, &vec![0; PART_BYTES + 1]));
        let mut not_base64 = part("a1", 0, 1, b"x");
        not_base64.fields.insert("data".into(), Value::from("%%%"));
        bad.push(not_base64);
        let mut other_row = part("a1", 0, 1, b"x");
        other_row.id = "a2".into();
        bad.push(other_row);
        for change in &bad {
            assert!(
                matches!(
                    receive_part(&mut conn, change).await,
                    Err(Error::Invalid { .. })
                ),
                "{change:?}"
            );
        }
        let bytes = b"%PDF-1.4 two halves".to_vec();
        let entity = entities::entity("card_attachment").unwrap();
        let mut fields = Map::from_iter([
            ("card_id".to_owned(), Value::from("k1")),
            ("file_name".to_owned(), Value::from("a.pdf")),
            ("media_type".to_owned(), Value::from("application/pdf")),
            ("size".to_owned(), Value::from(bytes.len())),
            (
                "sha256".to_owned(),
                Value::from(hex::encode(ring::digest::digest(
                    &ring::digest::SHA256,
                    &bytes,
                ))),
            ),
            ("added_by".to_owned(), Value::from("m1")),
            ("created_at".to_owned(), Value::from("2026-12-02")),
        ]);
        receive_part(&mut conn, &part("a1", 1, 2, &bytes[8..]))
            .await
            .unwrap();
        assert!(matches!(
            insert_with_content(&mut conn, entity, "a1", &fields).await,
            Err(Error::FileIncomplete)
        ));
        receive_part(&mut conn, &part("a1", 0, 2, &bytes[..8]))
            .await
            .unwrap();
        let mut wrong = fields.clone();
        wrong.insert("size".into(), Value::from(bytes.len() + 1));
        assert!(matches!(
            insert_with_content(&mut conn, entity, "a1", &wrong).await,
            Err(Error::Invalid { .. })
        ));
        fields.insert("deleted_at".into(), Value::Null);
        insert_with_content(&mut conn, entity, "a1", &fields)
            .await
            .unwrap();
        let kept: Vec<u8> =
            sqlx::query_scalar("SELECT content FROM card_attachments WHERE id = 'a1'")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(kept, bytes);
        let parts: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_blob_parts")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(parts, 0);
    }

    /// Parts whose row never came are let go after a month; a row held for its parts, or
    /// parts that have not waited long, keep theirs.
    #[tokio::test]
    async fn parts_whose_row_never_came_are_let_go_after_a_month() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::from_str("sqlite:")
            .unwrap()
            .filename(dir.path().join("v.db"))
            .create_if_missing(true)
            .foreign_keys(false);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        crate::db::MIGRATOR.run(&mut conn).await.unwrap();
        for id in ["stray", "waiting", "fresh"] {
            receive_part(&mut conn, &part(id, 0, 2, b"half"))
                .await
                .unwrap();
        }
        sqlx::query("UPDATE sync_blob_parts SET received_at = '2026-01-01T00:00:00.000Z' WHERE owner_id <> 'fresh'")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO sync_held (entity, entity_id, hlc, change, reason, held_at)
             VALUES ('card_attachment', 'waiting', '1:0:d', '{}', 'file', '2026-01-01')",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let now = time::OffsetDateTime::now_utc();
        assert_eq!(let_go_stale(&mut conn, now).await.unwrap(), 1);
        let left: Vec<String> =
            sqlx::query_scalar("SELECT owner_id FROM sync_blob_parts ORDER BY owner_id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(left, ["fresh", "waiting"]);
        assert_eq!(let_go_stale(&mut conn, now).await.unwrap(), 0);
    }
}
