//! The JSON bodies of the relay's API, shared by the relay and the laptops.
//!
//! | request | who may | what it does |
//! | --- | --- | --- |
//! | `POST /v1/teams` | a new device, signing with the key it registers | makes a team with that device as its first admin |
//! | `POST /v1/teams/{team}/invites` | an admin device | a one-time invite, verified by a public key made from its secret |
//! | `POST /v1/enrol` | a new device, signing as above and with the invite's key | the device waits for an admin's approval |
//! | `GET /v1/teams/{team}/devices` | an active device | the team's devices and their public keys |
//! | `POST /v1/teams/{team}/devices/{device}/approve` | an admin device | a waiting device becomes active |
//! | `POST /v1/teams/{team}/devices/{device}/revoke` | an admin device | refused from then on; its grants are gone |
//! | `PUT /v1/teams/{team}/scopes/{scope}` | an admin device, or one that manages the scope | who may read and write the scope, at which key epoch |
//! | `GET /v1/teams/{team}/scopes/{scope}` | an admin device, or one that manages the scope | its key epoch and who may read and write it |
//! | `GET /v1/teams/{team}/me` | an active device | its status, its scopes and the scopes it must drop |
//! | `POST /v1/teams/{team}/envelopes` | an active device | stores envelopes (framed, see [`crate::envelope::frames`]) |
//! | `GET /v1/teams/{team}/envelopes?after=N&limit=M[&scope=S][&skip_own=true]` | an active device | the envelopes of its scopes after sequence number N (without those it wrote, with `skip_own`) |
//!
//! Each device also has an inbox scope whose id is its device id: any active device of the
//! team may write to it (wrapped scope keys), only its device reads it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::identity::{ExchangeKey, PublicKey, Signature};

/// The most envelopes one push carries.
pub const MAX_PUSH_ENVELOPES: usize = 1000;
/// The most bytes one request body carries.
pub const MAX_BODY: usize = 8 << 20;
/// The most envelopes one pull answers with.
pub const MAX_PULL_LIMIT: u32 = 2000;
/// The longest an invite may stay open.
pub const MAX_INVITE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// An invite's id: 5 random bytes, 10 hex digits.
pub const INVITE_ID_HEX: usize = 10;
/// The longest sealed welcome an invite carries, in base64 characters.
pub const MAX_WELCOME_CHARS: usize = 4096;

/// In a pull's answer: the sequence number to ask after next time.
pub const HEADER_NEXT: &str = "ruam-next";
/// In a pull's answer: "1" when more envelopes wait beyond this page.
pub const HEADER_MORE: &str = "ruam-more";
/// Context of what an invite's key signs.
const ENROL_CONTEXT: &str = "ruam-enrol-v1";

/// A device's public keys, as it registers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceKeys {
    pub device_id: Uuid,
    pub sign_key: PublicKey,
    pub exchange_key: ExchangeKey,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTeam {
    pub team_id: Uuid,
    pub device: DeviceKeys,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInvite {
    pub invite_id: String,
    /// The public half of the key derived from the invite's secret; the relay never learns
    /// the secret, so it cannot enrol a device of its own.
    pub invite_key: PublicKey,
    pub expires_ms: i64,
    /// Sealed with a key made from the invite's secret (base64): what the new laptop needs
    /// to know before the team's data reaches it (whose laptop it is). The relay keeps it
    /// and hands it to the device that enrols, unread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Enrol {
    pub invite_id: String,
    pub device: DeviceKeys,
    /// The invite's key over [`enrol_message`].
    pub invite_signature: Signature,
}

/// What an invite's key signs when a device enrols with it.
pub fn enrol_message(invite_id: &str, device: &DeviceKeys) -> Vec<u8> {
    format!(
        "{ENROL_CONTEXT}\n{invite_id}\n{}\n{}\n{}",
        device.device_id,
        device.sign_key.to_text(),
        device.exchange_key.to_text()
    )
    .into_bytes()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enrolled {
    pub team_id: Uuid,
    pub status: DeviceStatus,
    /// The invite's sealed welcome, as the lead's laptop left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Enrolled with an invite, waiting for an admin to compare the short code and approve.
    Pending,
    Active,
    /// Refused from then on (a lost laptop, a member who left).
    Revoked,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Active, Self::Revoked]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    #[serde(flatten)]
    pub keys: DeviceKeys,
    pub status: DeviceStatus,
    pub admin: bool,
    pub enrolled_ms: i64,
    pub last_seen_ms: Option<i64>,
    /// The invite it enrolled with (none for a team's first device), so that the lead's
    /// laptop knows which code's short code to show beside it.
    pub invite_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Approve {
    pub admin: bool,
}

/// One device's right on a scope: reading and writing it, and, with `manage`, changing
/// who may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Grant {
    pub device_id: Uuid,
    pub manage: bool,
}

/// Who may read and write a scope from now on. Taking a device away needs a new epoch
/// (the laptops rotate the scope's key), so that what is written after is not for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetScope {
    pub epoch: u32,
    pub grants: Vec<Grant>,
}

/// A scope as the relay holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeState {
    pub epoch: u32,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeGrant {
    pub scope_id: Uuid,
    pub epoch: u32,
    pub manage: bool,
}

/// What a device learns of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub device_id: Uuid,
    pub status: DeviceStatus,
    pub admin: bool,
    pub scopes: Vec<ScopeGrant>,
    /// Scopes this device was taken off: it must drop what it holds of them.
    pub dropped: Vec<Uuid>,
    /// The team's newest sequence number, for a progress bar on a first pull.
    pub head_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pushed {
    pub envelope_id: Uuid,
    pub seq: i64,
    /// The relay held this envelope already (a repeated push); nothing was stored again.
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushAnswer {
    pub pushed: Vec<Pushed>,
}

/// The relay's refusals: a stable code to branch on and a message a person can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Unsigned, badly signed, out-of-date or replayed request, or an unknown device.
    Unauthenticated,
    /// The device was revoked by an admin.
    Revoked,
    /// The device is known but waits for approval.
    Pending,
    Forbidden,
    NotFound,
    Invalid,
    Conflict,
    /// The envelope was sealed under an older key epoch: fetch the new key, seal again.
    StaleEpoch,
    TooLarge,
    RateLimited,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}
