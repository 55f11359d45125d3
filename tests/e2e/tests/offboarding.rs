//! Staff turnover in a real window: a social worker who is on two cases and has a task is
//! offboarded by the lead. The offboarding screen lists all three; one case goes to a
//! colleague on its own, the rest in one step; only then does the account close. The
//! colleague signs in and finds each handover note: on the case, and in the task's history.
#![allow(clippy::print_stderr)]

use anyhow::{ensure, Result};
use ruam_e2e::App;

const PASSPHRASE: &str = "river lantern mango bicycle";
const FIRST: &str = "harbour violet cement glider";
const OWN: &str = "tamarind bicycle lantern orbit";
const TASK: &str = "Visit the school with the headteacher";
const NOTE_ONE: &str = "Mali's grandmother prefers a call before a visit";
const NOTE_REST: &str = "ครูใหญ่นัดวันพฤหัสบดีบ่ายสองโมง";

#[tokio::test(flavor = "multi_thread")]
async fn a_member_with_two_cases_and_a_task_is_offboarded() -> Result<()> {
    let mut app = App::start("offboarding").await?;
    let outcome = journey(&mut app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    app.close().await?;
    outcome
}

/// The case list, from wherever the Cases page was left (a case file stays open).
async fn case_list(app: &App) -> Result<()> {
    app.click("nav-cases").await?;
    if app.is_present("case-back").await? {
        app.click("case-back").await?;
    }
    Ok(())
}

async fn new_case(app: &App, name: &str) -> Result<()> {
    case_list(app).await?;
    app.click("case-new-open").await?;
    app.type_into("case-subject-name", name).await?;
    app.type_into("case-subject-birth-year", "2013").await?;
    app.select("case-subject-sex", "female").await?;
    app.select("case-subject-documentation", "stateless")
        .await?;
    app.click("case-concern-trafficking").await?;
    app.select("case-risk", "high").await?;
    app.select("case-level", "village").await?;
    app.click("case-new-submit").await?;
    app.el("case-file").await?;
    app.select_text("case-member-select", "Anan").await?;
    app.select("case-member-responsibility", "support").await?;
    app.click("case-member-submit").await?;
    app.wait_text("case-members", "Anan on the case", |t| t.contains("Anan"))
        .await?;
    Ok(())
}

/// Open the case whose row names `name` from the case list.
async fn open_case(app: &App, name: &str) -> Result<()> {
    case_list(app).await?;
    app.el("case-row").await?;
    app.script(&format!(
        "[...document.querySelectorAll('[data-testid=\"case-row\"]')]
            .find(row => row.textContent.includes({name:?})).querySelector('button').click();"
    ))
    .await?;
    app.el("case-file").await?;
    Ok(())
}

async fn journey(app: &mut App) -> Result<()> {
    app.first_run("Somsri", "somsri", PASSPHRASE).await?;
    app.add_member("Anan", "anan", "case_worker", "social_work", FIRST)
        .await?;
    app.add_member("Kanya", "kanya", "case_worker", "social_work", FIRST)
        .await?;

    // The lead opens two cases with Anan on them, and gives him a task on the first.
    new_case(app, "Mali").await?;
    app.el("case-board").await?;
    app.click("card-new").await?;
    app.type_into("card-title", TASK).await?;
    app.select_text("card-assignee", "Anan").await?;
    app.click("card-create-submit").await?;
    app.el("board-card").await?;
    new_case(app, "Noi").await?;

    // Anan leaves: the offboarding screen lists what he holds.
    app.click("nav-team").await?;
    app.click_within("team-member", "Anan", "member-offboard")
        .await?;
    app.el("offboarding").await?;
    app.until(
        "three held items",
        "return document.querySelectorAll('[data-testid=\"held-item\"]').length === 3",
    )
    .await?;
    for (kind, label) in [("case", "Mali"), ("case", "Noi"), ("task", TASK)] {
        ensure!(
            app.script(&format!(
                "return [...document.querySelectorAll('[data-testid=\"held-item\"]')]
                    .some(row => row.dataset.kind === {kind:?} && row.textContent.includes({label:?}));"
            ))
            .await?
                == serde_json::Value::Bool(true),
            "{kind} {label} is not listed"
        );
    }
    ensure!(
        !app.is_present("member-close-account").await?,
        "the account can be closed while he holds cases"
    );
    app.screenshot("offboarding-list").await?;

    // Mali's case on its own to Kanya, then the rest at once.
    app.click_within("held-item", "Mali", "held-item-handover")
        .await?;
    app.select_text("handover-to", "Kanya").await?;
    app.type_into("handover-note", NOTE_ONE).await?;
    app.click("handover-submit").await?;
    app.el("handover-done").await?;
    app.until(
        "two held items",
        "return document.querySelectorAll('[data-testid=\"held-item\"]').length === 2",
    )
    .await?;
    app.select_text("handover-to", "Kanya").await?;
    app.type_into("handover-note", NOTE_REST).await?;
    app.click("handover-submit").await?;
    app.el("offboarding-clear").await?;
    app.screenshot("offboarding-clear").await?;
    app.click("member-close-account").await?;
    app.click("close-account-confirm").await?;
    app.el("member-closed").await?;
    app.wait_text("section-team", "Anan shown as left", |t| t.contains("Anan"))
        .await?;
    ensure!(
        app.script(
            "return [...document.querySelectorAll('[data-testid=\"team-member\"]')]
                .some(row => row.textContent.includes('Anan')
                    && row.querySelector('[data-testid=\"member-left\"]') !== null);"
        )
        .await?
            == serde_json::Value::Bool(true),
        "Anan is not shown as left"
    );

    // Anan cannot sign in any more.
    app.click("lock").await?;
    app.sign_in("anan", FIRST).await?;
    app.el("unlock-error").await?;

    // Kanya finds both notes on Mali's case, and the task with its handover in its history.
    app.first_sign_in("kanya", FIRST, OWN).await?;
    open_case(app, "Mali").await?;
    app.wait_text("case-notes", "the handover note on the case", |t| {
        t.contains(NOTE_ONE)
    })
    .await?;
    app.click("board-card").await?;
    app.el("card-detail").await?;
    app.wait_text("card-history", "the handover in the task's history", |t| {
        t.contains(NOTE_REST)
    })
    .await?;
    app.screenshot("task-handover-note").await?;
    Ok(())
}
