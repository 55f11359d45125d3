//! Text that must not linger: passphrases and recovery keys as they arrive from the UI.

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

/// A passphrase or recovery key as typed. Zeroed on drop, redacted in `Debug`, never
/// serialised back out.
#[derive(Default)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(transparent))]
pub struct SecretString(#[cfg_attr(feature = "specta", specta(type = String))] Zeroizing<String>);

impl SecretString {
    pub fn new(text: impl Into<String>) -> Self {
        Self(Zeroizing::new(text.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for SecretString {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_json_reads_in() {
        let secret: SecretString = serde_json::from_str("\"river lantern\"").unwrap();
        assert_eq!(secret.expose(), "river lantern");
        assert!(!format!("{secret:?}").contains("river"));
    }
}
