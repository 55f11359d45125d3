//! The committee's indicators: the community (volunteers, villages, the register), the
//! children assisted, the cases opened and closed and how they ended, referrals by agency
//! and outcome, documentation steps completed, and the pooled funds, for a period and a
//! district or village.
//!
//! Counts respect need to know: a member who does not oversee every case sees a count of
//! cases or children below [`SMALL_CELL`] as "fewer than 5", and where one hidden count of
//! a table could be worked out from its total and the others, the next smallest is hidden
//! too. Zero is shown: it names nobody.

pub mod export;
pub mod store;

use serde::{Deserialize, Serialize};

use crate::funds::store::Amount;
use crate::{Error, Result};

/// Counts of cases or children below this are hidden from those who do not oversee every
/// case.
pub const SMALL_CELL: u32 = 5;

/// Which period and place.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct IndicatorQuery {
    /// The first day, `YYYY-MM-DD`, where the laptop is.
    pub from: String,
    /// The last day, included.
    pub to: String,
    /// A district as the team's villages name it; none for every district.
    pub district: Option<String>,
    /// One village; none for every village (of the district).
    pub village_id: Option<String>,
}

/// A query checked: its dates, and its bounds as the vault writes moments (UTC).
#[derive(Debug, Clone)]
pub struct Period {
    pub from: time::Date,
    pub to: time::Date,
    /// The first moment of `from` where the laptop is, in UTC.
    pub start: String,
    /// The first moment after `to`.
    pub end: String,
    pub district: Option<String>,
    pub village_id: Option<String>,
}

impl IndicatorQuery {
    pub fn check(&self) -> Result<Period> {
        let from = crate::cases::parse_date("from", &self.from)?;
        let to = crate::cases::parse_date("to", &self.to)?;
        if to < from {
            return Err(Error::invalid("to", "is before the first day"));
        }
        let after = to
            .next_day()
            .ok_or_else(|| Error::invalid("to", "is too far in the future"))?;
        let trim = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(Period {
            from,
            to,
            start: local_midnight_utc(from)?,
            end: local_midnight_utc(after)?,
            district: trim(&self.district),
            village_id: trim(&self.village_id),
        })
    }
}

/// Midnight of `date` in the laptop's time zone, as the vault writes moments.
fn local_midnight_utc(date: time::Date) -> Result<String> {
    let civil = jiff::civil::date(
        i16::try_from(date.year()).map_err(|_| Error::invalid("from", "is out of range"))?,
        i8::try_from(u8::from(date.month())).unwrap_or(1),
        i8::try_from(date.day()).unwrap_or(1),
    );
    let zoned = civil
        .to_zoned(jiff::tz::TimeZone::system())
        .map_err(|_| Error::Encode("a date"))?;
    let utc = time::OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second())
        .map_err(|_| Error::Encode("a date"))?;
    Ok(crate::outbox::format_utc(utc))
}

/// One count as the reader may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    /// None when hidden.
    pub value: Option<u32>,
    /// Hidden: fewer than [`SMALL_CELL`], or hidden with one so that it cannot be worked
    /// out from the total.
    pub suppressed: bool,
}

impl Cell {
    pub fn shown(n: u32) -> Self {
        Self {
            value: Some(n),
            suppressed: false,
        }
    }

    const HIDDEN: Self = Self {
        value: None,
        suppressed: true,
    };

    /// As text for a file: the number, or `<5`.
    pub fn text(self) -> String {
        match self.value {
            Some(n) => n.to_string(),
            None => format!("<{SMALL_CELL}"),
        }
    }
}

/// One row of a table of counts: its key (`female`, `12-14`, `trafficking`, an agency's
/// id…), a name to show when the key is an id, and its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CountRow {
    pub key: String,
    pub label: Option<String>,
    pub count: Cell,
}

/// Whether the reader sees small counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Every count (those who oversee every case).
    Full,
    /// Small counts hidden.
    Protected,
}

impl Disclosure {
    /// One count alone.
    pub fn one(self, n: u32) -> Cell {
        if self == Disclosure::Protected && (1..SMALL_CELL).contains(&n) {
            Cell::HIDDEN
        } else {
            Cell::shown(n)
        }
    }

    /// The counts of one table whose total is shown beside it: small ones hidden, and
    /// when exactly one is hidden, the smallest other non-zero count too, so that no
    /// hidden count is the total less the shown ones. Answers the cells in their order.
    pub fn table(self, counts: &[u32]) -> Vec<Cell> {
        let mut cells: Vec<Cell> = counts.iter().map(|&n| self.one(n)).collect();
        if self == Disclosure::Full {
            return cells;
        }
        let hidden = cells.iter().filter(|c| c.suppressed).count();
        if hidden == 1 {
            let next = counts
                .iter()
                .enumerate()
                .filter(|(i, n)| **n > 0 && !cells[*i].suppressed)
                .min_by_key(|(_, n)| **n)
                .map(|(i, _)| i);
            if let Some(i) = next {
                cells[i] = Cell::HIDDEN;
            }
        }
        cells
    }

    /// The counts of one table under a total: as [`Disclosure::table`], and when the
    /// total itself is hidden, every count of it (a zero beside a hidden total would tell
    /// that all the few children it counts are alike).
    pub fn table_under(self, total: u32, counts: &[u32]) -> Vec<Cell> {
        if self.one(total).suppressed {
            return vec![Cell::HIDDEN; counts.len()];
        }
        self.table(counts)
    }

    /// Rows of `(key, label, count)` as a protected table under `total`.
    pub fn rows(self, total: u32, rows: Vec<(String, Option<String>, u32)>) -> Vec<CountRow> {
        let counts: Vec<u32> = rows.iter().map(|r| r.2).collect();
        let cells = self.table_under(total, &counts);
        rows.into_iter()
            .zip(cells)
            .map(|((key, label, _), count)| CountRow { key, label, count })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CommunityFigures {
    /// Active volunteers of the villages.
    pub volunteers_active: u32,
    /// Of them, those with at least one training.
    pub volunteers_trained: u32,
    /// Volunteers (active or not) trained during the period.
    pub trained_in_period: u32,
    /// The team's villages (of the district, or the one village).
    pub villages: u32,
    /// Of them, those with an active volunteer.
    pub villages_covered: u32,
    /// Children in the register.
    pub children_registered: Cell,
    /// Of them, those whose score reaches the team's threshold.
    pub children_flagged: Cell,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChildrenFigures {
    /// Children with a case open at some time during the period.
    pub assisted: Cell,
    pub by_sex: Vec<CountRow>,
    /// `0-5`, `6-11`, `12-14`, `15-17`, `18+`, `unknown`: their age on the last day.
    pub by_age: Vec<CountRow>,
    /// A case may have several concerns: these add up to more than the children.
    pub by_concern: Vec<CountRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaseFlow {
    pub opened: Cell,
    pub closed: Cell,
    /// The cases closed, by outcome.
    pub by_outcome: Vec<CountRow>,
    pub resolved_district: Cell,
    pub referred_province: Cell,
    /// The median of the days from intake to closure of the cases closed; none when
    /// none closed, or when fewer than [`SMALL_CELL`] did and the reader sees small counts
    /// hidden.
    pub median_days_to_close: Option<u32>,
}

/// Referrals sent to one agency (or, with none named, to a level) during the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReferralRow {
    /// The agency's id, or `level:district` / `level:province` / `level:village`.
    pub key: String,
    pub label: Option<String>,
    pub sent: Cell,
    pub accepted: Cell,
    pub declined: Cell,
    pub done: Cell,
    pub total: Cell,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReferralFigures {
    pub total: Cell,
    pub by_agency: Vec<ReferralRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DocumentationFigures {
    /// Steps done during the period.
    pub completed: Cell,
    pub by_kind: Vec<CountRow>,
}

/// An amount of one row of a fund's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MoneyRow {
    /// The agency's or the line's id.
    pub key: String,
    pub label: String,
    pub cash: Amount,
    pub in_kind: Amount,
    /// Of the fund's cash in the period, in thousandths (for the charts).
    pub permille: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FundFigures {
    pub fund_id: String,
    pub name: String,
    pub currency: String,
    /// Contributions received during the period, by agency (in kind beside cash).
    pub contributed: Vec<MoneyRow>,
    pub contributed_cash: Amount,
    pub contributed_in_kind: Amount,
    /// Payments made during the period, by line (`in_kind` is zero).
    pub spent: Vec<MoneyRow>,
    pub spent_total: Amount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Indicators {
    pub from: String,
    pub to: String,
    pub district: Option<String>,
    pub village_id: Option<String>,
    /// The village's name when one is chosen.
    pub village_name: Option<String>,
    /// Whether small counts are hidden from this reader.
    pub protected: bool,
    pub community: CommunityFigures,
    pub children: ChildrenFigures,
    pub cases: CaseFlow,
    pub referrals: ReferralFigures,
    pub documentation: DocumentationFigures,
    /// The team's funds (not by place: a fund is the team's).
    pub funds: Vec<FundFigures>,
}

/// The median of `values`, sorted.
pub fn median(sorted: &[u32]) -> Option<u32> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]).div_ceil(2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_hidden_and_one_hidden_count_takes_another_with_it() {
        let p = Disclosure::Protected;
        assert_eq!(p.one(0), Cell::shown(0), "zero names nobody");
        assert!(p.one(4).suppressed);
        assert_eq!(p.one(5), Cell::shown(5));
        // 12 girls, 3 boys, 0 other, 7 unknown: the boys are hidden, and the unknown (7,
        // the smallest other) too, or 3 = total − 12 − 7.
        let cells = p.table(&[12, 3, 0, 7]);
        assert_eq!(cells[0], Cell::shown(12));
        assert!(cells[1].suppressed && cells[3].suppressed);
        assert_eq!(cells[2], Cell::shown(0));
        // Two hidden already hide each other.
        let cells = p.table(&[12, 3, 2, 7]);
        assert_eq!(
            cells.iter().filter(|c| c.suppressed).count(),
            2,
            "{cells:?}"
        );
        assert_eq!(Disclosure::Full.table(&[12, 3, 0, 7])[1], Cell::shown(3));
        // Under a hidden total, the zeros are hidden too.
        assert!(p.table_under(3, &[3, 0]).iter().all(|c| c.suppressed));
        assert_eq!(p.table_under(0, &[0, 0]), [Cell::shown(0), Cell::shown(0)]);
        assert_eq!(Cell::HIDDEN.text(), "<5");
    }

    #[test]
    fn the_median_of_an_even_count_rounds_up() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[4]), Some(4));
        assert_eq!(median(&[1, 2, 9]), Some(2));
        assert_eq!(median(&[1, 2, 4, 9]), Some(3));
    }

    #[test]
    fn a_period_is_checked_by_name() {
        let q = |from: &str, to: &str| IndicatorQuery {
            from: from.into(),
            to: to.into(),
            ..IndicatorQuery::default()
        };
        assert!(
            matches!(q("2026-13-01", "2026-12-31").check(), Err(Error::Invalid { field, .. }) if field == "from")
        );
        assert!(
            matches!(q("2026-01-01", "yesterday").check(), Err(Error::Invalid { field, .. }) if field == "to")
        );
        assert!(
            matches!(q("2026-02-01", "2026-01-31").check(), Err(Error::Invalid { field, .. }) if field == "to")
        );
        let p = q("2026-01-01", "2026-12-31").check().unwrap();
        assert!(p.start < p.end);
        assert!(p.end.ends_with('Z'));
    }
}
