//! Writes a frozen test vault (database, slot file and the secrets that open it) into
//! `tests/fixtures/frozen-v1/`. Run once per vault format, commit the result, and never
//! regenerate an existing one: the test that opens it guards users' data.
//!
//! `cargo run -p ruam-core --example make_frozen_vector --features test-support -- <dir>`
#![allow(clippy::print_stdout)]

use std::sync::Arc;

use anyhow_free::Result;
use ruam_core::keyring::{DeviceSecretStore, MemoryKeyring};
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;

mod anyhow_free {
    pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;
}

const PASSPHRASE: &str = "frozen vector passphrase สำหรับทดสอบ";
const TEAM: &str = "Frozen vector team ทีมทดสอบ";

#[tokio::main]
async fn main() -> Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: make_frozen_vector <empty dir>")?;
    let paths = VaultPaths::new(&dir);
    if paths.slots().exists() {
        return Err("that directory already holds a vault; never overwrite a frozen vector".into());
    }
    let keyring = MemoryKeyring::new();
    let vault = Vault::new(paths.clone(), Arc::new(keyring.clone()));
    let request = serde_json::from_value(serde_json::json!({
        "teamName": TEAM, "displayName": "สมศรี ใจดี", "signInName": "somsri", "passphrase": PASSPHRASE
    }))?;
    let created = vault.create(request).await?;
    vault.acknowledge_recovery_key().await?;
    vault.lock().await;
    let slots: serde_json::Value = serde_json::from_slice(&std::fs::read(paths.slots())?)?;
    let vault_id = slots["vaultId"].as_str().ok_or("no vault id")?;
    let secret = keyring.get(vault_id)?.ok_or("no device secret")?;
    let vector = serde_json::json!({
        "format": 1,
        "vaultId": vault_id,
        "passphrase": PASSPHRASE,
        "recoveryKey": created.recovery_key.expose(),
        "deviceSecretHex": secret.to_hex().as_str(),
        "teamName": TEAM,
    });
    std::fs::write(
        format!("{dir}/vector.json"),
        serde_json::to_vec_pretty(&vector)?,
    )?;
    let _ = std::fs::remove_file(paths.settings());
    let _ = std::fs::remove_dir_all(paths.logs());
    println!("frozen vector written to {dir}");
    Ok(())
}
