//! Committees and working groups (members, chair, how often they meet) and their meetings:
//! date, place, who came or sent apologies, the agenda (topics, and case reviews that name
//! a case), the general minutes, the decisions, and the action items, which are task cards
//! on the right board linked back to the meeting. A case review's minutes are a note on the
//! case, in the section its author chose: the meeting holds only the link, and each reader
//! sees of a review what they may see of its case.

pub mod committees;
pub mod ics;
pub mod store;

use serde::{Deserialize, Serialize};

use crate::team::{clean_name, clean_optional, text_enum};
use crate::{Error, Result};

/// The longest meeting: a day's retreat.
pub const MINUTES_LONG_AT_MOST: u32 = 720;
/// The longest general minutes.
pub const MINUTES_MAX_CHARS: usize = 20_000;
/// An agenda of more items is a mistake of input.
pub const ITEMS_AT_MOST: usize = 50;

text_enum! {
    CommitteeKind {
        Committee => "committee",
        WorkingGroup => "working_group",
    }
}

text_enum! {
    /// How often a committee meets.
    Frequency {
        Weekly => "weekly",
        Fortnightly => "fortnightly",
        Monthly => "monthly",
        Quarterly => "quarterly",
        AsNeeded => "as_needed",
    }
}

text_enum! {
    MeetingStatus {
        Planned => "planned",
        Held => "held",
        Cancelled => "cancelled",
    }
}

text_enum! {
    Attendance {
        Invited => "invited",
        Present => "present",
        Apologies => "apologies",
        Absent => "absent",
    }
}

text_enum! {
    ItemKind {
        Topic => "topic",
        CaseReview => "case_review",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Committee {
    pub id: String,
    pub name: String,
    pub kind: CommitteeKind,
    pub frequency: Frequency,
    pub chair_id: Option<String>,
    pub member_ids: Vec<String>,
    /// What the last chair wrote for the one who took over when they left the team.
    pub handover_note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewCommittee {
    pub name: String,
    pub kind: CommitteeKind,
    pub frequency: Frequency,
    pub chair_id: Option<String>,
    #[serde(default)]
    pub member_ids: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CommitteeUpdate {
    pub id: String,
    pub committee: NewCommittee,
}

/// An item for the agenda: a topic (its title) or a case review (its case).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewAgendaItem {
    pub title: Option<String>,
    pub case_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewMeeting {
    pub committee_id: String,
    /// Local time: `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub minutes_long: u32,
    pub place: String,
    #[serde(default)]
    pub agenda: Vec<NewAgendaItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    pub member_id: String,
    pub attendance: Attendance,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AttendanceUpdate {
    pub meeting_id: String,
    pub attendees: Vec<Attendee>,
}

/// The general minutes of a meeting, and whether it was held.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MinutesUpdate {
    pub meeting_id: String,
    pub minutes: Option<String>,
    pub status: MeetingStatus,
}

/// The minutes of a case review, kept as a note on its case in the chosen section.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReviewMinutes {
    pub item_id: String,
    pub section: String,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewDecision {
    pub meeting_id: String,
    pub text: String,
}

/// An action item: a task card on the team's board, or on the board of a case the
/// meeting reviewed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewActionItem {
    pub meeting_id: String,
    pub card: crate::boards::NewCard,
}

/// A case review as one reader sees it: the case only if they may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReviewedCase {
    /// `None` for a reader who may not see the case: they see that a case was reviewed.
    pub case_id: Option<String>,
    pub subject_name: Option<String>,
    /// The review's minutes, when written and the reader sees their section.
    pub minutes: Option<String>,
    pub minutes_section: Option<String>,
    pub minutes_written: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AgendaItem {
    pub id: String,
    pub position: u32,
    pub kind: ItemKind,
    pub title: Option<String>,
    pub review: Option<ReviewedCase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub id: String,
    pub text: String,
    pub created_by: String,
    pub created_at: String,
}

/// An action item as its card is now (cards the reader may not see are not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActionItem {
    pub card_id: String,
    pub title: String,
    pub case_id: Option<String>,
    pub due_on: Option<String>,
    pub assignee_ids: Vec<String>,
    /// The stage of the card's column: todo, in_progress, review, done.
    pub stage: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MeetingSummary {
    pub id: String,
    pub committee_id: String,
    pub committee_name: String,
    pub starts_at: String,
    pub minutes_long: u32,
    pub place: String,
    pub status: MeetingStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MeetingView {
    pub summary: MeetingSummary,
    pub attendees: Vec<Attendee>,
    pub agenda: Vec<AgendaItem>,
    pub minutes: Option<String>,
    pub decisions: Vec<Decision>,
    pub action_items: Vec<ActionItem>,
    /// Whether the reader may plan and record this meeting (a member of its committee, or
    /// one who manages the team).
    pub may_run: bool,
}

/// A local time as typed, `YYYY-MM-DDTHH:MM`.
pub fn parse_local(field: &'static str, raw: &str) -> Result<time::PrimitiveDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    time::PrimitiveDateTime::parse(raw.trim(), &format).map_err(|_| {
        Error::invalid(
            field,
            format!("“{raw}” is not a day and time (YYYY-MM-DDTHH:MM)"),
        )
    })
}

impl NewCommittee {
    pub fn check(&self) -> Result<NewCommittee> {
        let name = clean_name("name", &self.name)?;
        let mut member_ids = self.member_ids.clone();
        member_ids.sort();
        member_ids.dedup();
        if let Some(chair) = &self.chair_id {
            if !member_ids.contains(chair) {
                member_ids.push(chair.clone());
                member_ids.sort();
            }
        }
        Ok(NewCommittee {
            name,
            member_ids,
            ..self.clone()
        })
    }
}

impl NewMeeting {
    /// The meeting's own fields, checked (the agenda's cases are checked by the vault).
    pub fn check(&self) -> Result<(String, String)> {
        let starts = parse_local("startsAt", &self.starts_at)?;
        if !(15..=MINUTES_LONG_AT_MOST).contains(&self.minutes_long) {
            return Err(Error::invalid(
                "minutesLong",
                format!("is from 15 to {MINUTES_LONG_AT_MOST} minutes"),
            ));
        }
        let place = clean_name("place", &self.place)?;
        if self.agenda.len() > ITEMS_AT_MOST {
            return Err(Error::invalid(
                "agenda",
                format!("holds more than {ITEMS_AT_MOST} items"),
            ));
        }
        let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        let starts = starts
            .format(&format)
            .map_err(|_| Error::Encode("a time"))?;
        Ok((starts, place))
    }
}

impl NewAgendaItem {
    /// A topic's title, or a review's case id.
    pub fn check(&self) -> Result<(ItemKind, Option<String>, Option<String>)> {
        let title = clean_optional("title", self.title.as_deref())?;
        let case_id = self
            .case_id
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        match (title, case_id) {
            (Some(title), None) => Ok((ItemKind::Topic, Some(title), None)),
            (None, Some(case)) => Ok((ItemKind::CaseReview, None, Some(case.to_owned()))),
            (Some(_), Some(_)) => Err(Error::invalid(
                "title",
                "a case review has no title of its own: its case is shown to those who may see it",
            )),
            (None, None) => Err(Error::invalid(
                "title",
                "a topic needs a title, a review a case",
            )),
        }
    }
}

pub fn clean_minutes(raw: Option<&str>) -> Result<Option<String>> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MINUTES_MAX_CHARS {
        return Err(Error::invalid(
            "minutes",
            format!("must be at most {MINUTES_MAX_CHARS} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid("minutes", "contains control characters"));
    }
    Ok(Some(text.to_owned()))
}
