//! The team's pooled fund in a real window: the lead opens a fund, three agencies put money
//! in (one in US dollars at a rate, one in kind), and cash goes to the shelter line. A
//! social worker asks for shelter costs for a case twice, once above the fund's threshold.
//! The lead approves both; the larger one waits for a second lead, who approves it, and
//! then records its payment with a receipt. The balance by contributor shows each agency's
//! share of what was paid.
#![allow(clippy::print_stderr)]

use anyhow::Result;
use ruam_e2e::App;

const PASSPHRASE: &str = "river lantern mango bicycle";
const FIRST: &str = "harbour violet cement glider";
const OWN: &str = "tamarind bicycle lantern orbit";
const RECEIPT: &[u8] = b"%PDF-1.4\n% receipt 4471, Baan Kru Noi shelter\n";

#[tokio::test(flavor = "multi_thread")]
async fn three_agencies_fund_shelter_costs_approved_by_two_leads() -> Result<()> {
    let mut app = App::start("funds").await?;
    let outcome = journey(&mut app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failure").await;
    }
    app.close().await?;
    outcome
}

async fn add_agency(app: &App, name: &str, kind: &str) -> Result<()> {
    app.click("agency-add-open").await?;
    app.type_into("agency-name", name).await?;
    app.select("agency-kind", kind).await?;
    app.click("agency-add-submit").await?;
    app.wait_text("team-agencies", "the new agency", |t| t.contains(name))
        .await?;
    Ok(())
}

async fn total(app: &App, which: &str, expected: &str) -> Result<()> {
    app.wait_text(&format!("fund-total-{which}"), which, |t| {
        t.contains(expected)
    })
    .await?;
    Ok(())
}

async fn contribute(app: &App, agency: &str, amount: &str, extra: &[(&str, &str)]) -> Result<()> {
    app.select_text("contribution-agency", agency).await?;
    app.type_into("contribution-amount", amount).await?;
    for (testid, value) in extra {
        if *testid == "contribution-in-kind" {
            app.click(testid).await?;
        } else {
            app.type_into(testid, value).await?;
        }
    }
    app.click("contribution-submit").await?;
    saved(app, "contribution").await
}

/// The form said it saved, and emptied its amount for the next one.
async fn saved(app: &App, form: &str) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let check = format!(
        "return !!document.querySelector('[data-testid=\"{form}-saved\"]')
           && document.querySelector('[data-testid=\"{form}-amount\"]').value === '';"
    );
    while app.script(&check).await? != serde_json::Value::Bool(true) {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the {form} form did not save"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

/// The request row showing `amount` reaches `status`.
async fn request_is(app: &App, amount: &str, status: &str) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let rows = app
            .script(
                "return [...document.querySelectorAll('[data-testid=\"request-row\"]')]
                   .map(r => [r.textContent, r.dataset.status]);",
            )
            .await?;
        let found = rows
            .as_array()
            .into_iter()
            .flatten()
            .any(|row| row[0].as_str().is_some_and(|t| t.contains(amount)) && row[1] == status);
        if found {
            return Ok(());
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "no request of {amount} is {status}: {rows}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn journey(app: &mut App) -> Result<()> {
    app.first_run("Somsri", "somsri", PASSPHRASE).await?;
    app.add_member("Malee Srisuk", "malee", "case_worker", "social_work", FIRST)
        .await?;
    app.add_member("Lek Boonmee", "lek", "team_lead", "social_work", FIRST)
        .await?;
    add_agency(app, "Mae Sai police", "police").await?;
    add_agency(app, "Friends of Children", "ngo").await?;
    add_agency(app, "Mae Sai hospital", "health").await?;

    // The lead opens the fund, with a second approver above 10,000 THB.
    app.click("nav-funds").await?;
    app.el("funds-empty").await?;
    app.click("fund-new").await?;
    app.type_into("fund-form-name", "District MDT pooled fund")
        .await?;
    app.type_into("fund-form-threshold", "10,000").await?;
    // Enter between the lines, as a person types them.
    app.type_into(
        "fund-form-lines",
        "Emergency shelter\u{E007}Travel for home visits\u{E007}Medical costs",
    )
    .await?;
    app.click("fund-form-submit").await?;
    total(app, "balance", "0.00 THB").await?;

    // Three agencies put in: cash, dollars at a rate, and a vehicle in kind.
    app.click("fund-tab-manage").await?;
    contribute(
        app,
        "Mae Sai police",
        "60,000",
        &[("contribution-reference", "KTB 1001")],
    )
    .await?;
    contribute(
        app,
        "Friends of Children",
        "1,000.00",
        &[
            ("contribution-currency", "USD"),
            ("contribution-rate", "30"),
        ],
    )
    .await?;
    contribute(
        app,
        "Mae Sai hospital",
        "15,000",
        &[
            ("contribution-in-kind", ""),
            (
                "contribution-description",
                "A vehicle and driver for home visits",
            ),
        ],
    )
    .await?;
    app.select_text("allocation-to", "Emergency shelter")
        .await?;
    app.type_into("allocation-amount", "50,000").await?;
    app.click("allocation-submit").await?;
    saved(app, "allocation").await?;
    app.click("fund-tab-overview").await?;
    total(app, "cash", "90,000.00 THB").await?;
    total(app, "in-kind", "15,000.00 THB").await?;
    total(app, "unallocated", "40,000.00 THB").await?;
    app.screenshot("funds-given").await?;
    app.click("lock").await?;

    // The social worker opens a case and asks for shelter costs, twice.
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
    app.click("nav-funds").await?;
    app.click("fund-tab-requests").await?;
    for amount in ["9,000", "12,000"] {
        app.select_text("request-line", "Emergency shelter").await?;
        app.type_into("request-amount", amount).await?;
        app.type_into(
            "request-purpose",
            "Two weeks at the shelter with her sister",
        )
        .await?;
        app.select_text("request-case", "Nok Jaidee").await?;
        app.click("request-submit").await?;
        request_is(app, &format!("{amount}.00 THB"), "pending").await?;
    }
    app.screenshot("funds-requested").await?;
    app.click("lock").await?;

    // The lead approves both: the larger waits for a second lead.
    app.sign_in("somsri", PASSPHRASE).await?;
    app.click("nav-funds").await?;
    app.wait_text("fund-approvals-count", "two waiting", |t| t.trim() == "2")
        .await?;
    app.click("fund-tab-approvals").await?;
    app.click_within("request-row", "9,000.00 THB", "request-approve")
        .await?;
    app.wait_text("approval-queue", "the small one leaves the queue", |t| {
        !t.contains("9,000.00 THB")
    })
    .await?;
    app.click_within("request-row", "12,000.00 THB", "request-approve")
        .await?;
    app.click("fund-tab-requests").await?;
    request_is(app, "9,000.00 THB", "approved").await?;
    request_is(app, "12,000.00 THB", "pending").await?;
    app.el("request-needs-second").await?;
    app.screenshot("funds-first-approval").await?;
    app.click("lock").await?;

    // The second lead approves it and records the payment with its receipt.
    app.first_sign_in("lek", FIRST, OWN).await?;
    app.click("nav-funds").await?;
    app.click("fund-tab-approvals").await?;
    app.click_within("request-row", "12,000.00 THB", "request-approve")
        .await?;
    app.click("fund-tab-requests").await?;
    request_is(app, "12,000.00 THB", "approved").await?;
    app.click_within("request-row", "12,000.00 THB", "request-pay")
        .await?;
    app.select("pay-method", "transfer").await?;
    app.type_into("pay-reference", "KTB 4471").await?;
    let receipt = app.data_dir.path().join("receipt-4471.pdf");
    std::fs::write(&receipt, RECEIPT)?;
    app.el("pay-receipt")
        .await?
        .send_keys(&receipt.display().to_string())
        .await?;
    app.click("pay-submit").await?;
    request_is(app, "12,000.00 THB", "paid").await?;
    app.screenshot("funds-paid").await?;

    // 12,000 paid, shared by cash: the police 60,000 of 90,000, the NGO 30,000; the
    // hospital gave in kind and has no share of the cash spent.
    app.click("fund-tab-overview").await?;
    total(app, "paid", "12,000.00 THB").await?;
    total(app, "committed", "9,000.00 THB").await?;
    total(app, "balance", "78,000.00 THB").await?;
    let shares = app
        .script(
            "return [...document.querySelectorAll('[data-testid=\"contributor-row\"]')].map(r => [
                r.dataset.agencyName,
                r.querySelector('[data-testid=\"contributor-share\"]').textContent.trim(),
            ]);",
        )
        .await?;
    let share = |name: &str| -> Option<String> {
        shares.as_array()?.iter().find_map(|row| {
            (row[0] == name).then(|| row[1].as_str().unwrap_or_default().to_owned())
        })
    };
    anyhow::ensure!(
        share("Mae Sai police").as_deref() == Some("8,000.00 THB")
            && share("Friends of Children").as_deref() == Some("4,000.00 THB")
            && share("Mae Sai hospital").as_deref() == Some("0.00 THB"),
        "shares by contributor: {shares}"
    );
    app.el("fund-chart").await?;
    app.screenshot("funds-shares").await?;
    Ok(())
}
