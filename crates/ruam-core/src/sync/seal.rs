//! Sealing what leaves this laptop: the content of an envelope under its scope's key, and
//! a scope's key wrapped to one device's exchange key. The relay carries both and can open
//! neither.

use ruam_wire::api::DeviceKeys;
use ruam_wire::envelope::{associated_data, Envelope, EnvelopeHeader};
use ruam_wire::{ExchangeKey, PublicKey};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::identity::DeviceIdentity;
use crate::crypto::{self, SecretKey, NONCE_LEN};
use crate::{Error, Result};

/// AES-GCM's tag, added to every ciphertext.
const TAG_LEN: usize = 16;
const WRAP_INFO: &[u8] = b"ruam/scope-key-wrap/v1";
const WRAPPED_LEN: usize = 32 + NONCE_LEN + 32 + TAG_LEN;

/// Which key of which scope, for which device: bound into every wrap, so that a wrapped
/// key cannot be passed off as another scope's, epoch's or device's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyLabel {
    pub team_id: Uuid,
    pub scope_id: Uuid,
    pub epoch: u32,
    pub device_id: Uuid,
}

impl KeyLabel {
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(52);
        out.extend_from_slice(self.team_id.as_bytes());
        out.extend_from_slice(self.scope_id.as_bytes());
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(self.device_id.as_bytes());
        out
    }
}

/// Why an envelope was not opened. None of these applies anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("its signature does not verify: it was altered, or is not its author's")]
    BadSignature,
    #[error("it does not decrypt with the scope's key: altered, or sealed under another key")]
    Undecryptable,
}

/// Encrypt `plaintext` for `scope` at `epoch` and sign the envelope as this device.
pub fn seal_envelope(
    identity: &DeviceIdentity,
    team_id: Uuid,
    scope_id: Uuid,
    epoch: u32,
    key: &SecretKey,
    plaintext: &[u8],
    created_ms: i64,
) -> Result<Envelope> {
    let header = EnvelopeHeader {
        team_id,
        scope_id,
        epoch,
        envelope_id: Uuid::now_v7(),
        device_id: identity.device_id,
        created_ms,
        nonce: crypto::random_array()?,
    };
    let aad = associated_data(&header, plaintext.len() + TAG_LEN);
    let ciphertext = crypto::seal(key, header.nonce, &aad, plaintext)?;
    Ok(Envelope::sign(header, ciphertext, identity.signing()))
}

/// Check the author's signature, then decrypt. `signer` is the author's key as the team
/// knows it, never one the envelope names.
pub fn open_envelope(
    envelope: &Envelope,
    signer: &PublicKey,
    key: &SecretKey,
) -> std::result::Result<Zeroizing<Vec<u8>>, OpenError> {
    if !envelope.verify(signer) {
        return Err(OpenError::BadSignature);
    }
    let aad = associated_data(&envelope.header, envelope.ciphertext.len());
    crypto::open(key, envelope.header.nonce, &aad, &envelope.ciphertext)
        .ok_or(OpenError::Undecryptable)
}

fn wrap_kek(
    shared: &[u8; 32],
    ephemeral: &[u8; 32],
    recipient: &ExchangeKey,
    label: &[u8],
) -> Result<SecretKey> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(&recipient.0);
    crypto::hkdf_key(&salt, shared, &[WRAP_INFO, label])
}

/// Wrap a scope's key to one device: a fresh X25519 key agreed with the device's exchange
/// key, HKDF-SHA256, AES-256-GCM. Only that device's exchange secret unwraps it.
pub fn wrap_scope_key(recipient: &DeviceKeys, label: KeyLabel, key: &SecretKey) -> Result<Vec<u8>> {
    if recipient.device_id != label.device_id {
        return Err(Error::Crypto);
    }
    let ephemeral = DeviceIdentity::generate(label.device_id)?;
    let ephemeral_public = ephemeral.exchange_key();
    let shared = ephemeral.agree(&recipient.exchange_key)?;
    let label = label.bytes();
    let kek = wrap_kek(
        &shared,
        &ephemeral_public.0,
        &recipient.exchange_key,
        &label,
    )?;
    let wrapped = crypto::wrap(&kek, key, &label)?;
    let mut out = Vec::with_capacity(WRAPPED_LEN);
    out.extend_from_slice(&ephemeral_public.0);
    out.extend_from_slice(&wrapped.nonce);
    out.extend_from_slice(&wrapped.ciphertext);
    Ok(out)
}

/// Unwrap a scope's key sent to this device; `None` if it is not for this device and label,
/// or was altered.
pub fn unwrap_scope_key(
    identity: &DeviceIdentity,
    label: KeyLabel,
    wrapped: &[u8],
) -> Option<SecretKey> {
    if wrapped.len() != WRAPPED_LEN || label.device_id != identity.device_id {
        return None;
    }
    let ephemeral = ExchangeKey(wrapped[..32].try_into().ok()?);
    let nonce: [u8; NONCE_LEN] = wrapped[32..32 + NONCE_LEN].try_into().ok()?;
    let shared = identity.agree(&ephemeral).ok()?;
    let label = label.bytes();
    let kek = wrap_kek(&shared, &ephemeral.0, &identity.exchange_key(), &label).ok()?;
    crypto::unwrap(
        &kek,
        &crypto::Wrapped {
            nonce,
            ciphertext: wrapped[32 + NONCE_LEN..].to_vec(),
        },
        &label,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(device: &DeviceIdentity) -> KeyLabel {
        KeyLabel {
            team_id: Uuid::from_u128(1),
            scope_id: Uuid::from_u128(2),
            epoch: 3,
            device_id: device.device_id,
        }
    }

    #[test]
    fn an_envelope_opens_only_with_its_key_and_its_author() {
        let author = DeviceIdentity::generate(Uuid::now_v7()).unwrap();
        let other = DeviceIdentity::generate(Uuid::now_v7()).unwrap();
        let key = SecretKey::random().unwrap();
        let envelope = seal_envelope(
            &author,
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            1,
            &key,
            b"canary-note",
            5,
        )
        .unwrap();
        assert!(!envelope.ciphertext.windows(6).any(|w| w == b"canary"));
        let signer = author.signing().public_key();
        assert_eq!(
            open_envelope(&envelope, &signer, &key).unwrap().as_slice(),
            b"canary-note"
        );
        assert_eq!(
            open_envelope(&envelope, &other.signing().public_key(), &key),
            Err(OpenError::BadSignature)
        );
        assert_eq!(
            open_envelope(&envelope, &signer, &SecretKey::random().unwrap()),
            Err(OpenError::Undecryptable)
        );
        // The header is bound to the ciphertext: re-signed under another epoch by its
        // author, it still does not decrypt.
        let mut moved = envelope.header;
        moved.epoch = 2;
        let moved = Envelope::sign(moved, envelope.ciphertext.clone(), author.signing());
        assert_eq!(
            open_envelope(&moved, &signer, &key),
            Err(OpenError::Undecryptable)
        );
    }

    #[test]
    fn a_wrapped_key_opens_only_for_its_device_and_label() {
        let device = DeviceIdentity::generate(Uuid::now_v7()).unwrap();
        let stranger = DeviceIdentity::generate(Uuid::now_v7()).unwrap();
        let key = SecretKey::random().unwrap();
        let wrapped = wrap_scope_key(&device.keys(), label(&device), &key).unwrap();
        assert_eq!(
            unwrap_scope_key(&device, label(&device), &wrapped),
            Some(key.clone())
        );
        // Another epoch or scope named: refused.
        let mut other_epoch = label(&device);
        other_epoch.epoch = 4;
        assert_eq!(unwrap_scope_key(&device, other_epoch, &wrapped), None);
        // Another device cannot open it, even naming itself.
        assert_eq!(
            unwrap_scope_key(&stranger, label(&stranger), &wrapped),
            None
        );
        // Altered or cut: refused.
        let mut altered = wrapped.clone();
        altered[40] ^= 1;
        assert_eq!(unwrap_scope_key(&device, label(&device), &altered), None);
        assert_eq!(
            unwrap_scope_key(&device, label(&device), &wrapped[..50]),
            None
        );
        // A wrap must name its recipient.
        assert!(wrap_scope_key(&stranger.keys(), label(&device), &key).is_err());
    }
}
