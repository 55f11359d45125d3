//! The wire between a Ruam laptop and the relay: the envelope format, the device's signing
//! identity, how a request is signed, and the JSON bodies of the relay's API.
//!
//! The relay only ever handles what is defined here, and none of it holds plaintext: an
//! envelope's content is AES-256-GCM ciphertext made and read on the laptops.
#![forbid(unsafe_code)]

pub mod api;
#[cfg(feature = "client")]
pub mod client;
pub mod envelope;
pub mod identity;
pub mod request;

pub use envelope::{DecodeError, Envelope, EnvelopeHeader};
pub use identity::{ExchangeKey, PublicKey, Signature, SigningKey};
