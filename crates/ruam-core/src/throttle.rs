//! A growing wait after repeated wrong passphrases, kept on disk so that restarting
//! the app does not reset it.

use serde::{Deserialize, Serialize};

use crate::paths::{write_atomic, VaultPaths};
use crate::{Error, Result};

/// Wrong attempts allowed before any wait.
pub const FREE_ATTEMPTS: u32 = 3;
/// The longest wait, in seconds.
pub const MAX_DELAY_SECS: u64 = 300;

/// Failed unlocks remembered for the audit log, which is written at the next unlock.
pub const MAX_REMEMBERED: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempts {
    pub failures: u32,
    /// Unix seconds of the last wrong attempt.
    pub last_failure: i64,
    /// Unix seconds of the wrong attempts made on the lock screen since the last unlock
    /// (the newest [`MAX_REMEMBERED`]), for the audit log.
    #[serde(default)]
    pub failed_unlocks: Vec<i64>,
    /// The sign-in tag (see `slots::sign_in_tag`: keyed, never the name) of each wrong
    /// sign-in, beside its time in `failed_unlocks`; `None` for a recovery-key attempt.
    /// At the next sign-in a tag that belongs to a member names whose account was tried.
    #[serde(default)]
    pub failed_tags: Vec<Option<String>>,
}

impl Attempts {
    /// The wait that follows `failures` wrong attempts: none for the first three, then
    /// 5 s, 10 s, 20 s … up to five minutes.
    pub fn delay_secs(failures: u32) -> u64 {
        if failures < FREE_ATTEMPTS {
            return 0;
        }
        let doublings = (failures - FREE_ATTEMPTS).min(16);
        (5u64 << doublings).min(MAX_DELAY_SECS)
    }

    /// `Err(Throttled)` while the wait after the last failure is still running. A last
    /// failure "in the future" (the clock was ahead, or the file was altered) counts as
    /// now, so the wait is never longer than the delay itself.
    pub fn check(&self, now: i64) -> Result<()> {
        let delay = i64::try_from(Self::delay_secs(self.failures)).unwrap_or(i64::MAX);
        let since = self.last_failure.min(now);
        let until = since.saturating_add(delay);
        if now < until {
            let left = u32::try_from(until - now).unwrap_or(u32::MAX);
            return Err(Error::Throttled {
                retry_after_secs: left,
            });
        }
        Ok(())
    }

    /// Read the counter. A missing file is no failures; a file that cannot be read or
    /// parsed must not become a way to reset it: it counts as three failures at the time
    /// it was last written (so it costs one wait, never a lock-out).
    pub fn load(paths: &VaultPaths) -> Self {
        let path = paths.attempts();
        let parsed = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<Self>(&bytes).ok(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Self::default(),
            Err(_) => None,
        };
        parsed.unwrap_or_else(|| {
            tracing::warn!("unlock-attempts file unreadable; counting earlier failures");
            let written = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok())
                .unwrap_or_else(now_unix);
            Self {
                failures: FREE_ATTEMPTS,
                last_failure: written,
                ..Self::default()
            }
        })
    }

    /// Count a wrong attempt. If the counter cannot be written the attempt is still
    /// refused; the failure to count is logged.
    /// Count a wrong passphrase or recovery key on the lock screen, and remember when.
    pub fn record_unlock_failure(paths: &VaultPaths, now: i64, tag: Option<String>) -> Self {
        let mut attempts = Self::load(paths);
        // Older files have times without tags: line them up before adding one.
        attempts
            .failed_tags
            .resize(attempts.failed_unlocks.len(), None);
        attempts.failed_unlocks.push(now);
        attempts.failed_tags.push(tag);
        let excess = attempts.failed_unlocks.len().saturating_sub(MAX_REMEMBERED);
        attempts.failed_unlocks.drain(..excess);
        attempts.failed_tags.drain(..excess);
        attempts.count(paths, now)
    }

    /// The wrong sign-ins remembered for the audit log: when, and the tag tried.
    pub fn failed_sign_ins(&self) -> impl Iterator<Item = (i64, Option<&str>)> {
        self.failed_unlocks
            .iter()
            .enumerate()
            .map(|(i, at)| (*at, self.failed_tags.get(i).and_then(|t| t.as_deref())))
    }

    pub fn record_failure(paths: &VaultPaths, now: i64) -> Self {
        Self::load(paths).count(paths, now)
    }

    fn count(self, paths: &VaultPaths, now: i64) -> Self {
        let mut attempts = self;
        attempts.failures = attempts.failures.saturating_add(1);
        attempts.last_failure = now;
        if let Err(err) = attempts.save(paths) {
            tracing::warn!(%err, "could not record a wrong attempt");
        }
        attempts
    }

    fn save(&self, paths: &VaultPaths) -> Result<()> {
        let json =
            serde_json::to_vec(self).map_err(|_| Error::Encode("the unlock-attempts file"))?;
        write_atomic(&paths.attempts(), &json)
    }

    /// Clear the counter after a success. Best effort: a counter that cannot be removed
    /// (or rewritten empty) is logged, and must never stop the person who got in.
    pub fn reset(paths: &VaultPaths) {
        match std::fs::remove_file(paths.attempts()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                if Self::default().save(paths).is_err() {
                    tracing::warn!(err = %e, "could not clear the unlock-attempts file");
                }
            }
        }
    }
}

pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        let delays: Vec<u64> = (0..12).map(Attempts::delay_secs).collect();
        assert_eq!(&delays[..7], &[0, 0, 0, 5, 10, 20, 40]);
        assert_eq!(*delays.last().unwrap(), MAX_DELAY_SECS);
        assert_eq!(Attempts::delay_secs(u32::MAX), MAX_DELAY_SECS);
    }

    #[test]
    fn check_counts_down_from_the_last_failure() {
        let attempts = Attempts {
            failures: 4,
            last_failure: 1000,
            ..Default::default()
        };
        assert!(matches!(
            attempts.check(1003),
            Err(Error::Throttled {
                retry_after_secs: 7
            })
        ));
        assert!(attempts.check(1010).is_ok());
        assert!(Attempts {
            failures: 2,
            last_failure: 1000,
            ..Default::default()
        }
        .check(1000)
        .is_ok());
    }

    #[test]
    fn a_clock_set_back_never_waits_longer_than_the_delay() {
        let attempts = Attempts {
            failures: 3,
            last_failure: 1_000_000,
            ..Default::default()
        };
        assert!(matches!(
            attempts.check(10),
            Err(Error::Throttled {
                retry_after_secs: 5
            })
        ));
        let absurd = Attempts {
            failures: 40,
            last_failure: i64::MAX,
            ..Default::default()
        };
        assert!(matches!(
            absurd.check(0),
            Err(Error::Throttled {
                retry_after_secs: 300
            })
        ));
    }

    #[test]
    fn a_damaged_or_unreadable_counter_costs_one_wait_then_lets_the_person_in() {
        let dir = tempfile::tempdir().unwrap();
        let paths = VaultPaths::new(dir.path());
        for damage in ["garbage", "directory"] {
            let _ = std::fs::remove_file(paths.attempts());
            let _ = std::fs::remove_dir(paths.attempts());
            if damage == "garbage" {
                std::fs::write(paths.attempts(), b"{garbage").unwrap();
            } else {
                std::fs::create_dir(paths.attempts()).unwrap();
            }
            let now = now_unix();
            let loaded = Attempts::load(&paths);
            assert_eq!(loaded.failures, FREE_ATTEMPTS, "{damage}");
            assert!(loaded.check(now).is_err(), "{damage}: not a free reset");
            assert!(loaded.check(now + 6).is_ok(), "{damage}: not a lock-out");
            // A wrong attempt is still counted as refused even when it cannot be written.
            let after = Attempts::record_failure(&paths, now);
            assert_eq!(after.failures, FREE_ATTEMPTS + 1, "{damage}");
        }
    }
}
