//! What a member holds, which someone else must take on before they leave the team: the
//! open cases they are on, the unfinished tasks they are assigned to or must review, the
//! spending requests they asked for that are not yet settled, and the committees they
//! chair. Read in SQL across the domains, for the offboarding screen and for the rule that
//! no account closes while anything is held.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::{Error, Result};

super::text_enum! {
    /// The kinds of things a member can hold.
    HeldKind {
        /// An open case they are on (lead, support or review).
        Case => "case",
        /// An unfinished task they are assigned to.
        Task => "task",
        /// An unfinished task they must review.
        Review => "review",
        /// A spending request they asked for (or took over) that is pending or approved
        /// and not yet paid.
        Request => "request",
        /// A committee or working group they chair.
        Committee => "committee",
    }
}

impl HeldKind {
    /// The order a handover follows: a case before its tasks, so that the member taking
    /// over is on the case when its tasks reach them.
    pub fn rank(self) -> u8 {
        match self {
            Self::Case => 0,
            Self::Task => 1,
            Self::Review => 2,
            Self::Request => 3,
            Self::Committee => 4,
        }
    }
}

/// One thing a member holds, named as a lead who oversees the team sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HeldItem {
    pub kind: HeldKind,
    /// The case's, card's, request's or committee's id.
    pub id: String,
    /// The case's subject, the task's title, the request's fund and number, the
    /// committee's name.
    pub label: String,
    /// The member's part: on a case `lead`, `support` or `review`; on a request its
    /// status (`pending` or `approved`); none otherwise.
    pub part: Option<String>,
    /// The case a task or request is for, when it is for one.
    pub case_id: Option<String>,
}

/// One item named for a handover.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HeldRef {
    pub kind: HeldKind,
    pub id: String,
}

const UNFINISHED_CARD: &str = "c.deleted_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM board_columns bc WHERE bc.id = c.column_id AND bc.stage = 'done')
    AND (coalesce(c.case_id, b.case_id) IS NULL OR EXISTS (SELECT 1 FROM cases k
         WHERE k.id = coalesce(c.case_id, b.case_id) AND k.deleted_at IS NULL AND k.status <> 'closed'))";

/// Everything `member_id` holds, cases first, then tasks, reviews, requests and chairs.
pub async fn held_by(conn: &mut SqliteConnection, member_id: &str) -> Result<Vec<HeldItem>> {
    let sql = format!(
        "SELECT 'case' AS kind, c.id, p.name AS label, cm.responsibility AS part,
                c.id AS case_id, 0 AS rank, p.name AS sort
         FROM case_members cm
         JOIN cases c ON c.id = cm.case_id AND c.deleted_at IS NULL AND c.status <> 'closed'
         JOIN case_people p ON p.case_id = c.id AND p.party = 'subject' AND p.deleted_at IS NULL
         WHERE cm.member_id = ?1 AND cm.removed_at IS NULL
         UNION ALL
         SELECT 'task', c.id, c.title, NULL, coalesce(c.case_id, b.case_id), 1, c.title
         FROM card_assignees a JOIN cards c ON c.id = a.card_id
         JOIN boards b ON b.id = c.board_id
         WHERE a.member_id = ?1 AND {UNFINISHED_CARD}
         UNION ALL
         SELECT 'review', c.id, c.title, NULL, coalesce(c.case_id, b.case_id), 2, c.title
         FROM cards c JOIN boards b ON b.id = c.board_id
         WHERE c.reviewer_id = ?1 AND {UNFINISHED_CARD}
         UNION ALL
         SELECT 'request', r.id, f.name || ' #' || r.number, r.status, d.case_id, 3,
                f.name || printf('%08d', r.number)
         FROM fund_requests r JOIN funds f ON f.id = r.fund_id
         LEFT JOIN fund_request_details d ON d.id = r.id
         WHERE coalesce(r.held_by, r.requested_by) = ?1 AND r.status IN ('pending', 'approved')
         UNION ALL
         SELECT 'committee', m.id, m.name, NULL, NULL, 4, m.name
         FROM committees m WHERE m.chair_id = ?1 AND m.deleted_at IS NULL
         ORDER BY rank, sort, id"
    );
    Ok(sqlx::query_as(&sql).bind(member_id).fetch_all(conn).await?)
}

/// How many of each kind, in words, for an error: "2 open cases, 1 task and 1 committee
/// chair".
pub fn describe(items: &[HeldItem]) -> String {
    let count = |kind: HeldKind| items.iter().filter(|item| item.kind == kind).count();
    let parts: Vec<String> = HeldKind::ALL
        .iter()
        .filter_map(|&kind| {
            let n = count(kind);
            let (one, many) = match kind {
                HeldKind::Case => ("open case", "open cases"),
                HeldKind::Task => ("unfinished task", "unfinished tasks"),
                HeldKind::Review => ("task to review", "tasks to review"),
                HeldKind::Request => ("spending request", "spending requests"),
                HeldKind::Committee => ("committee chair", "committee chairs"),
            };
            (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
        })
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: HeldKind) -> HeldItem {
        HeldItem {
            kind,
            id: "x".into(),
            label: "x".into(),
            part: None,
            case_id: None,
        }
    }

    #[test]
    fn the_error_counts_each_kind_in_words() {
        assert_eq!(describe(&[]), "");
        assert_eq!(describe(&[item(HeldKind::Task)]), "1 unfinished task");
        assert_eq!(
            describe(&[
                item(HeldKind::Committee),
                item(HeldKind::Case),
                item(HeldKind::Case),
                item(HeldKind::Task),
            ]),
            "2 open cases, 1 unfinished task and 1 committee chair"
        );
    }
}
