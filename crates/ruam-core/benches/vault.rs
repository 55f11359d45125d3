//! What unlocking costs: the key stretching against everything else an unlock does.
//! Prints a table and ratios; asserts nothing about time. `./x bench`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ruam_core::crypto::{self, Argon2Params, SecretKey};
use ruam_core::keyring::MemoryKeyring;
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;

const PASSPHRASE: &str = "river lantern mango bicycle";
const ROUNDS: u32 = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn time_async<F, Fut>(mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        f().await;
        samples.push(start.elapsed());
    }
    median(samples)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(Vault::new(
        VaultPaths::new(dir.path()),
        Arc::new(MemoryKeyring::new()),
    ));
    let request = serde_json::from_value(serde_json::json!({
        "teamName": "Bench team", "displayName": "Bench", "signInName": "bench", "passphrase": PASSPHRASE
    }))
    .unwrap();
    vault.create(request).await.unwrap();
    vault.lock().await;

    let argon = time_async(|| async {
        crypto::argon2id(PASSPHRASE, b"0123456789abcdef", Argon2Params::STANDARD).unwrap();
    })
    .await;
    let unlock = time_async(|| {
        let vault = vault.clone();
        async move {
            let request = serde_json::from_value(
                serde_json::json!({ "signInName": "bench", "passphrase": PASSPHRASE }),
            )
            .unwrap();
            vault.unlock(request).await.unwrap();
            vault.lock().await;
        }
    })
    .await;
    let key = SecretKey::random().unwrap();
    let raw_open = time_async(|| {
        let path = dir.path().join("bench-raw.db");
        let key = key.clone();
        async move {
            let pool = ruam_core::db::open(&path, &key, true).await.unwrap();
            pool.close().await;
        }
    })
    .await;

    // A shared district laptop: twelve members, each with a slot. The sign-in name's tag
    // picks one slot, so signing in should cost what it costs with one member.
    const MEMBERS: usize = 12;
    let lead_request = || {
        serde_json::from_value(
            serde_json::json!({ "signInName": "bench", "passphrase": PASSPHRASE }),
        )
        .unwrap()
    };
    vault.unlock(lead_request()).await.unwrap();
    for n in 1..MEMBERS {
        let member = serde_json::from_value(serde_json::json!({
            "displayName": format!("Member {n}"), "signInName": format!("member{n}"),
            "role": "viewer", "discipline": "social_work", "agencyId": null,
            "phone": null, "email": null, "firstPassphrase": "harbour violet cement glider",
        }))
        .unwrap();
        vault.add_member(member).await.unwrap();
    }
    vault.lock().await;
    let unlock_many = time_async(|| {
        let vault = vault.clone();
        async move {
            vault.unlock(lead_request()).await.unwrap();
            vault.lock().await;
        }
    })
    .await;

    println!("vault unlock, median of {ROUNDS} (release build)");
    println!("{:<44} {:>10}", "step", "ms");
    println!(
        "{:<44} {:>10.1}",
        "Argon2id m=64 MiB t=3 p=1 (one derivation)",
        ms(argon)
    );
    println!(
        "{:<44} {:>10.1}",
        "open SQLCipher pool with raw key + migrate",
        ms(raw_open)
    );
    println!(
        "{:<44} {:>10.1}",
        "unlock + lock (slot file, KDF, pool, load)",
        ms(unlock)
    );
    println!(
        "{:<44} {:>10.1}",
        format!("unlock + lock with {MEMBERS} members' slots"),
        ms(unlock_many)
    );
    println!(
        "ratio unlock / Argon2id = {:.2} (the rest of unlock costs {:.1} ms)",
        unlock.as_secs_f64() / argon.as_secs_f64(),
        ms(unlock.saturating_sub(argon))
    );
    println!(
        "ratio unlock with {MEMBERS} members / with 1 = {:.2} (trying every slot would be about {MEMBERS}x)",
        unlock_many.as_secs_f64() / unlock.as_secs_f64()
    );
}
