//! Team sync, the laptop's side (no Tauri): this device's identity, the keys of the scopes
//! it may hold, sealing and opening envelopes, and enrolment by invite. The relay
//! (`ruam-relay`) only stores and forwards what is sealed here. See docs/SYNC.md.

pub mod identity;
pub mod invite;
pub mod seal;

pub use identity::DeviceIdentity;
pub use invite::InviteCode;
