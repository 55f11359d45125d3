//! A case's board with 5,000 cards, in the SQLCipher vault: the board as the core opens it
//! (`boards::store::load_board`: the first 50 cards of each column with need to know,
//! assignees and the card fields the board shows, and each column's count) against
//! listing the same rows, and all 5,000, with one plain SQL query on the same file; and a
//! page deep in a column, as the reader scrolls (`column_cards`).
//! Prints medians, p95s and the ratio; nothing is asserted about time. `./x bench`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::time::{Duration, Instant};

use ruam_core::access::{Actor, Permission, Permissions};
use ruam_core::boards::store;
use ruam_core::boards::NewCard;
use ruam_core::cases::store::Viewer;
use ruam_core::crypto::SecretKey;
use ruam_core::outbox::Outbox;
use ruam_core::team::Discipline;

const CARDS: usize = 5_000;

/// A card as the plain query lists it: id, column, position, title, case, due date,
/// priority, reviewer, review.
type PlainRow = (
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
);
const SAMPLES: usize = 200;

fn id(kind: u8, n: usize) -> String {
    format!("{kind:02x}000000-0000-7000-8000-{n:012}")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn figures(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.95))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let pool = ruam_core::db::open(
        &dir.path().join("bench.vault"),
        &SecretKey::random().unwrap(),
        true,
    )
    .await
    .unwrap();
    let now = "2026-11-28T00:00:00.000Z";
    let (lead, worker, case) = (id(2, 0), id(2, 1), id(3, 0));
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO team (id, name, recovery_acknowledged, created_at, updated_at) VALUES (?, 'Bench MDT', 1, ?, ?)")
        .bind(id(1, 0)).bind(now).bind(now).execute(&mut *tx).await.unwrap();
    for (member, role) in [(&lead, "team_lead"), (&worker, "case_worker")] {
        sqlx::query("INSERT INTO members (id, display_name, sign_in_name, role, discipline, created_at, updated_at) VALUES (?, ?, ?, ?, 'social_work', ?, ?)")
            .bind(member).bind(format!("Member {member}")).bind(member).bind(role).bind(now).bind(now)
            .execute(&mut *tx).await.unwrap();
    }
    sqlx::query("INSERT INTO cases (id, status, risk, level, created_by, created_at, updated_at) VALUES (?, 'in_progress', 'high', 'district', ?, ?, ?)")
        .bind(&case).bind(&lead).bind(now).bind(now).execute(&mut *tx).await.unwrap();
    sqlx::query("INSERT INTO case_members (case_id, member_id, responsibility, added_by, added_at) VALUES (?, ?, 'lead', ?, ?)")
        .bind(&case).bind(&worker).bind(&lead).bind(now).execute(&mut *tx).await.unwrap();
    let outbox = Outbox::new("bench-device".into());
    let board = store::ensure_board(&mut tx, &outbox, &lead, Some(&case))
        .await
        .unwrap();
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT id FROM board_columns WHERE board_id = ? ORDER BY position")
            .bind(&board)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    let started = Instant::now();
    for n in 0..CARDS {
        let card = NewCard {
            case_id: Some(case.clone()),
            column_id: None,
            title: format!("งาน {n}: เยี่ยมบ้านและติดตามผล / home visit and follow-up"),
            description: Some("Bring the consent form; the family speaks Akha.".into()),
            assignee_ids: vec![worker.clone()],
            agency_id: None,
            starts_on: None,
            due_on: Some(format!("2026-12-{:02}", 1 + n % 28)),
            priority: Some(["low", "normal", "high", "urgent"][n % 4].into()),
            reviewer_id: (n % 3 == 0).then(|| lead.clone()),
            labels: vec!["visit".into()],
            checklist: vec!["Call the family".into(), "Write the note".into()],
        }
        .check()
        .unwrap();
        store::insert_card(
            &mut tx,
            &outbox,
            &lead,
            &board,
            &columns[n % 4],
            Some(&case),
            &card,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    println!(
        "task board: {CARDS} cards on one case's board, in the SQLCipher vault (made in {:.1} s)",
        started.elapsed().as_secs_f64()
    );

    let lead_rights: Permissions = Permission::ALL.into_iter().collect();
    let worker_rights: Permissions = [Permission::CreateCases].into();
    let viewers = [
        (
            "team lead",
            Viewer::of(Actor {
                member_id: &lead,
                permissions: &lead_rights,
                must_change_passphrase: false,
                discipline: Some(Discipline::SocialWork),
            }),
        ),
        (
            "case worker on the case",
            Viewer::of(Actor {
                member_id: &worker,
                permissions: &worker_rights,
                must_change_passphrase: false,
                discipline: Some(Discipline::SocialWork),
            }),
        ),
    ];
    let all_sql =
        "SELECT id, column_id, position, title, case_id, due_on, priority, reviewer_id, review
                   FROM cards WHERE board_id = ?1 AND deleted_at IS NULL AND ?2 > 0
                   ORDER BY column_id, position";
    let page_sql = "SELECT id, column_id, position, title, case_id, due_on, priority, reviewer_id, review
                    FROM (SELECT *, row_number() OVER (PARTITION BY column_id ORDER BY position) AS r
                          FROM cards WHERE board_id = ? AND deleted_at IS NULL)
                    WHERE r <= ? ORDER BY column_id, position";
    let plain = |sql: &'static str, expected: usize| {
        let (pool, board) = (&pool, &board);
        async move {
            let mut samples = Vec::with_capacity(SAMPLES);
            for i in 0..SAMPLES + 10 {
                let t = Instant::now();
                let rows: Vec<PlainRow> = sqlx::query_as(sql)
                    .bind(board)
                    .bind(store::COLUMN_PAGE)
                    .fetch_all(pool)
                    .await
                    .unwrap();
                assert_eq!(rows.len(), expected);
                if i >= 10 {
                    samples.push(t.elapsed());
                }
            }
            figures(samples)
        }
    };
    let first_rows = usize::try_from(store::COLUMN_PAGE).unwrap() * 4;
    let (all_median, all_p95) = plain(all_sql, CARDS).await;
    let (page_median, page_p95) = plain(page_sql, first_rows).await;
    println!("\n{SAMPLES} samples each after 10 warm-up runs; ms (median / p95)");
    let line = |what: &str, median: Duration, p95: Duration, base: Option<(Duration, Duration)>| {
        let ratio = base.map_or(String::new(), |(m, p)| {
            format!(
                "   ratio to plain {:.2} / {:.2}",
                median.as_secs_f64() / m.as_secs_f64(),
                p95.as_secs_f64() / p.as_secs_f64()
            )
        });
        println!("{what:<60} {:>7.2} / {:>7.2}{ratio}", ms(median), ms(p95));
    };
    line(
        "plain SQL: all 5,000 rows, one query",
        all_median,
        all_p95,
        None,
    );
    line(
        "plain SQL: the first 50 rows of each column (200)",
        page_median,
        page_p95,
        None,
    );
    for (who, viewer) in &viewers {
        let mut open = Vec::with_capacity(SAMPLES);
        let mut deep = Vec::with_capacity(SAMPLES);
        let column = &columns[0];
        for i in 0..SAMPLES + 10 {
            let t = Instant::now();
            let loaded = store::load_board(&pool, viewer, &board).await.unwrap();
            let elapsed = t.elapsed();
            assert_eq!(
                loaded.columns.iter().map(|c| c.total).sum::<i64>(),
                i64::try_from(CARDS).unwrap()
            );
            assert_eq!(
                loaded.columns.iter().map(|c| c.cards.len()).sum::<usize>(),
                first_rows
            );
            let t = Instant::now();
            let page = store::column_cards(&pool, viewer, &board, column, 1_200)
                .await
                .unwrap();
            let deep_elapsed = t.elapsed();
            assert_eq!(page.len(), CARDS / 4 - 1_200);
            if i >= 10 {
                open.push(elapsed);
                deep.push(deep_elapsed);
            }
        }
        let (median, p95) = figures(open);
        line(
            &format!("load_board (first 50 of each column + totals), {who}"),
            median,
            p95,
            Some((page_median, page_p95)),
        );
        let (median, p95) = figures(deep);
        line(
            &format!("column_cards: the column's last page (from 1,200), {who}"),
            median,
            p95,
            None,
        );
    }
    println!("goal: load <= 50 ms");
}
