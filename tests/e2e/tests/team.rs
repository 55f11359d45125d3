//! The team in a real window: the lead adds a police liaison; the liaison signs in on
//! the same laptop, must replace the first passphrase, sees the Roles page but not the
//! member administration; the lead finds the liaison's sign-in in the audit log and
//! exports it.
#![allow(clippy::print_stderr)]

use anyhow::{ensure, Context as _, Result};
use ruam_e2e::{catalog, App};

const PASSPHRASE: &str = "river lantern mango bicycle";
const FIRST: &str = "harbour violet cement glider";
const OWN: &str = "tamarind bicycle lantern orbit";
const LIAISON: &str = "Pol. Lt. Anan";

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_adds_a_police_liaison_who_signs_in_on_the_same_laptop() -> Result<()> {
    let mut app = App::start("team").await?;
    let outcome = journey(&mut app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    let checked = outcome.and_then(|()| export_holds_the_sign_in(app.data_dir.path()));
    app.close().await?;
    checked
}

async fn journey(app: &mut App) -> Result<()> {
    // The lead makes the vault.
    app.type_into("team-name", "Mae Sai District MDT").await?;
    app.type_into("display-name", "Somsri").await?;
    app.type_into("sign-in-name", "somsri").await?;
    app.type_into("passphrase", PASSPHRASE).await?;
    app.type_into("passphrase-confirm", PASSPHRASE).await?;
    app.click("create-vault").await?;
    app.click("recovery-ack").await?;
    app.click("recovery-continue").await?;
    app.el("main").await?;

    // The lead adds the liaison with a first passphrase.
    app.click("nav-team").await?;
    app.el("member-admin").await?;
    app.click("member-add-open").await?;
    app.type_into("member-display-name", LIAISON).await?;
    app.type_into("member-sign-in-name", "anan").await?;
    app.select("member-role", "police_liaison").await?;
    app.select("member-discipline", "police").await?;
    app.type_into("member-phone", "053 731 444").await?;
    app.type_into("member-first-passphrase", FIRST).await?;
    app.type_into("member-first-passphrase-confirm", FIRST)
        .await?;
    app.screenshot("add-member").await?;
    app.click("member-add-submit").await?;
    app.el("member-added").await?;
    app.wait_text("section-team", "the liaison on the team", |t| {
        t.contains(LIAISON)
    })
    .await?;
    app.screenshot("member-added").await?;

    // The liaison signs in on the same laptop and must choose their own passphrase.
    app.click("lock").await?;
    app.sign_in("anan", FIRST).await?;
    app.el("first-passphrase").await?;
    ensure!(
        !app.is_present("main").await?,
        "the main layout before the first passphrase was replaced"
    );
    app.screenshot("first-passphrase").await?;
    app.type_into("first-current", FIRST).await?;
    app.type_into("first-new", OWN).await?;
    app.type_into("first-new-confirm", OWN).await?;
    app.click("first-change-submit").await?;
    app.el("main").await?;
    app.wait_text("member-name", "the liaison signed in", |t| {
        t.contains(LIAISON)
    })
    .await?;

    // The Roles page, without the member administration or the audit log.
    app.click("nav-team").await?;
    app.el("role-police_liaison").await?;
    let liaison_role = catalog("en", "roles.police_liaison")?;
    app.wait_text("role-police_liaison", "the liaison's role", |t| {
        t.contains(&liaison_role)
    })
    .await?;
    ensure!(
        !app.is_present("member-admin").await?,
        "a police liaison sees the member administration"
    );
    ensure!(
        !app.is_present("nav-audit").await?,
        "a police liaison sees the audit log in the navigation"
    );
    app.screenshot("liaison-roles").await?;

    // The lead finds the liaison's sign-in in the audit log, and exports it.
    app.click("lock").await?;
    app.sign_in("somsri", PASSPHRASE).await?;
    app.el("main").await?;
    app.click("nav-audit").await?;
    app.el("audit-row").await?;
    liaison_sign_in_is_listed(app).await?;
    app.screenshot("audit-log").await?;
    app.click("audit-export").await?;
    app.wait_text("audit-exported", "the exported file", |t| {
        t.contains(".csv")
    })
    .await?;
    app.screenshot("audit-exported").await?;
    Ok(())
}

/// A row of the audit page says the liaison signed in: their name in the member column,
/// the sign-in action (shown as the catalog's words), outcome ok.
async fn liaison_sign_in_is_listed(app: &App) -> Result<()> {
    let unlocked = catalog("en", "auditAction.vault_unlock")?;
    let script = "const [name, label] = arguments;
        return [...document.querySelectorAll('[data-testid=\"audit-row\"]')].filter(row =>
            row.dataset.outcome === 'ok'
            && row.children[1].textContent.trim() === name
            && row.querySelector('td[data-action=\"vault.unlock\"]')?.textContent.trim() === label
        ).length;";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let found = app
            .client
            .execute(script, vec![LIAISON.into(), unlocked.clone().into()])
            .await?;
        if found.as_u64().unwrap_or(0) >= 1 {
            return Ok(());
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "no audit row shows {LIAISON} signing in"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The CSV the lead exported holds the liaison's sign-in, under their name.
fn export_holds_the_sign_in(dir: &std::path::Path) -> Result<()> {
    let exports = dir.join("exports");
    let file = std::fs::read_dir(&exports)
        .with_context(|| format!("reading {}", exports.display()))?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().ends_with(".csv"))
        .context("no CSV in the export folder")?;
    let csv = std::fs::read_to_string(file.path())?;
    ensure!(
        csv.lines()
            .any(|l| l.contains(LIAISON) && l.contains(",vault.unlock,") && l.contains(",ok,")),
        "the export has no sign-in by the liaison:\n{csv}"
    );
    Ok(())
}
