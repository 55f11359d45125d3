//! Crash safety: a child process (`ruam-crash-writer`) opens the vault with the real OS
//! keyring and writes cases, task cards and ledger rows until it is killed with SIGKILL,
//! at a random moment, hundreds of times over. After each kill the vault is opened again:
//! every write the child acknowledged is there, the database passes `integrity_check`,
//! the audit chain is unbroken, and the fund's running totals equal its ledger.
//!
//! `RUAM_CRASH_ROUNDS` sets the number of kills (300 by default); `RUAM_CRASH_SEED` replays
//! a run (the seed is printed). The figures go to docs/RELIABILITY.md.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ruam_core::crypto::Argon2Params;
use ruam_core::keyring::{DeviceSecretStore, OsKeyring};
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;

const PASSPHRASE: &str = "river lantern mango bicycle";

/// A small generator of kill times, so that a failing run can be replayed from its seed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[derive(Default)]
struct Acked {
    cases: BTreeSet<String>,
    cards: BTreeSet<String>,
    ledger: BTreeSet<String>,
}

impl Acked {
    fn take(&mut self, line: &str) -> bool {
        let Some((kind, what)) = line.split_once(' ') else {
            return false;
        };
        let set = match kind {
            "case" => &mut self.cases,
            "card" => &mut self.cards,
            "ledger" => &mut self.ledger,
            _ => return false,
        };
        set.insert(what.to_owned());
        true
    }

    fn len(&self) -> usize {
        self.cases.len() + self.cards.len() + self.ledger.len()
    }
}

fn vault(dir: &std::path::Path, keyring: &OsKeyring) -> Vault {
    Vault::new(VaultPaths::new(dir), Arc::new(keyring.clone()))
        .with_argon2(Argon2Params::FAST_FOR_TESTS)
}

async fn strings(pool: &sqlx::SqlitePool, sql: &str) -> BTreeSet<String> {
    sqlx::query_scalar(sql)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// Open the vault as the app would after the crash, and check it against what was acked.
async fn check(dir: &std::path::Path, keyring: &OsKeyring, acked: &Acked, round: u32) {
    let v = vault(dir, keyring);
    v.unlock(
        serde_json::from_value(serde_json::json!({
            "signInName": "somsri", "passphrase": PASSPHRASE,
        }))
        .unwrap(),
    )
    .await
    .unwrap_or_else(|err| panic!("round {round}: the vault does not open after the kill: {err}"));
    let pool = v.pool().await.unwrap();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(integrity, ["ok"], "round {round}");
    let chain = ruam_core::audit::verify(&pool).await.unwrap();
    assert_eq!(chain.first_broken, None, "round {round}: the audit chain");
    let cases = strings(&pool, "SELECT id FROM cases").await;
    let lost: Vec<_> = acked.cases.difference(&cases).collect();
    assert!(
        lost.is_empty(),
        "round {round}: acknowledged cases lost: {lost:?}"
    );
    let cards = strings(&pool, "SELECT title FROM cards").await;
    let lost: Vec<_> = acked.cards.difference(&cards).collect();
    assert!(
        lost.is_empty(),
        "round {round}: acknowledged cards lost: {lost:?}"
    );
    let ledger = strings(
        &pool,
        "SELECT reference FROM fund_ledger WHERE kind = 'contribution'",
    )
    .await;
    let lost: Vec<_> = acked.ledger.difference(&ledger).collect();
    assert!(
        lost.is_empty(),
        "round {round}: acknowledged ledger rows lost: {lost:?}"
    );
    let (rows, total): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT coalesce(sum(amount), 0) FROM fund_ledger WHERE kind = 'contribution'),
                (SELECT coalesce(sum(cash), 0) FROM fund_agency_totals)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows, total,
        "round {round}: the running totals follow the ledger"
    );
    drop(pool);
    v.lock().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)]
async fn acknowledged_writes_survive_sigkill_at_any_moment() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the tests through ./x test, which starts the Secret Service"
    );
    let rounds: u32 = std::env::var("RUAM_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("RUAM_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("crash test: {rounds} rounds, RUAM_CRASH_SEED={seed}");
    let mut random = XorShift(seed);

    let dir = tempfile::tempdir().unwrap();
    let service = format!("org.ruam.test.crash.{}", uuid::Uuid::now_v7());
    let keyring = OsKeyring::with_service(&service);
    let setup = vault(dir.path(), &keyring);
    setup
        .create(
            serde_json::from_value(serde_json::json!({
                "teamName": "Mae Sai district MDT", "displayName": "Somsri",
                "signInName": "somsri", "passphrase": PASSPHRASE,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    setup.acknowledge_recovery_key().await.unwrap();
    let agency = setup
        .add_agency(
            serde_json::from_value(
                serde_json::json!({ "name": "Mae Sai police", "kind": "police" }),
            )
            .unwrap(),
        )
        .await
        .unwrap()
        .id;
    let fund = setup
        .create_fund(
            serde_json::from_value(serde_json::json!({
                "name": "District MDT pooled fund 2026", "currency": "THB",
                "startsOn": "2026-01-01", "endsOn": "2026-12-31",
                "secondApprovalAbove": "10,000", "lines": ["Emergency shelter"],
            }))
            .unwrap(),
        )
        .await
        .unwrap()
        .fund
        .id;
    setup.lock().await;
    drop(setup);

    let writer = env!("CARGO_BIN_EXE_ruam-crash-writer");
    let mut acked = Acked::default();
    let mut killed_writing = 0u32;
    let mut kill_after_ms = Vec::with_capacity(rounds as usize);
    let started = Instant::now();
    for round in 0..rounds {
        let mut child = Command::new(writer)
            .args([
                dir.path().to_str().unwrap(),
                &service,
                PASSPHRASE,
                &fund,
                &agency,
                &round.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok);
        if first.as_deref() != Some("ready") {
            let status = child.wait().unwrap();
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("round {round}: the writer did not start ({status}): {err}");
        }
        // Anywhere from the first write to some dozens of writes in.
        let wait = Duration::from_micros(random.next() % 60_000);
        kill_after_ms.push(wait.as_secs_f64() * 1000.0);
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            for line in lines.map_while(Result::ok) {
                got.push(line);
            }
            got
        });
        std::thread::sleep(wait);
        // SIGKILL: no destructor, no checkpoint, no flush runs in the child.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if std::os::unix::process::ExitStatusExt::signal(&status) == Some(9) {
            killed_writing += 1;
        } else {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("round {round}: the writer stopped by itself ({status}): {err}");
        }
        for line in reader.join().unwrap() {
            assert!(acked.take(&line), "round {round}: unexpected line {line:?}");
        }
        check(dir.path(), &keyring, &acked, round).await;
    }
    let elapsed = started.elapsed();
    kill_after_ms.sort_by(f64::total_cmp);
    let median = kill_after_ms[kill_after_ms.len() / 2];

    let v = vault(dir.path(), &keyring);
    v.unlock(
        serde_json::from_value(serde_json::json!({
            "signInName": "somsri", "passphrase": PASSPHRASE,
        }))
        .unwrap(),
    )
    .await
    .unwrap();
    let pool = v.pool().await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let cases = count("SELECT count(*) FROM cases").await;
    let cards = count("SELECT count(*) FROM cards").await;
    let ledger = count("SELECT count(*) FROM fund_ledger").await;
    let audit = count("SELECT count(*) FROM audit_log").await;
    drop(pool);
    v.lock().await;
    // Leave the session's keyring as we found it.
    let slots = ruam_core::slots::SlotFile::load(&VaultPaths::new(dir.path())).unwrap();
    keyring.delete(&slots.vault_id).unwrap();
    println!(
        "crash test: {rounds} SIGKILLs ({killed_writing} while writing), median kill after \
         {median:.1} ms; {} writes acknowledged ({} cases, {} cards, {} ledger rows), all found; \
         in the vault {cases} cases, {cards} cards, {ledger} ledger rows, {audit} audit entries \
         in an unbroken chain; integrity_check ok after every kill; {:.1} s in all",
        acked.len(),
        acked.cases.len(),
        acked.cards.len(),
        acked.ledger.len(),
        elapsed.as_secs_f64(),
    );
    assert_eq!(killed_writing, rounds);
    assert!(
        acked.len() >= rounds as usize,
        "the kills landed among writes: {} acknowledged in {rounds} rounds",
        acked.len()
    );
}
