//! The invite a lead makes for a member's laptop: a one-time code of eight groups of four
//! characters (like the recovery key), whose first five bytes name the invite at the relay
//! and whose other fifteen are a secret the relay never sees. The relay holds only the
//! public half of a key made from the secret, so it can check an enrolment but not make one.
//!
//! Both screens then show a six-digit short code computed from the secret and the new
//! laptop's public keys; the lead approves only when the two match, so a laptop that
//! enrolled with a stolen code, or keys swapped on the way, is never let in.

use base64::Engine as _;
use ring::digest;
use ruam_wire::api::{enrol_message, DeviceKeys};
use ruam_wire::SigningKey;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::recovery::{read_code, show_code};
use crate::{crypto, Error, Result};

/// What a new laptop learns from its invite before the team's data reaches it: whose
/// laptop it is to be, so that it can make that member's key slot. Sealed under a key made
/// from the invite's secret, so the relay that carries it can neither read nor alter it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Welcome {
    pub team_name: String,
    pub member_id: String,
    pub display_name: String,
    pub sign_in_name: String,
}

const ID_LEN: usize = 5;

pub struct InviteCode(Zeroizing<[u8; 20]>);

impl std::fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InviteCode({}, <redacted>)", self.id())
    }
}

impl InviteCode {
    pub fn generate() -> Result<Self> {
        Ok(Self(Zeroizing::new(crypto::random_array()?)))
    }

    /// As the lead reads it out or writes it down: `XXXX-XXXX-…` (8 groups).
    pub fn display(&self) -> Zeroizing<String> {
        show_code(self.0.as_slice())
    }

    /// As the member types it (any case, dashes or spaces, O for 0, I or L for 1).
    pub fn parse(typed: &str) -> Result<Self> {
        Ok(Self(read_code(typed, "invite_code", "an invite code")?))
    }

    /// The code's 20 bytes, to keep it in the (encrypted) vault until its laptop is approved.
    pub(crate) fn raw(&self) -> &[u8; 20] {
        &self.0
    }

    pub(crate) fn from_raw(bytes: &[u8]) -> Result<Self> {
        let array: [u8; 20] = bytes
            .try_into()
            .map_err(|_| crate::Error::invalid("invite_code", "is not an invite code"))?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// The invite's id at the relay: 10 hex digits.
    pub fn id(&self) -> String {
        hex::encode(&self.0[..ID_LEN])
    }

    fn secret(&self) -> &[u8] {
        &self.0[ID_LEN..]
    }

    /// The key whose public half the relay keeps to check an enrolment.
    pub fn invite_key(&self) -> Result<SigningKey> {
        let seed = crypto::hkdf_key(b"ruam/invite/v1", self.secret(), &[self.id().as_bytes()])?;
        Ok(SigningKey::from_seed(*seed.expose()))
    }

    fn welcome_key(&self) -> Result<crypto::SecretKey> {
        crypto::hkdf_key(
            b"ruam/invite-welcome/v1",
            self.secret(),
            &[self.id().as_bytes()],
        )
    }

    /// The welcome sealed for the relay to carry (base64).
    pub fn seal_welcome(&self, welcome: &Welcome) -> Result<String> {
        let nonce: [u8; 12] = crypto::random_array()?;
        let sealed = crypto::seal(
            &self.welcome_key()?,
            nonce,
            self.id().as_bytes(),
            &serde_json::to_vec(welcome)?,
        )?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// Open the welcome the relay handed back. Altered, or sealed with another invite's
    /// secret: refused.
    pub fn open_welcome(&self, sealed: &str) -> Result<Welcome> {
        let refused = || {
            Error::invalid(
                "invite_code",
                "came back from the relay with a welcome this code does not open; ask the lead for a new invite",
            )
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| refused())?;
        if bytes.len() < 12 {
            return Err(refused());
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| refused())?;
        let plain = crypto::open(&self.welcome_key()?, nonce, self.id().as_bytes(), sealed)
            .ok_or_else(refused)?;
        serde_json::from_slice(&plain).map_err(|_| refused())
    }

    /// The six digits both screens show for the laptop that enrols with this code.
    pub fn short_code(&self, device: &DeviceKeys) -> String {
        let mut context = digest::Context::new(&digest::SHA256);
        context.update(b"ruam/short-code/v1\n");
        context.update(self.secret());
        context.update(&enrol_message(&self.id(), device));
        let hash = context.finish();
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_ref()[..8]);
        let n = u64::from_be_bytes(first) % 1_000_000;
        format!("{:03} {:03}", n / 1000, n % 1000)
    }
}

#[cfg(test)]
mod tests {
    use ruam_wire::{ExchangeKey, PublicKey};

    use super::*;
    use crate::Error;

    fn device(n: u8) -> DeviceKeys {
        DeviceKeys {
            device_id: uuid::Uuid::from_u128(u128::from(n)),
            sign_key: PublicKey([n; 32]),
            exchange_key: ExchangeKey([n; 32]),
        }
    }

    #[test]
    fn a_code_reads_back_as_typed_and_keeps_its_id_and_key() {
        let code = InviteCode::generate().unwrap();
        let typed = code.display().to_lowercase().replace('-', " ");
        let back = InviteCode::parse(&typed).unwrap();
        assert_eq!(back.id(), code.id());
        assert_eq!(back.id().len(), ruam_wire::api::INVITE_ID_HEX);
        assert_eq!(
            back.invite_key().unwrap().public_key(),
            code.invite_key().unwrap().public_key()
        );
        assert!(!format!("{code:?}").contains(&*code.display()));
        match InviteCode::parse("ABCD-EFGH") {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "invite_code"),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_welcome_opens_with_its_own_code_only_and_unaltered() {
        let code = InviteCode::generate().unwrap();
        let welcome = Welcome {
            team_name: "ทีมสหวิชาชีพ".into(),
            member_id: "m-1".into(),
            display_name: "Somchai".into(),
            sign_in_name: "somchai".into(),
        };
        let sealed = code.seal_welcome(&welcome).unwrap();
        assert!(!sealed.contains("Somchai"));
        assert_eq!(code.open_welcome(&sealed).unwrap(), welcome);
        let other = InviteCode::generate().unwrap();
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&sealed)
            .unwrap();
        bytes[20] ^= 1;
        let altered = base64::engine::general_purpose::STANDARD.encode(bytes);
        for bad in [
            other.open_welcome(&sealed),
            code.open_welcome(&altered),
            code.open_welcome("AAAA"),
            code.open_welcome("not base64"),
        ] {
            match bad {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "invite_code"),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }

    #[test]
    fn the_short_code_depends_on_the_secret_and_every_key() {
        // A frozen value: both laptops must compute the same digits whatever their version.
        let code = InviteCode::parse("0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ").unwrap();
        assert_eq!(code.short_code(&device(1)), "060 326");
        assert_ne!(code.short_code(&device(1)), code.short_code(&device(2)));
        let mut swapped = device(1);
        swapped.exchange_key = ExchangeKey([9; 32]);
        assert_ne!(code.short_code(&device(1)), code.short_code(&swapped));
        let other = InviteCode::parse("0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXY0").unwrap();
        assert_eq!(other.id(), code.id(), "same invite id, other secret");
        assert_ne!(code.short_code(&device(1)), other.short_code(&device(1)));
    }
}
