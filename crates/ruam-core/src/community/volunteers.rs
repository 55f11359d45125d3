//! Volunteers: the people of a village who know its children, a member of the team or
//! not, with a phone, the trainings they attended (and when), and whether they are active.
//! Bad input names the field and writes nothing.

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::cases::{parse_date, today};
use crate::outbox::{now_utc, Op, Outbox};
use crate::team::{clean_name, clean_optional};
use crate::{Error, Result};

/// A volunteer attends a few trainings a year; more is a mistake of input.
const TRAININGS_AT_MOST: usize = 100;
const PHONE_CHARS: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Training {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Volunteer {
    pub id: String,
    pub name: String,
    /// The team member they are, if they are one.
    pub member_id: Option<String>,
    pub village_id: String,
    pub phone: Option<String>,
    pub active: bool,
    /// Oldest first.
    pub trainings: Vec<Training>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewVolunteer {
    pub name: String,
    pub member_id: Option<String>,
    pub village_id: String,
    pub phone: Option<String>,
    pub active: bool,
    #[serde(default)]
    pub trainings: Vec<Training>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VolunteerUpdate {
    pub id: String,
    pub volunteer: NewVolunteer,
}

fn phone(raw: Option<&str>) -> Result<Option<String>> {
    let Some(phone) = clean_optional("phone", raw)? else {
        return Ok(None);
    };
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let only_phone_marks = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
    if !only_phone_marks || !(6..=15).contains(&digits) || phone.chars().count() > PHONE_CHARS {
        return Err(Error::invalid(
            "phone",
            format!("“{phone}” is not a phone number (digits, spaces, - and +)"),
        ));
    }
    Ok(Some(phone))
}

fn trainings(raw: &[Training]) -> Result<Vec<Training>> {
    if raw.len() > TRAININGS_AT_MOST {
        return Err(Error::invalid(
            "trainings",
            format!("holds more than {TRAININGS_AT_MOST} trainings"),
        ));
    }
    let today = today();
    let mut out = Vec::with_capacity(raw.len());
    for training in raw {
        let title = clean_name("trainings", &training.title)?;
        let day = parse_date("trainings", &training.held_on)?;
        if day > today {
            return Err(Error::invalid(
                "trainings",
                format!("“{title}” is dated after today"),
            ));
        }
        let training = Training {
            title,
            held_on: day.to_string(),
        };
        if out.contains(&training) {
            return Err(Error::invalid(
                "trainings",
                format!(
                    "“{}” on {} is listed twice",
                    training.title, training.held_on
                ),
            ));
        }
        out.push(training);
    }
    out.sort_by(|a, b| (&a.held_on, &a.title).cmp(&(&b.held_on, &b.title)));
    Ok(out)
}

impl NewVolunteer {
    async fn clean(&self, conn: &mut SqliteConnection, id: &str) -> Result<Volunteer> {
        let name = clean_name("name", &self.name)?;
        let village: Option<String> =
            sqlx::query_scalar("SELECT id FROM villages WHERE id = ? AND deleted_at IS NULL")
                .bind(&self.village_id)
                .fetch_optional(&mut *conn)
                .await?;
        if village.is_none() {
            return Err(Error::invalid(
                "villageId",
                "is not a village of the register",
            ));
        }
        let member_id = match self.member_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(member) => {
                let known: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM members WHERE id = ? AND deleted_at IS NULL",
                )
                .bind(member)
                .fetch_optional(&mut *conn)
                .await?;
                Some(
                    known
                        .ok_or_else(|| Error::invalid("memberId", "is not a member of the team"))?,
                )
            }
        };
        Ok(Volunteer {
            id: id.to_owned(),
            name,
            member_id,
            village_id: self.village_id.clone(),
            phone: phone(self.phone.as_deref())?,
            active: self.active,
            trainings: trainings(&self.trainings)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    member_id: Option<String>,
    village_id: String,
    phone: Option<String>,
    active: bool,
    trainings: String,
}

const SELECT: &str = "SELECT v.id, v.name, v.member_id, v.village_id, v.phone, v.active,
        (SELECT json_group_array(json_object('title', title, 'heldOn', held_on))
         FROM (SELECT * FROM volunteer_trainings t WHERE t.volunteer_id = v.id
               ORDER BY held_on, title)) AS trainings
    FROM volunteers v WHERE v.deleted_at IS NULL";

fn volunteer(row: Row) -> Result<Volunteer> {
    Ok(Volunteer {
        id: row.id,
        name: row.name,
        member_id: row.member_id,
        village_id: row.village_id,
        phone: row.phone,
        active: row.active,
        trainings: serde_json::from_str(&row.trainings)?,
    })
}

/// Every volunteer, by village and name; of one village when asked.
pub async fn list(conn: &mut SqliteConnection, village_id: Option<&str>) -> Result<Vec<Volunteer>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} AND (?1 IS NULL OR v.village_id = ?1) ORDER BY v.village_id, v.name"
    ))
    .bind(village_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(volunteer).collect()
}

pub async fn get(conn: &mut SqliteConnection, id: &str) -> Result<Volunteer> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND v.id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    volunteer(row.ok_or(Error::NotFound("the volunteer"))?)
}

async fn write_trainings(tx: &mut Transaction<'_, Sqlite>, volunteer: &Volunteer) -> Result<()> {
    sqlx::query("DELETE FROM volunteer_trainings WHERE volunteer_id = ?")
        .bind(&volunteer.id)
        .execute(&mut **tx)
        .await?;
    for training in &volunteer.trainings {
        sqlx::query(
            "INSERT INTO volunteer_trainings (volunteer_id, title, held_on) VALUES (?, ?, ?)",
        )
        .bind(&volunteer.id)
        .bind(&training.title)
        .bind(&training.held_on)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn fields(volunteer: &Volunteer, now: &str) -> serde_json::Value {
    serde_json::json!({
        "name": volunteer.name, "member_id": volunteer.member_id,
        "village_id": volunteer.village_id, "phone": volunteer.phone,
        "active": volunteer.active, "trainings": volunteer.trainings, "updated_at": now,
    })
}

/// Check `new` and insert it; the caller commits.
pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    new: &NewVolunteer,
) -> Result<Volunteer> {
    let volunteer = new.clean(tx, &uuid::Uuid::now_v7().to_string()).await?;
    let now = now_utc();
    sqlx::query(
        "INSERT INTO volunteers (id, name, member_id, village_id, phone, active, created_by,
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&volunteer.id)
    .bind(&volunteer.name)
    .bind(&volunteer.member_id)
    .bind(&volunteer.village_id)
    .bind(&volunteer.phone)
    .bind(volunteer.active)
    .bind(author)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    write_trainings(tx, &volunteer).await?;
    outbox
        .record(
            tx,
            Some(author),
            "volunteer",
            &volunteer.id,
            Op::Insert,
            &fields(&volunteer, &now),
        )
        .await?;
    Ok(volunteer)
}

/// Check `update` and write it over the volunteer; the caller commits.
pub async fn update(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    update: &VolunteerUpdate,
) -> Result<Volunteer> {
    get(tx, &update.id).await?;
    let volunteer = update.volunteer.clean(tx, &update.id).await?;
    let now = now_utc();
    sqlx::query(
        "UPDATE volunteers SET name = ?, member_id = ?, village_id = ?, phone = ?, active = ?,
             updated_at = ? WHERE id = ?",
    )
    .bind(&volunteer.name)
    .bind(&volunteer.member_id)
    .bind(&volunteer.village_id)
    .bind(&volunteer.phone)
    .bind(volunteer.active)
    .bind(&now)
    .bind(&volunteer.id)
    .execute(&mut **tx)
    .await?;
    write_trainings(tx, &volunteer).await?;
    outbox
        .record(
            tx,
            Some(author),
            "volunteer",
            &volunteer.id,
            Op::Update,
            &fields(&volunteer, &now),
        )
        .await?;
    Ok(volunteer)
}
