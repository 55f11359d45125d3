//! The ledger's arithmetic: the movements a ledger row makes and the totals they keep.
//!
//! Every row moves money in one of four ways. A contribution adds to an agency's cash or
//! in-kind total; an allocation moves cash from the fund's unallocated money to a budget
//! line (or back); a commitment sets part of a line aside for an approved request (or
//! frees it when the request is cancelled); a payment turns a commitment into money paid
//! (or back, when a payment is reversed). Rows are never changed: a correction is a row
//! with the opposite amount.
//!
//! [`Totals::apply`] is the one place that decides whether a movement keeps every figure
//! sound: nothing negative, no line spending more than it was given, no allocation of cash
//! the fund does not hold. The vault keeps these totals as it writes rows, and can replay
//! the rows to check them.
//!
//! In-kind contributions (staff time, a vehicle, a room) are valued and reported, but are
//! not money the fund can allocate or spend: spending is shared among cash contributors.

use std::collections::BTreeMap;

use super::money::{Currency, Money};
use crate::{Error, Result};

/// What one ledger row does to the totals. Amounts are minor units of the fund's currency;
/// a negative amount undoes (a reversal, a cancellation, money taken back from a line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Movement {
    Contribution {
        agency: String,
        in_kind: bool,
        amount: i64,
    },
    Allocation {
        line: String,
        amount: i64,
    },
    Commitment {
        line: String,
        amount: i64,
    },
    Payment {
        line: String,
        amount: i64,
    },
}

/// One budget line's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineTotals {
    pub allocated: i64,
    /// Set aside for approved requests not yet paid.
    pub committed: i64,
    pub paid: i64,
}

impl LineTotals {
    /// What is left to request: allocated, less what is committed and paid.
    pub fn remaining(&self) -> i64 {
        self.allocated - self.committed - self.paid
    }
}

/// What one agency put in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgencyTotals {
    pub cash: i64,
    pub in_kind: i64,
}

/// A fund's running totals, by line and by contributing agency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub lines: BTreeMap<String, LineTotals>,
    pub agencies: BTreeMap<String, AgencyTotals>,
}

/// The fund as a whole, summed from its lines and agencies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FundFigures {
    pub cash: i64,
    pub in_kind: i64,
    pub allocated: i64,
    pub committed: i64,
    pub paid: i64,
}

impl FundFigures {
    /// Cash not yet given to any line.
    pub fn unallocated(&self) -> i64 {
        self.cash - self.allocated
    }

    /// Cash the fund still holds: received, less paid.
    pub fn balance(&self) -> i64 {
        self.cash - self.paid
    }

    /// What can still be committed: the balance, less what approvals set aside.
    pub fn available(&self) -> i64 {
        self.cash - self.paid - self.committed
    }
}

fn sum(field: &'static str, mut values: impl Iterator<Item = i64>) -> Result<i64> {
    values.try_fold(0_i64, |total, v| {
        total
            .checked_add(v)
            .ok_or_else(|| Error::invalid(field, "is too large to count"))
    })
}

fn add(field: &'static str, a: i64, b: i64) -> Result<i64> {
    a.checked_add(b)
        .ok_or_else(|| Error::invalid(field, "is too large to count"))
}

impl Totals {
    pub fn figures(&self) -> Result<FundFigures> {
        Ok(FundFigures {
            cash: sum("amount", self.agencies.values().map(|a| a.cash))?,
            in_kind: sum("amount", self.agencies.values().map(|a| a.in_kind))?,
            allocated: sum("amount", self.lines.values().map(|l| l.allocated))?,
            committed: sum("amount", self.lines.values().map(|l| l.committed))?,
            paid: sum("amount", self.lines.values().map(|l| l.paid))?,
        })
    }

    /// A line's figures (all zero for a line with no rows yet).
    pub fn line(&self, id: &str) -> LineTotals {
        self.lines.get(id).copied().unwrap_or_default()
    }

    /// Apply one movement, or refuse it with the reason and leave the totals as they were.
    pub fn apply(&mut self, movement: &Movement, currency: Currency) -> Result<()> {
        let money = |minor: i64| Money::from_minor(minor, currency);
        let mut next = self.clone();
        match movement {
            Movement::Contribution {
                agency,
                in_kind,
                amount,
            } => {
                let totals = next.agencies.entry(agency.clone()).or_default();
                let field = if *in_kind {
                    &mut totals.in_kind
                } else {
                    &mut totals.cash
                };
                *field = add("amount", *field, *amount)?;
                if *field < 0 {
                    return Err(Error::invalid(
                        "amount",
                        format!(
                            "is more than the agency's {} contributions ({})",
                            if *in_kind { "in-kind" } else { "cash" },
                            money(*field - *amount)
                        ),
                    ));
                }
            }
            Movement::Allocation { line, amount } => {
                let totals = next.lines.entry(line.clone()).or_default();
                totals.allocated = add("amount", totals.allocated, *amount)?;
                if totals.remaining() < 0 {
                    return Err(Error::invalid(
                        "amount",
                        format!(
                            "is more than the line has left ({})",
                            money(totals.remaining() - amount)
                        ),
                    ));
                }
            }
            Movement::Commitment { line, amount } => {
                let totals = next.lines.entry(line.clone()).or_default();
                totals.committed = add("amount", totals.committed, *amount)?;
                if totals.committed < 0 {
                    return Err(Error::invalid(
                        "amount",
                        "is more than the line has set aside",
                    ));
                }
                if totals.remaining() < 0 {
                    return Err(Error::invalid(
                        "amount",
                        format!(
                            "is more than the line has left ({}); a lead can move money to it from another line",
                            money(totals.remaining() + amount)
                        ),
                    ));
                }
            }
            Movement::Payment { line, amount } => {
                let totals = next.lines.entry(line.clone()).or_default();
                totals.committed = add("amount", totals.committed, -*amount)?;
                totals.paid = add("amount", totals.paid, *amount)?;
                if totals.committed < 0 {
                    return Err(Error::invalid(
                        "amount",
                        "is more than was approved and not yet paid",
                    ));
                }
                if totals.paid < 0 {
                    return Err(Error::invalid("amount", "is more than was paid"));
                }
            }
        }
        let figures = next.figures()?;
        if figures.unallocated() < 0 {
            return Err(Error::invalid(
                "amount",
                format!(
                    "the fund holds {} of cash not given to a line; this would leave {}",
                    money(self.figures()?.unallocated()),
                    money(figures.unallocated())
                ),
            ));
        }
        *self = next;
        Ok(())
    }

    /// Each agency's share of what was paid, in proportion to the cash it put in, in
    /// the order of `self.agencies`. The shares add up to exactly what was paid.
    pub fn shares_of_paid(&self, currency: Currency) -> Result<Vec<(String, Money)>> {
        let paid = Money::from_minor(self.figures()?.paid, currency);
        let weights: Vec<i64> = self.agencies.values().map(|a| a.cash).collect();
        let shares = paid.share_out(&weights)?;
        Ok(self.agencies.keys().cloned().zip(shares).collect())
    }

    /// The totals that these movements, applied in order, give.
    pub fn replay<'a>(
        movements: impl IntoIterator<Item = &'a Movement>,
        currency: Currency,
    ) -> Result<Totals> {
        let mut totals = Totals::default();
        for movement in movements {
            totals.apply(movement, currency)?;
        }
        Ok(totals)
    }
}

#[cfg(test)]
// Amounts in satang read as baht and satang: 60_000_00 is 60,000.00 THB.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const THB: Currency = Currency::THB;

    fn contribution(agency: &str, in_kind: bool, amount: i64) -> Movement {
        Movement::Contribution {
            agency: agency.into(),
            in_kind,
            amount,
        }
    }

    fn allocation(line: &str, amount: i64) -> Movement {
        Movement::Allocation {
            line: line.into(),
            amount,
        }
    }

    fn commitment(line: &str, amount: i64) -> Movement {
        Movement::Commitment {
            line: line.into(),
            amount,
        }
    }

    fn payment(line: &str, amount: i64) -> Movement {
        Movement::Payment {
            line: line.into(),
            amount,
        }
    }

    fn refused(totals: &mut Totals, movement: Movement) -> String {
        let before = totals.clone();
        let err = totals.apply(&movement, THB).unwrap_err();
        assert_eq!(*totals, before, "a refused {movement:?} changed the totals");
        err.to_string()
    }

    #[test]
    fn money_flows_from_contributions_through_lines_to_payments() {
        let mut t = Totals::default();
        for m in [
            contribution("police", false, 60_000_00),
            contribution("ngo", false, 40_000_00),
            contribution("hospital", true, 15_000_00),
            allocation("shelter", 50_000_00),
            allocation("travel", 20_000_00),
            commitment("shelter", 12_000_00),
            payment("shelter", 12_000_00),
            commitment("shelter", 3_000_00),
        ] {
            t.apply(&m, THB).unwrap();
        }
        let f = t.figures().unwrap();
        assert_eq!(
            (f.cash, f.in_kind, f.allocated, f.committed, f.paid),
            (100_000_00, 15_000_00, 70_000_00, 3_000_00, 12_000_00)
        );
        assert_eq!(f.unallocated(), 30_000_00);
        assert_eq!(f.balance(), 88_000_00);
        assert_eq!(f.available(), 85_000_00);
        assert_eq!(t.line("shelter").remaining(), 35_000_00);
        // 12,000 paid, shared 60:40 among cash contributors; in kind has no share.
        let shares = t.shares_of_paid(THB).unwrap();
        assert_eq!(
            shares,
            vec![
                ("hospital".to_owned(), Money::from_minor(0, THB)),
                ("ngo".to_owned(), Money::from_minor(4_800_00, THB)),
                ("police".to_owned(), Money::from_minor(7_200_00, THB)),
            ]
        );
    }

    #[test]
    fn unsound_movements_are_refused_and_change_nothing() {
        let mut t = Totals::default();
        t.apply(&contribution("police", false, 1_000_00), THB)
            .unwrap();
        t.apply(&allocation("shelter", 800_00), THB).unwrap();
        t.apply(&commitment("shelter", 500_00), THB).unwrap();
        assert!(refused(&mut t, allocation("travel", 300_00)).contains("200.00 THB"));
        assert!(refused(&mut t, commitment("shelter", 301_00)).contains("300.00 THB"));
        assert!(refused(&mut t, allocation("shelter", -301_00)).contains("300.00 THB"));
        refused(&mut t, payment("shelter", 501_00));
        refused(&mut t, payment("shelter", -1));
        refused(&mut t, commitment("shelter", -501_00));
        // Cash already given to lines cannot be taken back by reversing a contribution.
        refused(&mut t, contribution("police", false, -201_00));
        refused(&mut t, contribution("ngo", true, -1));
        refused(&mut t, contribution("police", false, i64::MAX));
        t.apply(&contribution("police", false, -200_00), THB)
            .unwrap();
        assert_eq!(t.figures().unwrap().unallocated(), 0);
    }

    /// One step of a random history, named by indices into small sets of agencies and
    /// lines so that steps meet each other often.
    #[derive(Debug, Clone)]
    enum Step {
        Give(usize, bool, i64),
        Reverse(usize),
        Allocate(usize, i64),
        Move(usize, usize, i64),
        Commit(usize, i64),
        Cancel(usize),
        Pay(usize),
        Unpay(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..4_usize, any::<bool>(), 1..5_000_000_i64).prop_map(|(a, k, n)| Step::Give(a, k, n)),
            (0..64_usize).prop_map(Step::Reverse),
            (0..5_usize, 1..3_000_000_i64).prop_map(|(l, n)| Step::Allocate(l, n)),
            (0..5_usize, 0..5_usize, 1..2_000_000_i64).prop_map(|(a, b, n)| Step::Move(a, b, n)),
            (0..5_usize, 1..2_000_000_i64).prop_map(|(l, n)| Step::Commit(l, n)),
            (0..64_usize).prop_map(Step::Cancel),
            (0..64_usize).prop_map(Step::Pay),
            (0..64_usize).prop_map(Step::Unpay),
        ]
    }

    /// A history as the vault would write it: each step becomes the rows it makes, and a
    /// step the totals refuse writes nothing. Requests are tracked as the vault tracks
    /// them (approved, then paid or cancelled), so reversals only undo what happened.
    fn run(steps: &[Step]) -> (Totals, Vec<Movement>) {
        let mut totals = Totals::default();
        let mut rows: Vec<Movement> = Vec::new();
        let mut contributions: Vec<(String, bool, i64, bool)> = Vec::new();
        // (line, amount, state): 0 approved, 1 paid, 2 cancelled.
        let mut commitments: Vec<(String, i64, u8)> = Vec::new();
        let agency = |i: usize| format!("agency-{i}");
        let line = |i: usize| format!("line-{i}");
        for step in steps {
            let before = totals.clone();
            let made: Vec<Movement> = match step {
                Step::Give(a, in_kind, n) => vec![contribution(&agency(*a), *in_kind, *n)],
                Step::Reverse(i) => match contributions.get(*i % contributions.len().max(1)) {
                    Some((a, in_kind, n, false)) => vec![contribution(a, *in_kind, -n)],
                    _ => vec![],
                },
                Step::Allocate(l, n) => vec![allocation(&line(*l), *n)],
                Step::Move(a, b, n) if a != b => {
                    vec![allocation(&line(*a), -n), allocation(&line(*b), *n)]
                }
                Step::Move(..) => vec![],
                Step::Commit(l, n) => vec![commitment(&line(*l), *n)],
                Step::Cancel(i) | Step::Pay(i) | Step::Unpay(i) => {
                    let len = commitments.len().max(1);
                    match (step, commitments.get(*i % len)) {
                        (Step::Cancel(_), Some((l, n, 0))) => vec![commitment(l, -n)],
                        (Step::Pay(_), Some((l, n, 0))) => vec![payment(l, *n)],
                        (Step::Unpay(_), Some((l, n, 1))) => vec![payment(l, -n)],
                        _ => vec![],
                    }
                }
            };
            // A step's rows go in together or not at all, as in one transaction.
            let mut trial = totals.clone();
            let ok = made.iter().all(|m| trial.apply(m, THB).is_ok());
            if !ok {
                assert_eq!(totals, before);
                continue;
            }
            totals = trial;
            match step {
                Step::Give(a, in_kind, n) => contributions.push((agency(*a), *in_kind, *n, false)),
                Step::Reverse(i) if !made.is_empty() => {
                    let len = contributions.len();
                    contributions[*i % len].3 = true;
                }
                Step::Commit(l, n) => commitments.push((line(*l), *n, 0)),
                Step::Cancel(i) | Step::Pay(i) | Step::Unpay(i) if !made.is_empty() => {
                    let len = commitments.len();
                    commitments[*i % len].2 = match step {
                        Step::Cancel(_) => 2,
                        Step::Pay(_) => 1,
                        _ => 0,
                    };
                }
                _ => {}
            }
            rows.extend(made);
        }
        (totals, rows)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_history_keeps_the_books_sound(steps in proptest::collection::vec(step(), 0..80)) {
            let (totals, rows) = run(&steps);
            let f = totals.figures().unwrap();
            // Nothing negative, nothing spent beyond what was given.
            prop_assert!(f.cash >= 0 && f.in_kind >= 0 && f.committed >= 0 && f.paid >= 0);
            prop_assert!(f.unallocated() >= 0 && f.balance() >= 0 && f.available() >= 0);
            for (id, l) in &totals.lines {
                prop_assert!(l.allocated >= 0 && l.committed >= 0 && l.paid >= 0, "{id}: {l:?}");
                prop_assert!(l.remaining() >= 0, "{id}: {l:?}");
            }
            for a in totals.agencies.values() {
                prop_assert!(a.cash >= 0 && a.in_kind >= 0);
            }
            // The agencies' shares add up to what was paid, and none exceeds its cash.
            let shares = totals.shares_of_paid(THB).unwrap();
            prop_assert_eq!(shares.iter().map(|(_, m)| m.minor()).sum::<i64>(), f.paid);
            for (agency, share) in &shares {
                prop_assert!(share.minor() >= 0 && share.minor() <= totals.agencies[agency].cash);
            }
            // Replaying the rows from nothing gives the running totals.
            prop_assert_eq!(Totals::replay(&rows, THB).unwrap(), totals);
        }
    }
}
