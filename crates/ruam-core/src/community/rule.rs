//! The team's vulnerability rule: how many points each indicator of a household survey
//! adds to a child's score, and the score from which a child is flagged for the team.
//!
//! The documented defaults (docs/REGISTER.md gives the reasons):
//!
//! | indicator                                   | points |
//! |---------------------------------------------|-------:|
//! | household income below the poverty line     | 3 |
//! | household income low                        | 1 |
//! | one parent working away or migrated         | 2 |
//! | both parents working away or migrated       | 3 |
//! | household in debt                           | 2 |
//! | someone of the household with a disability  | 2 |
//! | household without access to health care    | 2 |
//! | other risks noted by the volunteer          | 1 |
//! | child of school age not attending school    | 3 |
//! | child stateless                             | 3 |
//! | child's documentation unknown               | 2 |
//! | child's documentation in process            | 1 |
//! | child living with one parent                | 1 |
//! | child living with grandparents              | 1 |
//! | child living with other relatives           | 2 |
//! | child living with others (not family)       | 2 |
//! | child living alone                          | 3 |
//!
//! Flagged from 8 points. Those who keep the register may change any of it. The rule is
//! applied in one place, the vault's view `register_scores` (migration 18), whose triggers
//! keep each child's score as their survey, their household's or the rule changes, on
//! whichever laptop the change was made: a change of the rule applies to every child.

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

/// No single indicator weighs more than this.
pub const POINTS_AT_MOST: u32 = 20;
pub const THRESHOLD_AT_MOST: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RulePoints {
    pub income_below_poverty: u32,
    pub income_low: u32,
    pub one_parent_away: u32,
    pub both_parents_away: u32,
    pub debt: u32,
    pub disability: u32,
    pub no_health_care: u32,
    pub other_risks: u32,
    pub not_in_school: u32,
    pub stateless: u32,
    pub documentation_unknown: u32,
    pub documentation_in_process: u32,
    pub with_one_parent: u32,
    pub with_grandparents: u32,
    pub with_relatives: u32,
    pub with_others: u32,
    pub alone: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VulnerabilityRule {
    pub points: RulePoints,
    /// A child scoring this or more is flagged.
    pub threshold: u32,
}

impl Default for VulnerabilityRule {
    fn default() -> Self {
        Self {
            points: RulePoints {
                income_below_poverty: 3,
                income_low: 1,
                one_parent_away: 2,
                both_parents_away: 3,
                debt: 2,
                disability: 2,
                no_health_care: 2,
                other_risks: 1,
                not_in_school: 3,
                stateless: 3,
                documentation_unknown: 2,
                documentation_in_process: 1,
                with_one_parent: 1,
                with_grandparents: 1,
                with_relatives: 2,
                with_others: 2,
                alone: 3,
            },
            threshold: 8,
        }
    }
}

impl RulePoints {
    fn each(&self) -> [(&'static str, u32); 17] {
        [
            ("incomeBelowPoverty", self.income_below_poverty),
            ("incomeLow", self.income_low),
            ("oneParentAway", self.one_parent_away),
            ("bothParentsAway", self.both_parents_away),
            ("debt", self.debt),
            ("disability", self.disability),
            ("noHealthCare", self.no_health_care),
            ("otherRisks", self.other_risks),
            ("notInSchool", self.not_in_school),
            ("stateless", self.stateless),
            ("documentationUnknown", self.documentation_unknown),
            ("documentationInProcess", self.documentation_in_process),
            ("withOneParent", self.with_one_parent),
            ("withGrandparents", self.with_grandparents),
            ("withRelatives", self.with_relatives),
            ("withOthers", self.with_others),
            ("alone", self.alone),
        ]
    }
}

impl VulnerabilityRule {
    pub fn check(&self) -> Result<()> {
        for (field, points) in self.points.each() {
            if points > POINTS_AT_MOST {
                return Err(Error::invalid(
                    field,
                    format!("gives at most {POINTS_AT_MOST} points"),
                ));
            }
        }
        if !(1..=THRESHOLD_AT_MOST).contains(&self.threshold) {
            return Err(Error::invalid(
                "threshold",
                format!("is a score from 1 to {THRESHOLD_AT_MOST}"),
            ));
        }
        let most: u32 = self.points.each().iter().map(|(_, p)| p).sum();
        if self.threshold > most {
            return Err(Error::invalid(
                "threshold",
                format!("is above {most}, the most a child can score: no child would be flagged"),
            ));
        }
        Ok(())
    }
}

/// The team's rule: as last changed, or the documented defaults.
pub async fn load(conn: &mut SqliteConnection) -> Result<VulnerabilityRule> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT points, threshold FROM register_rule WHERE id = 'rule'")
            .fetch_optional(&mut *conn)
            .await?;
    let Some((points, threshold)) = row else {
        return Ok(VulnerabilityRule::default());
    };
    let rule = VulnerabilityRule {
        points: serde_json::from_str(&points)?,
        threshold: u32::try_from(threshold).unwrap_or(u32::MAX),
    };
    // A rule from another laptop that breaks the limits counts as the defaults.
    Ok(if rule.check().is_ok() {
        rule
    } else {
        VulnerabilityRule::default()
    })
}

/// Check and keep `rule`; the caller commits.
pub async fn save(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    rule: &VulnerabilityRule,
) -> Result<()> {
    rule.check()?;
    let now = now_utc();
    let points = serde_json::to_string(&rule.points)?;
    let had: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM register_rule)")
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO register_rule (id, points, threshold, updated_by, updated_at)
         VALUES ('rule', ?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET points = ?1, threshold = ?2, updated_by = ?3,
             updated_at = ?4",
    )
    .bind(&points)
    .bind(rule.threshold)
    .bind(author)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "register_rule",
            "rule",
            if had { Op::Update } else { Op::Insert },
            &serde_json::json!({
                "points": points, "threshold": rule.threshold, "updated_by": author,
                "updated_at": now,
            }),
        )
        .await
}
