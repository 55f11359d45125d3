//! A case in a real window: the lead opens a case for a child with two concerns, puts a
//! police liaison on it, writes a police note and a health note (and corrects a general
//! note in place), attaches a photo to the health section and refers the case to the
//! district (the referral shows on the timeline). The liaison signs in on the same laptop
//! and sees the police note but not the health note or the photo, finds the police note
//! by a Thai word and nothing by a health word, and asks to close the case as resolved at
//! district level; the lead approves, and the case is closed with that outcome.
#![allow(clippy::print_stderr)]

use anyhow::{ensure, Result};
use ruam_e2e::{catalog, App};

const PASSPHRASE: &str = "river lantern mango bicycle";
const FIRST: &str = "harbour violet cement glider";
const OWN: &str = "tamarind bicycle lantern orbit";
const CHILD: &str = "Lan Saelee";
const POLICE_NOTE: &str = "สอบปากคำพยานที่สถานีตำรวจแม่สายแล้ว";
const HEALTH_WORD: &str = "รอยช้ำ";
const HEALTH_NOTE: &str = "แพทย์ตรวจร่างกายพบรอยช้ำที่แขนซ้าย";

/// The smallest PNG: one transparent pixel.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

#[tokio::test(flavor = "multi_thread")]
async fn a_case_from_intake_to_closure_with_need_to_know() -> Result<()> {
    let mut app = App::start("cases").await?;
    let outcome = journey(&mut app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    app.close().await?;
    outcome
}

async fn journey(app: &mut App) -> Result<()> {
    app.first_run("Somsri", "somsri", PASSPHRASE).await?;
    app.add_member("Pol. Lt. Anan", "anan", "police_liaison", "police", FIRST)
        .await?;

    // The lead opens a case.
    app.click("nav-cases").await?;
    app.click("case-new-open").await?;
    app.type_into("case-subject-name", CHILD).await?;
    app.type_into("case-subject-birth-year", "2013").await?;
    app.select("case-subject-sex", "female").await?;
    app.select("case-subject-documentation", "stateless")
        .await?;
    app.click("case-concern-trafficking").await?;
    app.click("case-concern-labour_exploitation").await?;
    app.select("case-risk", "high").await?;
    app.select("case-level", "village").await?;
    app.screenshot("new-case").await?;
    app.click("case-new-submit").await?;
    app.el("case-file").await?;

    // The liaison joins it; two notes and a photo.
    app.select_text("case-member-select", "Pol. Lt. Anan")
        .await?;
    app.select("case-member-responsibility", "support").await?;
    app.click("case-member-submit").await?;
    app.wait_text("case-members", "the liaison on the case", |t| {
        t.contains("Pol. Lt. Anan")
    })
    .await?;
    add_note(app, "police", POLICE_NOTE).await?;
    add_note(app, "health", HEALTH_NOTE).await?;
    // A slip corrected in place: the note shows its new text and that it was edited.
    add_note(app, "general", "Home visit on Monday").await?;
    app.click_within("case-note", "Home visit on Monday", "note-edit")
        .await?;
    app.type_into("note-edit-body", "Home visit on Tuesday")
        .await?;
    app.click("note-edit-save").await?;
    app.wait_text("case-file", "the corrected note", |t| {
        t.contains("Home visit on Tuesday") && !t.contains("Home visit on Monday")
    })
    .await?;
    app.el("note-edited").await?;
    let photo = app.data_dir.path().join("bruise.png");
    std::fs::write(&photo, PNG)?;
    app.select("attachment-section", "health").await?;
    app.el("attachment-file")
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    app.click("attachment-add-submit").await?;
    app.wait_text("case-attachment", "the photo", |t| t.contains("bruise.png"))
        .await?;

    // Referred to the district: the referral is on the timeline.
    app.click("referral-open").await?;
    app.select("referral-to-level", "district").await?;
    app.type_into("referral-reason", "Needs the district shelter")
        .await?;
    app.click("referral-submit").await?;
    app.el("case-referral").await?;
    ensure!(
        !app.client
            .find_all(fantoccini::Locator::Css(
                "[data-testid=\"timeline-item\"][data-kind=\"referral\"]"
            ))
            .await?
            .is_empty(),
        "the referral is not on the timeline"
    );
    app.screenshot("case-lead").await?;

    // The liaison, on the same laptop, sees only what a police liaison may.
    app.click("lock").await?;
    app.first_sign_in("anan", FIRST, OWN).await?;
    app.click("nav-cases").await?;
    app.click("case-row").await?;
    app.el("case-file").await?;
    ensure!(
        app.any_text("case-note", POLICE_NOTE).await?,
        "no police note"
    );
    let page = app.client.source().await?;
    ensure!(
        !page.contains(HEALTH_WORD),
        "the liaison's page holds the health note"
    );
    ensure!(
        !page.contains("bruise.png"),
        "the liaison's page holds the health photo"
    );
    ensure!(
        !app.is_present("case-attachment").await?,
        "an attachment from the health section is listed"
    );
    app.screenshot("case-liaison").await?;

    // Search: the police note by a Thai word inside its sentence; nothing for the health word.
    app.click("case-back").await?;
    app.type_into("case-search-input", "สถานีตำรวจ\u{E007}")
        .await?;
    app.wait_text("case-search-hit", "the police note", |t| t.contains(CHILD))
        .await?;
    app.type_into("case-search-input", &format!("{HEALTH_WORD}\u{E007}"))
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    ensure!(
        !app.is_present("case-search-hit").await?,
        "a search for a health word found something for the liaison"
    );

    // The liaison asks to close it; the lead approves.
    app.click("case-row").await?;
    app.click("case-close-open").await?;
    app.select("case-close-outcome", "resolved_district")
        .await?;
    app.click("case-close-submit").await?;
    app.el("case-close-requested").await?;
    ensure!(
        !app.is_present("case-close-approve").await?,
        "a liaison is offered to approve a closure"
    );
    app.click("lock").await?;
    app.sign_in("somsri", PASSPHRASE).await?;
    app.el("main").await?;
    app.click("nav-cases").await?;
    app.click("case-row").await?;
    app.click("case-close-approve").await?;
    let resolved = catalog("en", "outcome.resolved_district")?;
    app.wait_text("case-outcome", "resolved at district level", |t| {
        t.contains(&resolved)
    })
    .await?;
    app.screenshot("case-closed").await?;
    Ok(())
}

async fn add_note(app: &App, section: &str, body: &str) -> Result<()> {
    app.select("note-section", section).await?;
    app.type_into("note-body", body).await?;
    app.click("note-add-submit").await?;
    app.wait_text("case-file", "the new note", |t| t.contains(body))
        .await?;
    Ok(())
}
