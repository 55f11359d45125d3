//! The community register and a meeting in a real window: the lead places two villages
//! by the gazetteer, adds their volunteers, imports a survey CSV of the two villages with
//! one bad row (the preview names its row and column and nothing is written), fixes it and
//! imports again; sees the flagged child, opens a case for her in one step, adds the
//! documentation steps on the case; then holds a meeting that reviews the case and creates
//! an action item, and finds that item among her tasks and on the case's board, and the
//! meeting among those to come on the home screen.
#![allow(clippy::print_stderr)]

use anyhow::{ensure, Result};
use ruam_e2e::App;

const PASSPHRASE: &str = "river lantern mango bicycle";
const HEADER: &str = "village,moo,household,surveyed_on,volunteer,income_band,parents_away,debt,disability,health_care,other_risks,child_name,sex,birth_date,school,documentation,lives_with";
const ACTION: &str = "Home visit with the aunt";

fn survey(bad: bool) -> String {
    let third = if bad {
        // A birth after the survey: row 4, column birth_date.
        "บ้านป่าสัก,3,14,2026-10-01,สมศรี ใจดี,low,none,no,yes,yes,\"พ่อดื่มสุรา, ไม่มีงาน\",ส้ม,female,2026-11-30,attending,thai_id,both_parents"
    } else {
        "บ้านป่าสัก,3,14,2026-10-01,สมศรี ใจดี,low,none,no,yes,yes,\"พ่อดื่มสุรา, ไม่มีงาน\",ส้ม,female,2018-05-05,attending,thai_id,both_parents"
    };
    [
        HEADER,
        "บ้านป่าสัก,3,12/1,2026-10-01,สมศรี ใจดี,below_poverty,both,yes,no,no,,นิด,female,2012-04-02,not_attending,stateless,grandparents",
        "บ้านป่าสัก,3,12/1,2026-10-01,สมศรี ใจดี,below_poverty,both,yes,no,no,,หน่อย,male,2016-09-30,attending,thai_id,grandparents",
        third,
        "Ban Huai Khrai,,45,2026-10-02,Boonmee Saeng,sufficient,one,no,no,yes,,Mali,female,2014-01-20,attending,other_id,one_parent",
        "Ban Huai Khrai,,45,2026-10-02,Boonmee Saeng,sufficient,one,no,no,yes,,Dao,other,2019-07-07,not_school_age,in_process,one_parent",
    ]
    .join("\r\n")
        + "\r\n"
}

#[tokio::test(flavor = "multi_thread")]
async fn a_survey_imported_a_flagged_child_a_case_its_documents_and_a_meeting() -> Result<()> {
    let mut app = App::start("register").await?;
    let outcome = journey(&mut app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    app.close().await?;
    outcome
}

async fn add_village(app: &App, name_th: &str, name_en: Option<&str>, moo: &str) -> Result<()> {
    app.click("village-add-open").await?;
    app.type_into("village-name-th", name_th).await?;
    if let Some(en) = name_en {
        app.type_into("village-name-en", en).await?;
    }
    app.type_into("village-moo", moo).await?;
    app.type_into("place-search", "ศรีเมืองชุม").await?;
    app.el("place-option").await?;
    app.click_within("village-form", "แม่สาย", "place-option")
        .await?;
    app.click("village-submit").await?;
    app.wait_text("villages", "the new village", |t| t.contains(name_th))
        .await?;
    Ok(())
}

async fn add_volunteer(app: &App, name: &str, village: &str) -> Result<()> {
    app.click("volunteer-add-open").await?;
    app.type_into("volunteer-name", name).await?;
    app.select_text("volunteer-village", village).await?;
    app.type_into("volunteer-phone", "081 234 5678").await?;
    app.click("volunteer-submit").await?;
    app.wait_text("volunteers", "the new volunteer", |t| t.contains(name))
        .await?;
    Ok(())
}

/// Choose a file in the import's file input, as a person would from the file dialog.
async fn choose_file(app: &App, content: &str) -> Result<()> {
    app.el("import-file").await?;
    let script = format!(
        "const input = document.querySelector('[data-testid=\"import-file\"]');
         const dt = new DataTransfer();
         dt.items.add(new File([{}], 'survey.csv', {{ type: 'text/csv' }}));
         input.files = dt.files;
         input.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return true;",
        serde_json::to_string(content)?
    );
    app.script(&script).await?;
    Ok(())
}

async fn journey(app: &mut App) -> Result<()> {
    app.first_run("Somsri", "somsri", PASSPHRASE).await?;

    // Two villages, placed by the gazetteer, and their volunteers.
    app.click("nav-register").await?;
    app.click("register-tab-villages").await?;
    add_village(app, "บ้านป่าสัก", None, "3").await?;
    add_village(app, "บ้านห้วยไคร้", Some("Ban Huai Khrai"), "5").await?;
    app.click("register-tab-volunteers").await?;
    add_volunteer(app, "สมศรี ใจดี", "บ้านป่าสัก").await?;
    add_volunteer(app, "Boonmee Saeng", "บ้านห้วยไคร้").await?;
    app.screenshot("villages-and-volunteers").await?;

    // A survey with one bad row: named by row and column, nothing can be imported.
    app.click("register-tab-import").await?;
    choose_file(app, &survey(true)).await?;
    app.wait_text("import-error-count", "one error", |t| t.trim() == "1")
        .await?;
    let error = app.text("import-error").await?;
    ensure!(
        error.contains('4') && error.contains("birth_date"),
        "the error names row 4, column birth_date: {error}"
    );
    app.until(
        "the import is refused until the file is fixed",
        "return document.querySelector('[data-testid=\"import-confirm\"]')?.disabled !== false;",
    )
    .await?;
    app.screenshot("bad-row").await?;

    // Fixed and chosen again: five children of three households, then written.
    choose_file(app, &survey(false)).await?;
    app.wait_text("import-error-count", "no error", |t| t.trim() == "0")
        .await?;
    app.wait_text("import-children", "five children", |t| t.trim() == "5")
        .await?;
    app.click("import-confirm").await?;
    app.wait_text("import-done", "the import done", |t| t.contains('5'))
        .await?;
    app.screenshot("imported").await?;

    // The flagged child, and a case for her in one step.
    app.click("register-tab-children").await?;
    app.wait_text("register-total", "five children", |t| t.contains('5'))
        .await?;
    app.until(
        "นิด is flagged",
        "return [...document.querySelectorAll('[data-testid=\"register-row\"]')]
            .some(r => r.textContent.includes('นิด') && r.dataset.flagged === 'true'
                       && r.querySelector('[data-testid=\"register-flag\"]'));",
    )
    .await?;
    app.click_within("register-row", "นิด", "register-open-child")
        .await?;
    app.wait_text("register-child", "her record", |t| t.contains("นิด"))
        .await?;
    app.screenshot("flagged-child").await?;
    app.click("register-open-case").await?;
    app.wait_text("case-file", "her case", |t| t.contains("นิด"))
        .await?;
    app.wait_text("case-register-child", "the link back", |t| t.contains("นิด"))
        .await?;

    // Her documentation steps.
    app.select("step-kind", "birth_registration").await?;
    app.select("step-status", "done").await?;
    app.set_value("step-date", "2026-10-20").await?;
    app.type_into("step-documents", "สูติบัตรของแม่; ทะเบียนบ้าน")
        .await?;
    app.click("step-submit").await?;
    app.el("step-added").await?;
    app.select("step-kind", "dna_test").await?;
    app.select("step-status", "planned").await?;
    app.click("step-submit").await?;
    app.until(
        "two documentation steps",
        "return document.querySelectorAll('[data-testid=\"documentation-step\"]').length === 2;",
    )
    .await?;
    app.wait_text("documentation-step", "the registration's day", |t| {
        t.contains("2026")
    })
    .await?;
    app.screenshot("documentation-steps").await?;

    meeting(app).await
}

/// A working group meets, reviews her case and gives the lead a task.
async fn meeting(app: &mut App) -> Result<()> {
    app.click("nav-meetings").await?;
    app.click("committee-add-open").await?;
    app.type_into("committee-name", "คณะทำงานคุ้มครองเด็กอำเภอแม่สาย")
        .await?;
    app.select("committee-kind", "working_group").await?;
    app.select("committee-frequency", "monthly").await?;
    app.select_text("committee-chair", "Somsri").await?;
    app.click("committee-submit").await?;
    app.wait_text("committee-row", "the working group", |t| {
        t.contains("คณะทำงานคุ้มครองเด็ก")
    })
    .await?;

    app.click("meeting-plan-open").await?;
    app.select_text("meeting-committee", "คณะทำงาน").await?;
    app.set_value("meeting-starts-at", "2027-01-14T09:30")
        .await?;
    app.type_into("meeting-place", "ที่ว่าการอำเภอแม่สาย ห้อง 2")
        .await?;
    app.type_into("agenda-topic", "Volunteers' reports").await?;
    app.click("agenda-topic-add").await?;
    app.select_text("agenda-case", "นิด").await?;
    app.click("agenda-case-add").await?;
    app.click("meeting-plan-submit").await?;
    app.wait_text("meeting-view", "the meeting", |t| t.contains("นิด"))
        .await?;

    // The review's minutes go to her case file; the action item to her case's board.
    app.select("review-minutes-section", "social").await?;
    app.type_into("review-minutes-body", "นิดกลับไปเรียนแล้ว ป้ายินดีให้เยี่ยมบ้าน")
        .await?;
    app.click("review-minutes-submit").await?;
    app.wait_text("meeting-view", "the minutes", |t| {
        t.contains("นิดกลับไปเรียนแล้ว")
    })
    .await?;
    app.type_into("action-title", ACTION).await?;
    app.select_text("action-assignee", "Somsri").await?;
    app.set_value("action-due", "2027-01-21").await?;
    app.select_text("action-board", "นิด").await?;
    app.click("action-submit").await?;
    app.wait_text("action-row", "the action item, due on its day", |t| {
        t.contains(ACTION) && t.contains("2027")
    })
    .await?;
    app.screenshot("meeting").await?;

    // The item is her task, on the case's board.
    app.click("nav-tasks").await?;
    app.wait_text("my-tasks", "the action item among her tasks", |t| {
        t.contains(ACTION)
    })
    .await?;
    app.click_within("my-task", ACTION, "my-task-open").await?;
    app.wait_text("card-meeting", "the meeting it came from", |t| {
        t.contains("คณะทำงานคุ้มครองเด็ก")
    })
    .await?;
    app.screenshot("task").await?;
    app.click("card-detail-close").await?;
    // On her case's board, reached from her record in the register.
    app.click("nav-register").await?;
    app.click("register-tab-children").await?;
    app.click_within("register-row", "นิด", "register-open-child")
        .await?;
    app.click("register-case-link").await?;
    app.wait_text("case-board", "the action item on the case's board", |t| {
        t.contains(ACTION)
    })
    .await?;
    app.screenshot("case-board").await?;
    // The meeting waits on the home screen, above the cases.
    app.click("case-back").await?;
    app.wait_text("home-upcoming-meetings", "the meeting to come", |t| {
        t.contains("คณะทำงานคุ้มครองเด็ก")
    })
    .await?;
    Ok(())
}
