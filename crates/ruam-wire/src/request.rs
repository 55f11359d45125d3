//! How a device signs a request to the relay, so that the relay knows which device asks
//! without any password or token that could be replayed or stolen from its database.
//!
//! The signature covers the method, the path with its query, the time, a random nonce
//! and the SHA-256 of the body. The relay accepts a time within [`MAX_SKEW_MS`] of its own
//! and each nonce once.

use ring::digest;
use uuid::Uuid;

use crate::identity::{PublicKey, Signature, SigningKey};

pub const HEADER_DEVICE: &str = "ruam-device";
pub const HEADER_TIME: &str = "ruam-time";
pub const HEADER_NONCE: &str = "ruam-nonce";
pub const HEADER_SIGNATURE: &str = "ruam-signature";
/// How far a request's time may be from the relay's clock.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// The four headers of a signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub device_id: Uuid,
    pub time_ms: i64,
    /// 16 random bytes as 32 hex digits.
    pub nonce: String,
    pub signature: Signature,
}

impl SignedHeaders {
    pub fn pairs(&self) -> [(&'static str, String); 4] {
        [
            (HEADER_DEVICE, self.device_id.to_string()),
            (HEADER_TIME, self.time_ms.to_string()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_SIGNATURE, self.signature.to_text()),
        ]
    }

    /// Read the headers as given (each looked up by name); `None` names the one missing or
    /// malformed.
    pub fn parse<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, &'static str> {
        let device_id = get(HEADER_DEVICE)
            .and_then(|v| Uuid::parse_str(v).ok())
            .ok_or(HEADER_DEVICE)?;
        let time_ms = get(HEADER_TIME)
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or(HEADER_TIME)?;
        let nonce = get(HEADER_NONCE)
            .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or(HEADER_NONCE)?
            .to_ascii_lowercase();
        let signature = get(HEADER_SIGNATURE)
            .and_then(Signature::from_text)
            .ok_or(HEADER_SIGNATURE)?;
        Ok(Self {
            device_id,
            time_ms,
            nonce,
            signature,
        })
    }

    pub fn verify(&self, key: &PublicKey, method: &str, path_and_query: &str, body: &[u8]) -> bool {
        key.verify(
            &canonical(
                method,
                path_and_query,
                self.device_id,
                self.time_ms,
                &self.nonce,
                body,
            ),
            &self.signature,
        )
    }
}

/// Sign a request now, with a fresh nonce.
pub fn sign(
    key: &SigningKey,
    device_id: Uuid,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    time_ms: i64,
) -> SignedHeaders {
    let mut nonce = [0u8; 16];
    // A failing system generator leaves a zero nonce, which the relay refuses once used.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce);
    let nonce = hex::encode(nonce);
    let signature = key.sign(&canonical(
        method,
        path_and_query,
        device_id,
        time_ms,
        &nonce,
        body,
    ));
    SignedHeaders {
        device_id,
        time_ms,
        nonce,
        signature,
    }
}

fn canonical(
    method: &str,
    path_and_query: &str,
    device_id: Uuid,
    time_ms: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let body_hash = hex::encode(digest::digest(&digest::SHA256, body));
    format!(
        "ruam-request-v1\n{}\n{path_and_query}\n{device_id}\n{time_ms}\n{nonce}\n{body_hash}",
        method.to_ascii_uppercase()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_request_verifies_only_as_sent() {
        let key = SigningKey::generate().unwrap();
        let device = Uuid::from_u128(9);
        let signed = sign(&key, device, "post", "/v1/x?a=1", b"body", 1000);
        let pk = key.public_key();
        assert!(signed.verify(&pk, "POST", "/v1/x?a=1", b"body"));
        assert!(!signed.verify(&pk, "POST", "/v1/x?a=2", b"body"));
        assert!(!signed.verify(&pk, "GET", "/v1/x?a=1", b"body"));
        assert!(!signed.verify(&pk, "POST", "/v1/x?a=1", b"bodY"));
        let mut later = signed.clone();
        later.time_ms += 1;
        assert!(!later.verify(&pk, "POST", "/v1/x?a=1", b"body"));
        let mut other = signed.clone();
        other.device_id = Uuid::from_u128(10);
        assert!(!other.verify(&pk, "POST", "/v1/x?a=1", b"body"));
    }

    #[test]
    fn headers_round_trip_and_name_what_is_wrong() {
        let key = SigningKey::generate().unwrap();
        let signed = sign(&key, Uuid::from_u128(9), "GET", "/", b"", 5);
        let pairs = signed.pairs();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(SignedHeaders::parse(get), Ok(signed));
        let missing = |name: &str| {
            if name == HEADER_NONCE {
                None
            } else {
                get(name)
            }
        };
        assert_eq!(SignedHeaders::parse(missing), Err(HEADER_NONCE));
        let bad = |name: &str| {
            if name == HEADER_TIME {
                Some("soon")
            } else {
                get(name)
            }
        };
        assert_eq!(SignedHeaders::parse(bad), Err(HEADER_TIME));
    }
}
