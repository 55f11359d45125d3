//! The child register: the households the volunteers survey, with their wellbeing on the
//! survey's day, and the children of each. A child's vulnerability score is the sum of the
//! points the team's rule (`rule`) gives their household's indicators and their own, kept
//! by the vault beside the child; from the rule's threshold up, the child is flagged.
//!
//! Every write is checked whole before anything is written: a household and its children
//! go in together or not at all, and an import is many households in one transaction.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::cases::{name_key, parse_date, Documentation, Sex};
use crate::team::{clean_name, clean_optional, text_enum};
use crate::{Error, Result};

/// The register lists children and young people: a birth date further back is a mistake.
pub const AGE_AT_MOST: i32 = 25;
/// At most this many children a page of the register.
pub const PAGE_AT_MOST: u32 = 200;
/// A household of more children is a mistake of input.
const CHILDREN_AT_MOST: usize = 30;

text_enum! {
    /// The household's income against the poverty line.
    IncomeBand {
        BelowPoverty => "below_poverty",
        Low => "low",
        Sufficient => "sufficient",
        Unknown => "unknown",
    }
}

text_enum! {
    /// Parents working away from home, or migrated.
    ParentsAway {
        None => "none",
        One => "one",
        Both => "both",
    }
}

text_enum! {
    School {
        Attending => "attending",
        NotAttending => "not_attending",
        NotSchoolAge => "not_school_age",
    }
}

text_enum! {
    /// Whom the child lives with.
    LivesWith {
        BothParents => "both_parents",
        OneParent => "one_parent",
        Grandparents => "grandparents",
        Relatives => "relatives",
        Other => "other",
        Alone => "alone",
    }
}

/// A household's economic and social wellbeing, as surveyed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Wellbeing {
    pub income_band: IncomeBand,
    pub parents_away: ParentsAway,
    pub debt: bool,
    /// Someone of the household lives with a disability.
    pub disability: bool,
    /// The household can reach health care.
    pub health_care: bool,
    pub other_risks: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewChild {
    pub name: String,
    pub sex: Sex,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub school: School,
    pub documentation: Documentation,
    pub lives_with: LivesWith,
}

/// A household survey: the household, its wellbeing, its children.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewHousehold {
    pub village_id: String,
    /// Its house number, or the name the village knows it by.
    pub label: String,
    /// `YYYY-MM-DD`.
    pub surveyed_on: String,
    pub volunteer_id: String,
    pub wellbeing: Wellbeing,
    pub children: Vec<NewChild>,
}

/// A child of the register as shown, with their household's survey and their score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RegisterChild {
    pub id: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: String,
    pub school: School,
    pub documentation: Documentation,
    pub lives_with: LivesWith,
    pub household_id: String,
    pub household: String,
    pub village_id: String,
    pub surveyed_on: String,
    pub volunteer_id: Option<String>,
    pub wellbeing: Wellbeing,
    /// By the team's rule as it is now.
    pub score: u32,
    pub flagged: bool,
    /// The case opened for the child.
    pub case_id: Option<String>,
}

/// A search of the register and its filters; all are optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RegisterQuery {
    /// A part of the child's name.
    pub text: Option<String>,
    pub village_id: Option<String>,
    #[serde(default)]
    pub flagged_only: bool,
    pub documentation: Option<Documentation>,
    pub school: Option<School>,
    #[serde(default)]
    pub offset: u32,
    /// At most [`PAGE_AT_MOST`]; 50 when not said.
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RegisterPage {
    /// The most vulnerable first.
    pub children: Vec<RegisterChild>,
    /// How many match, on every page.
    pub total: u32,
    /// How many of those are flagged.
    pub flagged: u32,
    pub threshold: u32,
}

/// What the register holds already, read once for a check of many rows: its villages,
/// volunteers, households and children (as compared for duplicates).
#[derive(Debug, Default)]
pub struct Known {
    /// Village id → its Thai name, English name and number.
    pub villages: HashMap<String, (String, Option<String>, Option<i64>)>,
    /// Volunteer id → (village id, name).
    pub volunteers: HashMap<String, (String, String)>,
    pub households: HashSet<(String, String)>,
    /// (village id, name key, birth date).
    pub children: HashSet<(String, String, String)>,
}

impl Known {
    pub async fn load(conn: &mut SqliteConnection) -> Result<Self> {
        let mut known = Known::default();
        let villages: Vec<(String, String, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT id, name_th, name_en, moo FROM villages WHERE deleted_at IS NULL",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (id, th, en, moo) in villages {
            known.villages.insert(id, (th, en, moo));
        }
        let volunteers: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, village_id, name FROM volunteers WHERE deleted_at IS NULL")
                .fetch_all(&mut *conn)
                .await?;
        for (id, village, name) in volunteers {
            known.volunteers.insert(id, (village, name));
        }
        let households: Vec<(String, String)> =
            sqlx::query_as("SELECT village_id, label FROM households WHERE deleted_at IS NULL")
                .fetch_all(&mut *conn)
                .await?;
        known.households = households
            .into_iter()
            .map(|(village, label)| (village, name_key(&label)))
            .collect();
        let children: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT village_id, name, birth_date FROM register_children WHERE deleted_at IS NULL",
        )
        .fetch_all(&mut *conn)
        .await?;
        known.children = children
            .into_iter()
            .map(|(village, name, born)| (village, name_key(&name), born))
            .collect();
        Ok(known)
    }
}

/// A correction of a child's record (their documentation once it changes, say).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChildUpdate {
    pub id: String,
    pub child: NewChild,
}

/// A household checked whole, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub household: NewHousehold,
}

fn not_after(field: &'static str, day: time::Date, limit: time::Date, what: &str) -> Result<()> {
    if day > limit {
        return Err(Error::invalid(field, format!("{day} is after {what}")));
    }
    Ok(())
}

/// Check a household's own fields (not its children) against what is known.
pub fn check_household(
    new: &NewHousehold,
    known: &Known,
    today: time::Date,
) -> Result<NewHousehold> {
    if !known.villages.contains_key(&new.village_id) {
        return Err(Error::invalid(
            "villageId",
            "is not a village of the register",
        ));
    }
    let label = clean_name("label", &new.label)?;
    if known
        .households
        .contains(&(new.village_id.clone(), name_key(&label)))
    {
        return Err(Error::invalid(
            "label",
            format!("household “{label}” of this village is in the register already"),
        ));
    }
    let surveyed = parse_date("surveyedOn", &new.surveyed_on)?;
    not_after("surveyedOn", surveyed, today, "today")?;
    match known.volunteers.get(&new.volunteer_id) {
        None => {
            return Err(Error::invalid(
                "volunteerId",
                "is not a volunteer of the register",
            ))
        }
        Some((village, _)) if *village != new.village_id => {
            return Err(Error::invalid(
                "volunteerId",
                "is a volunteer of another village",
            ))
        }
        Some(_) => {}
    }
    let other_risks = clean_optional("otherRisks", new.wellbeing.other_risks.as_deref())?;
    Ok(NewHousehold {
        label,
        surveyed_on: surveyed.to_string(),
        wellbeing: Wellbeing {
            other_risks,
            ..new.wellbeing.clone()
        },
        children: Vec::new(),
        ..new.clone()
    })
}

/// Check one child of a household surveyed on `surveyed_on`.
pub fn check_child(
    child: &NewChild,
    village_id: &str,
    surveyed_on: time::Date,
    known: &Known,
) -> Result<NewChild> {
    let name = clean_name("name", &child.name)?;
    let born = parse_date("birthDate", &child.birth_date)?;
    not_after("birthDate", born, surveyed_on, "the survey")?;
    let oldest = surveyed_on
        .replace_year(surveyed_on.year() - AGE_AT_MOST)
        .unwrap_or(time::Date::MIN);
    if born < oldest {
        return Err(Error::invalid(
            "birthDate",
            format!("{born} is more than {AGE_AT_MOST} years before the survey: the register lists children"),
        ));
    }
    if known
        .children
        .contains(&(village_id.to_owned(), name_key(&name), born.to_string()))
    {
        return Err(Error::invalid(
            "name",
            format!("{name}, born {born}, is in this village's register already"),
        ));
    }
    Ok(NewChild {
        name,
        birth_date: born.to_string(),
        ..child.clone()
    })
}

/// Check a household and its children whole; on success, `known` holds them too (so a
/// second survey of the same in one import is found).
pub fn check(new: &NewHousehold, known: &mut Known, today: time::Date) -> Result<Checked> {
    let mut household = check_household(new, known, today)?;
    if new.children.is_empty() {
        return Err(Error::invalid(
            "children",
            "a survey lists at least one child",
        ));
    }
    if new.children.len() > CHILDREN_AT_MOST {
        return Err(Error::invalid(
            "children",
            format!("a household of more than {CHILDREN_AT_MOST} children is a mistake"),
        ));
    }
    let surveyed = parse_date("surveyedOn", &household.surveyed_on)?;
    let mut keys = HashSet::new();
    for child in &new.children {
        let child = check_child(child, &household.village_id, surveyed, known)?;
        if !keys.insert((name_key(&child.name), child.birth_date.clone())) {
            return Err(Error::invalid(
                "name",
                format!("{}, born {}, is listed twice", child.name, child.birth_date),
            ));
        }
        household.children.push(child);
    }
    known.remember(&household);
    Ok(Checked { household })
}

impl Known {
    /// Hold a household checked to go in, as if it were in the register.
    pub fn remember(&mut self, household: &NewHousehold) {
        self.households
            .insert((household.village_id.clone(), name_key(&household.label)));
        for child in &household.children {
            self.children.insert((
                household.village_id.clone(),
                name_key(&child.name),
                child.birth_date.clone(),
            ));
        }
    }
}

mod store;
pub use store::{child_of_case, get, insert, link_case, search, update_child};
