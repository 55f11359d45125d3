//! A new laptop catching up: the lead's laptop holds 100,000 changes (cards on the team's
//! board, each with its outbox entry); it seals and pushes them through a relay on loopback,
//! and a second laptop of the team pulls, checks, decrypts and applies them, both on real
//! SQLCipher vaults. Run with the relay on SQLite and, when `RUAM_BENCH_POSTGRES=1` with
//! the `PG…` variables of a server, on PostgreSQL. Prints seconds and changes per second;
//! nothing is asserted about time (the goal is 10 s for the second laptop).
//! `RUAM_BENCH_SYNC_CHANGES` makes it smaller.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ruam_core::crypto::Argon2Params;
use ruam_core::keyring::MemoryKeyring;
use ruam_core::paths::VaultPaths;
use ruam_core::vault::{CreateVaultRequest, DeviceApproval};
use ruam_core::Vault;
use ruam_relay::limits::Rate;
use ruam_relay::store::{PgStore, RelayStore, SqliteStore};

const PASSPHRASE: &str = "river lantern mango bicycle";

async fn relay<S: RelayStore>(store: S) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = ruam_relay::Config {
        device_rate: Rate {
            per_sec: 1e9,
            burst: 1e9,
        },
        ..ruam_relay::Config::default()
    };
    tokio::spawn(async move {
        ruam_relay::serve(listener, store, config, std::future::pending())
            .await
            .unwrap();
    });
    url
}

fn vault(dir: &std::path::Path, keyring: &MemoryKeyring) -> Vault {
    Vault::new(VaultPaths::new(dir), Arc::new(keyring.clone()))
        .with_argon2(Argon2Params::FAST_FOR_TESTS)
}

struct Figures {
    store: &'static str,
    changes: u32,
    seal_push: Duration,
    pull_apply: Duration,
}

async fn run(store: &'static str, url: String, changes: usize) -> Figures {
    let a_dir = tempfile::tempdir().unwrap();
    let a_keys = MemoryKeyring::new();
    let a = vault(a_dir.path(), &a_keys);
    let request: CreateVaultRequest = serde_json::from_value(serde_json::json!({
        "teamName": "Mae Sai district MDT", "displayName": "Somsri", "signInName": "somsri",
        "passphrase": PASSPHRASE
    }))
    .unwrap();
    a.create(request).await.unwrap();
    let board = a.open_board(None).await.unwrap();
    let me = a.status().await.member.unwrap().id;
    // The lead's laptop fills up: cards on the team's board and their outbox entries.
    let pool = a.pool().await.unwrap();
    let column = &board.columns[0].id;
    let mut tx = pool.begin().await.unwrap();
    for n in 0..changes {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO cards (id, board_id, column_id, position, title, priority, review, created_by, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'normal', 'none', ?, '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')",
        )
        .bind(&id)
        .bind(&board.id)
        .bind(column)
        .bind(n as i64)
        .bind(format!("Visit household {n} in Ban Pa Sak"))
        .bind(&me)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO changes (id, entity, entity_id, op, fields, hlc, author, device, created_at)
             VALUES (?, 'card', ?, 'insert', '{}', ?, ?, 'bench', '2026-12-01T00:00:00.000Z')",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&id)
        .bind(format!("{:015}:{:05}:bench", 1_796_000_000_000i64 + n as i64, 0))
        .bind(&me)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    drop(pool);

    a.sync_start_team(url.clone()).await.unwrap();
    let started = Instant::now();
    let sent = a.sync_now().await.unwrap();
    let seal_push = started.elapsed();

    // The lead's new laptop: no vault; it joins with an invite and is approved.
    let b_dir = tempfile::tempdir().unwrap();
    let b = vault(b_dir.path(), &MemoryKeyring::new());
    let invite = a.sync_invite(me.clone()).await.unwrap();
    let started = b
        .join_team(
            serde_json::from_value(serde_json::json!({
                "relayUrl": url, "inviteCode": invite.code, "passphrase": "tamarind bicycle lantern orbit"
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let joining = started.status.joining.unwrap();
    let pending = a
        .sync_devices()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.status == "pending")
        .unwrap();
    a.sync_approve(DeviceApproval {
        device_id: pending.device_id,
        short_code: joining.short_code,
    })
    .await
    .unwrap();
    // Its first pull, a few pages a check, until it opens.
    let started = Instant::now();
    let mut checks = 0;
    while b.join_check().await.unwrap().state != ruam_core::VaultState::Unlocked {
        checks += 1;
        assert!(checks < 10_000, "the new laptop never finished joining");
    }
    let pull_apply = started.elapsed();
    let pool = b.pool().await.unwrap();
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM cards")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(held as usize, changes, "every card on the second laptop");
    Figures {
        store,
        changes: sent.sealed,
        seal_push,
        pull_apply,
    }
}

#[tokio::main]
async fn main() {
    let changes: usize = std::env::var("RUAM_BENCH_SYNC_CHANGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    println!("sync: {changes} changes from one laptop to a new one through a relay on loopback");
    let dir = tempfile::tempdir().unwrap();
    let mut results = vec![
        run(
            "SQLite",
            relay(
                SqliteStore::open(&dir.path().join("relay.db"))
                    .await
                    .unwrap(),
            )
            .await,
            changes,
        )
        .await,
    ];
    if std::env::var("RUAM_BENCH_POSTGRES").as_deref() == Ok("1") {
        use sqlx::ConnectOptions;
        let name = format!("sync_bench_{}", uuid::Uuid::now_v7().simple());
        let mut conn = sqlx::postgres::PgConnectOptions::new()
            .connect()
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let pg = PgStore::open_with(sqlx::postgres::PgConnectOptions::new().database(&name), 8)
            .await
            .unwrap();
        results.push(run("PostgreSQL", relay(pg).await, changes).await);
    } else {
        println!("(PostgreSQL skipped: RUAM_BENCH_POSTGRES is not set)");
    }
    println!("| relay store | changes | seal and push (lead's laptop) | pull and apply (new laptop) | applied per second |");
    println!("| --- | --- | --- | --- | --- |");
    for f in &results {
        println!(
            "| {} | {} | {:.1} s | {:.1} s | {:.0} |",
            f.store,
            f.changes,
            f.seal_push.as_secs_f64(),
            f.pull_apply.as_secs_f64(),
            f64::from(f.changes) / f.pull_apply.as_secs_f64()
        );
    }
}
