//! A growing wait after repeated wrong passphrases, kept on disk so that restarting
//! the app does not reset it.

use serde::{Deserialize, Serialize};

use crate::paths::{write_atomic, VaultPaths};
use crate::{Error, Result};

/// Wrong attempts allowed before any wait.
pub const FREE_ATTEMPTS: u32 = 3;
/// The longest wait, in seconds.
pub const MAX_DELAY_SECS: u64 = 300;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempts {
    pub failures: u32,
    /// Unix seconds of the last wrong attempt.
    pub last_failure: i64,
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

    /// `Err(Throttled)` while the wait after the last failure is still running.
    pub fn check(&self, now: i64) -> Result<()> {
        let until = self.last_failure + Self::delay_secs(self.failures) as i64;
        if now < until {
            let left = u32::try_from(until - now).unwrap_or(u32::MAX);
            return Err(Error::Throttled {
                retry_after_secs: left,
            });
        }
        Ok(())
    }

    pub fn load(paths: &VaultPaths) -> Self {
        match std::fs::read(paths.attempts()) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                // A damaged counter must not become a way to reset it: count it as three
                // failures now, once (written back, so the wait ends in five seconds).
                tracing::warn!("unlock-attempts file unreadable; counting earlier failures");
                let assumed = Self {
                    failures: FREE_ATTEMPTS,
                    last_failure: now_unix(),
                };
                if let Err(err) = assumed.save(paths) {
                    tracing::warn!(%err, "could not rewrite the unlock-attempts file");
                }
                assumed
            }),
            Err(_) => Self::default(),
        }
    }

    pub fn record_failure(paths: &VaultPaths, now: i64) -> Result<Self> {
        let mut attempts = Self::load(paths);
        attempts.failures = attempts.failures.saturating_add(1);
        attempts.last_failure = now;
        attempts.save(paths)?;
        Ok(attempts)
    }

    fn save(&self, paths: &VaultPaths) -> Result<()> {
        let json =
            serde_json::to_vec(self).map_err(|_| Error::Encode("the unlock-attempts file"))?;
        write_atomic(&paths.attempts(), &json)
    }

    pub fn reset(paths: &VaultPaths) -> Result<()> {
        match std::fs::remove_file(paths.attempts()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(paths.attempts(), e)),
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
            last_failure: 1000
        }
        .check(1000)
        .is_ok());
    }
}
