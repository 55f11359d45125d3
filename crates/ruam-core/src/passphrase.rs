//! What makes a passphrase acceptable. The UI shows the verdict; only this decides.

use serde::Serialize;

use crate::{Error, Result};

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 1024;
/// zxcvbn's score (0-4) a passphrase must reach.
pub const MIN_SCORE: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PassphraseProblem {
    Empty,
    TooShort,
    TooLong,
    TooCommon,
    TooGuessable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PassphraseStrength {
    /// 0 (trivial) to 4 (strong).
    pub score: u8,
    pub acceptable: bool,
    pub problem: Option<PassphraseProblem>,
}

/// Judge a passphrase; `context` holds words a guesser would try first (names, team).
pub fn assess(passphrase: &str, context: &[&str]) -> PassphraseStrength {
    let chars = passphrase.chars().count();
    if passphrase.trim().is_empty() {
        return verdict(0, Some(PassphraseProblem::Empty));
    }
    if chars > MAX_CHARS {
        return verdict(0, Some(PassphraseProblem::TooLong));
    }
    // A guesser tries the names whole and word by word.
    let words: Vec<&str> = context
        .iter()
        .flat_map(|c| std::iter::once(c.trim()).chain(c.split_whitespace()))
        .filter(|w| w.chars().count() >= 3)
        .collect();
    let estimate = zxcvbn::zxcvbn(passphrase, &words);
    let score = u8::from(estimate.score());
    let common = estimate
        .feedback()
        .and_then(|f| f.warning())
        .is_some_and(|w| {
            use zxcvbn::feedback::Warning as W;
            matches!(
                w,
                W::ThisIsATop10Password
                    | W::ThisIsATop100Password
                    | W::ThisIsACommonPassword
                    | W::ThisIsSimilarToACommonlyUsedPassword
                    | W::AWordByItselfIsEasyToGuess
                    | W::NamesAndSurnamesByThemselvesAreEasyToGuess
                    | W::CommonNamesAndSurnamesAreEasyToGuess
            )
        });
    let problem = if chars < MIN_CHARS {
        Some(PassphraseProblem::TooShort)
    } else if score < MIN_SCORE && common {
        Some(PassphraseProblem::TooCommon)
    } else if score < MIN_SCORE {
        Some(PassphraseProblem::TooGuessable)
    } else {
        None
    };
    verdict(score, problem)
}

fn verdict(score: u8, problem: Option<PassphraseProblem>) -> PassphraseStrength {
    PassphraseStrength {
        score,
        acceptable: problem.is_none(),
        problem,
    }
}

/// Refuse an unacceptable passphrase with an error naming `field`.
pub fn require_acceptable(field: &'static str, passphrase: &str, context: &[&str]) -> Result<()> {
    let strength = assess(passphrase, context);
    match strength.problem {
        None => Ok(()),
        Some(problem) => Err(Error::invalid(
            field,
            match problem {
                PassphraseProblem::Empty => "is empty".to_owned(),
                PassphraseProblem::TooShort => format!("must be at least {MIN_CHARS} characters"),
                PassphraseProblem::TooLong => format!("must be at most {MAX_CHARS} characters"),
                PassphraseProblem::TooCommon => {
                    "is a common password; choose a phrase of several unrelated words".to_owned()
                }
                PassphraseProblem::TooGuessable => {
                    "is too easy to guess; add more unrelated words".to_owned()
                }
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(assess("", &[]).problem, Some(PassphraseProblem::Empty));
        assert_eq!(
            assess("Xy7#q", &[]).problem,
            Some(PassphraseProblem::TooShort)
        );
        assert_eq!(
            assess("password123", &[]).problem,
            Some(PassphraseProblem::TooCommon)
        );
        assert!(!assess("Somsri Somsri 2026", &["Somsri Jaidee"]).acceptable);
        assert!(!assess("Mae Sai district MDT", &["Mae Sai district MDT"]).acceptable);
        let good = assess("river lantern mango bicycle", &[]);
        assert!(good.acceptable, "{good:?}");
        assert!(good.score >= MIN_SCORE);
        assert!(assess("แม่น้ำ โคมไฟ มะม่วง จักรยาน", &[]).acceptable);
    }

    #[test]
    fn refusal_names_the_field() {
        match require_acceptable("new_passphrase", "short", &[]) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "new_passphrase"),
            other => panic!("{other:?}"),
        }
    }
}
