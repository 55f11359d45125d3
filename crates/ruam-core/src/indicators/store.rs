//! The indicators in SQL, in one read transaction. The cases of the period and place are
//! gathered once, from `case_facts` (one narrow row per case that triggers keep: its dates,
//! outcome, concerns as bits, its child's sex, birth and village; migration 23), into a
//! temporary table keyed by case (in memory, dropped at the end); every count about the
//! cases is taken from it in one pass.
//!
//! A case's place is its child's village in the register when the child is there, else
//! the village whose Thai or English name is the one written on the case (when exactly one
//! village of the team has it). A case with no known village counts only when no place is
//! chosen.

use std::collections::HashMap;

use sqlx::{Sqlite, Transaction};

use super::{
    median, CaseFlow, Cell, ChildrenFigures, CommunityFigures, Disclosure, DocumentationFigures,
    FundFigures, Indicators, MoneyRow, Period, ReferralFigures, ReferralRow,
};
use crate::funds::money::Currency;
use crate::funds::store::Amount;
use crate::{Error, Result};

const SEXES: [&str; 4] = ["female", "male", "other", "unknown"];
const AGES: [&str; 6] = ["0-5", "6-11", "12-14", "15-17", "18+", "unknown"];
const CONCERNS: [&str; 8] = [
    "trafficking",
    "sexual_abuse",
    "rape",
    "sexual_harassment",
    "labour_exploitation",
    "neglect",
    "human_rights_violation",
    "high_vulnerability",
];
const OUTCOMES: [&str; 5] = [
    "resolved_district",
    "referred_province",
    "referred_agency",
    "transferred",
    "no_further_action",
];
const STEPS: [&str; 5] = [
    "birth_registration",
    "dna_test",
    "registrar_application",
    "hearing",
    "decision",
];

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// The villages chosen: `?1` the district (or null), `?2` the village (or null).
const CHOSEN_VILLAGES: &str = "SELECT id FROM villages WHERE deleted_at IS NULL
    AND (?1 IS NULL OR district = ?1) AND (?2 IS NULL OR id = ?2)";

/// Check the place: a village of the team, a district one of its villages is in.
pub async fn check_place(
    tx: &mut Transaction<'_, Sqlite>,
    period: &Period,
) -> Result<Option<String>> {
    if let Some(district) = &period.district {
        let known: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM villages WHERE district = ? AND deleted_at IS NULL",
        )
        .bind(district)
        .fetch_one(&mut **tx)
        .await?;
        if known == 0 {
            return Err(Error::invalid(
                "district",
                "no village of the team is in this district",
            ));
        }
    }
    let Some(village) = &period.village_id else {
        return Ok(None);
    };
    let row: Option<(String, Option<i64>, String)> = sqlx::query_as(
        "SELECT name_th, moo, district FROM villages WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(village)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((name, moo, district)) = row else {
        return Err(Error::invalid("village_id", "is not a village of the team"));
    };
    if period.district.as_ref().is_some_and(|d| *d != district) {
        return Err(Error::invalid(
            "village_id",
            "is not in the district chosen",
        ));
    }
    Ok(Some(match moo {
        Some(moo) => format!("{name} (หมู่ {moo})"),
        None => name,
    }))
}

pub async fn compute(
    tx: &mut Transaction<'_, Sqlite>,
    period: &Period,
    disclosure: Disclosure,
) -> Result<Indicators> {
    let village_name = check_place(tx, period).await?;
    let placed = period.district.is_some() || period.village_id.is_some();
    gather_cases(tx, period, placed).await?;
    let community = community(tx, period, disclosure).await?;
    let counts = case_counts(tx, period).await?;
    let mut counts = counts.iter();
    let children = children(&mut counts, disclosure);
    let cases = case_flow(tx, period, &mut counts, disclosure).await?;
    let referrals = referrals(tx, period, disclosure).await?;
    let documentation = documentation(tx, period, disclosure).await?;
    let funds = funds(tx, period).await?;
    sqlx::query("DROP TABLE temp.indicator_cases")
        .execute(&mut **tx)
        .await?;
    Ok(Indicators {
        from: period.from.to_string(),
        to: period.to.to_string(),
        district: period.district.clone(),
        village_id: period.village_id.clone(),
        village_name,
        protected: disclosure == Disclosure::Protected,
        community,
        children,
        cases,
        referrals,
        documentation,
        funds,
    })
}

/// The cases open at some time during the period, in the place (a case whose child is not
/// on this laptop yet is left out): their child's sex and age on the last day, their
/// dates, outcome and concerns. Keyed by the case, so that the
/// referrals and documentation steps of the period find their case at once.
async fn gather_cases(
    tx: &mut Transaction<'_, Sqlite>,
    period: &Period,
    placed: bool,
) -> Result<()> {
    sqlx::query(
        "CREATE TEMP TABLE indicator_cases (
             case_id TEXT PRIMARY KEY NOT NULL, sex TEXT, age INTEGER, created_at TEXT,
             closed_at TEXT, outcome TEXT, concerns INTEGER NOT NULL) WITHOUT ROWID",
    )
    .execute(&mut **tx)
    .await?;
    // The place is worked out only when one is chosen: the child's village in the
    // register, else the one village of the team with the name written on the case.
    let (names, place) = if placed {
        (
            "LEFT JOIN names n ON n.name = lower(trim(c.village))",
            format!(
                "AND coalesce(
                     (SELECT r.village_id FROM register_children r
                      WHERE r.case_id = c.case_id AND r.deleted_at IS NULL LIMIT 1),
                     n.village_id) IN ({CHOSEN_VILLAGES})"
            ),
        )
    } else {
        ("", String::new())
    };
    let sql = format!(
        "INSERT INTO indicator_cases
         WITH names AS MATERIALIZED (
             SELECT name, min(id) AS village_id FROM (
                 SELECT lower(trim(name_th)) AS name, id FROM villages WHERE deleted_at IS NULL
                 UNION ALL
                 SELECT lower(trim(name_en)), id FROM villages
                     WHERE deleted_at IS NULL AND name_en IS NOT NULL)
             GROUP BY name HAVING count(DISTINCT id) = 1)
         SELECT c.case_id, c.sex,
                CASE
                    WHEN c.birth_date IS NOT NULL THEN
                        CAST(substr(?5, 1, 4) AS INTEGER) - CAST(substr(c.birth_date, 1, 4) AS INTEGER)
                        - (substr(?5, 6, 5) < substr(c.birth_date, 6, 5))
                    WHEN c.birth_year_estimate IS NOT NULL THEN
                        CAST(substr(?5, 1, 4) AS INTEGER) - c.birth_year_estimate
                END,
                c.created_at, c.closed_at, c.outcome, c.concerns
         FROM case_facts c
         {names}
         WHERE c.deleted = 0 AND c.sex IS NOT NULL AND c.created_at < ?3
           AND (c.status <> 'closed' OR c.closed_at >= ?4) {place}"
    );
    sqlx::query(&sql)
        .bind(&period.district)
        .bind(&period.village_id)
        .bind(&period.end)
        .bind(&period.start)
        .bind(period.to.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every count about the gathered cases, in one pass: how many; by sex, by age band, by
/// concern; opened in the period; closed in it by outcome.
async fn case_counts(tx: &mut Transaction<'_, Sqlite>, period: &Period) -> Result<Vec<u32>> {
    let mut columns = vec!["count(*)".to_owned()];
    columns.extend(SEXES.iter().map(|s| format!("sum(sex = '{s}')")));
    columns.extend(
        [
            "age BETWEEN 0 AND 5",
            "age BETWEEN 6 AND 11",
            "age BETWEEN 12 AND 14",
            "age BETWEEN 15 AND 17",
            "age >= 18",
            "age IS NULL OR age < 0",
        ]
        .iter()
        .map(|band| format!("sum({band})")),
    );
    columns.extend((0..CONCERNS.len()).map(|bit| format!("sum(concerns & {} <> 0)", 1u32 << bit)));
    columns.push("sum(created_at >= ?1)".to_owned());
    columns.extend(
        OUTCOMES
            .iter()
            .map(|o| format!("sum(outcome = '{o}' AND closed_at >= ?1 AND closed_at < ?2)")),
    );
    let sql = format!(
        "SELECT {} FROM indicator_cases",
        columns
            .iter()
            .map(|c| format!("coalesce({c}, 0)"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let row = sqlx::query(&sql)
        .bind(&period.start)
        .bind(&period.end)
        .fetch_one(&mut **tx)
        .await?;
    (0..columns.len())
        .map(|i| Ok(count(sqlx::Row::try_get::<i64, _>(&row, i)?)))
        .collect()
}

/// The counts of `keys` taken in order from `counts`.
fn take(
    counts: &mut std::slice::Iter<'_, u32>,
    keys: &[&str],
) -> Vec<(String, Option<String>, u32)> {
    keys.iter()
        .map(|k| ((*k).to_owned(), None, counts.next().copied().unwrap_or(0)))
        .collect()
}

async fn community(
    tx: &mut Transaction<'_, Sqlite>,
    period: &Period,
    disclosure: Disclosure,
) -> Result<CommunityFigures> {
    let (active, trained, in_period, villages, covered): (i64, i64, i64, i64, i64) =
        sqlx::query_as(&format!(
            "WITH chosen AS ({CHOSEN_VILLAGES}),
                  v AS (SELECT * FROM volunteers WHERE deleted_at IS NULL
                        AND village_id IN (SELECT id FROM chosen))
             SELECT (SELECT count(*) FROM v WHERE active = 1),
                    (SELECT count(*) FROM v WHERE active = 1 AND EXISTS
                        (SELECT 1 FROM volunteer_trainings t WHERE t.volunteer_id = v.id)),
                    (SELECT count(*) FROM v WHERE EXISTS
                        (SELECT 1 FROM volunteer_trainings t WHERE t.volunteer_id = v.id
                         AND t.held_on BETWEEN ?3 AND ?4)),
                    (SELECT count(*) FROM chosen),
                    (SELECT count(DISTINCT village_id) FROM v WHERE active = 1)"
        ))
        .bind(&period.district)
        .bind(&period.village_id)
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .fetch_one(&mut **tx)
        .await?;
    let (registered, flagged): (i64, i64) = sqlx::query_as(&format!(
        "SELECT count(*),
                coalesce(sum(r.score >= (SELECT threshold FROM register_rule WHERE id = 'rule')), 0)
         FROM register_children r
         WHERE r.deleted_at IS NULL AND r.village_id IN ({CHOSEN_VILLAGES})"
    ))
    .bind(&period.district)
    .bind(&period.village_id)
    .fetch_one(&mut **tx)
    .await?;
    let register = disclosure.table_under(
        count(registered),
        &[count(registered - flagged), count(flagged)],
    );
    Ok(CommunityFigures {
        volunteers_active: count(active),
        volunteers_trained: count(trained),
        trained_in_period: count(in_period),
        villages: count(villages),
        villages_covered: count(covered),
        children_registered: disclosure.one(count(registered)),
        children_flagged: register[1],
    })
}

fn children(counts: &mut std::slice::Iter<'_, u32>, disclosure: Disclosure) -> ChildrenFigures {
    let assisted = counts.next().copied().unwrap_or(0);
    let by_sex = take(counts, &SEXES);
    let by_age = take(counts, &AGES);
    let by_concern = take(counts, &CONCERNS);
    ChildrenFigures {
        assisted: disclosure.one(assisted),
        by_sex: disclosure.rows(assisted, by_sex),
        by_age: disclosure.rows(assisted, by_age),
        by_concern: disclosure.rows(assisted, by_concern),
    }
}

async fn case_flow(
    tx: &mut Transaction<'_, Sqlite>,
    period: &Period,
    counts: &mut std::slice::Iter<'_, u32>,
    disclosure: Disclosure,
) -> Result<CaseFlow> {
    let opened = counts.next().copied().unwrap_or(0);
    let outcomes = take(counts, &OUTCOMES);
    let closed: u32 = outcomes.iter().map(|o| o.2).sum();
    // The median from the middle one or two of the sorted durations, sorted in SQL.
    let middle: Vec<i64> = if closed == 0 {
        Vec::new()
    } else {
        sqlx::query_scalar(
            "SELECT CAST(julianday(closed_at) - julianday(created_at) AS INTEGER) AS days
             FROM indicator_cases WHERE outcome IS NOT NULL AND closed_at >= ?1 AND closed_at < ?2
             ORDER BY days LIMIT ?3 OFFSET ?4",
        )
        .bind(&period.start)
        .bind(&period.end)
        .bind(if closed.is_multiple_of(2) { 2 } else { 1 })
        .bind(i64::from((closed - 1) / 2))
        .fetch_all(&mut **tx)
        .await?
    };
    let middle: Vec<u32> = middle.into_iter().map(count).collect();
    let by_outcome = disclosure.rows(closed, outcomes);
    let cell = |key: &str| {
        by_outcome
            .iter()
            .find(|r| r.key == key)
            .map_or(Cell::shown(0), |r| r.count)
    };
    let median_days_to_close = if disclosure == Disclosure::Protected && closed < super::SMALL_CELL
    {
        None
    } else {
        median(&middle)
    };
    Ok(CaseFlow {
        opened: disclosure.one(opened),
        closed: disclosure.one(closed),
        resolved_district: cell("resolved_district"),
        referred_province: cell("referred_province"),
        by_outcome,
        median_days_to_close,
    })
}

async fn referrals(
    tx: &mut Transaction<'_, Sqlite>,
    period: &Period,
    disclosure: Disclosure,
) -> Result<ReferralFigures> {
    type Row = (String, Option<String>, i64, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT coalesce(f.to_agency_id, 'level:' || f.to_level) AS key, a.name,
                sum(f.status = 'sent'), sum(f.status = 'accepted'),
                sum(f.status = 'declined'), sum(f.status = 'done')
         FROM case_referrals f
         JOIN indicator_cases i ON i.case_id = f.case_id
         LEFT JOIN agencies a ON a.id = f.to_agency_id
         WHERE f.referred_on BETWEEN ?1 AND ?2
         GROUP BY key ORDER BY count(*) DESC, key",
    )
    .bind(period.from.to_string())
    .bind(period.to.to_string())
    .fetch_all(&mut **tx)
    .await?;
    let total: u32 = rows
        .iter()
        .map(|r| count(r.2) + count(r.3) + count(r.4) + count(r.5))
        .sum();
    let by_agency = rows
        .into_iter()
        .map(|(key, label, sent, accepted, declined, done)| {
            let counts = [count(sent), count(accepted), count(declined), count(done)];
            let sum = counts.iter().sum();
            let cells = disclosure.table_under(sum, &counts);
            ReferralRow {
                key,
                label,
                sent: cells[0],
                accepted: cells[1],
                declined: cells[2],
                done: cells[3],
                total: disclosure.one(sum),
            }
        })
        .collect();
    Ok(ReferralFigures {
        total: disclosure.one(total),
        by_agency,
    })
}

async fn documentation(
    tx: &mut Transaction<'_, Sqlite>,
    period: &Period,
    disclosure: Disclosure,
) -> Result<DocumentationFigures> {
    let counted: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT s.kind, count(*) FROM documentation_steps s
         JOIN indicator_cases i ON i.case_id = s.case_id
         WHERE s.deleted_at IS NULL AND s.status = 'done'
           AND s.happened_on BETWEEN ?1 AND ?2
         GROUP BY s.kind",
    )
    .bind(period.from.to_string())
    .bind(period.to.to_string())
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .collect();
    let rows: Vec<(String, Option<String>, u32)> = STEPS
        .iter()
        .map(|k| ((*k).to_owned(), None, count(*counted.get(*k).unwrap_or(&0))))
        .collect();
    let completed = rows.iter().map(|r| r.2).sum();
    Ok(DocumentationFigures {
        completed: disclosure.one(completed),
        by_kind: disclosure.rows(completed, rows),
    })
}

fn permille(part: i64, whole: i64) -> u32 {
    if whole <= 0 || part <= 0 {
        return 0;
    }
    u32::try_from(i128::from(part) * 1000 / i128::from(whole)).unwrap_or(1000)
}

async fn funds(tx: &mut Transaction<'_, Sqlite>, period: &Period) -> Result<Vec<FundFigures>> {
    let funds = crate::funds::store::funds(tx).await?;
    let mut figures = Vec::with_capacity(funds.len());
    for fund in funds {
        let currency: Currency = fund.currency;
        let given: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT l.agency_id, a.name, sum(CASE WHEN l.in_kind = 0 THEN l.amount ELSE 0 END),
                    sum(CASE WHEN l.in_kind = 1 THEN l.amount ELSE 0 END)
             FROM fund_ledger l JOIN agencies a ON a.id = l.agency_id
             WHERE l.fund_id = ?1 AND l.kind = 'contribution' AND l.on_date BETWEEN ?2 AND ?3
             GROUP BY l.agency_id ORDER BY 3 DESC, a.name",
        )
        .bind(&fund.id)
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .fetch_all(&mut **tx)
        .await?;
        let paid: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT l.line_id, n.name, sum(l.amount)
             FROM fund_ledger l JOIN fund_lines n ON n.id = l.line_id
             WHERE l.fund_id = ?1 AND l.kind = 'payment' AND l.on_date BETWEEN ?2 AND ?3
             GROUP BY l.line_id ORDER BY 3 DESC, n.name",
        )
        .bind(&fund.id)
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .fetch_all(&mut **tx)
        .await?;
        let cash: i64 = given.iter().map(|g| g.2).sum();
        let in_kind: i64 = given.iter().map(|g| g.3).sum();
        let spent: i64 = paid.iter().map(|p| p.2).sum();
        figures.push(FundFigures {
            contributed: given
                .into_iter()
                .map(|(key, label, c, k)| MoneyRow {
                    key,
                    label,
                    cash: Amount::of(c, currency),
                    in_kind: Amount::of(k, currency),
                    permille: permille(c, cash),
                })
                .collect(),
            spent: paid
                .into_iter()
                .map(|(key, label, amount)| MoneyRow {
                    key,
                    label,
                    cash: Amount::of(amount, currency),
                    in_kind: Amount::of(0, currency),
                    permille: permille(amount, spent),
                })
                .collect(),
            contributed_cash: Amount::of(cash, currency),
            contributed_in_kind: Amount::of(in_kind, currency),
            spent_total: Amount::of(spent, currency),
            currency: currency.code().to_owned(),
            fund_id: fund.id,
            name: fund.name,
        });
    }
    Ok(figures)
}
