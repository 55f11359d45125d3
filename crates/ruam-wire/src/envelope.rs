//! The envelope: one signed, encrypted batch of changes of one scope, as a laptop pushes it
//! and the relay stores and forwards it.
//!
//! Layout (version 1, integers big-endian):
//!
//! | bytes | field |
//! | --- | --- |
//! | 4 | magic `RUAM` |
//! | 1 | version (1) |
//! | 16 | team id |
//! | 16 | scope id |
//! | 4 | key epoch of the scope |
//! | 16 | envelope id (UUIDv7 chosen by the device; a repeat is the same envelope) |
//! | 16 | device id of the author |
//! | 8 | created, ms since the Unix epoch, by the author's clock |
//! | 12 | AES-256-GCM nonce |
//! | 4 | ciphertext length `n` (at most [`MAX_CIPHERTEXT`]) |
//! | n | ciphertext with its tag |
//! | 64 | Ed25519 signature of the author's device over everything above |
//!
//! The relay assigns a sequence number when it stores an envelope; that number is outside
//! the signature, and a laptop never trusts it for anything but the order of pulling.

use uuid::Uuid;

use crate::identity::{PublicKey, Signature, SigningKey};

pub const MAGIC: &[u8; 4] = b"RUAM";
pub const VERSION: u8 = 1;
/// The most ciphertext one envelope carries; a laptop splits larger batches.
pub const MAX_CIPHERTEXT: usize = 1 << 20;
const HEADER_LEN: usize = 4 + 1 + 16 + 16 + 4 + 16 + 16 + 8 + 12 + 4;
const SIGNATURE_LEN: usize = 64;
/// The most bytes one encoded envelope takes.
pub const MAX_ENCODED: usize = HEADER_LEN + MAX_CIPHERTEXT + SIGNATURE_LEN;
/// Prefixed to what is signed, so that an envelope's signature means nothing elsewhere.
const SIGNING_CONTEXT: &[u8] = b"ruam-envelope-v1\0";

/// Everything in an envelope but its ciphertext and signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvelopeHeader {
    pub team_id: Uuid,
    pub scope_id: Uuid,
    pub epoch: u32,
    pub envelope_id: Uuid,
    pub device_id: Uuid,
    pub created_ms: i64,
    pub nonce: [u8; 12],
}

/// A whole envelope as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub header: EnvelopeHeader,
    pub ciphertext: Vec<u8>,
    pub signature: Signature,
}

/// Why bytes are not an envelope. Nothing is applied from bytes that give one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("is {0} bytes, shorter than an envelope's header and signature")]
    TooShort(usize),
    #[error("does not start with an envelope's mark")]
    BadMagic,
    #[error("is of envelope version {0}, which this version of Ruam does not read")]
    UnsupportedVersion(u8),
    #[error("says it carries {0} bytes, more than an envelope may")]
    TooLarge(usize),
    #[error("is {actual} bytes where its header says {expected}: truncated or padded")]
    LengthMismatch { expected: usize, actual: usize },
}

impl Envelope {
    /// Seal `ciphertext` (already encrypted by the caller) under the header and sign it.
    pub fn sign(header: EnvelopeHeader, ciphertext: Vec<u8>, key: &SigningKey) -> Self {
        let signature = key.sign(&signed_bytes(&header, &ciphertext));
        Self {
            header,
            ciphertext,
            signature,
        }
    }

    /// Whether the envelope is signed by `key` and unaltered since.
    pub fn verify(&self, key: &PublicKey) -> bool {
        key.verify(
            &signed_bytes(&self.header, &self.ciphertext),
            &self.signature,
        )
    }

    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.ciphertext.len() + SIGNATURE_LEN
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        write_header(&mut out, &self.header, self.ciphertext.len());
        out.extend_from_slice(&self.ciphertext);
        out.extend_from_slice(&self.signature.0);
        out
    }

    /// Read one envelope that fills `bytes` exactly. Never panics, whatever the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() < HEADER_LEN + SIGNATURE_LEN {
            return Err(DecodeError::TooShort(bytes.len()));
        }
        let mut r = Reader(bytes);
        if r.take::<4>() != *MAGIC {
            return Err(DecodeError::BadMagic);
        }
        let [version] = r.take::<1>();
        if version != VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let team_id = Uuid::from_bytes(r.take());
        let scope_id = Uuid::from_bytes(r.take());
        let epoch = u32::from_be_bytes(r.take());
        let envelope_id = Uuid::from_bytes(r.take());
        let device_id = Uuid::from_bytes(r.take());
        let created_ms = i64::from_be_bytes(r.take());
        let nonce = r.take::<12>();
        let len = u32::from_be_bytes(r.take()) as usize;
        if len > MAX_CIPHERTEXT {
            return Err(DecodeError::TooLarge(len));
        }
        let expected = HEADER_LEN + len + SIGNATURE_LEN;
        if bytes.len() != expected {
            return Err(DecodeError::LengthMismatch {
                expected,
                actual: bytes.len(),
            });
        }
        let ciphertext = r.0[..len].to_vec();
        let signature: [u8; SIGNATURE_LEN] = r.0[len..]
            .try_into()
            .map_err(|_| DecodeError::TooShort(bytes.len()))?;
        Ok(Self {
            header: EnvelopeHeader {
                team_id,
                scope_id,
                epoch,
                envelope_id,
                device_id,
                created_ms,
                nonce,
            },
            ciphertext,
            signature: Signature(signature),
        })
    }
}

/// The bytes of the header, to bind the ciphertext to it as AES-GCM's associated data.
pub fn associated_data(header: &EnvelopeHeader, ciphertext_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN);
    write_header(&mut out, header, ciphertext_len);
    out
}

fn signed_bytes(header: &EnvelopeHeader, ciphertext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIGNING_CONTEXT.len() + HEADER_LEN + ciphertext.len());
    out.extend_from_slice(SIGNING_CONTEXT);
    write_header(&mut out, header, ciphertext.len());
    out.extend_from_slice(ciphertext);
    out
}

fn write_header(out: &mut Vec<u8>, h: &EnvelopeHeader, ciphertext_len: usize) {
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(h.team_id.as_bytes());
    out.extend_from_slice(h.scope_id.as_bytes());
    out.extend_from_slice(&h.epoch.to_be_bytes());
    out.extend_from_slice(h.envelope_id.as_bytes());
    out.extend_from_slice(h.device_id.as_bytes());
    out.extend_from_slice(&h.created_ms.to_be_bytes());
    out.extend_from_slice(&h.nonce);
    // Callers keep ciphertexts at most MAX_CIPHERTEXT long, far below u32::MAX.
    out.extend_from_slice(
        &u32::try_from(ciphertext_len)
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
}

/// Reads fixed-size fields from a slice already known to be long enough.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
}

/// A run of envelopes in one body: each as a 4-byte big-endian length and its bytes. The
/// relay takes pushes and gives pulls in this framing, each frame of a pull preceded by
/// its 8-byte sequence number.
pub mod frames {
    use super::{DecodeError, Envelope, MAX_ENCODED};

    /// Why a body is not a run of frames.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum FrameError {
        #[error("frame {index} is cut short")]
        Truncated { index: usize },
        #[error("frame {index} says it is {len} bytes, more than an envelope may be")]
        TooLarge { index: usize, len: usize },
        #[error("frame {index} is not an envelope: it {source}")]
        Envelope { index: usize, source: DecodeError },
        #[error("the body holds more than {0} envelopes")]
        TooMany(usize),
    }

    pub fn push_frame(out: &mut Vec<u8>, envelope_bytes: &[u8]) {
        let len = u32::try_from(envelope_bytes.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(envelope_bytes);
    }

    pub fn encode_push(envelopes: &[Envelope]) -> Vec<u8> {
        let mut out = Vec::with_capacity(envelopes.iter().map(|e| e.encoded_len() + 4).sum());
        for envelope in envelopes {
            push_frame(&mut out, &envelope.encode());
        }
        out
    }

    /// Split a push body into envelopes, refusing the whole body at the first bad frame.
    pub fn decode_push(body: &[u8], max_count: usize) -> Result<Vec<Envelope>, FrameError> {
        let mut out = Vec::new();
        let mut rest = body;
        while !rest.is_empty() {
            let index = out.len();
            if index >= max_count {
                return Err(FrameError::TooMany(max_count));
            }
            let (frame, tail) = split_frame(rest, index)?;
            out.push(
                Envelope::decode(frame).map_err(|source| FrameError::Envelope { index, source })?,
            );
            rest = tail;
        }
        Ok(out)
    }

    /// A pull body: each envelope preceded by the sequence number the relay gave it.
    pub fn encode_pull<'a>(items: impl IntoIterator<Item = (i64, &'a [u8])>) -> Vec<u8> {
        let mut out = Vec::new();
        for (seq, bytes) in items {
            out.extend_from_slice(&seq.to_be_bytes());
            push_frame(&mut out, bytes);
        }
        out
    }

    pub fn decode_pull(body: &[u8]) -> Result<Vec<(i64, Envelope)>, FrameError> {
        let mut out = Vec::new();
        let mut rest = body;
        while !rest.is_empty() {
            let index = out.len();
            let Some((seq, tail)) = rest.split_first_chunk::<8>() else {
                return Err(FrameError::Truncated { index });
            };
            let (frame, tail) = split_frame(tail, index)?;
            let envelope =
                Envelope::decode(frame).map_err(|source| FrameError::Envelope { index, source })?;
            out.push((i64::from_be_bytes(*seq), envelope));
            rest = tail;
        }
        Ok(out)
    }

    fn split_frame(rest: &[u8], index: usize) -> Result<(&[u8], &[u8]), FrameError> {
        let Some((len, tail)) = rest.split_first_chunk::<4>() else {
            return Err(FrameError::Truncated { index });
        };
        let len = u32::from_be_bytes(*len) as usize;
        if len > MAX_ENCODED {
            return Err(FrameError::TooLarge { index, len });
        }
        if tail.len() < len {
            return Err(FrameError::Truncated { index });
        }
        Ok(tail.split_at(len))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sample(key: &SigningKey, ciphertext: Vec<u8>) -> Envelope {
        Envelope::sign(
            EnvelopeHeader {
                team_id: Uuid::from_u128(1),
                scope_id: Uuid::from_u128(2),
                epoch: 3,
                envelope_id: Uuid::from_u128(4),
                device_id: Uuid::from_u128(5),
                created_ms: 1_796_000_000_000,
                nonce: [6; 12],
            },
            ciphertext,
            key,
        )
    }

    #[test]
    fn round_trips_and_verifies() {
        let key = SigningKey::generate().unwrap();
        let envelope = sample(&key, b"ciphertext".to_vec());
        let decoded = Envelope::decode(&envelope.encode()).unwrap();
        assert_eq!(decoded, envelope);
        assert!(decoded.verify(&key.public_key()));
        let other = SigningKey::generate().unwrap();
        assert!(!decoded.verify(&other.public_key()));
    }

    #[test]
    fn every_flipped_bit_breaks_the_signature_or_the_decoding() {
        let key = SigningKey::generate().unwrap();
        let bytes = sample(&key, b"0123456789".to_vec()).encode();
        for i in 0..bytes.len() * 8 {
            let mut bad = bytes.clone();
            bad[i / 8] ^= 1 << (i % 8);
            if let Ok(decoded) = Envelope::decode(&bad) {
                assert!(!decoded.verify(&key.public_key()), "bit {i} went unnoticed");
            }
        }
    }

    #[test]
    fn truncated_padded_and_foreign_bytes_are_refused_by_name() {
        let key = SigningKey::generate().unwrap();
        let bytes = sample(&key, vec![7; 100]).encode();
        assert_eq!(
            Envelope::decode(&bytes[..bytes.len() - 1]),
            Err(DecodeError::LengthMismatch {
                expected: bytes.len(),
                actual: bytes.len() - 1
            })
        );
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(matches!(
            Envelope::decode(&padded),
            Err(DecodeError::LengthMismatch { .. })
        ));
        assert_eq!(Envelope::decode(b"RUAM"), Err(DecodeError::TooShort(4)));
        let mut foreign = bytes.clone();
        foreign[..4].copy_from_slice(b"PK\x03\x04");
        assert_eq!(Envelope::decode(&foreign), Err(DecodeError::BadMagic));
        let mut future = bytes.clone();
        future[4] = 2;
        assert_eq!(
            Envelope::decode(&future),
            Err(DecodeError::UnsupportedVersion(2))
        );
        let mut huge = bytes;
        huge[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            Envelope::decode(&huge),
            Err(DecodeError::TooLarge(u32::MAX as usize))
        );
    }

    #[test]
    fn frames_round_trip_and_refuse_a_cut_body() {
        let key = SigningKey::generate().unwrap();
        let list = vec![sample(&key, vec![1; 10]), sample(&key, vec![2; 20])];
        let body = frames::encode_push(&list);
        assert_eq!(frames::decode_push(&body, 10).unwrap(), list);
        assert_eq!(
            frames::decode_push(&body, 1),
            Err(frames::FrameError::TooMany(1))
        );
        assert_eq!(
            frames::decode_push(&body[..body.len() - 3], 10),
            Err(frames::FrameError::Truncated { index: 1 })
        );
        let pulled = frames::encode_pull([(7, body[4..4 + list[0].encoded_len()].as_ref())]);
        assert_eq!(
            frames::decode_pull(&pulled).unwrap(),
            vec![(7, list[0].clone())]
        );
        assert!(frames::decode_pull(&pulled[..5]).is_err());
    }

    #[test]
    fn a_frozen_envelope_still_reads() {
        // Written by version 1; must always decode and verify, so that a change of the
        // format can never strand what a relay already holds.
        let frozen = include_str!("../tests/frozen-envelope-v1.hex");
        let bytes = hex::decode(frozen.trim()).unwrap();
        let envelope = Envelope::decode(&bytes).unwrap();
        let key = SigningKey::from_seed([42; 32]);
        assert!(envelope.verify(&key.public_key()));
        assert_eq!(envelope.header.epoch, 3);
        assert_eq!(envelope.ciphertext, b"frozen ciphertext");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever arrives, decoding answers with an envelope or an error, never a panic,
        /// and what decodes encodes back to the same bytes.
        #[test]
        fn decoding_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(envelope) = Envelope::decode(&bytes) {
                prop_assert_eq!(envelope.encode(), bytes.clone());
            }
            let _ = frames::decode_push(&bytes, 100);
            let _ = frames::decode_pull(&bytes);
        }

        /// The same, from bytes that begin like an envelope, so that the checks past the
        /// mark are reached.
        #[test]
        fn decoding_near_envelopes_never_panics(
            tail in proptest::collection::vec(any::<u8>(), 0..300),
            cut in 0usize..400,
            len in any::<u32>(),
        ) {
            let key = SigningKey::from_seed([9; 32]);
            let mut bytes = sample(&key, tail).encode();
            bytes.truncate(cut.max(5));
            if bytes.len() >= HEADER_LEN {
                bytes[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&len.to_be_bytes());
            }
            let _ = Envelope::decode(&bytes);
            let _ = frames::decode_push(&bytes, 100);
        }
    }
}
