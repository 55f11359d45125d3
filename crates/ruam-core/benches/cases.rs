//! Case files at district scale: a seeded, repeatable vault of 100,000 cases and 1,000,000
//! notes in Thai and English, written once into the SQLCipher vault and once into a plain
//! SQLite file with the same schema. The same queries run on both (the core's own search,
//! case file and case list), and the table prints medians, p95s and the ratios
//! encrypted / plain. Nothing is asserted about time. `./x bench`;
//! `RUAM_BENCH_CASES=5000 ./x bench` for a quick look.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use ruam_core::access::{Actor, Permission, Permissions};
use ruam_core::cases::search_phrase;
use ruam_core::cases::store::{self, Viewer};
use ruam_core::crypto::SecretKey;
use ruam_core::team::Discipline;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

const SAMPLES: usize = 1_000;

#[path = "seed/mod.rs"]
mod seed;
use seed::{generate, id, Rng, ENGLISH_WORDS, GIVEN, NOTES_PER_CASE, THAI_WORDS};

async fn open_plain(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("cache_size", "-131072")
        .pragma("temp_store", "MEMORY");
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    ruam_core::db::MIGRATOR.run(&pool).await.unwrap();
    pool
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Figures {
    median: Duration,
    p95: Duration,
}

/// Time `f` on the encrypted vault and on the plain copy, sample by sample in turn (which
/// goes first alternates), so both see the same machine at the same moments.
async fn time_both<'a, F, Fut>(pools: [&'a SqlitePool; 2], mut f: F) -> [Figures; 2]
where
    F: FnMut(&'a SqlitePool, usize) -> Fut,
    Fut: std::future::Future<Output = ()> + 'a,
{
    // Warm the caches as a working session would be.
    for i in 0..10 {
        for pool in pools {
            f(pool, i).await;
        }
    }
    let mut samples = [Vec::with_capacity(SAMPLES), Vec::with_capacity(SAMPLES)];
    for i in 0..SAMPLES {
        let order = if i % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let start = Instant::now();
            f(pools[which], 10 + i).await;
            samples[which].push(start.elapsed());
        }
    }
    samples.map(|mut s| Figures {
        median: percentile(&mut s, 0.5),
        p95: percentile(&mut s, 0.95),
    })
}

struct Runs {
    search_lead: [Figures; 2],
    search_worker: [Figures; 2],
    open: [Figures; 2],
    list: [Figures; 2],
}

async fn measure(pools: [&SqlitePool; 2], cases: usize) -> Runs {
    let lead_rights: Permissions = Permission::ALL.into_iter().collect();
    let worker_rights: Permissions = [Permission::CreateCases].into();
    let lead_id = id(2, 0);
    let worker_id = id(2, 3);
    let lead = Viewer::of(Actor {
        member_id: &lead_id,
        permissions: &lead_rights,
        must_change_passphrase: false,
        discipline: Some(Discipline::SocialWork),
    });
    let worker = Viewer::of(Actor {
        member_id: &worker_id,
        permissions: &worker_rights,
        must_change_passphrase: false,
        discipline: Some(Discipline::SocialWork),
    });
    let words: Vec<(String, String)> = THAI_WORDS
        .iter()
        .chain(ENGLISH_WORDS)
        .chain(GIVEN)
        .filter(|w| w.chars().count() >= 3)
        .map(|w| (search_phrase(w).unwrap(), (*w).to_owned()))
        .collect();
    // Both files must answer the same.
    for (phrase, typed) in &words {
        for viewer in [&lead, &worker] {
            let e = store::search(pools[0], viewer, phrase, typed)
                .await
                .unwrap();
            let p = store::search(pools[1], viewer, phrase, typed)
                .await
                .unwrap();
            assert_eq!(e, p, "both files answer {typed} the same");
        }
    }
    let search_lead = time_both(pools, |pool, i| {
        let (lead, (phrase, typed)) = (&lead, words[i % words.len()].clone());
        async move {
            store::search(pool, lead, &phrase, &typed).await.unwrap();
        }
    })
    .await;
    let search_worker = time_both(pools, |pool, i| {
        let (worker, (phrase, typed)) = (&worker, words[(i * 7) % words.len()].clone());
        async move {
            store::search(pool, worker, &phrase, &typed).await.unwrap();
        }
    })
    .await;
    let mut rng = Rng(42);
    let picks: Vec<String> = (0..SAMPLES + 10).map(|_| id(3, rng.below(cases))).collect();
    let open = time_both(pools, |pool, i| {
        let (lead, case) = (&lead, picks[i].clone());
        async move {
            let sections = lead.sections(None);
            store::load(pool, lead, &case, sections).await.unwrap();
        }
    })
    .await;
    let list = time_both(pools, |pool, _| {
        let worker = &worker;
        async move {
            store::list(pool, worker, true, None).await.unwrap();
        }
    })
    .await;
    Runs {
        search_lead,
        search_worker,
        open,
        list,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cases: usize = std::env::var("RUAM_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // RUAM_BENCH_DIR keeps the generated files (synthetic data, and the vault's key
    // beside it) so that a second run measures without generating again.
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("RUAM_BENCH_DIR").map_or_else(|| temp.path().to_owned(), Into::into);
    std::fs::create_dir_all(&dir).unwrap();
    let done = dir.join(format!("generated-{cases}"));
    let reuse = done.exists();
    println!(
        "case files: {cases} cases, {} notes (Thai and English), seeded",
        cases * NOTES_PER_CASE
    );
    let key = if reuse {
        let hex = std::fs::read_to_string(dir.join("bench.key")).unwrap();
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        SecretKey::from_slice(&bytes).unwrap()
    } else {
        for name in ["bench.vault", "bench-plain.db"] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.join(format!("{name}{suffix}")));
            }
        }
        let key = SecretKey::random().unwrap();
        std::fs::write(dir.join("bench.key"), key.to_hex().as_bytes()).unwrap();
        key
    };
    let encrypted = ruam_core::db::open(&dir.join("bench.vault"), &key, true)
        .await
        .unwrap();
    let plain = open_plain(&dir.join("bench-plain.db")).await;
    if reuse {
        // Fold in what migrations wrote on opening, as a locked vault would have.
        for pool in [&encrypted, &plain] {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await
                .unwrap();
        }
        println!("  using the files generated before in {}", dir.display());
    } else {
        println!("SQLCipher vault:");
        generate(&encrypted, cases, true).await;
        println!("plain SQLite copy:");
        generate(&plain, cases, true).await;
        std::fs::write(&done, b"").unwrap();
    }
    let size = |name: &str| {
        std::fs::metadata(dir.join(name))
            .map(|m| m.len() as f64 / 1_048_576.0)
            .unwrap_or(0.0)
    };
    println!(
        "  files: vault {:.0} MiB, plain {:.0} MiB",
        size("bench.vault"),
        size("bench-plain.db")
    );

    let runs = measure([&encrypted, &plain], cases).await;
    println!(
        "\n{SAMPLES} samples each, encrypted and plain in turn, after 10 warm-up runs; ms (median / p95); ratio encrypted / plain"
    );
    println!(
        "{:<46} {:>17} {:>17} {:>13}",
        "query", "SQLCipher", "plain", "ratio"
    );
    let row = |name: &str, e: &Figures, p: &Figures| {
        println!(
            "{:<46} {:>7.2} / {:>7.2} {:>7.2} / {:>7.2} {:>5.2} / {:>5.2}",
            name,
            ms(e.median),
            ms(e.p95),
            ms(p.median),
            ms(p.p95),
            e.median.as_secs_f64() / p.median.as_secs_f64(),
            e.p95.as_secs_f64() / p.p95.as_secs_f64(),
        );
    };
    let row = |name: &str, [e, p]: &[Figures; 2]| row(name, e, p);
    row("search, lead (oversees every case)", &runs.search_lead);
    row("search, case worker (their cases)", &runs.search_worker);
    row("open a case (lead)", &runs.open);
    row("list a member's cases (first page of 100)", &runs.list);
    println!("goals: search p95 <= 25 ms and within 1.2x of plain; opening a case within 1.3x");
}
