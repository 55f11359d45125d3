//! Backup and restore of a district's vault (100,000 cases, 1,000,000 notes, made by
//! `Vault::create` and seeded as `cases.rs` seeds), through the vault's own commands,
//! against a plain copy of the same database file in the same run (synced to disk like
//! the backup). The goal: backup and restore each at least half the copy's speed. The
//! restore is timed whole (unpack, the checks: integrity, every page's HMAC, the audit
//! chain, every table's count; then the switch) and its unpacking alone. Prints figures
//! and ratios; nothing is asserted about time. `./x bench`; `RUAM_BENCH_CASES=5000` for a
//! quick look.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

#[path = "seed/mod.rs"]
mod seed;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ruam_core::backup::{BackupPhase, BackupProgress, Progress};
use ruam_core::crypto::Argon2Params;
use ruam_core::keyring::MemoryKeyring;
use ruam_core::paths::VaultPaths;
use ruam_core::vault::{BackupSecret, RestoreRequest};
use ruam_core::Vault;

const RUNS: usize = 3;
const GOAL: f64 = 0.5;

fn vault_in(dir: &Path) -> Vault {
    Vault::new(VaultPaths::new(dir), Arc::new(MemoryKeyring::new()))
        .with_argon2(Argon2Params::FAST_FOR_TESTS)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn mb_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1_048_576.0 / d.as_secs_f64()
}

fn copy_synced(from: &Path, to: &Path) -> Duration {
    let started = Instant::now();
    std::fs::copy(from, to).unwrap();
    std::fs::File::open(to).unwrap().sync_all().unwrap();
    started.elapsed()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let cases: usize = std::env::var("RUAM_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("vault");
    let vault = vault_in(&data);
    let created = vault
        .create(
            serde_json::from_value(serde_json::json!({
                "teamName": "Bench MDT", "displayName": "Somsri", "signInName": "somsri",
                "passphrase": "river lantern mango bicycle",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    vault.acknowledge_recovery_key().await.unwrap();
    let recovery = created.recovery_key.expose().to_owned();
    println!(
        "backup and restore: {cases} cases, {} notes, seeded",
        cases * seed::NOTES_PER_CASE
    );
    let pool = vault.pool().await.unwrap();
    seed::generate(&pool, cases, false).await;
    drop(pool);
    let database = VaultPaths::new(&data).database();
    let bytes = std::fs::metadata(&database).unwrap().len();
    println!("  the database: {:.0} MiB", bytes as f64 / 1_048_576.0);

    let folder = root.path().join("backups");
    std::fs::create_dir_all(&folder).unwrap();
    let mut copies = Vec::new();
    let mut backups = Vec::new();
    let mut last = None;
    for run in 0..RUNS {
        let copy = root.path().join(format!("copy-{run}.vault"));
        copies.push(copy_synced(&database, &copy));
        std::fs::remove_file(&copy).unwrap();
        let quiet: Progress = Arc::new(|_: BackupProgress| {});
        let started = Instant::now();
        let file = vault.back_up(Some(&folder), quiet).await.unwrap();
        backups.push(started.elapsed());
        last = Some(file);
    }
    let file = last.unwrap();
    let copy = median(copies);
    let backup = median(backups);

    let mut restores = Vec::new();
    let mut unpacks = Vec::new();
    for run in 0..RUNS {
        let other = vault_in(&root.path().join(format!("restored-{run}")));
        let checking = Arc::new(Mutex::new(None::<Instant>));
        let progress: Progress = {
            let checking = checking.clone();
            Arc::new(move |p: BackupProgress| {
                if p.phase == BackupPhase::Checking {
                    checking.lock().unwrap().get_or_insert_with(Instant::now);
                }
            })
        };
        let started = Instant::now();
        other
            .restore(
                RestoreRequest {
                    file: file.path.clone(),
                    secret: BackupSecret::RecoveryKey(recovery.as_str().into()),
                },
                progress,
            )
            .await
            .unwrap();
        restores.push(started.elapsed());
        unpacks.push(checking.lock().unwrap().unwrap() - started);
    }
    let restore = median(restores);
    let unpack = median(unpacks);

    println!(
        "\nmedian of {RUNS} runs; speed in MiB/s of the database's bytes; ratio = speed / copy's"
    );
    println!("{:<44} {:>9} {:>9} {:>7}", "", "time", "MiB/s", "ratio");
    let row = |name: &str, d: Duration| {
        let ratio = copy.as_secs_f64() / d.as_secs_f64();
        println!(
            "{name:<44} {:>7.0}ms {:>9.0} {:>6.2}x {}",
            d.as_secs_f64() * 1000.0,
            mb_s(bytes, d),
            ratio,
            if ratio >= GOAL {
                "ok"
            } else {
                "below the goal"
            }
        );
    };
    row("plain copy of the database file (synced)", copy);
    row("backup (snapshot, counts, sealed, synced)", backup);
    row("restore: unpack (opened, unsealed, synced)", unpack);
    row("restore whole (unpack, checks, switch)", restore);
    println!(
        "  backup file {:.0} MiB for a {:.0} MiB database; goal: backup and restore >= {GOAL}x copy",
        file.bytes as f64 / 1_048_576.0,
        bytes as f64 / 1_048_576.0
    );
}
