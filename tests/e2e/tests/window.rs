//! The built app in a real window (Xvfb), driven through tauri-driver and WebKitWebDriver:
//! first run, the recovery key, lock, a wrong passphrase, unlock, Thai.
#![allow(clippy::print_stderr)]

use anyhow::{ensure, Result};
use ruam_e2e::{catalog, App};

const PASSPHRASE: &str = "river lantern mango bicycle";

#[tokio::test(flavor = "multi_thread")]
async fn first_run_lock_wrong_passphrase_unlock_and_thai() -> Result<()> {
    let mut app = App::start("first-run").await?;
    let outcome = journey(&mut app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    let checked = outcome.and_then(|()| vault_files_are_encrypted(app.data_dir.path()));
    app.close().await?;
    checked
}

/// The vault went where RUAM_DATA_DIR pointed, and no file of it is plain SQLite or
/// holds the team's name in the clear.
fn vault_files_are_encrypted(dir: &std::path::Path) -> Result<()> {
    let db = std::fs::read(dir.join("ruam.vault"))?;
    ensure!(
        !db.starts_with(b"SQLite format 3\0"),
        "the vault file is plain SQLite"
    );
    ensure!(
        dir.join("ruam.slots").exists(),
        "no key-slot file beside the vault"
    );
    let team = b"Mae Sai District";
    for name in [
        "ruam.vault",
        "ruam.vault-wal",
        "ruam.slots",
        "settings.json",
    ] {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            ensure!(
                !bytes.windows(team.len()).any(|w| w == team),
                "{name} holds the team name in the clear"
            );
        }
    }
    Ok(())
}

/// Behind the lock screen, the page holds nothing of the vault: no team, no member.
async fn nothing_of_the_vault_on_screen(app: &App) -> Result<()> {
    let page = app.client.source().await?;
    for name in ["Mae Sai District", "Somsri"] {
        ensure!(!page.contains(name), "the locked page still holds {name:?}");
    }
    Ok(())
}

async fn journey(app: &mut App) -> Result<()> {
    // First run.
    app.type_into("team-name", "Mae Sai District MDT").await?;
    app.type_into("display-name", "Somsri").await?;
    app.type_into("sign-in-name", "somsri").await?;
    app.type_into("passphrase", PASSPHRASE).await?;
    app.type_into("passphrase-confirm", PASSPHRASE).await?;
    app.screenshot("first-run").await?;
    app.click("create-vault").await?;

    // The recovery key, shown once; Continue waits for the acknowledgement.
    let key = app
        .wait_text("recovery-key", "a recovery key", |t| {
            t.trim().split('-').count() == 8
        })
        .await?;
    ensure!(key.trim().len() == 39, "recovery key looks wrong: {key:?}");
    app.screenshot("recovery-key").await?;
    ensure!(
        !app.el("recovery-continue").await?.is_enabled().await?,
        "Continue before acknowledging"
    );
    app.click("recovery-ack").await?;
    app.click("recovery-continue").await?;

    // The main layout, then lock.
    app.el("main").await?;
    app.wait_text("nav-cases", "the English label", |t| {
        t.contains(&catalog("en", "nav.cases").unwrap_or_default())
    })
    .await?;
    app.screenshot("main").await?;
    app.click("lock").await?;
    app.el("unlock-passphrase").await?;
    nothing_of_the_vault_on_screen(app).await?;

    // A wrong passphrase shows the catalog's message; the vault stays locked.
    app.type_into("unlock-sign-in-name", "somsri").await?;
    app.type_into("unlock-passphrase", "not the passphrase at all")
        .await?;
    app.click("unlock-submit").await?;
    let wrong = catalog("en", "errors.invalid_credentials")?;
    app.wait_text("unlock-error", "the wrong-passphrase message", |t| {
        t.contains(&wrong)
    })
    .await?;
    ensure!(
        !app.is_present("main").await?,
        "main layout visible after a wrong passphrase"
    );
    app.screenshot("wrong-passphrase").await?;

    // The right one opens it, with the keyboard alone: Enter submits.
    app.sign_in("somsri", PASSPHRASE).await?;
    app.el("main").await?;

    // Ctrl+L locks from anywhere; Enter unlocks again.
    app.press_ctrl('l').await?;
    app.el("unlock-passphrase").await?;
    nothing_of_the_vault_on_screen(app).await?;
    app.sign_in("somsri", PASSPHRASE).await?;
    app.el("main").await?;

    // Switch to Thai in Settings: the navigation speaks Thai.
    app.click("nav-settings").await?;
    app.click("settings-lang-th").await?;
    let thai_cases = catalog("th", "nav.cases")?;
    app.wait_text("nav-cases", "the Thai label", |t| t.contains(&thai_cases))
        .await?;
    app.screenshot("settings-thai").await?;

    // Locked, the lock screen is Thai too (the language is kept outside the vault).
    app.click("lock").await?;
    app.el("unlock-passphrase").await?;
    nothing_of_the_vault_on_screen(app).await?;
    let thai_unlock = catalog("th", "lock.unlock")?;
    app.wait_text("unlock-submit", "the Thai unlock label", |t| {
        t.contains(&thai_unlock)
    })
    .await?;
    app.screenshot("lock-thai").await?;

    recovery_after_a_passphrase_change(app, key.trim()).await
}

/// Change the passphrase in Settings; the old one stops working; the recovery key then
/// opens the vault with another new passphrase, which works from then on.
async fn recovery_after_a_passphrase_change(app: &mut App, recovery_key: &str) -> Result<()> {
    const CHANGED: &str = "jasmine tractor monsoon violin";
    const RECOVERED: &str = "copper lagoon orchid saddle";
    app.sign_in("somsri", PASSPHRASE).await?;
    app.el("main").await?;
    app.click("nav-settings").await?;
    app.type_into("change-current", PASSPHRASE).await?;
    app.type_into("change-new", CHANGED).await?;
    app.type_into("change-confirm", CHANGED).await?;
    app.click("change-submit").await?;
    app.el("change-done").await?;
    app.screenshot("passphrase-changed").await?;

    app.press_ctrl('l').await?;
    app.sign_in("somsri", PASSPHRASE).await?;
    let wrong = catalog("th", "errors.invalid_credentials")?;
    app.wait_text("unlock-error", "the Thai wrong-passphrase message", |t| {
        t.contains(&wrong)
    })
    .await?;

    app.click("use-recovery").await?;
    app.type_into("recovery-input", recovery_key).await?;
    app.type_into("recovery-new-passphrase", RECOVERED).await?;
    app.type_into("recovery-new-confirm", RECOVERED).await?;
    app.screenshot("recovery-form").await?;
    app.click("recovery-submit").await?;
    app.el("main").await?;
    app.screenshot("recovered").await?;

    app.press_ctrl('l').await?;
    app.sign_in("somsri", CHANGED).await?;
    app.wait_text("unlock-error", "the wrong-passphrase message", |t| {
        t.contains(&wrong)
    })
    .await?;
    ensure!(
        !app.is_present("main").await?,
        "the replaced passphrase still opens the vault"
    );
    app.sign_in("somsri", RECOVERED).await?;
    app.el("main").await?;
    Ok(())
}
