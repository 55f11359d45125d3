//! The audit log: the vault's life is recorded as a hash chain, and `verify` names the
//! first entry broken by an edit, a deletion, a reordering or an insertion made directly
//! in the database.

use ruam_core::audit::{self, Break, BrokenLink};

use crate::support::*;

async fn actions(t: &TestVault) -> Vec<(i64, String, Option<String>, String)> {
    let pool = t.vault.pool().await.unwrap();
    sqlx::query_as("SELECT seq, action, actor, outcome FROM audit_log ORDER BY seq")
        .fetch_all(&pool)
        .await
        .unwrap()
}

/// A vault with a few entries: create, acknowledge, lock, unlock, change passphrase.
async fn with_history() -> TestVault {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    t.unlock(PASSPHRASE).await.unwrap();
    t.vault
        .change_passphrase(change_request(PASSPHRASE, "jasmine tractor monsoon violin"))
        .await
        .unwrap();
    t
}

#[tokio::test]
async fn the_vaults_life_is_in_the_audit_log_and_the_chain_holds() {
    let t = with_history().await;
    let lead = t.vault.status().await.member.unwrap().id;
    let rows = actions(&t).await;
    let names: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        names,
        [
            "vault.create",
            "recovery_key.acknowledge",
            "vault.lock",
            "vault.unlock",
            "passphrase.change"
        ]
    );
    assert!(rows
        .iter()
        .all(|r| r.2.as_deref() == Some(lead.as_str()) && r.3 == "ok"));
    let pool = t.vault.pool().await.unwrap();
    let report = audit::verify(&pool).await.unwrap();
    assert_eq!((report.entries, report.first_broken), (5, None));
    // Who, when, what — never names or secrets.
    let dump: Vec<String> = sqlx::query_scalar(
        "SELECT id || at || coalesce(actor,'') || action || coalesce(entity,'') || coalesce(entity_id,'') || device FROM audit_log",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for text in [TEAM, "Somsri", PASSPHRASE] {
        assert!(
            dump.iter().all(|row| !row.contains(text)),
            "the audit log holds {text:?}"
        );
    }
}

async fn broken_after(sql: &[&str]) -> Option<BrokenLink> {
    let t = with_history().await;
    let pool = t.vault.pool().await.unwrap();
    for statement in sql {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    audit::verify(&pool).await.unwrap().first_broken
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    let broken =
        broken_after(&["UPDATE audit_log SET action = 'vault.create' WHERE seq = 3"]).await;
    assert_eq!(
        broken,
        Some(BrokenLink {
            seq: 3,
            problem: Break::Altered,
            laptop: None,
        })
    );
    let actor = broken_after(&["UPDATE audit_log SET actor = NULL WHERE seq = 2"]).await;
    assert_eq!(
        actor,
        Some(BrokenLink {
            seq: 2,
            problem: Break::Altered,
            laptop: None,
        })
    );
}

#[tokio::test]
async fn a_deleted_entry_is_named() {
    let broken = broken_after(&["DELETE FROM audit_log WHERE seq = 2"]).await;
    assert_eq!(
        broken,
        Some(BrokenLink {
            seq: 3,
            problem: Break::Gap { expected: 2 },
            laptop: None,
        })
    );
    // Renumbering after the deletion does not hide it.
    let renumbered = broken_after(&[
        "DELETE FROM audit_log WHERE seq = 2",
        "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2",
    ])
    .await;
    assert_eq!(
        renumbered,
        Some(BrokenLink {
            seq: 2,
            problem: Break::Unlinked,
            laptop: None,
        })
    );
}

#[tokio::test]
async fn reordered_entries_are_named() {
    let broken = broken_after(&[
        "UPDATE audit_log SET seq = 100 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 100",
    ])
    .await;
    assert_eq!(
        broken,
        Some(BrokenLink {
            seq: 2,
            problem: Break::Unlinked,
            laptop: None,
        })
    );
}

#[tokio::test]
async fn an_inserted_entry_is_named() {
    // A careless insertion after entry 1 (its hash copied from entry 1) is named itself.
    let broken = broken_after(&[
        "UPDATE audit_log SET seq = seq + 100 WHERE seq > 1",
        "UPDATE audit_log SET seq = seq - 99 WHERE seq > 100",
        "INSERT INTO audit_log (seq, id, at, actor, action, entity, entity_id, outcome, device, prev_hash, hash)
         SELECT 2, 'forged', at, actor, 'vault.unlock', NULL, NULL, 'ok', device, hash, hash FROM audit_log WHERE seq = 1",
    ])
    .await;
    assert_eq!(
        broken,
        Some(BrokenLink {
            seq: 2,
            problem: Break::Altered,
            laptop: None,
        })
    );
}

#[tokio::test]
async fn a_carefully_forged_insertion_breaks_the_link_to_the_next_entry() {
    // An entry slipped in after entry 1, linked to it and hashed correctly: the chain
    // breaks where the old entry 2 (now 3) no longer links to it.
    let t = with_history().await;
    let pool = t.vault.pool().await.unwrap();
    let first: audit::Entry = sqlx::query_as("SELECT * FROM audit_log WHERE seq = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    for statement in [
        "UPDATE audit_log SET seq = seq + 100 WHERE seq > 1",
        "UPDATE audit_log SET seq = seq - 99 WHERE seq > 100",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    let mut forged = first.clone();
    forged.seq = 2;
    forged.id = "forged".into();
    forged.action = "vault.unlock".into();
    forged.prev_hash = first.hash.clone();
    forged.hash = forged.expected_hash(&first.hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, id, at, actor, action, entity, entity_id, outcome, device, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(forged.seq)
    .bind(&forged.id)
    .bind(&forged.at)
    .bind(&forged.actor)
    .bind(&forged.action)
    .bind(&forged.entity)
    .bind(&forged.entity_id)
    .bind(&forged.outcome)
    .bind(&forged.device)
    .bind(&forged.prev_hash)
    .bind(&forged.hash)
    .execute(&pool)
    .await
    .unwrap();
    let report = audit::verify(&pool).await.unwrap();
    assert_eq!(
        report.first_broken,
        Some(BrokenLink {
            seq: 3,
            problem: Break::Unlinked,
            laptop: None,
        })
    );
}

#[tokio::test]
async fn failed_attempts_are_written_at_the_next_sign_in_naming_the_account_tried_not_who_typed() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    assert!(t.unlock("wrong one").await.is_err());
    assert!(t
        .vault
        .unlock(unlock_as("nobody", "wrong two"))
        .await
        .is_err());
    // The file beside the vault holds times and keyed tags, never the names typed.
    let attempts = std::fs::read(t.paths().attempts()).unwrap();
    for name in [LEAD, "nobody"] {
        assert!(!contains(&attempts, name.as_bytes()), "{name}");
    }
    t.unlock(PASSPHRASE).await.unwrap();
    assert!(t
        .vault
        .change_passphrase(change_request(
            "wrong three",
            "jasmine tractor monsoon violin"
        ))
        .await
        .is_err());
    let lead = t.vault.status().await.member.unwrap().id;
    let rows = actions(&t).await;
    let tail: Vec<(&str, Option<&str>, &str)> = rows[3..]
        .iter()
        .map(|r| (r.1.as_str(), r.2.as_deref(), r.3.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("vault.unlock", None, "failed"),
            ("vault.unlock", None, "failed"),
            ("vault.unlock", Some(lead.as_str()), "ok"),
            ("passphrase.verify", Some(lead.as_str()), "failed"),
        ]
    );
    let pool = t.vault.pool().await.unwrap();
    let accounts: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT entity_id FROM audit_log WHERE outcome = 'failed' AND action = 'vault.unlock' ORDER BY seq",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(accounts, [Some(lead.clone()), None]);
    assert_eq!(audit::verify(&pool).await.unwrap().first_broken, None);
    // Written once: the next sign-in does not repeat them.
    t.vault.lock().await;
    t.unlock(PASSPHRASE).await.unwrap();
    let failed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'vault.unlock' AND outcome = 'failed'",
    )
    .fetch_one(&t.vault.pool().await.unwrap())
    .await
    .unwrap();
    assert_eq!(failed, 2);
}

#[tokio::test]
async fn a_lead_is_warned_at_sign_in_when_the_chain_is_broken() {
    let t = with_history().await;
    assert_eq!(t.vault.status().await.audit_warning, None);
    let pool = t.vault.pool().await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    t.vault.lock().await;
    let status = t.unlock("jasmine tractor monsoon violin").await.unwrap();
    assert_eq!(
        status.audit_warning,
        Some(BrokenLink {
            seq: 3,
            problem: Break::Gap { expected: 2 },
            laptop: None,
        })
    );
}
