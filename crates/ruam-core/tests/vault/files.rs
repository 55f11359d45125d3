//! Damaged files: each a clear error naming the file, and nothing overwritten.

use ruam_core::{Error, Remedy};

use crate::support::*;

fn expect_corrupt<T: std::fmt::Debug>(result: Result<T, Error>, file: &std::path::Path) {
    match result {
        Err(Error::Corrupt { path, .. }) => assert_eq!(path, file),
        other => panic!(
            "expected {} to be named as damaged, got {other:?}",
            file.display()
        ),
    }
}

#[tokio::test]
async fn a_truncated_slot_file_is_named_and_left_as_it_was() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let full = std::fs::read(t.paths().slots()).unwrap();
    std::fs::write(t.paths().slots(), &full[..full.len() / 2]).unwrap();
    let result = t.unlock(PASSPHRASE).await;
    expect_corrupt(result, &t.paths().slots());
    let message = t.unlock(PASSPHRASE).await.unwrap_err().to_string();
    assert!(
        message.contains("ruam.slots") && message.contains("recovery key"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(t.paths().slots()).unwrap(),
        &full[..full.len() / 2]
    );
}

#[tokio::test]
async fn a_slot_file_with_altered_fields_is_named() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let original = std::fs::read_to_string(t.paths().slots()).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&original).unwrap();
    json["slots"][0]["nonce"] = "zz".into();
    std::fs::write(t.paths().slots(), json.to_string()).unwrap();
    expect_corrupt(t.unlock(PASSPHRASE).await, &t.paths().slots());
    json["format"] = 99.into();
    std::fs::write(t.paths().slots(), json.to_string()).unwrap();
    expect_corrupt(t.unlock(PASSPHRASE).await, &t.paths().slots());
    std::fs::write(t.paths().slots(), original).unwrap();
    assert!(t.unlock(PASSPHRASE).await.is_ok());
}

#[tokio::test]
async fn a_wrapped_key_that_was_tampered_with_opens_nothing() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.paths().slots()).unwrap()).unwrap();
    let wrapped = json["slots"][1]["wrapped"].as_str().unwrap().to_owned();
    let flipped = format!(
        "{}{}",
        if wrapped.starts_with('0') { '1' } else { '0' },
        &wrapped[1..]
    );
    json["slots"][1]["wrapped"] = flipped.into();
    std::fs::write(t.paths().slots(), json.to_string()).unwrap();
    assert!(matches!(
        t.unlock(PASSPHRASE).await,
        Err(Error::InvalidCredentials)
    ));
}

#[tokio::test]
async fn a_damaged_database_is_named_and_left_as_it_was() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let db = t.paths().database();
    // Locking folded the write-ahead log into the file.
    assert!(std::fs::metadata(&db).unwrap().len() > 4096);
    let mut bytes = std::fs::read(&db).unwrap();
    for b in &mut bytes[16..4096] {
        *b ^= 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();
    expect_corrupt(t.unlock(PASSPHRASE).await, &db);
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

const NEW: &str = "jasmine tractor monsoon violin";

fn expect_remedy<T: std::fmt::Debug>(
    result: Result<T, Error>,
    file: &std::path::Path,
    expected: Remedy,
) {
    match result {
        Err(Error::Corrupt { path, remedy, .. }) => {
            assert_eq!((path.as_path(), remedy), (file, expected))
        }
        other => panic!(
            "expected {} damaged ({expected:?}), got {other:?}",
            file.display()
        ),
    }
}

#[tokio::test]
async fn the_recovery_key_rebuilds_a_damaged_slot_file() {
    let (t, key) = TestVault::created().await;
    t.vault.lock().await;
    std::fs::write(t.paths().slots(), b"\0\0\0 half a file").unwrap();
    expect_remedy(
        t.unlock(PASSPHRASE).await,
        &t.paths().slots(),
        Remedy::RecoveryKey,
    );
    let message = t.unlock(PASSPHRASE).await.unwrap_err().to_string();
    assert!(
        message.contains("ruam.slots") && message.contains("recovery key"),
        "{message}"
    );
    t.vault
        .unlock_with_recovery(recovery_request(&key, NEW))
        .await
        .unwrap();
    t.vault.lock().await;
    assert_eq!(
        t.unlock(NEW).await.unwrap().team_name.as_deref(),
        Some(TEAM)
    );
}

#[tokio::test]
async fn a_lost_slot_file_never_reads_as_no_vault() {
    let (t, key) = TestVault::created().await;
    t.vault.lock().await;
    std::fs::remove_file(t.paths().slots()).unwrap();
    assert_eq!(t.vault.status().await.state, ruam_core::VaultState::Locked);
    let again = t
        .restart()
        .create(create_request(
            "New team",
            "Niran",
            "another long passphrase here",
        ))
        .await;
    assert!(matches!(again, Err(Error::VaultExists(_))), "{again:?}");
    expect_remedy(
        t.unlock(PASSPHRASE).await,
        &t.paths().slots(),
        Remedy::RecoveryKey,
    );
    t.vault
        .unlock_with_recovery(recovery_request(&key, NEW))
        .await
        .unwrap();
    assert!(t.paths().slots().exists(), "the slot file is rebuilt");
}

#[tokio::test]
async fn with_both_key_files_damaged_only_a_backup_helps() {
    let (t, key) = TestVault::created().await;
    t.vault.lock().await;
    std::fs::write(t.paths().slots(), b"{}").unwrap();
    std::fs::write(t.paths().recovery(), b"{}").unwrap();
    expect_remedy(
        t.unlock(PASSPHRASE).await,
        &t.paths().slots(),
        Remedy::Backup,
    );
    expect_remedy(
        t.vault
            .unlock_with_recovery(recovery_request(&key, NEW))
            .await,
        &t.paths().slots(),
        Remedy::Backup,
    );
}

#[tokio::test]
async fn a_missing_or_empty_database_is_named_for_a_backup() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let db = t.paths().database();
    let original = std::fs::read(&db).unwrap();
    std::fs::write(&db, b"").unwrap();
    expect_remedy(t.unlock(PASSPHRASE).await, &db, Remedy::Backup);
    assert_eq!(
        std::fs::metadata(&db).unwrap().len(),
        0,
        "nothing was written into it"
    );
    std::fs::remove_file(&db).unwrap();
    expect_remedy(t.unlock(PASSPHRASE).await, &db, Remedy::Backup);
    assert!(!db.exists(), "no new empty database was made");
    std::fs::write(&db, original).unwrap();
    assert!(t.unlock(PASSPHRASE).await.is_ok());
}

#[tokio::test]
async fn one_malformed_slot_is_skipped_not_the_whole_file() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.paths().slots()).unwrap()).unwrap();
    let mut broken = json["slots"][1].clone();
    broken["memberId"] = "someone else".into();
    broken["nonce"] = "not hex".into();
    json["slots"].as_array_mut().unwrap().push(broken);
    std::fs::write(t.paths().slots(), json.to_string()).unwrap();
    assert!(t.unlock(PASSPHRASE).await.is_ok());
    // Saving the slot file again keeps the slot it could not use, as it was.
    t.vault
        .change_passphrase(change_request(PASSPHRASE, NEW))
        .await
        .unwrap();
    let saved = std::fs::read_to_string(t.paths().slots()).unwrap();
    assert!(
        saved.contains("someone else") && saved.contains("not hex"),
        "{saved}"
    );
}

#[tokio::test]
async fn an_attempts_counter_that_cannot_be_cleared_never_stops_a_rightful_unlock() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    std::fs::create_dir(t.paths().attempts()).unwrap();
    std::fs::write(t.paths().attempts().join("pin"), b"x").unwrap();
    // Made a while ago: an unreadable counter costs one wait from when it was written.
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::open(t.paths().attempts())
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    assert!(t.unlock("a wrong passphrase").await.is_err());
    assert!(t.unlock(PASSPHRASE).await.is_ok());
    t.vault.lock().await;
    assert!(t.unlock(PASSPHRASE).await.is_ok(), "and again");
}

#[tokio::test]
async fn rebuilding_sets_the_damaged_slot_file_aside() {
    let (t, key) = TestVault::created().await;
    t.vault.lock().await;
    std::fs::write(t.paths().slots(), b"{ damaged").unwrap();
    t.vault
        .unlock_with_recovery(recovery_request(&key, NEW))
        .await
        .unwrap();
    let aside: Vec<Vec<u8>> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("ruam.slots.damaged-")
        })
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    assert_eq!(aside, vec![b"{ damaged".to_vec()]);
}

#[tokio::test]
async fn a_slot_relabelled_in_the_file_opens_nothing() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    let original = std::fs::read_to_string(t.paths().slots()).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&original).unwrap();
    let slot = json["slots"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["kind"] == "passphrase")
        .unwrap();
    // Claim the slot belongs to someone else (e.g. a lead's id on a member's slot).
    slot["memberId"] = uuid::Uuid::now_v7().to_string().into();
    std::fs::write(t.paths().slots(), json.to_string()).unwrap();
    assert!(matches!(
        t.unlock(PASSPHRASE).await,
        Err(Error::InvalidCredentials)
    ));
    std::fs::write(t.paths().slots(), original).unwrap();
    assert!(t.unlock(PASSPHRASE).await.is_ok());
}

#[tokio::test]
async fn a_failed_creation_leaves_nothing_behind() {
    let t = TestVault::empty();
    // A directory where the recovery file's temporary copy goes makes saving the keys fail
    // after the database was written.
    let blocker = t.dir.path().join("ruam.recovery.tmp");
    std::fs::create_dir(&blocker).unwrap();
    let result = t
        .vault
        .create(create_request(TEAM, "Somsri", PASSPHRASE))
        .await;
    assert!(matches!(result, Err(Error::Io { .. })), "{result:?}");
    assert!(
        t.keyring.is_empty(),
        "the failed vault's device secret is forgotten"
    );
    std::fs::remove_dir(&blocker).unwrap();
    let left: Vec<_> = std::fs::read_dir(t.dir.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(t.vault.status().await.state, ruam_core::VaultState::Absent);
    assert!(t
        .vault
        .create(create_request(TEAM, "Somsri", PASSPHRASE))
        .await
        .is_ok());
}
