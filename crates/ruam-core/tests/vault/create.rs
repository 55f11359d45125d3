//! Creating a vault: encrypted from the first byte, nothing left behind on bad input.

use ruam_core::{Error, VaultState};

use crate::support::*;

#[tokio::test]
async fn a_new_vault_is_unlocked_with_the_lead_and_a_pending_recovery_key() {
    let t = TestVault::empty();
    assert_eq!(t.vault.status().await.state, VaultState::Absent);
    let created = t
        .vault
        .create(create_request(TEAM, "Somsri", PASSPHRASE))
        .await
        .unwrap();
    assert_eq!(created.status.state, VaultState::Unlocked);
    assert_eq!(created.status.team_name.as_deref(), Some(TEAM));
    let member = created.status.member.unwrap();
    assert_eq!(
        (member.display_name.as_str(), member.role.as_str()),
        ("Somsri", "team_lead")
    );
    assert!(created.status.recovery_key_pending);
    assert_eq!(created.recovery_key.expose().split('-').count(), 8);
}

#[tokio::test]
async fn the_database_is_encrypted_and_a_canary_never_reaches_the_disk() {
    let canary = "CANARY-ด.ช.สมชาย-7f3a9c";
    let t = TestVault::empty();
    t.vault
        .create(create_request(canary, "Somsri", PASSPHRASE))
        .await
        .unwrap();
    // Write more through the vault so the WAL holds recent pages too.
    t.vault.acknowledge_recovery_key().await.unwrap();

    let files = database_bytes(&t.paths());
    assert!(
        files.iter().any(|(p, _)| p.ends_with("-wal")),
        "WAL mode should leave a -wal file open"
    );
    let (_, db) = &files[0];
    assert!(db.len() >= 4096);
    assert!(
        !db.starts_with(b"SQLite format 3\0"),
        "the vault has a plain SQLite header"
    );
    for (path, bytes) in &files {
        assert!(
            !contains(bytes, canary.as_bytes()),
            "{path} holds the canary in the clear"
        );
        assert!(
            !contains(bytes, "สมชาย".as_bytes()),
            "{path} holds Thai text in the clear"
        );
    }
    t.unlock_err_for_attempts_file().await;
    for side_file in [
        t.paths().slots(),
        t.paths().recovery(),
        t.paths().settings(),
        t.paths().attempts(),
    ] {
        if let Ok(bytes) = std::fs::read(&side_file) {
            assert!(
                !contains(&bytes, canary.as_bytes()),
                "{} holds the canary",
                side_file.display()
            );
        }
    }
    t.vault.lock().await;
    for (path, bytes) in database_bytes(&t.paths()) {
        assert!(
            !contains(&bytes, canary.as_bytes()),
            "{path} holds the canary after locking"
        );
    }
    assert_eq!(
        t.unlock(PASSPHRASE).await.unwrap().team_name.as_deref(),
        Some(canary)
    );
}

#[tokio::test]
async fn sqlcipher_is_really_linked() {
    let (t, _) = TestVault::created().await;
    let pool = t.vault.pool().await.unwrap();
    let version: String = sqlx::query_scalar("PRAGMA cipher_version")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(version.starts_with('4'), "cipher_version = {version}");
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let t = TestVault::empty();
    assert_invalid_field(
        t.vault
            .create(create_request("  ", "Somsri", PASSPHRASE))
            .await,
        "team_name",
    );
    assert_invalid_field(
        t.vault.create(create_request(TEAM, "", PASSPHRASE)).await,
        "display_name",
    );
    assert_invalid_field(
        t.vault
            .create(create_request(TEAM, "Somsri", "password1"))
            .await,
        "passphrase",
    );
    assert_invalid_field(
        t.vault.create(create_request(TEAM, "Somsri", TEAM)).await,
        "passphrase",
    );
    assert_invalid_field(
        t.vault
            .create(create_request(&"x".repeat(201), "Somsri", PASSPHRASE))
            .await,
        "team_name",
    );
    let left: Vec<_> = std::fs::read_dir(t.dir.path()).unwrap().collect();
    assert!(left.is_empty(), "files written on bad input: {left:?}");
    assert_eq!(t.vault.status().await.state, VaultState::Absent);
}

#[tokio::test]
async fn creating_over_an_existing_vault_is_refused_and_changes_nothing() {
    let (t, _) = TestVault::created().await;
    let slots_before = std::fs::read(t.paths().slots()).unwrap();
    t.vault.lock().await;
    let again = t
        .restart()
        .create(create_request(
            "Another team",
            "Niran",
            "another long passphrase here",
        ))
        .await;
    assert!(matches!(again, Err(Error::VaultExists(_))), "{again:?}");
    assert_eq!(std::fs::read(t.paths().slots()).unwrap(), slots_before);
    assert!(t.unlock(PASSPHRASE).await.is_ok());
}

#[tokio::test]
async fn a_keyring_that_cannot_be_reached_stops_creation_before_any_file_is_written() {
    let t = TestVault::empty();
    t.keyring.set_unavailable(true);
    let result = t
        .vault
        .create(create_request(TEAM, "Somsri", PASSPHRASE))
        .await;
    assert!(
        matches!(result, Err(Error::KeyringUnavailable(_))),
        "{result:?}"
    );
    assert_eq!(std::fs::read_dir(t.dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn a_database_left_by_an_interrupted_first_run_is_set_aside_not_deleted() {
    let t = TestVault::empty();
    std::fs::write(t.paths().database(), b"half-made").unwrap();
    t.vault
        .create(create_request(TEAM, "Somsri", PASSPHRASE))
        .await
        .unwrap();
    let aside: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("abandoned"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read(aside[0].path()).unwrap(), b"half-made");
}

#[tokio::test]
async fn every_mutation_is_in_the_outbox_with_clock_author_and_device() {
    let (t, _) = TestVault::created().await;
    t.vault.acknowledge_recovery_key().await.unwrap();
    let pool = t.vault.pool().await.unwrap();
    let rows: Vec<(String, String, String, Option<String>, String)> =
        sqlx::query_as("SELECT entity, op, hlc, author, device FROM changes ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    // Creation, then acknowledging the recovery key twice (once in `created`).
    assert_eq!(
        kinds,
        [
            ("team", "insert"),
            ("member", "insert"),
            ("team", "update"),
            ("team", "update")
        ]
    );
    let lead = t.vault.status().await.member.unwrap().id;
    assert!(rows.iter().all(|r| r.3.as_deref() == Some(lead.as_str())));
    assert!(
        rows.windows(2).all(|w| w[0].2 < w[1].2),
        "clock values must grow"
    );
    assert!(rows.iter().all(|r| r.4.len() == 16 && r.2.ends_with(&r.4)));
    let id: String = sqlx::query_scalar("SELECT id FROM members")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);
}
