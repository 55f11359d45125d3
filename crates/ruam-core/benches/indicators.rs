//! The committee's dashboard over a district's vault: 100,000 cases (seeded as `cases.rs`
//! seeds them, with their notes), spread over three years, 200 villages in 10 districts,
//! 40% of the cases closed with an outcome, 33,000 referrals, 10,000 documentation steps,
//! 600 volunteers and a fund with 7,000 ledger rows. Times `Vault::indicators` (the
//! command the screen calls) for a year, for three years, for one district and for one
//! village, as a lead and as a case worker (whose small counts are hidden). The goal: at
//! most 200 ms. Prints figures and ratios; nothing is asserted about time. `./x bench`;
//! `RUAM_BENCH_CASES=5000` for a quick look.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

#[path = "seed/mod.rs"]
mod seed;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ruam_core::crypto::Argon2Params;
use ruam_core::indicators::IndicatorQuery;
use ruam_core::keyring::MemoryKeyring;
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;

const RUNS: usize = 15;
const GOAL_MS: f64 = 200.0;
const PASSPHRASE: &str = "river lantern mango bicycle";

/// What the seed leaves out: places, outcomes, referrals, documentation, the community and
/// a fund; all derived from each row's number, the same on every run.
const EXTRAS: &str = "
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199)
INSERT INTO villages (id, name_th, name_en, moo, subdistrict, district, province, created_by, created_at, updated_at)
SELECT 'v' || i, 'บ้านที่ ' || i, 'Ban ' || i, 1 + i % 20, 'ตำบล ' || (i / 5), 'อำเภอ ' || (i / 20), 'เชียงราย',
       (SELECT id FROM members ORDER BY created_at LIMIT 1), '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'
FROM n;

UPDATE case_people SET village = CASE WHEN rowid % 2 = 0 THEN 'Ban ' || (rowid % 200) ELSE 'บ้านที่ ' || (rowid % 200) END,
       sex = CASE rowid % 7 WHEN 0 THEN 'male' WHEN 1 THEN 'male' WHEN 2 THEN 'male' WHEN 3 THEN 'unknown' ELSE 'female' END
WHERE party = 'subject';

UPDATE cases SET created_at = strftime('%Y-%m-%dT08:00:00.000Z', '2024-01-01', '+' || (rowid * 7919 % 1060) || ' days');
UPDATE cases SET status = 'closed',
       outcome = CASE rowid % 5 WHEN 0 THEN 'resolved_district' WHEN 1 THEN 'referred_province'
                  WHEN 2 THEN 'referred_agency' WHEN 3 THEN 'transferred' ELSE 'no_further_action' END,
       closed_at = strftime('%Y-%m-%dT08:00:00.000Z', created_at, '+' || (10 + rowid % 170) || ' days'),
       closed_by = created_by
WHERE rowid % 5 < 2;

INSERT INTO agencies (id, name, kind, created_at, updated_at) VALUES
  ('ag1', 'Mae Sai police', 'police', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'),
  ('ag2', 'Mae Sai hospital', 'health', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'),
  ('ag3', 'Friends of Children', 'ngo', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');

INSERT INTO case_referrals (id, case_id, from_level, to_level, to_agency_id, reason, referred_on, status, created_by, created_at, updated_at)
SELECT 'r' || rowid, id, 'village', 'district', CASE rowid % 4 WHEN 3 THEN NULL ELSE 'ag' || (1 + rowid % 3) END,
       'referral', substr(created_at, 1, 10),
       CASE rowid % 4 WHEN 0 THEN 'sent' WHEN 1 THEN 'accepted' WHEN 2 THEN 'declined' ELSE 'done' END,
       created_by, created_at, created_at
FROM cases WHERE rowid % 3 = 0;

INSERT INTO documentation_steps (id, case_id, kind, status, happened_on, created_by, created_at, updated_at)
SELECT 'd' || rowid, id,
       CASE rowid % 5 WHEN 0 THEN 'birth_registration' WHEN 1 THEN 'dna_test' WHEN 2 THEN 'registrar_application'
                      WHEN 3 THEN 'hearing' ELSE 'decision' END,
       CASE WHEN rowid % 2 = 0 THEN 'done' ELSE 'in_progress' END, substr(created_at, 1, 10),
       created_by, created_at, created_at
FROM cases WHERE rowid % 10 = 0;

WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 599)
INSERT INTO volunteers (id, name, village_id, active, created_by, created_at, updated_at)
SELECT 'vol' || i, 'อาสา ' || i, 'v' || (i % 200), i % 6 <> 0,
       (SELECT id FROM members ORDER BY created_at LIMIT 1), '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'
FROM n;
INSERT INTO volunteer_trainings (volunteer_id, title, held_on)
SELECT id, 'Child protection', strftime('%Y-%m-%d', '2024-02-01', '+' || (rowid * 37 % 1000) || ' days')
FROM volunteers WHERE rowid % 3 <> 0;

INSERT INTO funds (id, name, currency, starts_on, ends_on, second_approval_above, created_by, created_at, updated_at)
VALUES ('f1', 'District pooled fund', 'THB', '2024-01-01', '2026-12-31', 1000000,
        (SELECT id FROM members ORDER BY created_at LIMIT 1), '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');
INSERT INTO fund_lines (id, fund_id, name, position, created_by, created_at) VALUES
  ('l1', 'f1', 'Emergency shelter', 1, (SELECT id FROM members ORDER BY created_at LIMIT 1), '2024-01-01T00:00:00.000Z'),
  ('l2', 'f1', 'Travel', 2, (SELECT id FROM members ORDER BY created_at LIMIT 1), '2024-01-01T00:00:00.000Z');
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 6999)
INSERT INTO fund_ledger (id, fund_id, kind, amount, agency_id, in_kind, line_id, on_date, recorded_by, recorded_at)
SELECT 'e' || i, 'f1', CASE WHEN i < 2000 THEN 'contribution' ELSE 'payment' END, 1000 + i,
       CASE WHEN i < 2000 THEN 'ag' || (1 + i % 3) END, 0,
       CASE WHEN i < 2000 THEN NULL ELSE 'l' || (1 + i % 2) END,
       strftime('%Y-%m-%d', '2024-01-01', '+' || (i * 13 % 1060) || ' days'),
       (SELECT id FROM members ORDER BY created_at LIMIT 1), '2024-01-01T00:00:00.000Z'
FROM n;
";

fn query(from: &str, to: &str, district: Option<&str>, village: Option<&str>) -> IndicatorQuery {
    IndicatorQuery {
        from: from.into(),
        to: to.into(),
        district: district.map(str::to_owned),
        village_id: village.map(str::to_owned),
    }
}

async fn time(vault: &Vault, q: &IndicatorQuery) -> (Duration, Duration, u32) {
    let first = vault.indicators(q.clone()).await.unwrap();
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        vault.indicators(q.clone()).await.unwrap();
        samples.push(started.elapsed());
    }
    samples.sort();
    (
        samples[RUNS / 2],
        samples[RUNS - 1],
        first.children.assisted.value.unwrap_or(0),
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let cases: usize = std::env::var("RUAM_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let root = tempfile::tempdir().unwrap();
    let keyring = MemoryKeyring::new();
    let vault = Vault::new(VaultPaths::new(root.path()), Arc::new(keyring.clone()))
        .with_argon2(Argon2Params::FAST_FOR_TESTS);
    vault
        .create(
            serde_json::from_value(serde_json::json!({
                "teamName": "Bench MDT", "displayName": "Somsri", "signInName": "somsri",
                "passphrase": PASSPHRASE,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    vault.acknowledge_recovery_key().await.unwrap();
    let pool = vault.pool().await.unwrap();
    seed::generate(&pool, cases, false).await;
    let started = Instant::now();
    sqlx::raw_sql(EXTRAS).execute(&pool).await.unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    drop(pool);
    println!(
        "indicators: {cases} cases with their places, outcomes, referrals and documentation (extras in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let runs = [
        (
            "a year, every village",
            query("2026-01-01", "2026-12-31", None, None),
        ),
        (
            "three years, every village",
            query("2024-01-01", "2026-12-31", None, None),
        ),
        (
            "a year, one district",
            query("2026-01-01", "2026-12-31", Some("อำเภอ 3"), None),
        ),
        (
            "a year, one village",
            query("2026-01-01", "2026-12-31", None, Some("v42")),
        ),
        (
            "a quarter, every village",
            query("2026-07-01", "2026-09-30", None, None),
        ),
    ];
    println!("  as a lead (every count):");
    println!(
        "  {:<30} {:>10} {:>10} {:>9} {:>9}",
        "", "median", "slowest", "children", "vs goal"
    );
    for (name, q) in &runs {
        let (median, slowest, children) = time(&vault, q).await;
        let ms = median.as_secs_f64() * 1000.0;
        println!(
            "  {name:<30} {ms:>8.1}ms {:>8.1}ms {children:>9} {:>8.2}x",
            slowest.as_secs_f64() * 1000.0,
            ms / GOAL_MS
        );
    }
    // A case worker (small counts hidden): the same queries, and the hiding.
    vault
        .add_member(
            serde_json::from_value(serde_json::json!({
                "displayName": "Dao", "signInName": "dao", "role": "case_worker",
                "discipline": "social_work", "firstPassphrase": "harbour violet cement glider",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    vault.lock().await;
    vault
        .unlock(
            serde_json::from_value(serde_json::json!({
                "signInName": "dao", "passphrase": "harbour violet cement glider",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    vault
        .change_passphrase(
            serde_json::from_value(serde_json::json!({
                "current": "harbour violet cement glider", "new": "tamarind bicycle lantern orbit",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    println!("  as a case worker (small counts hidden):");
    for (name, q) in &runs[..1] {
        let (median, slowest, _) = time(&vault, q).await;
        let ms = median.as_secs_f64() * 1000.0;
        println!(
            "  {name:<30} {ms:>8.1}ms {:>8.1}ms {:>9} {:>8.2}x",
            slowest.as_secs_f64() * 1000.0,
            "",
            ms / GOAL_MS
        );
    }
}
