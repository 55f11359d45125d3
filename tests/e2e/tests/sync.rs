//! Two laptops in two real windows, each with its own data directory, and one relay on
//! loopback that this test starts. The lead sets up the team and puts it on the relay,
//! adds the police liaison and invites their laptop; the liaison's laptop starts with no
//! vault, joins with the invite and shows its six digits, which the lead types to approve
//! it. The lead gives the liaison a task to review; on the other laptop the liaison finds
//! it in the review queue and signs it off; back on the lead's laptop it is in Done,
//! signed off by the liaison.
#![allow(clippy::print_stderr)]

use std::net::SocketAddr;

use anyhow::{bail, Context as _, Result};
use fantoccini::key::Key;
use ruam_e2e::App;
use ruam_relay::store::SqliteStore;
use tokio::sync::oneshot;

const PASSPHRASE: &str = "river lantern mango bicycle";
const FIRST: &str = "harbour violet cement glider";
const OWN: &str = "tamarind bicycle lantern orbit";
const TASK: &str = "Take the statement at the district office";

/// The relay, on a SQLite file in a temporary directory, until stopped.
struct Relay {
    url: String,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn start_relay() -> Result<Relay> {
    let dir = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address: SocketAddr = listener.local_addr()?;
    let store = SqliteStore::open(&dir.path().join("relay.db"))
        .await
        .context("opening the relay's database")?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(ruam_relay::serve(
        listener,
        store,
        ruam_relay::Config::default(),
        async {
            let _ = stopped.await;
        },
    ));
    Ok(Relay {
        url: format!("http://{address}"),
        stop,
        task,
        _dir: dir,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_given_on_the_leads_laptop_is_signed_off_on_the_liaisons() -> Result<()> {
    let relay = start_relay().await?;
    let mut lead = App::start("sync-lead").await?;
    let mut liaison = match App::start("sync-liaison").await {
        Ok(app) => app,
        Err(err) => {
            lead.close().await?;
            return Err(err);
        }
    };
    let outcome = journey(&mut lead, &mut liaison, &relay.url).await;
    if outcome.is_err() {
        let _ = lead.screenshot("failure").await;
        let _ = liaison.screenshot("failure").await;
    }
    lead.close().await?;
    liaison.close().await?;
    let _ = relay.stop.send(());
    relay.task.await??;
    outcome
}

/// The invite code inside the sentence that shows it: eight groups of four.
fn invite_code(sentence: &str) -> Result<String> {
    sentence
        .split(|c: char| c.is_whitespace() || c == '.' || c == ',')
        .find(|word| word.len() == 39 && word.matches('-').count() == 7)
        .map(str::to_owned)
        .with_context(|| format!("no invite code in {sentence:?}"))
}

/// One sync round from Settings → Devices and sync, waiting for its report.
async fn sync_round(app: &App) -> Result<()> {
    app.click("nav-settings").await?;
    app.click("sync-now").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if app.is_present("sync-report").await? {
            return Ok(());
        }
        if app.is_present("sync-round-error").await? {
            bail!(
                "the sync round failed: {}",
                app.text("sync-round-error").await?
            );
        }
        if std::time::Instant::now() > deadline {
            bail!("no sync report within 20 s");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The card sits in the column of this stage on the team's board.
async fn card_in(app: &App, stage: &str) -> Result<()> {
    app.wait_css(&format!(
        "[data-testid=\"team-board\"] [data-testid=\"board-column\"][data-stage=\"{stage}\"] [data-testid=\"board-card\"]"
    ))
    .await?;
    Ok(())
}

async fn journey(lead: &mut App, liaison: &mut App, relay: &str) -> Result<()> {
    // The lead's laptop: the team, the liaison, the relay, an invite for the liaison's laptop.
    lead.first_run("Somsri", "somsri", PASSPHRASE).await?;
    lead.add_member("Pol. Lt. Anan", "anan", "police_liaison", "police", FIRST)
        .await?;
    lead.click("nav-settings").await?;
    lead.type_into("sync-relay", relay).await?;
    lead.click("sync-start-submit").await?;
    lead.el("sync-status").await?;
    lead.select_text("sync-invite-member", "Pol. Lt. Anan")
        .await?;
    lead.click("sync-invite-submit").await?;
    let code = invite_code(&lead.text("sync-invite-code").await?)?;
    lead.screenshot("invite").await?;

    // The liaison's new laptop joins with it and shows its six digits.
    liaison.click("way-join").await?;
    liaison.type_into("join-relay", relay).await?;
    liaison.type_into("join-code", &code).await?;
    liaison.type_into("join-passphrase", OWN).await?;
    liaison.type_into("join-passphrase-confirm", OWN).await?;
    liaison.click("join-submit").await?;
    liaison.click("recovery-ack").await?;
    liaison.click("recovery-continue").await?;
    let short_code = liaison.text("join-short-code").await?;
    anyhow::ensure!(
        short_code.chars().filter(char::is_ascii_digit).count() == 6,
        "the short code is six digits: {short_code:?}"
    );
    liaison.screenshot("waiting-for-approval").await?;

    // The new laptop shows up on the lead's screen by itself; the lead types those digits
    // to let it in.
    lead.wait_css("[data-testid=\"sync-device\"][data-status=\"pending\"]")
        .await?;
    lead.type_into("sync-typed-code", &short_code).await?;
    lead.click("sync-approve").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while lead
        .client
        .find_all(fantoccini::Locator::Css(
            "[data-testid=\"sync-device\"][data-status=\"active\"]",
        ))
        .await?
        .len()
        < 2
    {
        if lead.is_present("sync-device-error").await? {
            bail!("approval failed: {}", lead.text("sync-device-error").await?);
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the liaison's laptop never showed as active"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    lead.screenshot("approved").await?;

    // The liaison's laptop pulls the team and opens as the liaison.
    liaison
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(30))
        .for_element(fantoccini::Locator::Css("[data-testid=\"main\"]"))
        .await
        .context("the liaison's laptop never finished joining")?;
    liaison.screenshot("joined").await?;

    // The lead gives the liaison a task to review, and sends it for review.
    lead.click("nav-tasks").await?;
    lead.click("tasks-tab-board").await?;
    lead.el("team-board").await?;
    lead.click("card-new").await?;
    lead.type_into("card-title", TASK).await?;
    lead.select_text("card-assignee", "Pol. Lt. Anan").await?;
    lead.select_text("card-reviewer", "Pol. Lt. Anan").await?;
    lead.click("card-create-submit").await?;
    card_in(lead, "todo").await?;
    lead.click("board-card").await?;
    lead.el("card-detail").await?;
    lead.press(char::from(Key::Escape)).await?;
    lead.press_alt(char::from(Key::Right)).await?;
    card_in(lead, "in_progress").await?;
    lead.press_alt(char::from(Key::Right)).await?;
    card_in(lead, "review").await?;
    sync_round(lead).await?;

    // On the other laptop the liaison finds it in the review queue and signs it off.
    sync_round(liaison).await?;
    liaison.click("nav-tasks").await?;
    liaison.click("tasks-tab-review").await?;
    liaison
        .wait_text("review-item", "the task in the review queue", |t| {
            t.contains(TASK)
        })
        .await?;
    liaison.screenshot("to-review").await?;
    liaison.click("review-approve").await?;
    liaison
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(15))
        .for_element(fantoccini::Locator::Css("[data-testid=\"review-empty\"]"))
        .await?;
    sync_round(liaison).await?;

    // Back on the lead's laptop: done, signed off by the liaison.
    sync_round(lead).await?;
    lead.click("nav-tasks").await?;
    lead.click("tasks-tab-board").await?;
    card_in(lead, "done").await?;
    lead.wait_text("team-board", "the liaison's sign-off", |t| {
        t.contains("Signed off by Pol. Lt. Anan")
    })
    .await?;
    lead.screenshot("signed-off").await?;
    Ok(())
}
