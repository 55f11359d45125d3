//! Unlocking, locking, auto-lock and the wait after wrong passphrases.

use std::time::{Duration, Instant, SystemTime};

use ruam_core::{Error, VaultState};

use crate::support::*;

#[tokio::test]
async fn lock_then_unlock_with_the_passphrase() {
    let (t, _) = TestVault::created().await;
    assert!(t.vault.lock().await);
    let status = t.vault.status().await;
    assert_eq!(status.state, VaultState::Locked);
    assert!(status.team_name.is_none() && status.member.is_none());
    assert!(matches!(t.vault.pool().await, Err(Error::Locked)));
    let status = t.unlock(PASSPHRASE).await.unwrap();
    assert_eq!(status.state, VaultState::Unlocked);
    assert_eq!(status.member.unwrap().display_name, "Somsri");
}

#[tokio::test]
async fn a_restarted_app_finds_the_vault_locked_and_opens_it() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let again = t.restart();
    assert_eq!(again.status().await.state, VaultState::Locked);
    again.unlock(unlock_request(PASSPHRASE)).await.unwrap();
    assert_eq!(again.status().await.team_name.as_deref(), Some(TEAM));
}

#[tokio::test]
async fn a_wrong_passphrase_is_refused_and_an_empty_one_names_the_field() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    assert!(matches!(
        t.unlock("river lantern mango bicyclf").await,
        Err(Error::InvalidCredentials)
    ));
    assert_invalid_field(t.unlock("").await, "passphrase");
    assert_eq!(t.vault.status().await.state, VaultState::Locked);
}

#[tokio::test]
async fn repeated_failures_bring_a_wait_that_a_restart_does_not_reset() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    for _ in 0..3 {
        assert!(matches!(
            t.unlock("wrong wrong wrong").await,
            Err(Error::InvalidCredentials)
        ));
    }
    // Now even the right passphrase must wait, and the KDF is not run at all.
    match t.unlock(PASSPHRASE).await {
        Err(Error::Throttled { retry_after_secs }) => assert!((1..=5).contains(&retry_after_secs)),
        other => panic!("expected throttled, got {other:?}"),
    }
    let restarted = t.restart();
    assert!(matches!(
        restarted.unlock(unlock_request(PASSPHRASE)).await,
        Err(Error::Throttled { .. })
    ));
    assert!(matches!(
        restarted
            .unlock_with_recovery(recovery_request(
                "0000-0000-0000-0000-0000-0000-0000-0000",
                PASSPHRASE
            ))
            .await,
        Err(Error::Throttled { .. })
    ));
}

#[tokio::test]
async fn auto_lock_after_the_idle_time_and_not_before() {
    let (t, _) = TestVault::created().await;
    let minutes = t.vault.settings().auto_lock_minutes;
    assert_eq!(minutes, 10, "default auto-lock");
    let start = Instant::now();
    assert!(
        !t.vault
            .lock_if_idle(start + Duration::from_secs(9 * 60), SystemTime::now())
            .await
    );
    assert_eq!(t.vault.status().await.state, VaultState::Unlocked);
    assert!(
        t.vault
            .lock_if_idle(start + Duration::from_secs(10 * 60 + 1), SystemTime::now())
            .await
    );
    assert_eq!(t.vault.status().await.state, VaultState::Locked);
    assert!(
        !t.vault
            .lock_if_idle(start + Duration::from_secs(3600), SystemTime::now())
            .await,
        "already locked"
    );
}

#[tokio::test]
async fn activity_pushes_the_auto_lock_back() {
    let (t, _) = TestVault::created().await;
    // The unlock's own activity stamp is no later than this.
    let opened = (Instant::now(), SystemTime::now());
    tokio::time::sleep(Duration::from_millis(60)).await;
    let touched = (Instant::now(), SystemTime::now());
    t.vault.touch().await;
    // Past ten minutes since the unlock, 30 ms short of ten minutes since the touch.
    let at = Duration::from_secs(10 * 60) + Duration::from_millis(30);
    assert!(!t.vault.lock_if_idle(opened.0 + at, opened.1 + at).await);
    assert_eq!(t.vault.status().await.state, VaultState::Unlocked);
    let idle = Duration::from_secs(10 * 60 + 1);
    assert!(
        t.vault
            .lock_if_idle(touched.0 + idle, touched.1 + idle)
            .await
    );
}

#[tokio::test]
async fn time_asleep_counts_as_idle() {
    let (t, _) = TestVault::created().await;
    // A laptop closed for an hour: the monotonic clock stood still, the wall clock moved.
    let asleep = SystemTime::now() + Duration::from_secs(3600);
    assert!(t.vault.lock_if_idle(Instant::now(), asleep).await);
    assert_eq!(t.vault.status().await.state, VaultState::Locked);
}

#[tokio::test]
async fn changing_the_passphrase_rewraps_one_slot_and_reencrypts_nothing() {
    let (t, _) = TestVault::created().await;
    let new = "jasmine tractor monsoon violin";
    let header_before = std::fs::read(t.paths().database()).unwrap()[..16].to_vec();
    assert!(matches!(
        t.vault
            .change_passphrase(change_request("not the passphrase", new))
            .await,
        Err(Error::InvalidCredentials)
    ));
    assert_invalid_field(
        t.vault
            .change_passphrase(change_request(PASSPHRASE, "short"))
            .await,
        "new",
    );
    assert_invalid_field(
        t.vault
            .change_passphrase(change_request(PASSPHRASE, PASSPHRASE))
            .await,
        "new",
    );
    t.vault
        .change_passphrase(change_request(PASSPHRASE, new))
        .await
        .unwrap();
    t.vault.lock().await;
    assert!(matches!(
        t.unlock(PASSPHRASE).await,
        Err(Error::InvalidCredentials)
    ));
    assert_eq!(
        t.unlock(new).await.unwrap().team_name.as_deref(),
        Some(TEAM)
    );
    let header_after = std::fs::read(t.paths().database()).unwrap()[..16].to_vec();
    assert_eq!(
        header_before, header_after,
        "the database salt changed: it was re-encrypted"
    );
    let old_slots = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".bak")
        })
        .count();
    assert_eq!(
        old_slots, 0,
        "no copy of the old slot (the old passphrase) is kept"
    );
}

#[tokio::test]
async fn changing_the_passphrase_needs_an_unlocked_vault() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let result = t
        .vault
        .change_passphrase(change_request(PASSPHRASE, "jasmine tractor monsoon violin"))
        .await;
    assert!(matches!(result, Err(Error::Locked)), "{result:?}");
}
