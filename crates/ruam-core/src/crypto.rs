//! Key material and the few primitives the vault needs: random keys, Argon2id,
//! HKDF-SHA256 and AES-256-GCM key wrapping (all from `ring` and `argon2`).

use ring::{aead, hkdf, rand::SecureRandom};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{Error, Result};

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 12;

/// 256 bits of secret key material. Never serialised, redacted in `Debug`, zeroed on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretKey([u8; KEY_LEN]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    pub fn random() -> Result<Self> {
        let mut bytes = [0u8; KEY_LEN];
        fill_random(&mut bytes)?;
        Ok(Self(bytes))
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Self(array))
    }

    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Lower-case hex, in a buffer that is zeroed when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0))
    }
}

pub fn fill_random(out: &mut [u8]) -> Result<()> {
    ring::rand::SystemRandom::new()
        .fill(out)
        .map_err(|_| Error::Crypto)
}

pub fn random_array<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    fill_random(&mut bytes)?;
    Ok(bytes)
}

/// Argon2id cost, stored in each slot so that it can be raised later without
/// stranding older slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Argon2Params {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Argon2Params {
    /// The production cost: 64 MiB, 3 passes (about 200 ms on a district laptop).
    pub const STANDARD: Self = Self {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    /// A cheap cost for tests that create many vaults. Never used by the app.
    pub const FAST_FOR_TESTS: Self = Self {
        m_kib: 256,
        t: 1,
        p: 1,
    };

    /// Refuse absurd parameters read from a (possibly tampered) slot file.
    pub fn is_sane(&self) -> bool {
        (8..=1024 * 1024).contains(&self.m_kib) && (1..=64).contains(&self.t) && self.p == 1
    }
}

/// Stretch a passphrase with Argon2id. Slow on purpose: call from a blocking thread.
pub fn argon2id(passphrase: &str, salt: &[u8], params: Argon2Params) -> Result<SecretKey> {
    let argon_params = argon2::Params::new(params.m_kib, params.t, params.p, Some(KEY_LEN))
        .map_err(|_| Error::Crypto)?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon_params,
    );
    let mut out = [0u8; KEY_LEN];
    argon
        .hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(|_| Error::Crypto)?;
    let key = SecretKey(out);
    out.zeroize();
    Ok(key)
}

struct Len(usize);
impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-SHA256: extract with `salt`, expand with the `info` parts.
pub fn hkdf(salt: &[u8], ikm: &[u8], info: &[&[u8]], out: &mut [u8]) -> Result<()> {
    hkdf::Salt::new(hkdf::HKDF_SHA256, salt)
        .extract(ikm)
        .expand(info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| Error::Crypto)
}

pub fn hkdf_key(salt: &[u8], ikm: &[u8], info: &[&[u8]]) -> Result<SecretKey> {
    let mut out = [0u8; KEY_LEN];
    hkdf(salt, ikm, info, &mut out)?;
    let key = SecretKey(out);
    out.zeroize();
    Ok(key)
}

/// A key wrapped with AES-256-GCM: a fresh nonce and the ciphertext with its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapped {
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext: Vec<u8>,
}

fn aead_key(kek: &SecretKey) -> Result<aead::LessSafeKey> {
    let unbound =
        aead::UnboundKey::new(&aead::AES_256_GCM, kek.expose()).map_err(|_| Error::Crypto)?;
    Ok(aead::LessSafeKey::new(unbound))
}

pub fn wrap(kek: &SecretKey, key: &SecretKey, aad: &[u8]) -> Result<Wrapped> {
    let nonce: [u8; NONCE_LEN] = random_array()?;
    Ok(Wrapped {
        nonce,
        ciphertext: seal(kek, nonce, aad, key.expose())?,
    })
}

/// Unwrap a key; `None` when the key-encryption key is wrong or anything was altered.
pub fn unwrap(kek: &SecretKey, wrapped: &Wrapped, aad: &[u8]) -> Option<SecretKey> {
    let plain = open(kek, wrapped.nonce, aad, &wrapped.ciphertext)?;
    SecretKey::from_slice(&plain)
}

/// Encrypt `plaintext` with AES-256-GCM under `key` and `nonce` (which must never repeat
/// for the key: pass a random one), binding `aad`. The result carries its tag.
pub fn seal(
    key: &SecretKey,
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let mut in_out = plaintext.to_vec();
    aead_key(key)?
        .seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut in_out,
        )
        .map_err(|_| Error::Crypto)?;
    Ok(in_out)
}

/// Decrypt what [`seal`] made; `None` when the key is wrong or anything was altered. The
/// plaintext is zeroed when dropped.
pub fn open(
    key: &SecretKey,
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let mut in_out = Zeroizing::new(ciphertext.to_vec());
    let len = aead_key(key)
        .ok()?
        .open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut in_out,
        )
        .ok()?
        .len();
    in_out.truncate(len);
    Some(in_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_round_trips_and_refuses_a_wrong_key_or_aad() {
        let kek = SecretKey::random().unwrap();
        let data = SecretKey::random().unwrap();
        let wrapped = wrap(&kek, &data, b"vault-a").unwrap();
        assert_eq!(unwrap(&kek, &wrapped, b"vault-a"), Some(data));
        assert_eq!(unwrap(&kek, &wrapped, b"vault-b"), None);
        assert_eq!(
            unwrap(&SecretKey::random().unwrap(), &wrapped, b"vault-a"),
            None
        );
    }

    #[test]
    fn debug_never_shows_key_bytes() {
        let key = SecretKey::from_bytes([0xAB; KEY_LEN]);
        let shown = format!("{key:?}");
        assert!(!shown.to_lowercase().contains("ab"), "{shown}");
    }

    #[test]
    fn argon2id_depends_on_passphrase_and_salt() {
        let p = Argon2Params::FAST_FOR_TESTS;
        let a = argon2id("correct horse", b"0123456789abcdef", p).unwrap();
        assert_eq!(
            a,
            argon2id("correct horse", b"0123456789abcdef", p).unwrap()
        );
        assert_ne!(
            a,
            argon2id("correct horsf", b"0123456789abcdef", p).unwrap()
        );
        assert_ne!(
            a,
            argon2id("correct horse", b"0123456789abcdeg", p).unwrap()
        );
    }
}
