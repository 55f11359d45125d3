//! A device's signing identity: an Ed25519 key whose seed lives in the OS keyring and whose
//! public half the relay and the other laptops know. Signatures are `ring`'s Ed25519.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{self, KeyPair};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The 32-byte seed of an Ed25519 key. Never serialised, redacted in `Debug`, zeroed on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SigningKey {
    seed: [u8; 32],
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

impl SigningKey {
    /// A new random key from the system's generator.
    pub fn generate() -> Result<Self, ring::error::Unspecified> {
        let mut seed = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)?;
        Ok(Self { seed })
    }

    /// The key of a known seed (kept in the keyring, or derived from an invite's secret).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self { seed }
    }

    /// The seed, to store it in the keyring. Handle with care.
    pub fn seed(&self) -> &[u8; 32] {
        &self.seed
    }

    fn pair(&self) -> signature::Ed25519KeyPair {
        // Any 32 bytes are a valid Ed25519 seed; `unchecked` only means that no public
        // key is given to compare against.
        signature::Ed25519KeyPair::from_seed_unchecked(&self.seed)
            .expect("every 32-byte seed is an Ed25519 key")
    }

    pub fn public_key(&self) -> PublicKey {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.pair().public_key().as_ref());
        PublicKey(out)
    }

    pub fn sign(&self, message: &[u8]) -> Signature {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.pair().sign(message).as_ref());
        Signature(out)
    }
}

/// Fixed-size public bytes (keys, signatures): as text, unpadded URL-safe base64.
macro_rules! fixed_bytes {
    ($(#[$doc:meta])* $name:ident, $len:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            pub fn to_text(&self) -> String {
                URL_SAFE_NO_PAD.encode(self.0)
            }

            pub fn from_text(text: &str) -> Option<Self> {
                fixed_from_text(text).map(Self)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.to_text())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_text())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::from_text(&text).ok_or_else(|| {
                    serde::de::Error::custom(concat!("is not ", $what, " (base64url)"))
                })
            }
        }
    };
}

fixed_bytes!(
    /// An Ed25519 public key.
    PublicKey, 32, "a 32-byte public key"
);
fixed_bytes!(
    /// An X25519 public key, to which the other laptops wrap the keys of the scopes this
    /// device may read. The relay only stores and lists it.
    ExchangeKey, 32, "a 32-byte key-exchange key"
);
fixed_bytes!(
    /// An Ed25519 signature.
    Signature, 64, "a 64-byte signature"
);

impl PublicKey {
    /// Whether `signature` is this key's over `message`.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> bool {
        signature::UnparsedPublicKey::new(&signature::ED25519, &self.0)
            .verify(message, &signature.0)
            .is_ok()
    }
}

/// Exactly `N` bytes from unpadded URL-safe base64, or nothing.
pub fn fixed_from_text<const N: usize>(text: &str) -> Option<[u8; N]> {
    // Refuse long input before decoding it.
    if text.len() > N.div_ceil(3) * 4 {
        return None;
    }
    URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_their_key_and_message() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let sig = key.sign(b"hello");
        assert!(key.public_key().verify(b"hello", &sig));
        assert!(!key.public_key().verify(b"hellp", &sig));
        assert!(!other.public_key().verify(b"hello", &sig));
    }

    #[test]
    fn keys_round_trip_as_text_and_refuse_wrong_lengths() {
        let pk = SigningKey::generate().unwrap().public_key();
        assert_eq!(PublicKey::from_text(&pk.to_text()), Some(pk));
        assert_eq!(PublicKey::from_text("AAAA"), None);
        assert_eq!(PublicKey::from_text(&"A".repeat(10_000)), None);
        assert_eq!(PublicKey::from_text("not base64!"), None);
    }

    #[test]
    fn debug_never_shows_the_seed() {
        let key = SigningKey::from_seed([0xAB; 32]);
        let shown = format!("{key:?}");
        assert!(!shown.to_lowercase().contains("ab"), "{shown}");
    }

    #[test]
    fn a_known_seed_gives_a_known_key() {
        // RFC 8032, test 1: a frozen vector, so that a change of library cannot strand
        // the devices enrolled before it.
        let seed: [u8; 32] =
            hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap()
                .try_into()
                .unwrap();
        let key = SigningKey::from_seed(seed);
        assert_eq!(
            hex::encode(key.public_key().0),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex::encode(key.sign(b"").0),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }
}
