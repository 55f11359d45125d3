//! What is replicated: each entity's table, the fields that travel, the sets kept beside
//! it (a card's assignees), the rows that belong to it (a card's checklist items), the
//! scope it travels in, and the fields whose concurrent edits a person must resolve.
//!
//! Fields that are this laptop's own stay out: who must still change a first passphrase
//! here, whether this vault's recovery key was written down, the day's task reminders.
//! Rows are read and written generically (`json_object`), so a new column travels once
//! it is named here.

use serde_json::{Map, Value};
use sqlx::SqliteConnection;

use crate::Result;

/// A set of values kept in a table of its own, travelling as one field of its entity:
/// scalars for one value column, objects for several.
#[derive(Debug)]
pub struct SetField {
    pub field: &'static str,
    pub table: &'static str,
    pub parent_column: &'static str,
    pub value_columns: &'static [&'static str],
}

/// Which scope a row travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRule {
    /// The team's: every device of the team.
    Team,
    /// The team's when the column is empty, else the case's.
    CaseColumn(&'static str),
    /// The case's own row: its id names the case.
    CaseItself,
    /// The scope of the entity it belongs to.
    Parent,
}

#[derive(Debug)]
pub struct Entity {
    /// As the outbox names it.
    pub name: &'static str,
    pub table: &'static str,
    /// The column that identifies a row (`id` but for the team's devices).
    pub id_column: &'static str,
    pub columns: &'static [&'static str],
    pub sets: &'static [SetField],
    /// Entities whose rows belong to this one: (entity, its column naming this one).
    pub children: &'static [(&'static str, &'static str)],
    /// For a child: (parent entity, the column naming it).
    pub parent: Option<(&'static str, &'static str)>,
    pub scope: ScopeRule,
    /// Concurrent edits of these fields are kept for a person to resolve.
    pub tracked: &'static [&'static str],
    /// The column naming the section of the case a row is in: rows of sections with a
    /// narrower audience (health, police) wait for their sub-scopes and never travel in
    /// the case's own.
    pub section: Option<&'static str>,
}

/// Sections whose rows travel only to their audience.
pub const NARROW_SECTIONS: &[&str] = &["health", "police"];

/// Outbox names for rows kept inside another entity: the part of the id before `/` is
/// that entity's id (a case's member, a note's earlier wording).
pub static ALIASES: &[(&str, &str)] =
    &[("case_member", "case"), ("case_note_version", "case_note")];

const NO_SETS: &[SetField] = &[];

pub static ENTITIES: &[Entity] = &[
    Entity {
        name: "team",
        table: "team",
        id_column: "id",
        columns: &["name", "created_at", "updated_at", "deleted_at"],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["name"],
        section: None,
    },
    Entity {
        name: "agency",
        table: "agencies",
        id_column: "id",
        columns: &[
            "name",
            "kind",
            "district",
            "province",
            "contact",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "role",
        table: "roles",
        id_column: "id",
        columns: &[
            "name",
            "description",
            "builtin",
            "permissions",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["permissions"],
        section: None,
    },
    Entity {
        name: "member",
        table: "members",
        id_column: "id",
        columns: &[
            "display_name",
            "sign_in_name",
            "role",
            "discipline",
            "agency_id",
            "phone",
            "email",
            "status",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["role", "status"],
        section: None,
    },
    Entity {
        name: "village",
        table: "villages",
        id_column: "id",
        columns: &[
            "name_th",
            "name_en",
            "moo",
            "subdistrict",
            "district",
            "province",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["name_th", "name_en"],
        section: None,
    },
    Entity {
        name: "volunteer",
        table: "volunteers",
        id_column: "id",
        columns: &[
            "name",
            "member_id",
            "village_id",
            "phone",
            "active",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: &[SetField {
            field: "trainings",
            table: "volunteer_trainings",
            parent_column: "volunteer_id",
            value_columns: &["title", "held_on"],
        }],
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["name", "phone"],
        section: None,
    },
    Entity {
        name: "household",
        table: "households",
        id_column: "id",
        columns: &[
            "village_id",
            "label",
            "surveyed_on",
            "volunteer_id",
            "income_band",
            "parents_away",
            "debt",
            "disability",
            "health_care",
            "other_risks",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "register_child",
        table: "register_children",
        id_column: "id",
        columns: &[
            "household_id",
            "village_id",
            "name",
            "sex",
            "birth_date",
            "school",
            "documentation",
            "lives_with",
            "case_id",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["name", "birth_date", "documentation"],
        section: None,
    },
    Entity {
        name: "register_rule",
        table: "register_rule",
        id_column: "id",
        columns: &["points", "threshold", "updated_by", "updated_at"],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["points", "threshold"],
        section: None,
    },
    Entity {
        name: "committee",
        table: "committees",
        id_column: "id",
        columns: &[
            "name",
            "kind",
            "frequency",
            "chair_id",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
            "handover_note",
        ],
        sets: &[SetField {
            field: "members",
            table: "committee_members",
            parent_column: "committee_id",
            value_columns: &["member_id"],
        }],
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["name"],
        section: None,
    },
    Entity {
        name: "meeting",
        table: "meetings",
        id_column: "id",
        columns: &[
            "committee_id",
            "starts_at",
            "minutes_long",
            "place",
            "status",
            "minutes",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: &[SetField {
            field: "attendees",
            table: "meeting_attendees",
            parent_column: "meeting_id",
            value_columns: &["member_id", "attendance"],
        }],
        children: &[
            ("meeting_item", "meeting_id"),
            ("meeting_decision", "meeting_id"),
        ],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["minutes", "place", "starts_at"],
        section: None,
    },
    Entity {
        name: "meeting_item",
        table: "meeting_items",
        id_column: "id",
        columns: &[
            "meeting_id",
            "position",
            "kind",
            "title",
            "case_id",
            "note_id",
            "created_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: Some(("meeting", "meeting_id")),
        scope: ScopeRule::Parent,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "meeting_decision",
        table: "meeting_decisions",
        id_column: "id",
        columns: &["meeting_id", "text", "created_by", "created_at"],
        sets: NO_SETS,
        children: &[],
        parent: Some(("meeting", "meeting_id")),
        scope: ScopeRule::Parent,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "board",
        table: "boards",
        id_column: "id",
        columns: &["case_id", "created_by", "created_at", "updated_at"],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &[],
        section: None,
    },
    Entity {
        name: "board_column",
        table: "board_columns",
        id_column: "id",
        columns: &[
            "board_id",
            "name",
            "stage",
            "position",
            "created_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: Some(("board", "board_id")),
        scope: ScopeRule::Parent,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "card",
        table: "cards",
        id_column: "id",
        columns: &[
            "board_id",
            "column_id",
            "position",
            "case_id",
            "title",
            "description",
            "agency_id",
            "starts_on",
            "due_on",
            "priority",
            "reviewer_id",
            "review",
            "signed_off_by",
            "signed_off_at",
            "meeting_id",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: &[
            SetField {
                field: "assignees",
                table: "card_assignees",
                parent_column: "card_id",
                value_columns: &["member_id"],
            },
            SetField {
                field: "labels",
                table: "card_labels",
                parent_column: "card_id",
                value_columns: &["label"],
            },
        ],
        children: &[
            ("card_checklist", "card_id"),
            ("card_comment", "card_id"),
            ("card_event", "card_id"),
        ],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &["title", "description"],
        section: None,
    },
    Entity {
        name: "card_checklist",
        table: "card_checklist",
        id_column: "id",
        columns: &["card_id", "text", "done", "position"],
        sets: NO_SETS,
        children: &[],
        parent: Some(("card", "card_id")),
        scope: ScopeRule::Parent,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "card_comment",
        table: "card_comments",
        id_column: "id",
        columns: &["card_id", "body", "author_id", "created_at"],
        sets: NO_SETS,
        children: &[],
        parent: Some(("card", "card_id")),
        scope: ScopeRule::Parent,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "card_event",
        table: "card_events",
        id_column: "id",
        columns: &["card_id", "kind", "detail", "actor", "at"],
        sets: NO_SETS,
        children: &[],
        parent: Some(("card", "card_id")),
        scope: ScopeRule::Parent,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "case",
        table: "cases",
        id_column: "id",
        columns: &[
            "status",
            "risk",
            "level",
            "outcome",
            "close_requested_outcome",
            "close_requested_by",
            "close_requested_at",
            "closed_by",
            "closed_at",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: &[
            SetField {
                field: "concerns",
                table: "case_concerns",
                parent_column: "case_id",
                value_columns: &["concern"],
            },
            SetField {
                field: "members",
                table: "case_members",
                parent_column: "case_id",
                value_columns: &[
                    "member_id",
                    "responsibility",
                    "added_by",
                    "added_at",
                    "removed_at",
                ],
            },
        ],
        children: &[],
        parent: None,
        scope: ScopeRule::CaseItself,
        tracked: &["status", "risk", "level", "outcome"],
        section: None,
    },
    Entity {
        name: "case_person",
        table: "case_people",
        id_column: "id",
        columns: &[
            "case_id",
            "party",
            "relation",
            "name",
            "alias",
            "sex",
            "birth_date",
            "birth_year_estimate",
            "nationality",
            "documentation",
            "languages",
            "village",
            "contact",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &[
            "name",
            "alias",
            "birth_date",
            "nationality",
            "documentation",
            "contact",
        ],
        section: None,
    },
    Entity {
        name: "case_note",
        table: "case_notes",
        id_column: "id",
        columns: &[
            "case_id",
            "section",
            "body",
            "author_id",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: &[SetField {
            field: "versions",
            table: "case_note_versions",
            parent_column: "note_id",
            value_columns: &["body", "replaced_by", "replaced_at"],
        }],
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &["body"],
        section: Some("section"),
    },
    Entity {
        name: "case_event",
        table: "case_events",
        id_column: "id",
        columns: &["case_id", "kind", "detail", "actor", "at"],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &[],
        section: None,
    },
    Entity {
        name: "case_referral",
        table: "case_referrals",
        id_column: "id",
        columns: &[
            "case_id",
            "section",
            "from_level",
            "from_agency_id",
            "to_level",
            "to_agency_id",
            "reason",
            "referred_on",
            "status",
            "outcome",
            "consent_override_reason",
            "created_by",
            "created_at",
            "updated_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &["status", "outcome"],
        section: Some("section"),
    },
    Entity {
        name: "case_consent",
        table: "case_consents",
        id_column: "id",
        columns: &[
            "case_id",
            "given_by",
            "services",
            "reporting",
            "share_with",
            "given_on",
            "recorded_by",
            "created_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &[],
        section: None,
    },
    Entity {
        name: "fund",
        table: "funds",
        id_column: "id",
        columns: &[
            "name",
            "currency",
            "starts_on",
            "ends_on",
            "second_approval_above",
            "created_by",
            "created_at",
            "updated_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &[],
        section: None,
    },
    // A line's running totals stay out: each laptop keeps them from its ledger.
    Entity {
        name: "fund_line",
        table: "fund_lines",
        id_column: "id",
        columns: &["fund_id", "name", "position", "created_by", "created_at"],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &[],
        section: None,
    },
    // Append-only: a row is written once, and its books checked as it goes in.
    Entity {
        name: "fund_ledger",
        table: "fund_ledger",
        id_column: "id",
        columns: &[
            "fund_id",
            "kind",
            "amount",
            "agency_id",
            "in_kind",
            "line_id",
            "request_id",
            "on_date",
            "description",
            "reference",
            "method",
            "original_amount",
            "original_currency",
            "rate",
            "receipt_id",
            "reverses",
            "recorded_by",
            "recorded_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &[],
        section: None,
    },
    // What every member sees of a request; its purpose and case are its detail's.
    Entity {
        name: "fund_request",
        table: "fund_requests",
        id_column: "id",
        columns: &[
            "fund_id",
            "number",
            "line_id",
            "amount",
            "for_case",
            "approvals_needed",
            "status",
            "requested_by",
            "requested_at",
            "updated_at",
            "held_by",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &["status"],
        section: None,
    },
    // Spending for a case travels with the case.
    Entity {
        name: "fund_request_detail",
        table: "fund_request_details",
        id_column: "id",
        columns: &[
            "purpose",
            "case_id",
            "card_id",
            "cancel_reason",
            "handover_note",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &[],
        section: None,
    },
    // Append-only, in the scope of its request's detail (a case's, or the team's).
    Entity {
        name: "fund_decision",
        table: "fund_decisions",
        id_column: "id",
        columns: &[
            "request_id",
            "member_id",
            "decision",
            "reason",
            "decided_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: Some(("fund_request_detail", "request_id")),
        scope: ScopeRule::Parent,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "documentation_step",
        table: "documentation_steps",
        id_column: "id",
        columns: &[
            "case_id",
            "kind",
            "status",
            "happened_on",
            "documents",
            "fee_request_id",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &["status", "documents"],
        section: None,
    },
    // A file's row: its bytes go ahead of it in parts (`super::blob`).
    Entity {
        name: "case_attachment",
        table: "case_attachments",
        id_column: "id",
        columns: &[
            "case_id",
            "section",
            "file_name",
            "media_type",
            "size",
            "sha256",
            "added_by",
            "created_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &[],
        section: Some("section"),
    },
    Entity {
        name: "card_attachment",
        table: "card_attachments",
        id_column: "id",
        columns: &[
            "card_id",
            "file_name",
            "media_type",
            "size",
            "sha256",
            "added_by",
            "created_at",
            "deleted_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: Some(("card", "card_id")),
        scope: ScopeRule::Parent,
        tracked: &[],
        section: None,
    },
    Entity {
        name: "fund_receipt",
        table: "fund_receipts",
        id_column: "id",
        columns: &[
            "fund_id",
            "case_id",
            "file_name",
            "media_type",
            "size",
            "sha256",
            "added_by",
            "created_at",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &[],
        section: None,
    },
    // A part of a file's bytes, in its file's scope; kept apart until all have arrived.
    Entity {
        name: "blob_part",
        table: "sync_blob_parts",
        id_column: "owner_id",
        columns: &[
            "owner", "owner_id", "part", "parts", "case_id", "section", "data",
        ],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::CaseColumn("case_id"),
        tracked: &[],
        section: Some("section"),
    },
    Entity {
        name: "device",
        table: "sync_devices",
        id_column: "device_id",
        // The member whose laptop it is; its keys and status come from the relay's list.
        columns: &["member_id"],
        sets: NO_SETS,
        children: &[],
        parent: None,
        scope: ScopeRule::Team,
        tracked: &[],
        section: None,
    },
];

/// Rows written once and never changed: a second change of one is let go.
pub fn append_only(name: &str) -> bool {
    matches!(name, "fund_ledger" | "fund_decision")
}

/// Rows whose going in must be checked against other rows (the books) or brings their
/// file's bytes: one at a time.
pub fn checked_on_apply(name: &str) -> bool {
    name == "fund_ledger" || super::blob::has_content(name)
}

pub fn entity(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|e| e.name == name)
}

/// The replicated entity and row an outbox entry names.
pub fn resolve<'a>(name: &str, id: &'a str) -> Option<(&'static Entity, &'a str)> {
    if let Some(e) = entity(name) {
        return Some((e, id));
    }
    let (_, target) = ALIASES.iter().find(|(alias, _)| *alias == name)?;
    let parent_id = id.split('/').next().filter(|p| !p.is_empty())?;
    Some((entity(target)?, parent_id))
}

/// The SQL of one value of a set as it travels: its one column, or its columns as JSON.
fn set_value_sql(set: &SetField) -> String {
    match set.value_columns {
        [one] => (*one).to_owned(),
        many => format!(
            "json_object({})",
            many.iter()
                .map(|c| format!("'{c}', {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A row's replicated fields, `None` when the row is not (or no longer) in the vault.
pub async fn read_row(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
) -> Result<Option<Map<String, Value>>> {
    let pairs: Vec<String> = entity
        .columns
        .iter()
        .map(|c| format!("'{c}', {c}"))
        .collect();
    let sql = format!(
        "SELECT json_object({}) FROM {} WHERE {} = ?",
        pairs.join(", "),
        entity.table,
        entity.id_column
    );
    let json: Option<String> = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(json) = json else {
        return Ok(None);
    };
    let Value::Object(mut fields) = serde_json::from_str(&json)? else {
        return Ok(None);
    };
    for set in entity.sets {
        let value = set_value_sql(set);
        let sql = format!(
            "SELECT json_group_array({value}) FROM (SELECT * FROM {t} WHERE {p} = ? ORDER BY {order})",
            t = set.table,
            p = set.parent_column,
            order = set.value_columns.join(", ")
        );
        let values: String = sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        fields.insert(set.field.to_owned(), serde_json::from_str(&values)?);
    }
    Ok(Some(fields))
}

/// Whether a change is one only a lead's laptop may send: who is on the team, the
/// agencies, the roles and what they may do, whose laptop each device is, the team's name.
/// (A row's time of change alone may come from any laptop: a member who changes their own
/// passphrase touches their row.)
pub fn leads_only(change: &super::changes::RowChange) -> bool {
    matches!(
        change.entity.as_str(),
        "team" | "agency" | "role" | "member" | "device"
    ) && change.fields.keys().any(|field| field != "updated_at")
}

/// For a field whose values only move on, never back (a spending request's status):
/// whether `theirs` is further on than `ours`; `None` for any other field, or values of
/// the same step. A request withdrawn or rejected stays so, whoever approved it at the
/// same time; a request paid stays paid (its money went out).
pub fn progress(entity: &str, field: &str, ours: &Value, theirs: &Value) -> Option<bool> {
    if (entity, field) != ("fund_request", "status") {
        return None;
    }
    let step = |v: &Value| match v.as_str()? {
        "pending" => Some(0),
        "approved" => Some(1),
        "cancelled" => Some(2),
        "rejected" => Some(3),
        "paid" => Some(4),
        _ => None,
    };
    let (ours, theirs) = (step(ours)?, step(theirs)?);
    (ours != theirs).then_some(theirs > ours)
}

/// How many ids one query reads ahead (each query costs a hand-over to the database's
/// thread, which is most of the cost of a small one: read many rows at once).
pub const AHEAD: usize = 500;

/// [`read_row`] for many rows of one entity at once: the rows found, by id.
pub async fn read_rows(
    conn: &mut SqliteConnection,
    entity: &Entity,
    ids: &[String],
) -> Result<std::collections::HashMap<String, Map<String, Value>>> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    let pairs: Vec<String> = entity
        .columns
        .iter()
        .map(|c| format!("'{c}', {c}"))
        .collect();
    for chunk in ids.chunks(AHEAD) {
        let list = serde_json::to_string(chunk)?;
        let sql = format!(
            "SELECT {id}, json_object({}) FROM {} WHERE {id} IN (SELECT value FROM json_each(?))",
            pairs.join(", "),
            entity.table,
            id = entity.id_column
        );
        let found: Vec<(String, String)> = sqlx::query_as(&sql)
            .bind(&list)
            .fetch_all(&mut *conn)
            .await?;
        for (id, json) in found {
            if let Value::Object(fields) = serde_json::from_str(&json)? {
                out.insert(id, fields);
            }
        }
        for set in entity.sets {
            let value = set_value_sql(set);
            let sql = format!(
                "SELECT {p}, json_group_array({value}) FROM (SELECT * FROM {t}
                 WHERE {p} IN (SELECT value FROM json_each(?)) ORDER BY {p}, {order}) GROUP BY {p}",
                t = set.table,
                p = set.parent_column,
                order = set.value_columns.join(", ")
            );
            let values: Vec<(String, String)> = sqlx::query_as(&sql)
                .bind(&list)
                .fetch_all(&mut *conn)
                .await?;
            let mut by_parent: std::collections::HashMap<String, String> =
                values.into_iter().collect();
            for id in chunk {
                let Some(fields) = out.get_mut(id) else {
                    continue;
                };
                let values = by_parent.remove(id).unwrap_or_else(|| "[]".to_owned());
                fields.insert(set.field.to_owned(), serde_json::from_str(&values)?);
            }
        }
    }
    Ok(out)
}

/// Which of `ids` are rows of `entity` in the vault.
pub async fn existing(
    conn: &mut SqliteConnection,
    entity: &Entity,
    ids: &[String],
) -> Result<std::collections::HashSet<String>> {
    let mut out = std::collections::HashSet::new();
    for chunk in ids.chunks(AHEAD) {
        let sql = format!(
            "SELECT {id} FROM {} WHERE {id} IN (SELECT value FROM json_each(?))",
            entity.table,
            id = entity.id_column
        );
        let found: Vec<String> = sqlx::query_scalar(&sql)
            .bind(serde_json::to_string(chunk)?)
            .fetch_all(&mut *conn)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// [`child_ids`] for many parents at once: each parent's children, by parent id.
pub async fn children_of(
    conn: &mut SqliteConnection,
    child: &Entity,
    column: &str,
    parent_ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<String>>> {
    let mut out: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for chunk in parent_ids.chunks(AHEAD) {
        let sql = format!(
            "SELECT {column}, id FROM {} WHERE {column} IN (SELECT value FROM json_each(?)) ORDER BY id",
            child.table
        );
        let found: Vec<(String, String)> = sqlx::query_as(&sql)
            .bind(serde_json::to_string(chunk)?)
            .fetch_all(&mut *conn)
            .await?;
        for (parent, id) in found {
            out.entry(parent).or_default().push(id);
        }
    }
    Ok(out)
}

/// The ids of the rows of `child` that name `parent_id` in `column`.
pub async fn child_ids(
    conn: &mut SqliteConnection,
    child: &Entity,
    column: &str,
    parent_id: &str,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT id FROM {} WHERE {column} = ? ORDER BY id",
        child.table
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(parent_id)
        .fetch_all(&mut *conn)
        .await?)
}

fn bind<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    value: &'q Value,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    match value {
        Value::Null => query.bind(None::<String>),
        Value::Bool(b) => query.bind(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => query.bind(i),
            None => query.bind(n.as_f64()),
        },
        Value::String(s) => query.bind(s.as_str()),
        other => query.bind(other.to_string()),
    }
}

/// Insert new rows of one entity, each giving the same `columns`, in one statement.
pub async fn insert_rows(
    conn: &mut SqliteConnection,
    entity: &Entity,
    columns: &[&str],
    rows: &[(&str, &Map<String, Value>)],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let one = format!("({})", vec!["?"; columns.len() + 1].join(", "));
    let sql = format!(
        "INSERT INTO {} ({}{}{}) VALUES {}",
        entity.table,
        entity.id_column,
        if columns.is_empty() { "" } else { ", " },
        columns.join(", "),
        vec![one; rows.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (id, fields) in rows {
        query = query.bind(*id);
        for column in columns {
            query = bind(query, fields.get(*column).unwrap_or(&Value::Null));
        }
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Insert a new row with `columns` of `fields` and one more column bound as bytes (a
/// file's content, which never travels as a field).
pub async fn insert_with(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
    columns: &[&str],
    fields: &Map<String, Value>,
    (extra, bytes): (&str, Vec<u8>),
) -> Result<()> {
    let sql = format!(
        "INSERT INTO {} ({}, {}{}{extra}) VALUES ({})",
        entity.table,
        entity.id_column,
        columns.join(", "),
        if columns.is_empty() { "" } else { ", " },
        vec!["?"; columns.len() + 2].join(", ")
    );
    let mut query = sqlx::query(&sql).bind(id);
    for column in columns {
        query = bind(query, fields.get(*column).unwrap_or(&Value::Null));
    }
    query.bind(bytes).execute(&mut *conn).await?;
    Ok(())
}

/// Write `fields` of a row: update it if it exists, else insert it (then every column
/// must be given). Set fields replace the whole set. Unknown fields are refused.
pub async fn write_row(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
    fields: &Map<String, Value>,
) -> Result<()> {
    write_row_known(conn, entity, id, fields, None).await
}

/// [`write_row`] when whether the row is in the vault is known already.
pub async fn write_row_known(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
    fields: &Map<String, Value>,
    known_exists: Option<bool>,
) -> Result<()> {
    let columns: Vec<(&str, &Value)> = entity
        .columns
        .iter()
        .filter_map(|c| fields.get(*c).map(|v| (*c, v)))
        .collect();
    for name in fields.keys() {
        let known =
            entity.columns.contains(&name.as_str()) || entity.sets.iter().any(|s| s.field == name);
        if !known {
            return Err(crate::Error::invalid(
                "sync",
                format!(
                    "a change names a field {name} that {} does not have",
                    entity.name
                ),
            ));
        }
    }
    let exists: Option<i64> = match known_exists {
        Some(known) => known.then_some(1),
        None => {
            sqlx::query_scalar(&format!(
                "SELECT 1 FROM {} WHERE {} = ?",
                entity.table, entity.id_column
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    if exists.is_some() {
        if !columns.is_empty() {
            let sets: Vec<String> = columns.iter().map(|(c, _)| format!("{c} = ?")).collect();
            let sql = format!(
                "UPDATE {} SET {} WHERE {} = ?",
                entity.table,
                sets.join(", "),
                entity.id_column
            );
            let mut query = sqlx::query(&sql);
            for (_, value) in &columns {
                query = bind(query, value);
            }
            query.bind(id).execute(&mut *conn).await?;
        }
    } else {
        let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
        let marks = vec!["?"; names.len() + 1].join(", ");
        let sql = format!(
            "INSERT INTO {} ({}{}{}) VALUES ({marks})",
            entity.table,
            entity.id_column,
            if names.is_empty() { "" } else { ", " },
            names.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(id);
        for (_, value) in &columns {
            query = bind(query, value);
        }
        query.execute(&mut *conn).await?;
    }
    for set in entity.sets {
        let Some(Value::Array(values)) = fields.get(set.field) else {
            continue;
        };
        if exists.is_none() && values.is_empty() {
            // A new row's empty set: nothing to remove, nothing to add.
            continue;
        }
        sqlx::query(&format!(
            "DELETE FROM {} WHERE {} = ?",
            set.table, set.parent_column
        ))
        .bind(id)
        .execute(&mut *conn)
        .await?;
        let sql = format!(
            "INSERT OR IGNORE INTO {} ({}, {}) VALUES (?{})",
            set.table,
            set.parent_column,
            set.value_columns.join(", "),
            ", ?".repeat(set.value_columns.len())
        );
        for value in values {
            let mut query = sqlx::query(&sql).bind(id);
            match (set.value_columns, value) {
                ([_], value) => query = bind(query, value),
                (columns, Value::Object(fields)) => {
                    for column in columns {
                        query = bind(query, fields.get(*column).unwrap_or(&Value::Null));
                    }
                }
                _ => {
                    return Err(crate::Error::invalid(
                        "sync",
                        format!("a change's {} is not a list of rows", set.field),
                    ))
                }
            }
            query.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Remove a row that another laptop removed (rows without a tombstone of their own, such
/// as a checklist item taken off its card).
pub async fn delete_row(conn: &mut SqliteConnection, entity: &Entity, id: &str) -> Result<()> {
    for set in entity.sets {
        sqlx::query(&format!(
            "DELETE FROM {} WHERE {} = ?",
            set.table, set.parent_column
        ))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(&format!(
        "DELETE FROM {} WHERE {} = ?",
        entity.table, entity.id_column
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_a_person_settles_has_words_in_both_languages() {
        for catalog in [
            include_str!("../../../../ui/src/lib/i18n/en.json"),
            include_str!("../../../../ui/src/lib/i18n/th.json"),
        ] {
            let json: Value = serde_json::from_str(catalog).unwrap();
            let words = &json["settings"]["sync"]["field"];
            for entity in ENTITIES {
                for field in entity.tracked {
                    assert!(
                        words[*field].is_string(),
                        "{}.{field} has no label in settings.sync.field",
                        entity.name
                    );
                }
            }
        }
    }

    #[test]
    fn every_parent_and_child_is_named_both_ways() {
        for e in ENTITIES {
            for (child, column) in e.children {
                let c = entity(child).unwrap_or_else(|| panic!("{child} is not an entity"));
                assert_eq!(c.parent, Some((e.name, *column)), "{child}");
                assert_eq!(c.scope, ScopeRule::Parent, "{child}");
            }
            if let Some((parent, column)) = e.parent {
                let p = entity(parent).unwrap_or_else(|| panic!("{parent} is not an entity"));
                assert!(e.columns.contains(&column), "{}", e.name);
                let _ = p;
            }
            for field in e.tracked {
                assert!(e.columns.contains(field), "{}.{field}", e.name);
            }
        }
    }

    #[test]
    fn a_requests_status_only_moves_on() {
        let v = |s: &str| Value::String(s.to_owned());
        let order = ["pending", "approved", "cancelled", "rejected", "paid"];
        for (i, ours) in order.iter().enumerate() {
            for (j, theirs) in order.iter().enumerate() {
                let wins = progress("fund_request", "status", &v(ours), &v(theirs));
                assert_eq!(wins, (i != j).then_some(j > i), "{ours} against {theirs}");
            }
        }
        // Any other field, or a value it does not know, is left to the clocks.
        assert_eq!(progress("card", "status", &v("pending"), &v("paid")), None);
        assert_eq!(progress("fund_request", "amount", &v("1"), &v("2")), None);
        assert_eq!(
            progress("fund_request", "status", &Value::Null, &v("paid")),
            None
        );
    }
}
