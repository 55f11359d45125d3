//! The register's rows: households and children written a few hundred a statement with
//! their outbox changes, and read the most vulnerable first through the index of scores
//! the vault keeps (migration 18).

use sqlx::{FromRow as _, Row as _, Sqlite, SqliteConnection, Transaction};

use super::super::rule::{self, VulnerabilityRule};
use super::{
    check_child, Checked, ChildUpdate, IncomeBand, Known, LivesWith, NewChild, ParentsAway,
    RegisterChild, RegisterPage, RegisterQuery, School, Wellbeing, PAGE_AT_MOST,
};
use crate::cases::{name_key, parse_date, Documentation, Sex};
use crate::outbox::{now_utc, Op, Outbox};
use crate::team::clean_optional;
use crate::{Error, Result};

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
    let threshold = rule.threshold;
    // The filters, read from the index of the register alone (`register_children_rank`).
    const FILTERS: &str = "c.deleted_at IS NULL
           AND (?1 IS NULL OR c.name LIKE ?1 ESCAPE '\\')
           AND (?2 IS NULL OR c.village_id = ?2)
           AND (?3 = 0 OR c.score >= ?9)
           AND (?4 IS NULL OR c.documentation = ?4)
           AND (?5 IS NULL OR c.school = ?5)
           AND (?6 IS NULL OR c.id = ?6)";
    let pattern = text.map(contains_pattern);
    let bind = |sql: &'static str| {
        sqlx::query(sql)
            .bind(pattern.clone())
            .bind(query.village_id.clone())
            .bind(query.flagged_only)
            .bind(query.documentation.map(Documentation::as_str))
            .bind(query.school.map(School::as_str))
            .bind(id.map(str::to_owned))
            .bind(limit)
            .bind(query.offset)
            .bind(threshold)
    };
    static PAGE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "WITH page AS MATERIALIZED (
                 SELECT c.id FROM register_children c WHERE {FILTERS}
                 ORDER BY c.score DESC, c.name, c.id LIMIT ?7 OFFSET ?8)
             SELECT c.id, c.name, c.sex, c.birth_date, c.school, c.documentation,
                    c.lives_with, c.household_id, h.label AS household, c.village_id,
                    h.surveyed_on, h.volunteer_id, h.income_band, h.parents_away, h.debt,
                    h.disability, h.health_care, h.other_risks, c.case_id,
                    coalesce(c.score, 0) AS score
             FROM page JOIN register_children c ON c.id = page.id
             JOIN households h ON h.id = c.household_id
             ORDER BY c.score DESC, c.name, c.id"
        )
    });
    static COUNT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT count(*), coalesce(sum(c.score >= ?9), 0) FROM register_children c
             WHERE {FILTERS} AND ?7 IS NOT NULL AND ?8 IS NOT NULL"
        )
    });
    let page: &'static str = PAGE.as_str();
    let count: &'static str = COUNT.as_str();
    let rows: Vec<Row> = bind(page)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(Row::from_row)
        .collect::<std::result::Result<_, _>>()?;
    let (total, flagged): (i64, i64) = {
        let row = bind(count).fetch_one(&mut *conn).await?;
        (row.try_get(0)?, row.try_get(1)?)
    };
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

/// Check a correction of a child's record against the register (their survey's day, the
/// other children of their village) and write it; the caller commits. The vault scores
/// the child again.
pub async fn update_child(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    update: &ChildUpdate,
) -> Result<()> {
    let held: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.village_id, c.name, c.birth_date, h.surveyed_on FROM register_children c
         JOIN households h ON h.id = c.household_id WHERE c.id = ? AND c.deleted_at IS NULL",
    )
    .bind(&update.id)
    .fetch_optional(&mut **tx)
    .await?;
    let (village_id, name, born, surveyed_on) = held.ok_or(Error::NotFound("the child"))?;
    let mut known = Known::load(tx).await?;
    known
        .children
        .remove(&(village_id.clone(), name_key(&name), born));
    let surveyed = parse_date("surveyedOn", &surveyed_on)?;
    let child = check_child(&update.child, &village_id, surveyed, &known)?;
    let now = now_utc();
    sqlx::query(
        "UPDATE register_children SET name = ?, sex = ?, birth_date = ?, school = ?,
             documentation = ?, lives_with = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&child.name)
    .bind(child.sex.as_str())
    .bind(&child.birth_date)
    .bind(child.school.as_str())
    .bind(child.documentation.as_str())
    .bind(child.lives_with.as_str())
    .bind(&now)
    .bind(&update.id)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "register_child",
            &update.id,
            Op::Update,
            &serde_json::json!({
                "name": child.name, "sex": child.sex, "birth_date": child.birth_date,
                "school": child.school, "documentation": child.documentation,
                "lives_with": child.lives_with, "updated_at": now,
            }),
        )
        .await
}
