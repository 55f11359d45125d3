//! The child register: the households the volunteers survey, with their wellbeing on the
//! survey's day, and the children of each. A child's vulnerability score is the sum of the
//! points the team's rule (`rule`) gives their household's indicators and their own; from
//! the rule's threshold up, the child is flagged for the team.
//!
//! Every write is checked whole before anything is written: a household and its children
//! go in together or not at all, and an import is many households in one transaction.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::rule::{self, VulnerabilityRule};
use crate::cases::{name_key, parse_date, Documentation, Sex};
use crate::outbox::{now_utc, Op, Outbox};
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
    /// A part of the child's name or the household's.
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

/// Write checked households and their children, a few hundred rows a statement, each row
/// through the outbox; `progress` hears the children written so far. The caller commits.
pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    households: &[Checked],
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<Vec<String>> {
    const AT_ONCE: usize = 200;
    let now = now_utc();
    let mut household_ids = Vec::with_capacity(households.len());
    let mut done = 0;
    for chunk in households.chunks(AT_ONCE) {
        let mut sql = String::from(
            "INSERT INTO households (id, village_id, label, surveyed_on, volunteer_id,
                 income_band, parents_away, debt, disability, health_care, other_risks,
                 created_by, created_at, updated_at) VALUES ",
        );
        sql.push_str(&vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", "));
        let mut query = sqlx::query(&sql);
        let mut changes = Vec::with_capacity(chunk.len());
        let mut children = Vec::new();
        for Checked { household: h } in chunk {
            let id = uuid::Uuid::now_v7().to_string();
            let w = &h.wellbeing;
            query = query
                .bind(id.clone())
                .bind(&h.village_id)
                .bind(&h.label)
                .bind(&h.surveyed_on)
                .bind(&h.volunteer_id)
                .bind(w.income_band.as_str())
                .bind(w.parents_away.as_str())
                .bind(w.debt)
                .bind(w.disability)
                .bind(w.health_care)
                .bind(&w.other_risks)
                .bind(author)
                .bind(&now)
                .bind(&now);
            changes.push((
                id.clone(),
                Op::Insert,
                serde_json::json!({
                    "village_id": h.village_id, "label": h.label, "surveyed_on": h.surveyed_on,
                    "volunteer_id": h.volunteer_id, "income_band": w.income_band,
                    "parents_away": w.parents_away, "debt": w.debt, "disability": w.disability,
                    "health_care": w.health_care, "other_risks": w.other_risks,
                }),
            ));
            for child in &h.children {
                children.push((id.clone(), &h.village_id, child));
            }
            household_ids.push(id);
        }
        query.execute(&mut **tx).await?;
        outbox
            .record_many(tx, Some(author), "household", &changes)
            .await?;
        for some in children.chunks(AT_ONCE) {
            insert_children(tx, outbox, author, &now, some).await?;
            done += some.len();
            progress(done);
        }
    }
    Ok(household_ids)
}

async fn insert_children(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    now: &str,
    children: &[(String, &String, &NewChild)],
) -> Result<()> {
    let mut sql = String::from(
        "INSERT INTO register_children (id, household_id, village_id, name, sex, birth_date,
             school, documentation, lives_with, created_by, created_at, updated_at) VALUES ",
    );
    sql.push_str(&vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; children.len()].join(", "));
    let mut query = sqlx::query(&sql);
    let mut changes = Vec::with_capacity(children.len());
    for (household, village, child) in children {
        let id = uuid::Uuid::now_v7().to_string();
        query = query
            .bind(id.clone())
            .bind(household)
            .bind(*village)
            .bind(&child.name)
            .bind(child.sex.as_str())
            .bind(&child.birth_date)
            .bind(child.school.as_str())
            .bind(child.documentation.as_str())
            .bind(child.lives_with.as_str())
            .bind(author)
            .bind(now)
            .bind(now);
        changes.push((
            id,
            Op::Insert,
            serde_json::json!({
                "household_id": household, "village_id": village, "name": child.name,
                "sex": child.sex, "birth_date": child.birth_date, "school": child.school,
                "documentation": child.documentation, "lives_with": child.lives_with,
            }),
        ));
    }
    query.execute(&mut **tx).await?;
    outbox
        .record_many(tx, Some(author), "register_child", &changes)
        .await
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    sex: Sex,
    birth_date: String,
    school: School,
    documentation: Documentation,
    lives_with: LivesWith,
    household_id: String,
    household: String,
    village_id: String,
    surveyed_on: String,
    volunteer_id: Option<String>,
    income_band: IncomeBand,
    parents_away: ParentsAway,
    debt: bool,
    disability: bool,
    health_care: bool,
    other_risks: Option<String>,
    case_id: Option<String>,
    score: i64,
    total: i64,
    flagged_total: i64,
}

impl Row {
    fn child(self, threshold: u32) -> RegisterChild {
        let score = u32::try_from(self.score).unwrap_or(0);
        RegisterChild {
            id: self.id,
            name: self.name,
            sex: self.sex,
            birth_date: self.birth_date,
            school: self.school,
            documentation: self.documentation,
            lives_with: self.lives_with,
            household_id: self.household_id,
            household: self.household,
            village_id: self.village_id,
            surveyed_on: self.surveyed_on,
            volunteer_id: self.volunteer_id,
            wellbeing: Wellbeing {
                income_band: self.income_band,
                parents_away: self.parents_away,
                debt: self.debt,
                disability: self.disability,
                health_care: self.health_care,
                other_risks: self.other_risks,
            },
            score,
            flagged: score >= threshold,
            case_id: self.case_id,
        }
    }
}

/// `text` as a LIKE pattern that matches it anywhere, its wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The children matching `query`, the most vulnerable first, by the team's rule.
pub async fn search(conn: &mut SqliteConnection, query: &RegisterQuery) -> Result<RegisterPage> {
    let rule = rule::load(conn).await?;
    let text = clean_optional("text", query.text.as_deref())?;
    let limit = query.limit.unwrap_or(50).clamp(1, PAGE_AT_MOST);
    page(conn, &rule, query, text.as_deref(), None, limit).await
}

/// One child of the register.
pub async fn get(conn: &mut SqliteConnection, id: &str) -> Result<RegisterChild> {
    let rule = rule::load(conn).await?;
    let found = page(conn, &rule, &RegisterQuery::default(), None, Some(id), 1).await?;
    found
        .children
        .into_iter()
        .next()
        .ok_or(Error::NotFound("the child"))
}

async fn page(
    conn: &mut SqliteConnection,
    rule: &VulnerabilityRule,
    query: &RegisterQuery,
    text: Option<&str>,
    id: Option<&str>,
    limit: u32,
) -> Result<RegisterPage> {
    let score = rule.points.sql();
    let threshold = rule.threshold;
    let sql = format!(
        "SELECT c.id, c.name, c.sex, c.birth_date, c.school, c.documentation, c.lives_with,
                c.household_id, h.label AS household, c.village_id, h.surveyed_on,
                h.volunteer_id, h.income_band, h.parents_away, h.debt, h.disability,
                h.health_care, h.other_risks, c.case_id, {score} AS score,
                count(*) OVER () AS total,
                sum(({score}) >= {threshold}) OVER () AS flagged_total
         FROM register_children c JOIN households h ON h.id = c.household_id
         WHERE c.deleted_at IS NULL
           AND (?1 IS NULL OR c.name LIKE ?1 ESCAPE '\\' OR h.label LIKE ?1 ESCAPE '\\')
           AND (?2 IS NULL OR c.village_id = ?2)
           AND (?3 = 0 OR ({score}) >= {threshold})
           AND (?4 IS NULL OR c.documentation = ?4)
           AND (?5 IS NULL OR c.school = ?5)
           AND (?6 IS NULL OR c.id = ?6)
         ORDER BY score DESC, c.name, c.id
         LIMIT ?7 OFFSET ?8"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(text.map(contains_pattern))
        .bind(&query.village_id)
        .bind(query.flagged_only)
        .bind(query.documentation.map(Documentation::as_str))
        .bind(query.school.map(School::as_str))
        .bind(id)
        .bind(limit)
        .bind(query.offset)
        .fetch_all(&mut *conn)
        .await?;
    let (total, flagged) = rows
        .first()
        .map(|r| (r.total, r.flagged_total))
        .unwrap_or((0, 0));
    Ok(RegisterPage {
        children: rows.into_iter().map(|r| r.child(threshold)).collect(),
        total: u32::try_from(total).unwrap_or(u32::MAX),
        flagged: u32::try_from(flagged).unwrap_or(u32::MAX),
        threshold,
    })
}

/// Note that a case was opened for the child (through the outbox); the caller commits.
pub async fn link_case(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    child_id: &str,
    case_id: &str,
) -> Result<()> {
    let now = now_utc();
    sqlx::query("UPDATE register_children SET case_id = ?, updated_at = ? WHERE id = ?")
        .bind(case_id)
        .bind(&now)
        .bind(child_id)
        .execute(&mut **tx)
        .await?;
    outbox
        .record(
            tx,
            Some(author),
            "register_child",
            child_id,
            Op::Update,
            &serde_json::json!({ "case_id": case_id, "updated_at": now }),
        )
        .await
}

/// The child of the register a case was opened for, if it was.
pub async fn child_of_case(conn: &mut SqliteConnection, case_id: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM register_children WHERE case_id = ? AND deleted_at IS NULL",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?)
}
