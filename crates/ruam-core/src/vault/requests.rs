//! What the vault's operations take and give, as the UI sends and receives them.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::secret::SecretString;
use crate::settings::Settings;
use crate::team::MemberSummary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum VaultState {
    Absent,
    Locked,
    /// A new laptop waiting for a lead's approval and its team's data.
    Joining,
    Unlocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub state: VaultState,
    /// Known only while unlocked: the team's name is inside the encrypted vault.
    pub team_name: Option<String>,
    pub member: Option<MemberSummary>,
    /// What the signed-in member's role allows, for the UI to hide what they may not do
    /// (core checks every call regardless).
    pub permissions: Vec<crate::access::Permission>,
    /// The recovery key has not been acknowledged as written down yet.
    pub recovery_key_pending: bool,
    /// For a team lead: where the audit log's chain was found broken at sign-in.
    pub audit_warning: Option<crate::audit::BrokenLink>,
    /// While this laptop waits to join its team: what its screen shows.
    pub joining: Option<super::JoinStatus>,
    pub settings: Settings,
}

/// A recovery key to show once, for the person to write down; never stored in the clear,
/// zeroed when dropped.
#[derive(Clone)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(transparent))]
pub struct ShownRecoveryKey(
    #[cfg_attr(feature = "specta", specta(type = String))] Zeroizing<String>,
);

impl ShownRecoveryKey {
    pub fn new(key: Zeroizing<String>) -> Self {
        Self(key)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Serialize for ShownRecoveryKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl std::fmt::Debug for ShownRecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShownRecoveryKey(<redacted>)")
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CreatedVault {
    pub recovery_key: ShownRecoveryKey,
    pub status: VaultStatus,
}

/// The vault after an unlock. When the last recovery key was never confirmed as written
/// down, the unlock replaces it and returns the new one, to be shown once.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Unlocked {
    pub status: VaultStatus,
    pub new_recovery_key: Option<ShownRecoveryKey>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CreateVaultRequest {
    pub team_name: String,
    pub display_name: String,
    pub sign_in_name: String,
    pub passphrase: SecretString,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UnlockRequest {
    pub sign_in_name: String,
    pub passphrase: SecretString,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RecoveryUnlockRequest {
    /// The lead who recovers; empty means the longest-serving lead.
    #[serde(default)]
    pub sign_in_name: Option<String>,
    pub recovery_key: SecretString,
    pub new_passphrase: SecretString,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChangePassphraseRequest {
    pub current: SecretString,
    pub new: SecretString,
}

/// The signed-in member's passphrase again, before a sensitive change.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConfirmPassphrase {
    pub passphrase: SecretString,
}
