//! Nothing secret in the logs: every log line of a vault's life, at TRACE and from every
//! crate (sqlx included), holds no key, passphrase, recovery key or team name.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::support::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn has_long_hex_run(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= 64 {
            return true;
        }
    }
    false
}

#[tokio::test]
async fn a_vaults_life_logged_at_trace_shows_no_secret() {
    use tracing_subscriber::util::SubscriberInitExt;
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .try_init()
        .expect("this test is the only one that installs a subscriber");

    let team = "Canary team ทีมนกขมิ้น";
    let t = TestVault::empty();
    let key = t
        .vault
        .create(create_request(team, "Somsri", PASSPHRASE))
        .await
        .unwrap()
        .recovery_key
        .expose()
        .to_owned();
    t.vault.lock().await;
    t.unlock("a wrong passphrase").await.unwrap_err();
    // The first key was never acknowledged, so this unlock replaces it.
    let replaced = t
        .vault
        .unlock(unlock_request(PASSPHRASE))
        .await
        .unwrap()
        .new_recovery_key
        .unwrap()
        .expose()
        .to_owned();
    t.vault.lock().await;
    t.vault
        .unlock_with_recovery(recovery_request(
            &replaced,
            "jasmine tractor monsoon violin",
        ))
        .await
        .unwrap();
    t.vault.lock().await;

    // A probe proves that sqlx's statement events would be captured here if the vault's
    // connections logged theirs (they must not: their first statement holds the key).
    let probe = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
    sqlx::query("SELECT 'capture-probe'")
        .execute(&probe)
        .await
        .unwrap();
    probe.close().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("vault unlocked"),
        "nothing was captured: {logs}"
    );
    assert!(
        logs.contains("capture-probe"),
        "sqlx's statement events were not captured: {logs}"
    );
    for secret in [
        PASSPHRASE,
        "a wrong passphrase",
        "jasmine tractor monsoon violin",
        key.as_str(),
        replaced.as_str(),
        team,
        "Somsri",
        "PRAGMA key",
        "x'",
    ] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}");
    }
    assert!(
        !has_long_hex_run(&logs),
        "the logs hold a 256-bit hex value"
    );
}
