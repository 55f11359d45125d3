//! The committee's dashboard in a real window: the lead opens two cases, then the Reports
//! section for this year, sees them counted (by sex, with their concerns) and exports the
//! dashboard to PDF; the file has a page a section and its Thai reads back (pdftotext).
//! A social worker then sees the same dashboard with the small counts hidden.
#![allow(clippy::print_stderr)]

use anyhow::{ensure, Context as _, Result};
use ruam_e2e::App;

const PASSPHRASE: &str = "river lantern mango bicycle";
const FIRST: &str = "harbour violet cement glider";
const OWN: &str = "tamarind bicycle lantern orbit";

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_for_a_period_exported_to_pdf() -> Result<()> {
    let mut app = App::start("reports").await?;
    let outcome = journey(&mut app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    let checked = outcome.and_then(|()| the_pdf_reads_back(app.data_dir.path()));
    app.close().await?;
    checked
}

async fn new_case(app: &App, name: &str, sex: &str) -> Result<()> {
    app.click("nav-cases").await?;
    if app.is_present("case-back").await? {
        app.click("case-back").await?;
    }
    app.click("case-new-open").await?;
    app.type_into("case-subject-name", name).await?;
    app.type_into("case-subject-birth-year", "2013").await?;
    app.select("case-subject-sex", sex).await?;
    app.select("case-subject-documentation", "stateless")
        .await?;
    app.click("case-concern-trafficking").await?;
    app.select("case-risk", "high").await?;
    app.select("case-level", "village").await?;
    app.click("case-new-submit").await?;
    app.el("case-file").await?;
    Ok(())
}

/// The text of the row `key` of the dashboard's table `table`.
async fn row(app: &App, table: &str, key: &str) -> Result<String> {
    let text = app
        .script(&format!(
            "const row = document.querySelector('[data-testid=\"report-row\"][data-table=\"{table}\"][data-key=\"{key}\"]');
             return row ? row.textContent : null;"
        ))
        .await?;
    text.as_str()
        .map(str::to_owned)
        .with_context(|| format!("no row {key} in the table {table}"))
}

async fn journey(app: &mut App) -> Result<()> {
    app.first_run("Somsri", "somsri", PASSPHRASE).await?;
    app.add_member("Dao", "dao", "case_worker", "social_work", FIRST)
        .await?;
    new_case(app, "Mali", "female").await?;
    new_case(app, "Noi", "male").await?;

    // The lead's dashboard for this year counts both.
    app.click("nav-reports").await?;
    app.el("reports").await?;
    let year = app
        .script("return String(new Date().getFullYear());")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.set_value("report-from", &format!("{year}-01-01"))
        .await?;
    app.set_value("report-to", &format!("{year}-12-31")).await?;
    app.click("report-apply").await?;
    app.wait_text("report-assisted", "two children assisted", |t| {
        t.trim() == "2"
    })
    .await?;
    app.wait_text("report-opened", "two cases opened", |t| t.trim() == "2")
        .await?;
    ensure!(row(app, "sex", "female").await?.contains('1'), "one girl");
    ensure!(
        row(app, "concern", "trafficking").await?.contains('2'),
        "two cases of trafficking"
    );
    ensure!(
        !app.is_present("report-protected").await?,
        "the lead sees every count"
    );
    ensure!(
        app.script("return document.querySelectorAll('[data-testid=\"report-chart\"]').length > 0")
            .await?
            == serde_json::Value::Bool(true),
        "no chart is drawn"
    );
    app.screenshot("dashboard").await?;
    app.click("report-export-pdf").await?;
    app.wait_text("report-exported", "the PDF written", |t| t.contains(".pdf"))
        .await?;
    app.screenshot("dashboard-exported").await?;

    // A social worker sees small counts hidden.
    app.click("lock").await?;
    app.first_sign_in("dao", FIRST, OWN).await?;
    app.click("nav-reports").await?;
    app.el("report-protected").await?;
    app.wait_text("report-assisted", "two children: below 5, hidden", |t| {
        !t.contains('2') && !t.trim().is_empty()
    })
    .await?;
    app.screenshot("dashboard-protected").await?;
    Ok(())
}

fn the_pdf_reads_back(dir: &std::path::Path) -> Result<()> {
    let exports = dir.join("exports");
    let pdf = std::fs::read_dir(&exports)
        .with_context(|| format!("reading {}", exports.display()))?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().ends_with(".pdf"))
        .context("no PDF in the export folder")?
        .path();
    let info = std::process::Command::new("pdfinfo").arg(&pdf).output()?;
    let info = String::from_utf8(info.stdout)?;
    ensure!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 5")),
        "the dashboard without a fund has five pages:\n{info}"
    );
    let text = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()?;
    let text: String = String::from_utf8(text.stdout)?.split_whitespace().collect();
    for thai in ["เด็กที่ได้รับความช่วยเหลือ", "การค้ามนุษย์"]
    {
        ensure!(text.contains(thai), "{thai} is not in the PDF: {text}");
    }
    ensure!(!text.contains("Mali"), "a child is named in the PDF");
    Ok(())
}
