//! What one envelope carries once opened: row changes, field by field, each with its
//! clock and the clock of the value it replaced (so that a laptop can tell an edit made
//! after seeing its own from one made at the same time).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The field that marks a row removed (rows without a tombstone column of their own).
pub const DELETED: &str = "_deleted";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RowChange {
    pub entity: String,
    pub id: String,
    /// The hybrid logical clock of the change, `<ms>:<counter>:<device>`.
    pub hlc: String,
    /// The member who made it.
    pub author: Option<String>,
    pub fields: Map<String, Value>,
    /// For each field, the clock of the value the author replaced (null: none).
    pub parents: Map<String, Value>,
}

/// The plaintext of a sealed envelope of a scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Batch {
    pub changes: Vec<RowChange>,
}

/// One scope key wrapped to the device whose inbox carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WrappedKey {
    pub scope_id: uuid::Uuid,
    pub epoch: u32,
    pub kind: String,
    pub case_id: Option<String>,
    pub section: Option<String>,
    /// [`super::seal::wrap_scope_key`]'s bytes, base64.
    pub wrapped: String,
}

/// The plaintext of an envelope to a device's inbox (the wraps are encrypted each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inbox {
    pub keys: Vec<WrappedKey>,
    /// Scopes this device was taken off: it deletes what it holds of them (a case's lead's
    /// or a lead's device says so, and the relay cannot).
    #[serde(default)]
    pub drops: Vec<uuid::Uuid>,
    /// New entries of the sender's audit log, for a laptop whose member reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<SealedAudit>,
}

/// Audit entries sealed to one device: a fresh key wrapped to it (as scope keys are), and
/// the entries encrypted with that key, bound to the envelope's id. All base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SealedAudit {
    pub wrapped: String,
    pub nonce: String,
    pub sealed: String,
}
