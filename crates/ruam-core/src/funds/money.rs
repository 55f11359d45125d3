//! Money: whole minor units (satang, cents) in an `i64` with the currency they are in. No
//! floats anywhere: amounts are read from text digit by digit, converted at a rate given
//! as decimal text, and shared out so the shares add up exactly. Every sum that would
//! overflow, and every sum of two currencies, is an error, never a wrapped number.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// An ISO 4217 currency the app knows, with how many minor digits it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    digits: u8,
}

/// The currencies teams in the region meet: Thailand's and its neighbours', and those
/// donors give in. Codes and minor digits as ISO 4217 has them.
const KNOWN: [(&str, u8); 14] = [
    ("THB", 2),
    ("LAK", 2),
    ("MMK", 2),
    ("KHR", 2),
    ("MYR", 2),
    ("VND", 0),
    ("CNY", 2),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("JPY", 0),
    ("AUD", 2),
    ("SGD", 2),
    ("KRW", 0),
];

impl Currency {
    /// Thai baht, a fund's currency unless the team says otherwise.
    pub const THB: Currency = Currency {
        code: *b"THB",
        digits: 2,
    };

    /// A currency by its ISO code (any case, spaces around ignored).
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let code = raw.trim().to_ascii_uppercase();
        KNOWN
            .iter()
            .find(|(known, _)| *known == code)
            .and_then(|(known, digits)| {
                let code: [u8; 3] = known.as_bytes().try_into().ok()?;
                Some(Currency {
                    code,
                    digits: *digits,
                })
            })
            .ok_or_else(|| {
                let known: Vec<&str> = KNOWN.iter().map(|(code, _)| *code).collect();
                Error::invalid(
                    field,
                    format!(
                        "is not a currency code the app knows ({})",
                        known.join(", ")
                    ),
                )
            })
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal point (2 for baht, 0 for yen).
    pub fn digits(&self) -> u8 {
        self.digits
    }

    fn scale(&self) -> i128 {
        10_i128.pow(u32::from(self.digits))
    }
}

impl TryFrom<String> for Currency {
    type Error = Error;
    fn try_from(code: String) -> Result<Self> {
        Currency::parse("currency", &code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount: minor units and their currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

fn too_large(field: &'static str) -> Error {
    Error::invalid(field, "is too large to count")
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// An amount as a person types it: digits, an optional decimal point with no more
    /// decimals than the currency has, and optional thousands commas (`1,250.50`). Not
    /// negative: refunds and corrections are rows of their own.
    pub fn parse(field: &'static str, raw: &str, currency: Currency) -> Result<Self> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(Error::invalid(field, "is empty"));
        }
        if text.starts_with('-') {
            return Err(Error::invalid(field, "cannot be negative"));
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let whole_digits: String = whole.chars().filter(|c| *c != ',').collect();
        let well_grouped = !whole.contains(',')
            || whole.split(',').enumerate().all(|(i, group)| {
                (if i == 0 {
                    (1..=3).contains(&group.len())
                } else {
                    group.len() == 3
                }) && group.bytes().all(|b| b.is_ascii_digit())
            });
        let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits_only(&whole_digits) || !well_grouped {
            return Err(Error::invalid(
                field,
                "is not an amount (digits, and a point before the decimals: 1,250.50)",
            ));
        }
        let fraction = fraction.unwrap_or("");
        if !fraction.is_empty() && !digits_only(fraction) {
            return Err(Error::invalid(
                field,
                "has something other than digits after the point",
            ));
        }
        if fraction.len() > usize::from(currency.digits) {
            return Err(Error::invalid(
                field,
                format!(
                    "has more decimals than {} has ({})",
                    currency.code(),
                    currency.digits
                ),
            ));
        }
        let mut minor: i128 = 0;
        for b in whole_digits.bytes().chain(fraction.bytes()) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(b - b'0')))
                .ok_or_else(|| too_large(field))?;
        }
        let missing = u32::from(currency.digits) - u32::try_from(fraction.len()).unwrap_or(0);
        minor = minor
            .checked_mul(10_i128.pow(missing))
            .ok_or_else(|| too_large(field))?;
        let minor = i64::try_from(minor).map_err(|_| too_large(field))?;
        Ok(Self { minor, currency })
    }

    fn same_currency(&self, other: &Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::invalid(
                "currency",
                format!(
                    "{} and {} cannot be added without a rate",
                    self.currency, other.currency
                ),
            ))
        }
    }

    /// `op` on two amounts of one currency; none from `op` is an overflow.
    fn combine(self, other: Money, op: fn(i64, i64) -> Option<i64>) -> Result<Money> {
        self.same_currency(&other)?;
        let minor = op(self.minor, other.minor).ok_or_else(|| too_large("amount"))?;
        Ok(Money { minor, ..self })
    }

    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.combine(other, i64::checked_add)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.combine(other, i64::checked_sub)
    }

    pub fn checked_neg(self) -> Result<Money> {
        let minor = self
            .minor
            .checked_neg()
            .ok_or_else(|| too_large("amount"))?;
        Ok(Money { minor, ..self })
    }

    /// This amount in `to`, at `rate` units of `to` per unit of this currency, rounded to
    /// the nearest minor unit (halves away from zero).
    pub fn convert(self, rate: &Rate, to: Currency) -> Result<Money> {
        // minor × rate × 10^to.digits / 10^from.digits, with the rate's own scale.
        let numerator = i128::from(self.minor)
            .checked_mul(rate.units)
            .and_then(|n| n.checked_mul(to.scale()))
            .ok_or_else(|| too_large("amount"))?;
        let denominator = self
            .currency
            .scale()
            .checked_mul(rate.scale)
            .ok_or_else(|| too_large("rate"))?;
        let quotient = numerator / denominator;
        let remainder = numerator % denominator;
        let rounded = if remainder.abs() * 2 >= denominator {
            quotient + numerator.signum()
        } else {
            quotient
        };
        let minor = i64::try_from(rounded).map_err(|_| too_large("amount"))?;
        Ok(Money {
            minor,
            currency: to,
        })
    }

    /// Share this amount out in proportion to `weights` (e.g. what each agency put in), so
    /// that the shares add up to exactly this amount: each share is rounded down and the
    /// units left go, one each, to the largest remainders (ties to the earlier weight).
    /// With no weight above zero, nobody has a share and all is zero.
    pub fn share_out(self, weights: &[i64]) -> Result<Vec<Money>> {
        if weights.iter().any(|w| *w < 0) {
            return Err(Error::invalid("weights", "cannot be negative"));
        }
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        if total == 0 {
            return Ok(vec![Money::zero(self.currency); weights.len()]);
        }
        let amount = i128::from(self.minor);
        let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
        let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
        for (i, weight) in weights.iter().enumerate() {
            let product = amount * i128::from(*weight);
            shares.push(product.div_euclid(total));
            remainders.push((product.rem_euclid(total), i));
        }
        let left = amount - shares.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders.iter().take(usize::try_from(left).unwrap_or(0)) {
            shares[*i] += 1;
        }
        shares
            .into_iter()
            .map(|share| {
                i64::try_from(share)
                    .map(|minor| Money::from_minor(minor, self.currency))
                    .map_err(|_| too_large("amount"))
            })
            .collect()
    }
}

impl fmt::Display for Money {
    /// `1,250.50 THB`, `-3.00 USD`, `1,500 JPY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.currency.scale();
        let value = i128::from(self.minor);
        let (whole, fraction) = (value.abs() / scale, value.abs() % scale);
        let digits = whole.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if value < 0 { "-" } else { "" };
        if self.currency.digits == 0 {
            write!(f, "{sign}{grouped} {}", self.currency)
        } else {
            let width = usize::from(self.currency.digits);
            write!(f, "{sign}{grouped}.{fraction:0width$} {}", self.currency)
        }
    }
}

/// An exchange rate as typed (`35.2175`): units of one currency per unit of another, kept
/// as an integer and a power of ten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    units: i128,
    scale: i128,
}

/// More decimals than any published rate has.
pub const RATE_MAX_DECIMALS: usize = 8;

impl Rate {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let text = raw.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(Error::invalid(
                field,
                "is not a rate (digits and a point: 35.2175)",
            ));
        }
        if fraction.len() > RATE_MAX_DECIMALS {
            return Err(Error::invalid(
                field,
                format!("has more than {RATE_MAX_DECIMALS} decimals"),
            ));
        }
        if whole.len() > 12 {
            return Err(too_large(field));
        }
        let units: i128 = format!("{whole}{fraction}")
            .parse()
            .map_err(|_| too_large(field))?;
        if units == 0 {
            return Err(Error::invalid(field, "must be more than zero"));
        }
        let scale = 10_i128.pow(u32::try_from(fraction.len()).unwrap_or(0));
        Ok(Self { units, scale })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decimals = usize::try_from(self.scale.ilog10()).unwrap_or(0);
        let (whole, fraction) = (self.units / self.scale, self.units % self.scale);
        if decimals == 0 {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{fraction:0decimals$}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn thb(text: &str) -> Money {
        Money::parse("amount", text, Currency::THB).unwrap()
    }

    fn field_of<T: std::fmt::Debug>(result: Result<T>) -> &'static str {
        match result {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn amounts_are_read_digit_by_digit() {
        assert_eq!(thb("1,250.50").minor(), 125_050);
        assert_eq!(thb("1250.5").minor(), 125_050);
        assert_eq!(thb(" 7 ").minor(), 700);
        assert_eq!(thb("0.05").minor(), 5);
        let yen = Currency::parse("currency", "jpy").unwrap();
        assert_eq!(Money::parse("amount", "1,500", yen).unwrap().minor(), 1_500);
        for bad in [
            "", "-5", "1.234", "1,25.00", "12,3456", "1.2.3", "1e3", "๑๒", "abc", ".5.", "1,",
        ] {
            assert_eq!(
                field_of(Money::parse("amount", bad, Currency::THB)),
                "amount",
                "{bad:?}"
            );
        }
        assert_eq!(field_of(Money::parse("amount", "1.5", yen)), "amount");
        assert_eq!(
            field_of(Money::parse(
                "amount",
                "99999999999999999999",
                Currency::THB
            )),
            "amount"
        );
        assert_eq!(field_of(Currency::parse("currency", "XYZ")), "currency");
    }

    #[test]
    fn sums_refuse_to_overflow_or_mix_currencies() {
        let most = Money::from_minor(i64::MAX, Currency::THB);
        assert!(most.checked_add(thb("0.01")).is_err());
        assert!(Money::from_minor(i64::MIN, Currency::THB)
            .checked_neg()
            .is_err());
        let usd = Money::parse("amount", "10", Currency::parse("c", "USD").unwrap()).unwrap();
        assert_eq!(field_of(thb("10").checked_add(usd)), "currency");
        assert_eq!(
            thb("10").checked_sub(thb("12.5")).unwrap().to_string(),
            "-2.50 THB"
        );
    }

    #[test]
    fn a_contribution_in_another_currency_is_converted_at_its_rate() {
        let usd = Currency::parse("c", "USD").unwrap();
        let rate = Rate::parse("rate", "35.2175").unwrap();
        assert_eq!(rate.to_string(), "35.2175");
        // 100.00 USD × 35.2175 = 3,521.75 THB.
        let amount = Money::parse("amount", "100", usd).unwrap();
        assert_eq!(
            amount.convert(&rate, Currency::THB).unwrap().to_string(),
            "3,521.75 THB"
        );
        // 0.01 USD × 35.2175 = 0.352175 THB: 0.35.
        let cent = Money::from_minor(1, usd);
        assert_eq!(cent.convert(&rate, Currency::THB).unwrap().minor(), 35);
        // Halves away from zero: 0.01 × 0.5 = 0.005 → 0.01.
        let half = Rate::parse("rate", "0.5").unwrap();
        assert_eq!(cent.convert(&half, Currency::THB).unwrap().minor(), 1);
        let yen = Currency::parse("c", "JPY").unwrap();
        let per_yen = Rate::parse("rate", "0.2301").unwrap();
        assert_eq!(
            Money::from_minor(10_000, yen)
                .convert(&per_yen, Currency::THB)
                .unwrap()
                .to_string(),
            "2,301.00 THB"
        );
        for bad in ["0", "0.000", "-1", "", "1.123456789", "abc"] {
            assert_eq!(field_of(Rate::parse("rate", bad)), "rate", "{bad:?}");
        }
    }

    #[test]
    fn shares_add_up_to_the_amount_exactly() {
        // 100.00 shared 1 : 1 : 1 gives 33.34, 33.33, 33.33.
        let shares = thb("100").share_out(&[1, 1, 1]).unwrap();
        let minors: Vec<i64> = shares.iter().map(Money::minor).collect();
        assert_eq!(minors, [3_334, 3_333, 3_333]);
        assert_eq!(
            thb("100").share_out(&[0, 0]).unwrap(),
            [Money::zero(Currency::THB); 2]
        );
        assert!(thb("1").share_out(&[1, -1]).is_err());
    }

    proptest! {
        #[test]
        fn shares_always_sum_to_the_whole_and_follow_the_weights(
            minor in 0_i64..1_000_000_000_000,
            weights in proptest::collection::vec(0_i64..1_000_000_000_000, 1..12),
        ) {
            let amount = Money::from_minor(minor, Currency::THB);
            let shares = amount.share_out(&weights).unwrap();
            let total: i64 = shares.iter().map(Money::minor).sum();
            let weighed: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            if weighed == 0 {
                prop_assert_eq!(total, 0);
            } else {
                prop_assert_eq!(total, minor);
                // Each share is within one unit of its exact proportion.
                for (share, weight) in shares.iter().zip(&weights) {
                    let exact = i128::from(minor) * i128::from(*weight);
                    let got = i128::from(share.minor()) * weighed;
                    prop_assert!((got - exact).abs() < weighed, "{share} of {weight}");
                }
            }
        }

        #[test]
        fn what_is_written_reads_back(minor in 0_i64..i64::MAX, code in proptest::sample::select(&KNOWN[..])) {
            let currency = Currency::parse("currency", code.0).unwrap();
            let money = Money::from_minor(minor, currency);
            let text = money.to_string();
            let number = text.trim_end_matches(currency.code()).trim();
            prop_assert_eq!(Money::parse("amount", number, currency).unwrap(), money);
        }

        #[test]
        fn sums_are_exact_or_refused(a in any::<i64>(), b in any::<i64>()) {
            let (ma, mb) = (Money::from_minor(a, Currency::THB), Money::from_minor(b, Currency::THB));
            prop_assert_eq!(ma.checked_add(mb).ok().map(|m| m.minor()), a.checked_add(b));
            prop_assert_eq!(ma.checked_sub(mb).ok().map(|m| m.minor()), a.checked_sub(b));
            prop_assert_eq!(ma.checked_neg().ok().map(|m| m.minor()), a.checked_neg());
        }
    }
}
