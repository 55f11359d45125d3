//! A vault made by version 0.1 (format 1) and committed: every later version must open it,
//! with the production KDF cost stored in its slots.

use std::path::Path;
use std::sync::Arc;

use ruam_core::crypto::SecretKey;
use ruam_core::keyring::{DeviceSecretStore, MemoryKeyring};
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;

use crate::support::*;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/frozen-v1");

fn vector() -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(Path::new(FIXTURE).join("vector.json")).unwrap()).unwrap()
}

/// A copy of the frozen files in a temp dir (tests must never write to the fixture).
fn copy() -> (tempfile::TempDir, MemoryKeyring, Vault) {
    let v = vector();
    let dir = tempfile::tempdir().unwrap();
    for f in ["ruam.vault", "ruam.slots", "ruam.recovery"] {
        std::fs::copy(Path::new(FIXTURE).join(f), dir.path().join(f)).unwrap();
    }
    let keyring = MemoryKeyring::new();
    let secret =
        SecretKey::from_slice(&hex::decode(v["deviceSecretHex"].as_str().unwrap()).unwrap())
            .unwrap();
    keyring
        .set(v["vaultId"].as_str().unwrap(), &secret)
        .unwrap();
    let vault = Vault::new(VaultPaths::new(dir.path()), Arc::new(keyring.clone()));
    (dir, keyring, vault)
}

#[tokio::test]
async fn the_frozen_vault_opens_with_its_passphrase() {
    let v = vector();
    let (_dir, _keyring, vault) = copy();
    let status = vault
        .unlock(unlock_request(v["passphrase"].as_str().unwrap()))
        .await
        .unwrap()
        .status;
    assert_eq!(status.team_name.as_deref(), v["teamName"].as_str());
    let member = status.member.unwrap();
    assert_eq!(member.display_name, "สมศรี ใจดี");
    // Made before sign-in names: the first sign-in's name became the lead's, and their
    // slot was tagged with it, so from now on only that name opens it.
    assert_eq!(member.sign_in_name, LEAD);
    vault.lock().await;
    let passphrase = v["passphrase"].as_str().unwrap();
    for other in ["somebody", "สมศรี.ใจดี"] {
        assert!(matches!(
            vault.unlock(unlock_as(other, passphrase)).await,
            Err(ruam_core::Error::InvalidCredentials)
        ));
    }
    vault.unlock(unlock_as(LEAD, passphrase)).await.unwrap();
}

/// Unlock the copy with the frozen recovery key; it must open the frozen team.
async fn recover_frozen(vault: &Vault) {
    let v = vector();
    let status = vault
        .unlock_with_recovery(recovery_request(
            v["recoveryKey"].as_str().unwrap(),
            "jasmine tractor monsoon violin",
        ))
        .await
        .unwrap()
        .status;
    assert_eq!(status.team_name.as_deref(), v["teamName"].as_str());
}

#[tokio::test]
async fn the_frozen_vault_opens_with_its_recovery_key() {
    let (_dir, _keyring, vault) = copy();
    recover_frozen(&vault).await;
}

#[test]
fn the_frozen_slots_use_the_production_kdf_cost() {
    let slots: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(FIXTURE).join("ruam.slots")).unwrap())
            .unwrap();
    let passphrase_slot = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "passphrase")
        .unwrap();
    let argon2 = &passphrase_slot["argon2"];
    assert_eq!(
        (argon2["mKib"].as_u64(), argon2["t"].as_u64()),
        (Some(65536), Some(3))
    );
}

#[tokio::test]
async fn the_frozen_recovery_file_alone_rebuilds_the_slot_file() {
    let (dir, _keyring, vault) = copy();
    std::fs::remove_file(dir.path().join("ruam.slots")).unwrap();
    recover_frozen(&vault).await;
    assert!(dir.path().join("ruam.slots").exists());
}
