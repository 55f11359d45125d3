//! The recovery key: unlocks when the passphrase is lost, enrols a new device, and
//! can be replaced.

use ruam_core::{Error, VaultState};

use crate::support::*;

const NEW: &str = "jasmine tractor monsoon violin";

#[tokio::test]
async fn the_recovery_key_unlocks_and_sets_a_new_passphrase() {
    let (t, key) = TestVault::created().await;
    t.vault.lock().await;
    let status = t
        .vault
        .unlock_with_recovery(recovery_request(&key.to_lowercase(), NEW))
        .await
        .unwrap();
    assert_eq!(status.state, VaultState::Unlocked);
    assert_eq!(status.member.unwrap().role, "team_lead");
    t.vault.lock().await;
    assert!(matches!(
        t.unlock(PASSPHRASE).await,
        Err(Error::InvalidCredentials)
    ));
    assert!(t.unlock(NEW).await.is_ok());
}

#[tokio::test]
async fn a_wrong_recovery_key_is_refused_and_counts_as_a_failure() {
    let (t, key) = TestVault::created().await;
    t.vault.lock().await;
    let mut wrong: Vec<char> = key.chars().collect();
    wrong[0] = if wrong[0] == 'A' { 'B' } else { 'A' };
    let wrong: String = wrong.into_iter().collect();
    let result = t
        .vault
        .unlock_with_recovery(recovery_request(&wrong, NEW))
        .await;
    assert!(
        matches!(result, Err(Error::InvalidCredentials)),
        "{result:?}"
    );
    assert!(t.paths().attempts().exists());
    assert_invalid_field(
        t.vault
            .unlock_with_recovery(recovery_request("ABCD", NEW))
            .await,
        "recovery_key",
    );
    assert_invalid_field(
        t.vault
            .unlock_with_recovery(recovery_request(&key, "weak"))
            .await,
        "new_passphrase",
    );
    assert!(
        t.unlock(PASSPHRASE).await.is_ok(),
        "the old passphrase still works after refusals"
    );
}

#[tokio::test]
async fn a_vault_copied_to_another_device_needs_the_recovery_key_which_enrols_it() {
    let (t, key) = TestVault::created().await;
    t.vault.lock().await;
    // Another computer: same files, empty keyring.
    t.keyring.clear();
    let copy = t.restart();
    assert!(matches!(
        copy.unlock(unlock_request(PASSPHRASE)).await,
        Err(Error::DeviceNotEnrolled)
    ));
    copy.unlock_with_recovery(recovery_request(&key, NEW))
        .await
        .unwrap();
    copy.lock().await;
    assert!(
        copy.unlock(unlock_request(NEW)).await.is_ok(),
        "this device is now enrolled"
    );
}

#[tokio::test]
async fn a_different_device_secret_reads_as_not_enrolled_not_as_a_wrong_passphrase() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let vault_id: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.paths().slots()).unwrap()).unwrap();
    let vault_id = vault_id["vaultId"].as_str().unwrap().to_owned();
    use ruam_core::keyring::DeviceSecretStore;
    t.keyring
        .set(&vault_id, &ruam_core::crypto::SecretKey::random().unwrap())
        .unwrap();
    assert!(matches!(
        t.unlock(PASSPHRASE).await,
        Err(Error::DeviceNotEnrolled)
    ));
    assert!(
        !t.paths().attempts().exists(),
        "not a wrong passphrase: no failure counted"
    );
}

#[tokio::test]
async fn a_keyring_that_cannot_be_reached_is_said_plainly() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    t.keyring.set_unavailable(true);
    assert!(matches!(
        t.unlock(PASSPHRASE).await,
        Err(Error::KeyringUnavailable(_))
    ));
    t.keyring.set_unavailable(false);
    assert!(t.unlock(PASSPHRASE).await.is_ok());
}

#[tokio::test]
async fn a_regenerated_recovery_key_replaces_the_old_one() {
    let (t, old) = TestVault::created().await;
    t.vault.acknowledge_recovery_key().await.unwrap();
    assert!(!t.vault.status().await.recovery_key_pending);
    let new = t.vault.regenerate_recovery_key().await.unwrap();
    assert_ne!(old, new);
    assert!(t.vault.status().await.recovery_key_pending);
    t.vault.lock().await;
    assert!(t.vault.status().await.state == VaultState::Locked);
    let status = t.unlock(PASSPHRASE).await.unwrap();
    assert!(
        status.recovery_key_pending,
        "an unacknowledged key is offered again after unlock"
    );
    t.vault.lock().await;
    assert!(matches!(
        t.vault
            .unlock_with_recovery(recovery_request(&old, NEW))
            .await,
        Err(Error::InvalidCredentials)
    ));
    assert!(t
        .vault
        .unlock_with_recovery(recovery_request(&new, NEW))
        .await
        .is_ok());
}
