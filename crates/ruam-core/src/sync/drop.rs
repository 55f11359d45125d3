//! Dropping what this laptop held of a case it may no longer see: its member was taken off
//! the case. A notice in its inbox, signed by a lead's device or the case's lead's, says so;
//! or the relay lists the scope as dropped and the case's own rows here agree. A relay
//! alone can never make a laptop delete a case.
//! The case's rows, its board and cards, its search index, its shadows and keys go, in one
//! transaction. A case whose spending detail this laptop holds is kept (the decisions on
//! that spending are written once and never removed, and its books must stay whole); the
//! round says so in the log.

use sqlx::SqliteConnection;
use uuid::Uuid;

use super::capture::Target;
use super::scopes;
use crate::Result;

/// Whether the case was dropped. `confirmed` when a device with the right to say so (a
/// lead's, or the case's lead's) sent the notice; otherwise this laptop's own rows must
/// agree that it is not entitled.
pub async fn drop_case(
    conn: &mut SqliteConnection,
    scope_id: Uuid,
    case_id: &str,
    me: Uuid,
    confirmed: bool,
) -> Result<bool> {
    let target = Target::Case(case_id.to_owned());
    if !confirmed
        && scopes::entitled(conn, &target)
            .await?
            .iter()
            .any(|g| g.device_id == me)
    {
        // The relay says so, the case's rows do not (yet): keep it.
        return Ok(false);
    }
    let funded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM fund_request_details WHERE case_id = ?1
            OR card_id IN (SELECT id FROM cards WHERE case_id = ?1
                           OR board_id IN (SELECT id FROM boards WHERE case_id = ?1))",
    )
    .bind(case_id)
    .fetch_one(&mut *conn)
    .await?;
    if funded > 0 {
        tracing::warn!(scope = %scope_id, "a dropped case is kept: the pooled funds here refer to it");
        return Ok(false);
    }
    let cards = "(SELECT id FROM cards WHERE case_id = ?1 OR board_id IN (SELECT id FROM boards WHERE case_id = ?1))";
    let statements = [
        // Shadows first, while the rows still say which case they are of.
        format!("DELETE FROM sync_rows WHERE entity IN ('card_checklist', 'card_comment', 'card_event')
                 AND json_extract(state, '$.card_id') IN {cards}"),
        format!("DELETE FROM sync_rows WHERE entity = 'card' AND entity_id IN {cards}"),
        "DELETE FROM sync_rows WHERE entity = 'board_column' AND json_extract(state, '$.board_id') IN
             (SELECT id FROM boards WHERE case_id = ?1)".to_owned(),
        "DELETE FROM sync_rows WHERE entity = 'board' AND json_extract(state, '$.case_id') = ?1".to_owned(),
        "DELETE FROM sync_rows WHERE json_extract(state, '$.case_id') = ?1 OR (entity = 'case' AND entity_id = ?1)"
            .to_owned(),
        format!("DELETE FROM card_assignees WHERE card_id IN {cards}"),
        format!("DELETE FROM card_labels WHERE card_id IN {cards}"),
        format!("DELETE FROM card_checklist WHERE card_id IN {cards}"),
        format!("DELETE FROM card_comments WHERE card_id IN {cards}"),
        format!("DELETE FROM card_attachments WHERE card_id IN {cards}"),
        format!("DELETE FROM card_events WHERE card_id IN {cards}"),
        "DELETE FROM cards WHERE case_id = ?1 OR board_id IN (SELECT id FROM boards WHERE case_id = ?1)".to_owned(),
        "DELETE FROM board_columns WHERE board_id IN (SELECT id FROM boards WHERE case_id = ?1)".to_owned(),
        "DELETE FROM boards WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_search WHERE rowid IN (SELECT rowid FROM case_search_keys WHERE case_id = ?1)".to_owned(),
        "DELETE FROM case_search_keys WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_note_versions WHERE note_id IN (SELECT id FROM case_notes WHERE case_id = ?1)".to_owned(),
        "DELETE FROM case_notes WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_people WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_concerns WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_members WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_events WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_referrals WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_consents WHERE case_id = ?1".to_owned(),
        "DELETE FROM case_attachments WHERE case_id = ?1".to_owned(),
        "DELETE FROM sync_blob_parts WHERE case_id = ?1".to_owned(),
        "DELETE FROM cases WHERE id = ?1".to_owned(),
        "DELETE FROM sync_conflicts WHERE entity LIKE 'case%' AND entity_id = ?1".to_owned(),
    ];
    sqlx::query("SAVEPOINT drop_case")
        .execute(&mut *conn)
        .await?;
    for sql in &statements {
        if let Err(err) = sqlx::query(sql).bind(case_id).execute(&mut *conn).await {
            sqlx::query("ROLLBACK TO drop_case")
                .execute(&mut *conn)
                .await?;
            sqlx::query("RELEASE drop_case").execute(&mut *conn).await?;
            return Err(err.into());
        }
    }
    for sql in [
        "DELETE FROM sync_scope_keys WHERE scope_id = ?",
        "DELETE FROM sync_scope_grants WHERE scope_id = ?",
    ] {
        sqlx::query(sql)
            .bind(scope_id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    // What this laptop wrote of the case and had not sent goes with it.
    sqlx::query(
        "UPDATE changes SET synced = 1 WHERE synced != 1
         AND entity IN ('case', 'case_member') AND (entity_id = ?1 OR entity_id LIKE ?1 || '/%')",
    )
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("RELEASE drop_case").execute(&mut *conn).await?;
    Ok(true)
}
