//! Backups in a real window: the lead sets up backups with their passphrase and backs up
//! from Settings; a second data directory (another laptop's) restores that file from the
//! first run with the passphrase, shows what the checks found on the lock screen, and the
//! lead signs in to find the team as it was.
#![allow(clippy::print_stderr)]

use anyhow::{ensure, Context as _, Result};
use ruam_e2e::App;

const PASSPHRASE: &str = "river lantern mango bicycle";
const FIRST: &str = "harbour violet cement glider";
const MEMBER: &str = "Dao Kaewta";

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_made_in_settings_restores_on_a_second_data_dir() -> Result<()> {
    let folder = tempfile::tempdir()?;
    let mut first = App::start("backup-made").await?;
    let made = back_up(&first, folder.path()).await;
    if made.is_err() {
        let _ = first.screenshot("failure").await;
    }
    first.close().await?;
    let file = made?;

    let mut second = App::start("backup-restored").await?;
    let restored = restore(&second, &file).await;
    if restored.is_err() {
        let _ = second.screenshot("failure").await;
    }
    second.close().await?;
    restored
}

async fn back_up(app: &App, folder: &std::path::Path) -> Result<std::path::PathBuf> {
    app.first_run("Somsri", "somsri", PASSPHRASE).await?;
    app.add_member(MEMBER, "dao", "case_worker", "social_work", FIRST)
        .await?;
    app.click("nav-settings").await?;
    app.type_into("backup-folder", &folder.display().to_string())
        .await?;
    app.type_into("backup-passphrase", PASSPHRASE).await?;
    app.click("backup-plan-save").await?;
    app.el("backup-my-passphrase").await?;
    app.click("backup-now").await?;
    app.wait_text("backup-done", "the backup's file", |t| {
        t.contains(".ruambackup")
    })
    .await?;
    let files: Vec<_> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ruambackup"))
        .collect();
    ensure!(files.len() == 1, "one backup in the folder: {files:?}");
    Ok(files[0].clone())
}

async fn restore(app: &App, file: &std::path::Path) -> Result<()> {
    app.click("first-run-restore").await?;
    app.type_into("restore-file", &file.display().to_string())
        .await?;
    app.click("restore-with-passphrase").await?;
    app.type_into("restore-secret", PASSPHRASE).await?;
    app.click("restore-start").await?;
    app.el("restore-done").await?;
    let checked = app.text("restore-done-checked").await?;
    ensure!(
        checked.chars().any(|c| c.is_ascii_digit()),
        "the lock screen says what was checked: {checked}"
    );
    app.sign_in("somsri", PASSPHRASE).await?;
    app.el("main")
        .await
        .context("signed in to the restored vault")?;
    app.click("nav-team").await?;
    app.wait_text("section-team", "the member added before the backup", |t| {
        t.contains(MEMBER)
    })
    .await?;
    Ok(())
}
