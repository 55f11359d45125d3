//! What opens a backup: the vault's recovery slot as it was, or a lead's passphrase slot
//! made for backups.
//!
//! A member's slot in `ruam.slots` needs this laptop's device secret, which stays in its
//! OS keyring; a backup must open on another laptop when this one is lost. So a lead who
//! sets up backups types their passphrase once more, and a slot is made from it alone
//! (Argon2id, then HKDF bound to the vault), kept in the vault and copied into every
//! backup's header. Whoever holds a backup file can try passphrases against it at
//! Argon2id's cost (64 MiB, 3 passes each): a strong passphrase is what protects it, as
//! it protects the recovery sheet's key.

use serde::{Deserialize, Serialize};

use crate::crypto::{self, Argon2Params, SecretKey, Wrapped};
use crate::recovery::RecoveryKey;
use crate::slots::Slot;
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PassphraseSlot {
    pub member_id: String,
    pub argon2: Argon2Params,
    pub salt: String,
    pub nonce: String,
    pub wrapped: String,
}

fn aad(vault_id: &str, member_id: &str, argon2: Argon2Params) -> Vec<u8> {
    format!(
        "ruam/backup-slot/v1\0{vault_id}\0{member_id}\0{}/{}/{}",
        argon2.m_kib, argon2.t, argon2.p
    )
    .into_bytes()
}

fn kek(passphrase: &str, salt: &[u8], argon2: Argon2Params, vault_id: &str) -> Result<SecretKey> {
    let stretched = crypto::argon2id(passphrase, salt, argon2)?;
    crypto::hkdf_key(
        b"",
        stretched.expose(),
        &[b"ruam/backup/passphrase/v1/", vault_id.as_bytes()],
    )
}

impl PassphraseSlot {
    /// Wrap the data key under `passphrase` alone. Slow (Argon2id): call from a blocking
    /// thread.
    pub fn new(
        vault_id: &str,
        member_id: &str,
        passphrase: &str,
        argon2: Argon2Params,
        data_key: &SecretKey,
    ) -> Result<Self> {
        let salt: [u8; 16] = crypto::random_array()?;
        let kek = kek(passphrase, &salt, argon2, vault_id)?;
        let wrapped = crypto::wrap(&kek, data_key, &aad(vault_id, member_id, argon2))?;
        Ok(Self {
            member_id: member_id.to_owned(),
            argon2,
            salt: hex::encode(salt),
            nonce: hex::encode(wrapped.nonce),
            wrapped: hex::encode(wrapped.ciphertext),
        })
    }

    /// The data key, or `None` when the passphrase is not this slot's. A slot asking for
    /// an absurd Argon2id cost (a changed file) is passed over before any work.
    pub fn open(&self, vault_id: &str, passphrase: &str) -> Result<Option<SecretKey>> {
        // A backup's header is anyone's to change: no more than four times the cost
        // Ruam uses, so that a changed file cannot make a restore run for hours.
        let a = self.argon2;
        if !a.is_sane() || a.m_kib > 4 * Argon2Params::STANDARD.m_kib || a.t > 12 {
            return Ok(None);
        }
        let (Ok(salt), Some(nonce), Ok(ciphertext)) = (
            hex::decode(&self.salt),
            hex::decode(&self.nonce)
                .ok()
                .and_then(|n| <[u8; crypto::NONCE_LEN]>::try_from(n).ok()),
            hex::decode(&self.wrapped),
        ) else {
            return Ok(None);
        };
        let kek = kek(passphrase, &salt, self.argon2, vault_id)?;
        Ok(crypto::unwrap(
            &kek,
            &Wrapped { nonce, ciphertext },
            &aad(vault_id, &self.member_id, self.argon2),
        ))
    }
}

/// What a person typed to open a backup.
pub enum Opener<'a> {
    RecoveryKey(&'a RecoveryKey),
    Passphrase(&'a str),
}

impl std::fmt::Debug for Opener<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::RecoveryKey(_) => "Opener::RecoveryKey(<redacted>)",
            Self::Passphrase(_) => "Opener::Passphrase(<redacted>)",
        })
    }
}

/// Try the backup's slots with what the person typed: the data key and, for a
/// passphrase, whose slot it opened. Wrong for every slot is `InvalidCredentials`.
pub fn open_data_key(
    vault_id: &str,
    recovery: Option<&Slot>,
    passphrases: &[PassphraseSlot],
    opener: &Opener<'_>,
) -> Result<(SecretKey, Option<String>)> {
    match opener {
        Opener::RecoveryKey(key) => {
            if let Some(slot) = recovery {
                if let Some(data_key) = slot.open_with_recovery(vault_id, key)? {
                    return Ok((data_key, None));
                }
            }
        }
        Opener::Passphrase(passphrase) => {
            for slot in passphrases {
                if let Some(data_key) = slot.open(vault_id, passphrase)? {
                    return Ok((data_key, Some(slot.member_id.clone())));
                }
            }
        }
    }
    Err(Error::InvalidCredentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_slot_opens_with_its_passphrase_in_its_vault_only() {
        let data_key = SecretKey::random().unwrap();
        let p = Argon2Params::FAST_FOR_TESTS;
        let slot =
            PassphraseSlot::new("vault-a", "m1", "long enough passphrase", p, &data_key).unwrap();
        assert_eq!(
            slot.open("vault-a", "long enough passphrase").unwrap(),
            Some(data_key.clone())
        );
        assert_eq!(
            slot.open("vault-a", "long enough passphrasE").unwrap(),
            None
        );
        assert_eq!(
            slot.open("vault-b", "long enough passphrase").unwrap(),
            None
        );
        let mut moved = slot.clone();
        moved.member_id = "m2".into();
        assert_eq!(
            moved.open("vault-a", "long enough passphrase").unwrap(),
            None
        );
        let mut costly = slot.clone();
        costly.argon2.m_kib = u32::MAX;
        assert_eq!(
            costly.open("vault-a", "long enough passphrase").unwrap(),
            None
        );

        let found = open_data_key(
            "vault-a",
            None,
            &[slot],
            &Opener::Passphrase("long enough passphrase"),
        )
        .unwrap();
        assert_eq!(found, (data_key, Some("m1".to_owned())));
    }
}
