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
        .unwrap()
        .status;
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
async fn a_regenerated_recovery_key_replaces_the_old_one_everywhere() {
    let (t, old) = TestVault::created().await;
    assert!(!t.vault.status().await.recovery_key_pending);
    let wrong = t
        .vault
        .regenerate_recovery_key(confirm("not my passphrase"))
        .await;
    assert!(matches!(wrong, Err(Error::InvalidCredentials)), "{wrong:?}");
    let new = t
        .vault
        .regenerate_recovery_key(confirm(PASSPHRASE))
        .await
        .unwrap()
        .expose()
        .to_owned();
    assert_ne!(old, new);
    assert!(t.vault.status().await.recovery_key_pending);
    // No file beside the vault still holds the old recovery slot.
    let names: Vec<String> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.ends_with(".bak") && !n.ends_with(".tmp")),
        "{names:?}"
    );
    t.vault.acknowledge_recovery_key().await.unwrap();
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

#[tokio::test]
async fn a_key_never_confirmed_is_replaced_at_the_next_unlock_and_shown_once() {
    let t = TestVault::empty();
    let first = t
        .vault
        .create(create_request(TEAM, "Somsri", PASSPHRASE))
        .await
        .unwrap()
        .recovery_key
        .expose()
        .to_owned();
    t.vault.lock().await;
    let unlocked = t.vault.unlock(unlock_request(PASSPHRASE)).await.unwrap();
    assert!(unlocked.status.recovery_key_pending);
    let second = unlocked
        .new_recovery_key
        .expect("a replacement key")
        .expose()
        .to_owned();
    assert_ne!(first, second);
    t.vault.acknowledge_recovery_key().await.unwrap();
    t.vault.lock().await;
    let again = t.vault.unlock(unlock_request(PASSPHRASE)).await.unwrap();
    assert!(again.new_recovery_key.is_none() && !again.status.recovery_key_pending);
    t.vault.lock().await;
    assert!(matches!(
        t.vault
            .unlock_with_recovery(recovery_request(&first, NEW))
            .await,
        Err(Error::InvalidCredentials)
    ));
    assert!(t
        .vault
        .unlock_with_recovery(recovery_request(&second, NEW))
        .await
        .is_ok());
}

#[tokio::test]
async fn only_a_lead_may_replace_the_recovery_key_and_only_while_unlocked() {
    let (t, _) = TestVault::created().await;
    // The same member, no longer a lead (roles arrive with member administration).
    let pool = t.vault.pool().await.unwrap();
    sqlx::query("UPDATE members SET role = 'case_worker'")
        .execute(&pool)
        .await
        .unwrap();
    t.vault.lock().await;
    assert!(matches!(
        t.vault.regenerate_recovery_key(confirm(PASSPHRASE)).await,
        Err(Error::Locked)
    ));
    t.unlock(PASSPHRASE).await.unwrap();
    assert!(matches!(
        t.vault.regenerate_recovery_key(confirm(PASSPHRASE)).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.acknowledge_recovery_key().await,
        Err(Error::Forbidden)
    ));
    // Each refusal is in the audit log, with who asked.
    let refused: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, actor FROM audit_log WHERE outcome = 'refused' ORDER BY seq",
    )
    .fetch_all(&t.vault.pool().await.unwrap())
    .await
    .unwrap();
    let member = t.vault.status().await.member.unwrap().id;
    assert_eq!(
        refused,
        [
            ("recovery_key.replace".to_owned(), Some(member.clone())),
            ("recovery_key.acknowledge".to_owned(), Some(member)),
        ]
    );
}

#[tokio::test]
async fn the_recovery_file_follows_the_slot_file_and_is_repaired_at_unlock() {
    let (t, old) = TestVault::created().await;
    let new = t
        .vault
        .regenerate_recovery_key(confirm(PASSPHRASE))
        .await
        .unwrap()
        .expose()
        .to_owned();
    t.vault.acknowledge_recovery_key().await.unwrap();
    t.vault.lock().await;
    // As if a save had stopped between the two files: the recovery file is missing.
    let written = std::fs::read(t.paths().recovery()).unwrap();
    std::fs::remove_file(t.paths().recovery()).unwrap();
    t.unlock(PASSPHRASE).await.unwrap();
    let repaired = std::fs::read(t.paths().recovery()).unwrap();
    assert_eq!(
        repaired, written,
        "the unlock rewrote the recovery file from the slot file"
    );
    t.vault.lock().await;
    // With the slot file gone, only the new key opens the vault through the recovery file.
    std::fs::remove_file(t.paths().slots()).unwrap();
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

#[tokio::test]
async fn unlocking_an_unlocked_vault_is_a_conflict_not_a_free_pass() {
    let (t, key) = TestVault::created().await;
    assert!(matches!(
        t.unlock("anything at all").await,
        Err(Error::AlreadyUnlocked)
    ));
    assert!(matches!(
        t.vault
            .unlock_with_recovery(recovery_request(&key, NEW))
            .await,
        Err(Error::AlreadyUnlocked)
    ));
    assert_eq!(
        Error::AlreadyUnlocked.code(),
        ruam_core::ErrorCode::Conflict
    );
}
