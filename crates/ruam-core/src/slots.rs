//! The key-slot file beside the vault, like LUKS: each slot wraps the vault's data key.
//!
//! A passphrase slot's key-encryption key is Argon2id(passphrase) mixed by HKDF with this
//! device's secret from the OS keyring; the recovery slot's is HKDF of the printed recovery
//! key. Wrapping is AES-256-GCM with the vault id as associated data. Changing a
//! passphrase rewraps one slot; the database is never re-encrypted.

use serde::{Deserialize, Serialize};

use crate::crypto::{self, Argon2Params, SecretKey, Wrapped};
use crate::error::Remedy;
use crate::paths::{write_atomic, VaultPaths};
use crate::recovery::RecoveryKey;
use crate::{Error, Result};

pub const FORMAT: u32 = 1;
const SALT_LEN: usize = 16;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotFile {
    pub format: u32,
    pub vault_id: String,
    pub slots: Vec<Slot>,
    /// Slots this version cannot use (malformed, or from a newer version): kept as they
    /// were and written back, never dropped.
    #[serde(skip)]
    pub unusable: Vec<serde_json::Value>,
}

/// The file as read, before each slot is checked on its own.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawSlotFile {
    format: u32,
    vault_id: String,
    slots: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    pub id: String,
    #[serde(flatten)]
    pub kind: SlotKind,
    /// Hex salt for the slot's KDF.
    pub salt: String,
    pub nonce: String,
    pub wrapped: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SlotKind {
    #[serde(rename_all = "camelCase")]
    Passphrase {
        member_id: String,
        /// Tells which device secret this slot was made with, so that a vault copied to
        /// another computer gets "not enrolled" rather than "wrong passphrase".
        device_check: String,
        argon2: Argon2Params,
        /// A keyed fingerprint of the member's sign-in name (see [`sign_in_tag`]), so that
        /// a sign-in tries one slot, not all of them. Outside the wrap's associated data:
        /// a moved tag only makes a sign-in try the wrong slot, which does not open.
        /// Slots made before sign-in names have none and are tried for any name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sign_in: Option<String>,
    },
    Recovery,
}

/// The associated data of a slot's wrap: everything the file says about the slot.
fn aad(vault_id: &str, slot_id: &str, kind: &SlotKind) -> Vec<u8> {
    let labels = match kind {
        SlotKind::Passphrase {
            member_id,
            device_check,
            argon2,
            ..
        } => format!(
            "passphrase\0{member_id}\0{device_check}\0{}/{}/{}",
            argon2.m_kib, argon2.t, argon2.p
        ),
        SlotKind::Recovery => "recovery".to_owned(),
    };
    format!("ruam/slot/v1\0{vault_id}\0{slot_id}\0{labels}").into_bytes()
}

/// A short fingerprint of a device secret (a one-way function of 256 random bits).
pub fn device_check(device_secret: &SecretKey, vault_id: &str) -> Result<String> {
    let mut out = [0u8; 16];
    crypto::hkdf(
        vault_id.as_bytes(),
        device_secret.expose(),
        &[b"ruam/device-check/v1"],
        &mut out,
    )?;
    Ok(hex::encode(out))
}

/// A keyed fingerprint of a (normalised) sign-in name: without this device's secret,
/// which stays in the OS keyring, the slot file says nothing about who signs in.
pub fn sign_in_tag(
    device_secret: &SecretKey,
    vault_id: &str,
    sign_in_name: &str,
) -> Result<String> {
    let mut out = [0u8; 16];
    crypto::hkdf(
        vault_id.as_bytes(),
        device_secret.expose(),
        &[b"ruam/sign-in/v1/", sign_in_name.as_bytes()],
        &mut out,
    )?;
    Ok(hex::encode(out))
}

/// A stable id for this device in this vault, for the change outbox.
pub fn device_id(device_secret: &SecretKey, vault_id: &str) -> Result<String> {
    let mut out = [0u8; 8];
    crypto::hkdf(
        vault_id.as_bytes(),
        device_secret.expose(),
        &[b"ruam/device-id/v1"],
        &mut out,
    )?;
    Ok(hex::encode(out))
}

fn passphrase_kek(
    passphrase: &str,
    salt: &[u8],
    argon2: Argon2Params,
    device_secret: &SecretKey,
    vault_id: &str,
) -> Result<SecretKey> {
    let stretched = crypto::argon2id(passphrase, salt, argon2)?;
    crypto::hkdf_key(
        device_secret.expose(),
        stretched.expose(),
        &[b"ruam/slot/passphrase/v1/", vault_id.as_bytes()],
    )
}

fn recovery_kek(recovery: &RecoveryKey, salt: &[u8], vault_id: &str) -> Result<SecretKey> {
    crypto::hkdf_key(
        salt,
        recovery.bytes(),
        &[b"ruam/slot/recovery/v1/", vault_id.as_bytes()],
    )
}

fn now_rfc3339() -> String {
    crate::outbox::now_utc()
}

impl Slot {
    pub fn new_passphrase(
        vault_id: &str,
        member_id: &str,
        sign_in_name: &str,
        passphrase: &str,
        argon2: Argon2Params,
        device_secret: &SecretKey,
        data_key: &SecretKey,
    ) -> Result<Self> {
        let salt: [u8; SALT_LEN] = crypto::random_array()?;
        let kek = passphrase_kek(passphrase, &salt, argon2, device_secret, vault_id)?;
        let kind = SlotKind::Passphrase {
            member_id: member_id.to_owned(),
            device_check: device_check(device_secret, vault_id)?,
            argon2,
            sign_in: Some(sign_in_tag(device_secret, vault_id, sign_in_name)?),
        };
        Self::seal(vault_id, kind, &salt, &kek, data_key)
    }

    pub fn new_recovery(
        vault_id: &str,
        recovery: &RecoveryKey,
        data_key: &SecretKey,
    ) -> Result<Self> {
        let salt: [u8; SALT_LEN] = crypto::random_array()?;
        let kek = recovery_kek(recovery, &salt, vault_id)?;
        Self::seal(vault_id, SlotKind::Recovery, &salt, &kek, data_key)
    }

    fn seal(
        vault_id: &str,
        kind: SlotKind,
        salt: &[u8],
        kek: &SecretKey,
        data_key: &SecretKey,
    ) -> Result<Self> {
        let id = uuid::Uuid::now_v7().to_string();
        let wrapped = crypto::wrap(kek, data_key, &aad(vault_id, &id, &kind))?;
        Ok(Self {
            id,
            kind,
            salt: hex::encode(salt),
            nonce: hex::encode(wrapped.nonce),
            wrapped: hex::encode(wrapped.ciphertext),
            created_at: now_rfc3339(),
        })
    }

    fn wrapped(&self) -> Option<(Vec<u8>, Wrapped)> {
        let salt = hex::decode(&self.salt).ok()?;
        let nonce = hex::decode(&self.nonce).ok()?.try_into().ok()?;
        let ciphertext = hex::decode(&self.wrapped).ok()?;
        Some((salt, Wrapped { nonce, ciphertext }))
    }

    /// Try a passphrase on this slot: `Ok(None)` when it does not open.
    pub fn open_with_passphrase(
        &self,
        vault_id: &str,
        passphrase: &str,
        device_secret: &SecretKey,
    ) -> Result<Option<SecretKey>> {
        let SlotKind::Passphrase { argon2, .. } = &self.kind else {
            return Ok(None);
        };
        let (salt, wrapped) = self.wrapped().ok_or(Error::Crypto)?;
        let kek = passphrase_kek(passphrase, &salt, *argon2, device_secret, vault_id)?;
        Ok(crypto::unwrap(
            &kek,
            &wrapped,
            &aad(vault_id, &self.id, &self.kind),
        ))
    }

    pub fn open_with_recovery(
        &self,
        vault_id: &str,
        recovery: &RecoveryKey,
    ) -> Result<Option<SecretKey>> {
        if self.kind != SlotKind::Recovery {
            return Ok(None);
        }
        let (salt, wrapped) = self.wrapped().ok_or(Error::Crypto)?;
        let kek = recovery_kek(recovery, &salt, vault_id)?;
        Ok(crypto::unwrap(
            &kek,
            &wrapped,
            &aad(vault_id, &self.id, &self.kind),
        ))
    }

    /// Whether a sign-in with this tag should try this slot.
    pub fn may_be_for(&self, tag: &str) -> bool {
        match &self.kind {
            SlotKind::Passphrase { sign_in, .. } => sign_in.as_deref().is_none_or(|t| t == tag),
            SlotKind::Recovery => false,
        }
    }

    /// Give a slot made before sign-in names the tag of its member's name.
    pub fn set_sign_in_tag(&mut self, tag: String) {
        if let SlotKind::Passphrase { sign_in, .. } = &mut self.kind {
            *sign_in = Some(tag);
        }
    }

    pub fn has_sign_in_tag(&self) -> bool {
        matches!(
            &self.kind,
            SlotKind::Passphrase {
                sign_in: Some(_),
                ..
            }
        )
    }

    pub fn member_id(&self) -> Option<&str> {
        match &self.kind {
            SlotKind::Passphrase { member_id, .. } => Some(member_id),
            SlotKind::Recovery => None,
        }
    }

    fn is_well_formed(&self) -> bool {
        let Some((salt, wrapped)) = self.wrapped() else {
            return false;
        };
        let sane_kdf = match &self.kind {
            SlotKind::Passphrase {
                argon2,
                device_check,
                sign_in,
                ..
            } => {
                argon2.is_sane()
                    && device_check.len() == 32
                    && sign_in.as_ref().is_none_or(|tag| tag.len() == 32)
            }
            SlotKind::Recovery => true,
        };
        sane_kdf && salt.len() == SALT_LEN && wrapped.ciphertext.len() == crypto::KEY_LEN + 16
    }
}

impl SlotFile {
    pub fn new(vault_id: &str) -> Self {
        Self {
            format: FORMAT,
            vault_id: vault_id.to_owned(),
            slots: Vec::new(),
            unusable: Vec::new(),
        }
    }

    /// Read and check the slot file. Neither key file means there is no vault.
    pub fn load(paths: &VaultPaths) -> Result<Self> {
        if !paths.vault_exists() {
            return Err(Error::NoVault);
        }
        match Self::read(&paths.slots(), false)? {
            Ok(file) => Ok(file),
            Err(detail) => Err(Error::Corrupt {
                path: paths.slots(),
                detail,
                remedy: match Self::read(&paths.recovery(), true)? {
                    Ok(_) => Remedy::RecoveryKey,
                    Err(_) => Remedy::Backup,
                },
            }),
        }
    }

    /// The key file to unlock with the recovery key: the slot file, or when that is
    /// damaged or lost, the recovery file alone. `true` says the slot file must be
    /// rebuilt (its damaged copy is set aside first, never overwritten).
    pub fn load_for_recovery(paths: &VaultPaths) -> Result<(Self, bool)> {
        match Self::load(paths) {
            Ok(file) => Ok((file, false)),
            Err(Error::Corrupt {
                remedy: Remedy::RecoveryKey,
                ..
            }) => {
                tracing::warn!("the slot file is damaged; using the recovery file to rebuild it");
                match Self::read(&paths.recovery(), true)? {
                    Ok(file) => Ok((file, true)),
                    Err(detail) => Err(Error::Corrupt {
                        path: paths.recovery(),
                        detail,
                        remedy: Remedy::Backup,
                    }),
                }
            }
            Err(err) => Err(err),
        }
    }

    /// Move a damaged slot file out of the way before a rebuilt one replaces it.
    pub fn set_aside_damaged(paths: &VaultPaths) -> Result<()> {
        let path = paths.slots();
        if path.exists() {
            let mut aside = path.as_os_str().to_owned();
            aside.push(format!(".damaged-{}", crate::throttle::now_unix()));
            std::fs::rename(&path, &aside).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }

    /// Parse and check one key file. `Err` is a failure to read it at all (permissions,
    /// disk); `Ok(Err(detail))` says what is wrong with a missing or damaged file. A
    /// single malformed slot is skipped (with a warning), not the whole file.
    fn read(path: &std::path::Path, recovery_only: bool) -> Result<Result<Self, String>> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Err("the file is missing".to_owned()))
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        Ok(Self::parse(&bytes, recovery_only))
    }

    fn parse(bytes: &[u8], recovery_only: bool) -> Result<Self, String> {
        let raw: RawSlotFile = serde_json::from_slice(bytes)
            .map_err(|e| format!("the key file cannot be read: {e}"))?;
        if raw.format != FORMAT {
            return Err(format!(
                "key-file format {} is not one this version knows ({FORMAT})",
                raw.format
            ));
        }
        if uuid::Uuid::parse_str(&raw.vault_id).is_err() {
            return Err("the vault id is malformed".into());
        }
        let mut file = SlotFile::new(&raw.vault_id);
        for value in raw.slots {
            match serde_json::from_value::<Slot>(value.clone()) {
                Ok(slot) if slot.is_well_formed() => file.slots.push(slot),
                _ => file.unusable.push(value),
            }
        }
        if !file.unusable.is_empty() {
            tracing::warn!(
                kept = file.unusable.len(),
                "key slots this version cannot use are kept as they are"
            );
        }
        if file.recovery_slot().is_none() {
            return Err("the recovery slot is missing or malformed".into());
        }
        if recovery_only && (file.slots.len() != 1 || !file.unusable.is_empty()) {
            return Err("the recovery file must hold the recovery slot alone".into());
        }
        Ok(file)
    }

    /// Write the slot file, then the recovery file, each atomically. (A crash between
    /// the two leaves a good slot file and an older recovery file, which the next unlock
    /// repairs.)
    pub fn save(&self, paths: &VaultPaths) -> Result<()> {
        write_atomic(&paths.slots(), &self.encode()?)?;
        write_atomic(&paths.recovery(), &self.recovery_only().encode()?)
    }

    /// The file's bytes, with the slots this version cannot use written back as they were.
    fn encode(&self) -> Result<Vec<u8>> {
        let mut value = serde_json::to_value(self).map_err(|_| Error::Encode("the key file"))?;
        if let Some(slots) = value.get_mut("slots").and_then(|s| s.as_array_mut()) {
            slots.extend(self.unusable.iter().cloned());
        }
        serde_json::to_vec_pretty(&value).map_err(|_| Error::Encode("the key file"))
    }

    fn recovery_only(&self) -> SlotFile {
        SlotFile {
            format: FORMAT,
            vault_id: self.vault_id.clone(),
            slots: self.recovery_slot().cloned().into_iter().collect(),
            unusable: Vec::new(),
        }
    }

    /// Make `ruam.recovery` hold this file's recovery slot again if it does not
    /// (missing, damaged, or older after an interrupted save).
    pub fn repair_recovery_file(&self, paths: &VaultPaths) -> Result<()> {
        let wanted = self.recovery_only();
        let current = std::fs::read(paths.recovery())
            .ok()
            .and_then(|bytes| Self::parse(&bytes, true).ok());
        if current.as_ref() != Some(&wanted) {
            tracing::warn!("the recovery file was missing or out of date; rewriting it");
            write_atomic(&paths.recovery(), &wanted.encode()?)?;
        }
        Ok(())
    }

    pub fn recovery_slot(&self) -> Option<&Slot> {
        self.slots.iter().find(|s| s.kind == SlotKind::Recovery)
    }

    pub fn passphrase_slots(&self) -> impl Iterator<Item = &Slot> {
        self.slots
            .iter()
            .filter(|s| matches!(s.kind, SlotKind::Passphrase { .. }))
    }

    /// Remove a member's passphrase slot (they left the team). Returns whether there was one.
    pub fn remove_member(&mut self, member_id: &str) -> bool {
        let before = self.slots.len();
        self.slots.retain(|s| s.member_id() != Some(member_id));
        self.slots.len() != before
    }

    /// Put `slot` in place of any slot of the same member (or the recovery slot).
    pub fn replace(&mut self, slot: Slot) {
        let same = |s: &Slot| match (&s.kind, &slot.kind) {
            (SlotKind::Recovery, SlotKind::Recovery) => true,
            (
                SlotKind::Passphrase { member_id: a, .. },
                SlotKind::Passphrase { member_id: b, .. },
            ) => a == b,
            _ => false,
        };
        self.slots.retain(|s| !same(s));
        self.slots.push(slot);
    }
}
