//! A fund's balances over a ledger of 1,000,000 rows, in the SQLCipher vault: the overview
//! as the vault answers it (`Vault::fund_overview`: totals, every line, every agency's
//! share of what was paid, month by month, read from the running totals) against the same
//! totals summed from the ledger with plain SQL on the same file; and a replay of the whole
//! ledger (`check_fund_books`), which the running totals spare every reader.
//! Prints medians, p95s and the ratio; nothing is asserted about time. `./x bench`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ruam_core::crypto::Argon2Params;
use ruam_core::keyring::MemoryKeyring;
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;

const ROWS: usize = 1_000_000;
const SAMPLES: usize = 200;
/// Each plain sum reads every row: a few are enough.
const PLAIN_SAMPLES: usize = 5;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn figures(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.95))
}

fn json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(VaultPaths::new(dir.path()), Arc::new(MemoryKeyring::new()))
        .with_argon2(Argon2Params::FAST_FOR_TESTS);
    vault
        .create(json(serde_json::json!({
            "teamName": "Bench MDT", "displayName": "Lead", "signInName": "lead",
            "passphrase": "river lantern mango bicycle",
        })))
        .await
        .unwrap();
    vault.acknowledge_recovery_key().await.unwrap();
    let mut agencies = Vec::new();
    for (i, kind) in ["police", "ngo", "health", "social_welfare", "education"]
        .into_iter()
        .enumerate()
    {
        let agency = vault
            .add_agency(json(
                serde_json::json!({ "name": format!("Agency {i}"), "kind": kind }),
            ))
            .await
            .unwrap();
        agencies.push(agency.id);
    }
    let lines: Vec<String> = (0..12).map(|i| format!("Budget line {i}")).collect();
    let fund = vault
        .create_fund(json(serde_json::json!({
            "name": "Bench fund", "startsOn": "2026-01-01", "endsOn": "2026-12-31",
            "secondApprovalAbove": "10,000", "lines": lines,
        })))
        .await
        .unwrap();
    let fund_id = fund.fund.id;

    let started = Instant::now();
    vault
        .fill_fund_ledger_for_bench(&fund_id, &agencies, ROWS)
        .await
        .unwrap();
    println!(
        "funds: wrote {ROWS} ledger rows with their running totals in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Warm the cache as a reader who has the fund open would.
    let overview = vault.fund_overview(&fund_id).await.unwrap();
    println!(
        "funds: balance {}, paid {}, {} lines, {} contributors, {} months",
        overview.totals.balance.text,
        overview.totals.paid.text,
        overview.lines.len(),
        overview.contributors.len(),
        overview.months.len()
    );

    let mut answered = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let start = Instant::now();
        let o = vault.fund_overview(&fund_id).await.unwrap();
        answered.push(start.elapsed());
        assert_eq!(o.totals.paid.minor, overview.totals.paid.minor);
    }

    // The same figures summed from the ledger: by line and kind, and by agency.
    let pool = vault.pool().await.unwrap();
    let mut summed = Vec::with_capacity(PLAIN_SAMPLES);
    let mut paid_by_sum = 0_i64;
    for _ in 0..PLAIN_SAMPLES {
        let start = Instant::now();
        let by_line: Vec<(Option<String>, String, i64)> = sqlx::query_as(
            "SELECT line_id, kind, sum(amount) FROM fund_ledger WHERE fund_id = ?
             GROUP BY line_id, kind",
        )
        .bind(&fund_id)
        .fetch_all(&pool)
        .await
        .unwrap();
        let by_agency: Vec<(Option<String>, bool, i64)> = sqlx::query_as(
            "SELECT agency_id, in_kind, sum(amount) FROM fund_ledger
             WHERE fund_id = ? AND kind = 'contribution' GROUP BY agency_id, in_kind",
        )
        .bind(&fund_id)
        .fetch_all(&pool)
        .await
        .unwrap();
        summed.push(start.elapsed());
        paid_by_sum = by_line
            .iter()
            .filter(|(_, kind, _)| kind == "payment")
            .map(|(_, _, amount)| amount)
            .sum();
        assert!(!by_agency.is_empty());
    }
    assert_eq!(paid_by_sum.to_string(), overview.totals.paid.minor);

    let start = Instant::now();
    let check = vault.check_fund_books(&fund_id).await.unwrap();
    let replay = start.elapsed();
    assert!(check.totals_match && check.months_match);

    let (answered_median, answered_p95) = figures(answered);
    let (summed_median, summed_p95) = figures(summed);
    println!(
        "funds: {ROWS} ledger rows, {SAMPLES} samples (plain sums: {})",
        PLAIN_SAMPLES
    );
    println!(
        "  fund_overview (running totals) median {:.2} ms, p95 {:.2} ms",
        ms(answered_median),
        ms(answered_p95)
    );
    println!(
        "  plain SQL sums over the ledger  median {:.2} ms, p95 {:.2} ms",
        ms(summed_median),
        ms(summed_p95)
    );
    println!(
        "  ratio sums / overview: {:.0}x",
        ms(summed_median) / ms(answered_median)
    );
    println!(
        "  check_fund_books (replay of every row): {:.0} ms, totals match: {}",
        ms(replay),
        check.totals_match
    );
}
