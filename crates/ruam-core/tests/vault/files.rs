//! Damaged files: each a clear error naming the file, and nothing overwritten.

use ruam_core::Error;

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
    let wrapped = json["slots"][0]["wrapped"].as_str().unwrap().to_owned();
    let flipped = format!(
        "{}{}",
        if wrapped.starts_with('0') { '1' } else { '0' },
        &wrapped[1..]
    );
    json["slots"][0]["wrapped"] = flipped.into();
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

#[tokio::test]
async fn a_missing_slot_file_reads_as_no_vault_and_the_backup_is_kept() {
    let (t, _) = TestVault::created().await;
    t.vault
        .change_passphrase(change_request(PASSPHRASE, "jasmine tractor monsoon violin"))
        .await
        .unwrap();
    t.vault.lock().await;
    let backup = std::fs::read(t.paths().slots_backup()).unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&backup).is_ok());
    std::fs::remove_file(t.paths().slots()).unwrap();
    assert!(matches!(t.unlock(PASSPHRASE).await, Err(Error::NoVault)));
}
