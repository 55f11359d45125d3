//! The relay under load: 50 simulated devices of one team push 10,000 envelopes each
//! (100 a request, about 300 bytes of ciphertext each, every one signed and checked), all
//! at once, over loopback; then one new device pulls all 500,000. Run on the SQLite store
//! and, when `RUAM_BENCH_POSTGRES=1` with the `PG…` variables of a server (`./x bench`
//! starts a throwaway cluster), on PostgreSQL. Prints envelopes per second, p50 and p95 of
//! a push, and the ratio; nothing is asserted. `RUAM_BENCH_DEVICES`, `RUAM_BENCH_CHANGES`
//! make it smaller.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::time::{Duration, Instant};

use ruam_relay::limits::Rate;
use ruam_relay::store::{PgStore, RelayStore, SqliteStore};
use ruam_relay::Config;
use ruam_wire::api::{self, Grant, SetScope};
use ruam_wire::client::{now_ms, RelayClient};
use ruam_wire::envelope::{Envelope, EnvelopeHeader};
use ruam_wire::{ExchangeKey, SigningKey};
use sqlx::postgres::PgConnectOptions;
use sqlx::ConnectOptions;
use uuid::Uuid;

const PER_REQUEST: usize = 100;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Figures {
    store: &'static str,
    per_sec: f64,
    p50: Duration,
    p95: Duration,
    total: Duration,
    pull: Duration,
}

async fn serve<S: RelayStore>(store: S) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        // The load is the point: no device is held back.
        device_rate: Rate {
            per_sec: 1e9,
            burst: 1e9,
        },
        // All 50 enrol from one address.
        address_rate: Rate {
            per_sec: 1e9,
            burst: 1e9,
        },
        ..Config::default()
    };
    tokio::spawn(async move {
        ruam_relay::serve(listener, store, config, std::future::pending())
            .await
            .unwrap();
    });
    url
}

struct Device {
    id: Uuid,
    key: SigningKey,
    client: RelayClient,
}

fn device(url: &str) -> Device {
    let id = Uuid::now_v7();
    let key = SigningKey::generate().unwrap();
    Device {
        id,
        client: RelayClient::new(url, id, key.clone()).unwrap(),
        key,
    }
}

fn keys(d: &Device) -> api::DeviceKeys {
    api::DeviceKeys {
        device_id: d.id,
        sign_key: d.key.public_key(),
        exchange_key: ExchangeKey(SigningKey::generate().unwrap().public_key().0),
    }
}

async fn run(store_name: &'static str, url: String, devices: usize, changes: usize) -> Figures {
    let team = Uuid::now_v7();
    let lead = device(&url);
    lead.client
        .create_team(&api::CreateTeam {
            team_id: team,
            device: keys(&lead),
        })
        .await
        .unwrap();
    let mut all = vec![];
    for _ in 0..devices {
        let d = device(&url);
        let invite_key = SigningKey::generate().unwrap();
        let invite_id = hex::encode(&SigningKey::generate().unwrap().seed()[..5]);
        lead.client
            .new_invite(
                team,
                &api::NewInvite {
                    invite_id: invite_id.clone(),
                    invite_key: invite_key.public_key(),
                    expires_ms: now_ms() + 60_000,
                    welcome: None,
                },
            )
            .await
            .unwrap();
        let k = keys(&d);
        d.client
            .enrol(&api::Enrol {
                invite_signature: invite_key.sign(&api::enrol_message(&invite_id, &k)),
                invite_id,
                device: k,
            })
            .await
            .unwrap();
        lead.client.approve(team, d.id, false).await.unwrap();
        all.push(d);
    }
    let scope = Uuid::now_v7();
    let mut grants = vec![Grant {
        device_id: lead.id,
        manage: true,
    }];
    grants.extend(all.iter().map(|d| Grant {
        device_id: d.id,
        manage: false,
    }));
    lead.client
        .set_scope(team, scope, &SetScope { epoch: 1, grants })
        .await
        .unwrap();

    // Seal everything first: the figure is the relay's, not the signing laptops'.
    let batches: Vec<Vec<Vec<Envelope>>> = all
        .iter()
        .map(|d| {
            (0..changes / PER_REQUEST)
                .map(|_| {
                    (0..PER_REQUEST)
                        .map(|_| {
                            Envelope::sign(
                                EnvelopeHeader {
                                    team_id: team,
                                    scope_id: scope,
                                    epoch: 1,
                                    envelope_id: Uuid::now_v7(),
                                    device_id: d.id,
                                    created_ms: now_ms(),
                                    nonce: [7; 12],
                                },
                                vec![0x5a; 300],
                                &d.key,
                            )
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (d, batches) in all.iter().zip(batches) {
        let client = d.client.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(batches.len());
            for batch in batches {
                let at = Instant::now();
                client.push(team, &batch).await.unwrap();
                latencies.push(at.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let total = started.elapsed();
    latencies.sort();
    let at = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    let pushed = devices * (changes / PER_REQUEST) * PER_REQUEST;

    // A new laptop of the team pulls everything.
    let started = Instant::now();
    let mut after = 0;
    let mut pulled = 0;
    loop {
        let page = lead
            .client
            .pull(team, after, api::MAX_PULL_LIMIT, None)
            .await
            .unwrap();
        pulled += page.envelopes.len();
        after = page.next;
        if !page.more {
            break;
        }
    }
    let pull = started.elapsed();
    assert_eq!(pulled, pushed, "every envelope pulled once");
    Figures {
        store: store_name,
        per_sec: pushed as f64 / total.as_secs_f64(),
        p50: at(0.5),
        p95: at(0.95),
        total,
        pull,
    }
}

#[tokio::main]
async fn main() {
    let devices = env("RUAM_BENCH_DEVICES", 50);
    let changes = env("RUAM_BENCH_CHANGES", 10_000);
    println!(
        "relay: {devices} devices push {changes} envelopes each, {PER_REQUEST} a request, at once"
    );
    let mut results = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(&dir.path().join("relay.db"))
        .await
        .unwrap();
    results.push(run("SQLite", serve(sqlite).await, devices, changes).await);
    if std::env::var("RUAM_BENCH_POSTGRES").as_deref() == Ok("1") {
        let name = format!("relay_bench_{}", Uuid::now_v7().simple());
        let mut conn = PgConnectOptions::new().connect().await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let pg = PgStore::open_with(PgConnectOptions::new().database(&name), 16)
            .await
            .unwrap();
        results.push(run("PostgreSQL", serve(pg).await, devices, changes).await);
    } else {
        println!("(PostgreSQL skipped: RUAM_BENCH_POSTGRES is not set)");
    }
    println!(
        "| store | envelopes/s | push p50 | push p95 | all pushed in | one laptop pulls all in |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for f in &results {
        println!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {:.1} s | {:.1} s |",
            f.store,
            f.per_sec,
            f.p50.as_secs_f64() * 1000.0,
            f.p95.as_secs_f64() * 1000.0,
            f.total.as_secs_f64(),
            f.pull.as_secs_f64()
        );
    }
    if let [a, b] = &results[..] {
        println!(
            "PostgreSQL / SQLite: {:.2}× the envelopes per second, {:.2}× the p95",
            b.per_sec / a.per_sec,
            b.p95.as_secs_f64() / a.p95.as_secs_f64()
        );
    }
}
