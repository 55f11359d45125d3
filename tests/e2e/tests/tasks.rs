//! A task in a real window: a social worker opens a case, puts the police liaison on it
//! and gives them a task that needs their review, then moves it to review with the
//! keyboard. The liaison finds it in "My tasks" and in the review queue and returns it
//! with a comment; the social worker sends it back to review; the liaison approves it, and
//! it lands in Done with the sign-off shown. On the way the card is opened: she adds a
//! step to its checklist, the liaison ticks it and comments, and its history tells it all.
#![allow(clippy::print_stderr)]

use anyhow::Result;
use fantoccini::key::Key;
use ruam_e2e::App;

const PASSPHRASE: &str = "river lantern mango bicycle";
const FIRST: &str = "harbour violet cement glider";
const OWN: &str = "tamarind bicycle lantern orbit";
const TASK: &str = "Take the child's statement with an interpreter";
const STEP: &str = "Book the interpreter";

#[tokio::test(flavor = "multi_thread")]
async fn a_task_reviewed_returned_and_signed_off_by_the_liaison() -> Result<()> {
    let mut app = App::start("tasks").await?;
    let outcome = journey(&mut app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    app.close().await?;
    outcome
}

/// The card sits in the column of this stage on the case's board.
async fn card_in(app: &App, stage: &str) -> Result<()> {
    app.wait_css(&format!(
        "[data-testid=\"case-board\"] [data-testid=\"board-column\"][data-stage=\"{stage}\"] [data-testid=\"board-card\"]"
    ))
    .await?;
    Ok(())
}

/// Wait up to 15 s for the element to be gone.
async fn wait_gone(app: &App, testid: &str) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.is_present(testid).await? {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "{testid} is still shown"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn open_the_case(app: &App) -> Result<()> {
    app.click("nav-cases").await?;
    app.click("case-row").await?;
    app.el("case-board").await?;
    Ok(())
}

async fn journey(app: &mut App) -> Result<()> {
    app.first_run("Somsri", "somsri", PASSPHRASE).await?;
    app.add_member("Malee Srisuk", "malee", "case_worker", "social_work", FIRST)
        .await?;
    app.add_member("Pol. Lt. Anan", "anan", "police_liaison", "police", FIRST)
        .await?;
    app.click("lock").await?;

    // The social worker opens a case and puts the liaison on it.
    app.first_sign_in("malee", FIRST, OWN).await?;
    app.click("nav-cases").await?;
    app.click("case-new-open").await?;
    app.type_into("case-subject-name", "Nok Jaidee").await?;
    app.type_into("case-subject-birth-year", "2012").await?;
    app.select("case-subject-sex", "female").await?;
    app.select("case-subject-documentation", "stateless")
        .await?;
    app.click("case-concern-trafficking").await?;
    app.select("case-risk", "high").await?;
    app.select("case-level", "district").await?;
    app.click("case-new-submit").await?;
    app.el("case-file").await?;
    app.select_text("case-member-select", "Pol. Lt. Anan")
        .await?;
    app.select("case-member-responsibility", "support").await?;
    app.click("case-member-submit").await?;
    app.wait_text("case-members", "the liaison on the case", |t| {
        t.contains("Pol. Lt. Anan")
    })
    .await?;

    // A task for the liaison, to be reviewed by the liaison.
    app.el("case-board").await?;
    app.click("card-new").await?;
    app.type_into("card-title", TASK).await?;
    app.select_text("card-assignee", "Pol. Lt. Anan").await?;
    app.select_text("card-reviewer", "Pol. Lt. Anan").await?;
    app.click("card-create-submit").await?;
    card_in(app, "todo").await?;
    // She opens the card and adds a step to its checklist; Escape takes her back to it.
    app.click("board-card").await?;
    app.el("card-detail").await?;
    app.click("card-edit").await?;
    app.type_into("card-edit-item-new", STEP).await?;
    app.click("card-edit-item-add").await?;
    app.click("card-save").await?;
    app.wait_text("card-detail", "the new step on the card", |t| {
        t.contains(STEP)
    })
    .await?;
    app.screenshot("task-card-edited").await?;
    app.press(char::from(Key::Escape)).await?;
    wait_gone(app, "card-detail").await?;
    // To "Waiting for review", two columns on, with the keyboard.
    app.press_alt(char::from(Key::Right)).await?;
    card_in(app, "in_progress").await?;
    app.press_alt(char::from(Key::Right)).await?;
    card_in(app, "review").await?;
    app.screenshot("task-to-review").await?;
    app.click("lock").await?;

    // The liaison finds it in "My tasks" and in the review queue, and returns it.
    app.first_sign_in("anan", FIRST, OWN).await?;
    app.click("nav-tasks").await?;
    app.wait_text("my-task", "the task in My tasks", |t| t.contains(TASK))
        .await?;
    app.click("tasks-tab-review").await?;
    app.wait_text("review-item", "the task in the review queue", |t| {
        t.contains(TASK)
    })
    .await?;
    // Before returning it, the liaison ticks the step and says why on the card.
    app.click("tasks-tab-mine").await?;
    app.click("my-task-open").await?;
    app.el("card-detail").await?;
    app.click("card-item-done").await?;
    app.wait_css("[data-testid=\"card-event\"][data-kind=\"checklist\"]")
        .await?;
    app.type_into("card-comment-body", "Interpreter booked for Tuesday.")
        .await?;
    app.click("card-comment-add").await?;
    app.wait_text("card-detail", "the comment on the card", |t| {
        t.contains("Interpreter booked for Tuesday.")
    })
    .await?;
    app.click("card-detail-close").await?;
    wait_gone(app, "card-detail").await?;
    app.click("tasks-tab-review").await?;
    app.click("review-return").await?;
    app.type_into(
        "review-comment",
        "The interpreter must sign the statement too",
    )
    .await?;
    app.click("review-return-submit").await?;
    app.client
        .wait()
        .at_most(std::time::Duration::from_secs(15))
        .for_element(fantoccini::Locator::Css("[data-testid=\"review-empty\"]"))
        .await?;
    app.screenshot("task-returned").await?;
    app.click("lock").await?;

    // The social worker finishes it and sends it back to review.
    app.sign_in("malee", OWN).await?;
    app.el("main").await?;
    open_the_case(app).await?;
    card_in(app, "in_progress").await?;
    app.click("board-card").await?;
    app.el("card-detail").await?;
    app.press(char::from(Key::Escape)).await?;
    wait_gone(app, "card-detail").await?;
    app.press_alt(char::from(Key::Right)).await?;
    card_in(app, "review").await?;
    app.click("lock").await?;

    // The liaison approves: it lands in Done, signed off by them.
    app.sign_in("anan", OWN).await?;
    app.el("main").await?;
    app.click("nav-tasks").await?;
    app.click("tasks-tab-review").await?;
    app.wait_text("review-item", "the task back in review", |t| {
        t.contains(TASK)
    })
    .await?;
    app.click("review-approve").await?;
    app.client
        .wait()
        .at_most(std::time::Duration::from_secs(15))
        .for_element(fantoccini::Locator::Css("[data-testid=\"review-empty\"]"))
        .await?;
    open_the_case(app).await?;
    card_in(app, "done").await?;
    app.wait_text("case-board", "the sign-off", |t| {
        t.contains("Signed off by Pol. Lt. Anan")
    })
    .await?;
    app.screenshot("task-signed-off").await?;
    // The card's history tells the whole story.
    app.click("board-card").await?;
    app.wait_css("[data-testid=\"card-event\"][data-kind=\"comment\"]")
        .await?;
    app.wait_text("card-history", "the approval in the history", |t| {
        t.contains("Pol. Lt. Anan")
    })
    .await?;
    app.screenshot("task-history").await?;
    Ok(())
}
