//! Device settings that the lock screen needs before the vault is open (language,
//! auto-lock). Nothing here is sensitive; they live in a small JSON file.

use serde::{Deserialize, Serialize};

use crate::paths::{write_atomic, VaultPaths};
use crate::{Error, Result};

pub const AUTO_LOCK_MIN: u32 = 1;
pub const AUTO_LOCK_MAX: u32 = 240;
pub const AUTO_LOCK_DEFAULT: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Th,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub language: Language,
    pub auto_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::En,
            auto_lock_minutes: AUTO_LOCK_DEFAULT,
        }
    }
}

/// A change to some settings; absent fields stay as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SettingsPatch {
    pub language: Option<Language>,
    pub auto_lock_minutes: Option<u32>,
}

impl Settings {
    /// Read the settings; a missing or unreadable file gives the defaults (and a log line).
    pub fn load(paths: &VaultPaths) -> Self {
        let Ok(bytes) = std::fs::read(paths.settings()) else {
            return Self::default();
        };
        match serde_json::from_slice::<Self>(&bytes) {
            Ok(mut s) => {
                s.auto_lock_minutes = s.auto_lock_minutes.clamp(AUTO_LOCK_MIN, AUTO_LOCK_MAX);
                s
            }
            Err(_) => {
                tracing::warn!("settings file unreadable; using defaults");
                Self::default()
            }
        }
    }

    /// Apply a patch: the whole patch is checked before anything is written.
    pub fn apply(&self, patch: SettingsPatch) -> Result<Self> {
        let mut next = *self;
        if let Some(language) = patch.language {
            next.language = language;
        }
        if let Some(minutes) = patch.auto_lock_minutes {
            if !(AUTO_LOCK_MIN..=AUTO_LOCK_MAX).contains(&minutes) {
                return Err(Error::invalid(
                    "auto_lock_minutes",
                    format!("must be between {AUTO_LOCK_MIN} and {AUTO_LOCK_MAX} minutes"),
                ));
            }
            next.auto_lock_minutes = minutes;
        }
        Ok(next)
    }

    pub fn save(&self, paths: &VaultPaths) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|_| Error::Encode("the settings"))?;
        write_atomic(&paths.settings(), &json)
    }
}
