//! Task boards: the team's board and one per case, their columns, and cards. Types and the
//! checks on what people type; `store` reads and writes rows. A card on a case is seen by
//! those who see the case (`access`), and by no one else.

pub mod edit;
pub mod store;

use serde::{Deserialize, Serialize};

use crate::cases::{parse_date, Section};
use crate::team::{clean_name, clean_optional, text_enum};
use crate::{Error, Result};

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
/// A checklist is a short list of steps, never a register.
pub const CHECKLIST_MAX_ITEMS: usize = 100;
pub const CHECKLIST_ITEM_MAX_CHARS: usize = 300;
pub const LABELS_MAX: usize = 20;
pub const LABEL_MAX_CHARS: usize = 40;

text_enum! {
    /// Where the review flow puts a card; columns a team adds have none.
    Stage {
        Todo => "todo",
        InProgress => "in_progress",
        Review => "review",
        Done => "done",
    }
}

text_enum! {
    Priority {
        Low => "low",
        Normal => "normal",
        High => "high",
        Urgent => "urgent",
    }
}

text_enum! {
    /// Where a card that needs review stands.
    Review {
        None => "none",
        /// Needs review; not yet asked for.
        Pending => "pending",
        /// In its review column, waiting for the reviewer.
        Waiting => "waiting",
        Returned => "returned",
        Approved => "approved",
    }
}

pub const COLUMN_NAME_MAX_CHARS: usize = 60;

/// A column's name as typed: not empty, not long.
pub fn clean_column_name(raw: &str) -> Result<String> {
    let name = clean_name("name", raw)?;
    if name.chars().count() > COLUMN_NAME_MAX_CHARS {
        return Err(Error::invalid(
            "name",
            format!("must be at most {COLUMN_NAME_MAX_CHARS} characters"),
        ));
    }
    Ok(name)
}

/// The columns a board starts with.
pub const DEFAULT_STAGES: [Stage; 4] = [Stage::Todo, Stage::InProgress, Stage::Review, Stage::Done];

/// A card as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewCard {
    /// The case whose board it goes on; none for the team's board.
    pub case_id: Option<String>,
    /// The column; the board's first when none.
    pub column_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    #[serde(default)]
    pub assignee_ids: Vec<String>,
    pub agency_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    pub priority: Option<String>,
    /// The member who must approve the card before it is done (e.g. the police liaison).
    pub reviewer_id: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub checklist: Vec<String>,
}

/// A card whose fields are checked (who the assignees and reviewer are is checked against
/// the vault).
#[derive(Debug, Clone)]
pub struct CheckedCard {
    pub title: String,
    pub description: Option<String>,
    pub assignee_ids: Vec<String>,
    pub agency_id: Option<String>,
    pub starts_on: Option<String>,
    pub due_on: Option<String>,
    pub priority: Priority,
    pub reviewer_id: Option<String>,
    pub labels: Vec<String>,
    pub checklist: Vec<String>,
}

impl NewCard {
    pub fn check(&self) -> Result<CheckedCard> {
        let title = clean_name("title", &self.title)?;
        if title.chars().count() > TITLE_MAX_CHARS {
            return Err(Error::invalid(
                "title",
                format!("must be at most {TITLE_MAX_CHARS} characters"),
            ));
        }
        let description = clean_optional("description", self.description.as_deref())?;
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > DESCRIPTION_MAX_CHARS)
        {
            return Err(Error::invalid(
                "description",
                format!("must be at most {DESCRIPTION_MAX_CHARS} characters"),
            ));
        }
        let date = |field: &'static str, raw: &Option<String>| -> Result<Option<String>> {
            match raw.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                Some(d) => Ok(Some(parse_date(field, d)?.to_string())),
                None => Ok(None),
            }
        };
        let starts_on = date("starts_on", &self.starts_on)?;
        let due_on = date("due_on", &self.due_on)?;
        if let (Some(start), Some(due)) = (&starts_on, &due_on) {
            if due < start {
                return Err(Error::invalid("due_on", "is before the start"));
            }
        }
        let priority = match self.priority.as_deref().map(str::trim) {
            None | Some("") => Priority::Normal,
            Some(p) => Priority::parse("priority", p)?,
        };
        if self.checklist.len() > CHECKLIST_MAX_ITEMS {
            return Err(Error::invalid(
                "checklist",
                format!("has more than {CHECKLIST_MAX_ITEMS} items; split the task"),
            ));
        }
        let mut checklist = Vec::with_capacity(self.checklist.len());
        for item in &self.checklist {
            let item = clean_name("checklist", item)?;
            if item.chars().count() > CHECKLIST_ITEM_MAX_CHARS {
                return Err(Error::invalid(
                    "checklist",
                    format!("has an item longer than {CHECKLIST_ITEM_MAX_CHARS} characters"),
                ));
            }
            checklist.push(item);
        }
        if self.labels.len() > LABELS_MAX {
            return Err(Error::invalid(
                "labels",
                format!("has more than {LABELS_MAX} labels"),
            ));
        }
        let mut labels: Vec<String> = Vec::with_capacity(self.labels.len());
        for label in &self.labels {
            let label = clean_name("labels", label)?;
            if label.chars().count() > LABEL_MAX_CHARS {
                return Err(Error::invalid(
                    "labels",
                    format!("has a label longer than {LABEL_MAX_CHARS} characters"),
                ));
            }
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        let mut assignee_ids: Vec<String> = Vec::new();
        for id in &self.assignee_ids {
            let id = id.trim().to_owned();
            if !id.is_empty() && !assignee_ids.contains(&id) {
                assignee_ids.push(id);
            }
        }
        let non_empty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(CheckedCard {
            title,
            description,
            assignee_ids,
            agency_id: non_empty(&self.agency_id),
            starts_on,
            due_on,
            priority,
            reviewer_id: non_empty(&self.reviewer_id),
            labels,
            checklist,
        })
    }
}

/// The section a card's content belongs to, for need to know: cards are about the case as
/// a whole, so they go to everyone who sees the case (its general section's audience).
pub const CARD_SECTION: Section = Section::General;

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> NewCard {
        NewCard {
            case_id: None,
            column_id: None,
            title: "Home visit".into(),
            description: None,
            assignee_ids: vec![],
            agency_id: None,
            starts_on: Some("2026-12-01".into()),
            due_on: Some("2026-12-05".into()),
            priority: None,
            reviewer_id: None,
            labels: vec!["visit".into(), "visit".into()],
            checklist: vec!["Call the family".into()],
        }
    }

    fn field_of(result: Result<CheckedCard>) -> &'static str {
        match result {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn a_card_is_checked_field_by_field() {
        let checked = card().check().unwrap();
        assert_eq!(checked.priority, Priority::Normal);
        assert_eq!(checked.labels, ["visit"], "labels once each");

        let mut c = card();
        c.title = "   ".into();
        assert_eq!(field_of(c.check()), "title");
        let mut c = card();
        c.due_on = Some("2026-11-30".into());
        assert_eq!(field_of(c.check()), "due_on");
        let mut c = card();
        c.starts_on = Some("2026-13-01".into());
        assert_eq!(field_of(c.check()), "starts_on");
        let mut c = card();
        c.checklist = (0..5_000).map(|i| format!("step {i}")).collect();
        assert_eq!(field_of(c.check()), "checklist");
        let mut c = card();
        c.priority = Some("whenever".into());
        assert_eq!(field_of(c.check()), "priority");
        let mut c = card();
        c.title = "x".repeat(TITLE_MAX_CHARS + 1);
        assert_eq!(field_of(c.check()), "title");
    }
}
