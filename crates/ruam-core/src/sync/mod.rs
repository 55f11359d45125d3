//! Team sync, the laptop's side (no Tauri): this device's identity, the keys of the scopes
//! it may hold, what is replicated and how (row changes field by field, by hybrid logical
//! clock, with conflicts for a person), sealing and opening envelopes, and the rounds of
//! push and pull. The relay (`ruam-relay`) only stores and forwards what is sealed here.
//! docs/ARCHITECTURE.md ("Team sync") tells the whole story.

pub mod apply;
pub mod audit;
pub mod blob;
pub mod capture;
pub mod changes;
pub mod drop;
pub mod engine;
pub mod entities;
pub mod held;
pub mod identity;
pub mod inbox;
pub mod invite;
pub mod rights;
pub mod scopes;
pub mod seal;

pub use identity::DeviceIdentity;
pub use invite::InviteCode;

/// The device part of a well-formed clock stamp (`<ms>:<counter>:<device>`).
pub(crate) fn hlc_device(hlc: &str) -> Option<&str> {
    crate::outbox::parse_hlc(hlc)?;
    let device = hlc.splitn(3, ':').nth(2)?;
    (!device.is_empty() && device.len() <= 64).then_some(device)
}
