//! Ruam's core: the encrypted vault, its key slots and the rules around them.
//!
//! Nothing here knows about Tauri; the desktop shell adapts these calls to IPC.
#![forbid(unsafe_code)]

pub mod access;
pub mod audit;
pub mod backup;
pub mod boards;
pub mod cases;
pub mod community;
pub mod crypto;
pub mod csv;
pub mod db;
pub mod error;
pub mod funds;
pub mod indicators;
pub mod keyring;
pub mod meetings;
pub mod outbox;
pub mod passphrase;
pub mod paths;
pub mod recovery;
pub mod secret;
pub mod settings;
pub mod slots;
pub mod sync;
pub mod team;
pub mod throttle;
pub mod vault;

pub use error::{Error, ErrorCode, Remedy, Result};
pub use secret::SecretString;
pub use team::MemberSummary;
pub use vault::{CreatedVault, Unlocked, Vault, VaultState, VaultStatus};
