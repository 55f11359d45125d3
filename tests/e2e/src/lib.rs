//! Drives the built Ruam app in a real window: starts `tauri-driver` (which starts
//! WebKitWebDriver and the app) with a fresh data directory, and saves a whole-page
//! screenshot of each step.
#![allow(clippy::print_stderr)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::json;

/// The workspace root (this crate lives in `tests/e2e`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The app binary: `RUAM_APP_BINARY`, or the debug build in the shared target dir.
pub fn app_binary() -> Result<PathBuf> {
    let path = match std::env::var_os("RUAM_APP_BINARY") {
        Some(p) => PathBuf::from(p),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"));
            target
                .join("debug")
                .join(format!("ruam-desktop{}", std::env::consts::EXE_SUFFIX))
        }
    };
    if !path.exists() {
        bail!(
            "the app binary {} is missing: build it first with `cargo build -p ruam-desktop` (./x test does)",
            path.display()
        );
    }
    Ok(path.canonicalize()?)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub struct App {
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    shots: PathBuf,
    shot_count: usize,
    driver: tokio::process::Child,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("data_dir", &self.data_dir.path())
            .finish_non_exhaustive()
    }
}

impl App {
    /// Start the app with an empty data directory. Screenshots go to
    /// `target/e2e-screenshots/<name>/`, printed for the person running the test.
    pub async fn start(name: &str) -> Result<Self> {
        Self::start_in(name, tempfile::tempdir()?).await
    }

    /// Start the app on a data directory made before (a vault a test filled, say).
    pub async fn start_in(name: &str, data_dir: tempfile::TempDir) -> Result<Self> {
        let app = app_binary()?;
        let (port, native_port) = (free_port()?, free_port()?);
        let driver = tokio::process::Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("RUAM_DATA_DIR", data_dir.path())
            .env("RUAM_EXPORT_DIR", data_dir.path().join("exports"))
            .kill_on_drop(true)
            .spawn()
            .context(
                "starting tauri-driver (cargo install tauri-driver --locked; ./x test does)",
            )?;
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("tauri-driver did not listen on {url} within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), json!({ "application": app }));
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&url)
            .await
            .context("opening a WebDriver session on the app")?;
        let shots = workspace_root().join("target/e2e-screenshots").join(name);
        std::fs::create_dir_all(&shots)?;
        eprintln!("screenshots of {name}: {}", shots.canonicalize()?.display());
        Ok(Self {
            client,
            data_dir,
            shots,
            shot_count: 0,
            driver,
        })
    }

    /// The element with `data-testid`, waiting up to 15 s for it to appear.
    pub async fn el(&self, testid: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await
            .with_context(|| format!("waiting for [data-testid={testid}]"))
    }

    pub async fn is_present(&self, testid: &str) -> Result<bool> {
        Ok(!self
            .client
            .find_all(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await?
            .is_empty())
    }

    pub async fn type_into(&self, testid: &str, text: &str) -> Result<()> {
        let el = self.el(testid).await?;
        el.clear().await?;
        el.send_keys(text).await?;
        Ok(())
    }

    /// Press Ctrl + `key` on whatever has the focus, as a person would.
    pub async fn press_ctrl(&self, key: char) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        use fantoccini::key::Key;
        let control = char::from(Key::Control);
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: control })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: control });
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Press Alt + `key` (e.g. an arrow: `char::from(Key::Right)`) on whatever has the focus.
    pub async fn press_alt(&self, key: char) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        use fantoccini::key::Key;
        let alt = char::from(Key::Alt);
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: alt })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: alt });
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Press one key (e.g. `char::from(Key::Escape)`) on whatever has the focus.
    pub async fn press(&self, key: char) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Wait up to 15 s for an element matching a CSS selector.
    pub async fn wait_css(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for {css}"))
    }

    /// Choose the option with `value` in the `<select>` with `data-testid`.
    pub async fn select(&self, testid: &str, value: &str) -> Result<()> {
        self.el(testid).await?;
        self.client
            .find(Locator::Css(&format!(
                "[data-testid=\"{testid}\"] option[value=\"{value}\"]"
            )))
            .await
            .with_context(|| format!("option {value} of [data-testid={testid}]"))?
            .click()
            .await?;
        Ok(())
    }

    /// Choose the option whose visible text contains `text` in the `<select>` with
    /// `data-testid` (for options whose value is an id the test does not know).
    pub async fn select_text(&self, testid: &str, text: &str) -> Result<()> {
        let select = self.el(testid).await?;
        for option in select.find_all(Locator::Css("option")).await? {
            if option.text().await?.contains(text) {
                option.click().await?;
                return Ok(());
            }
        }
        bail!("[data-testid={testid}] has no option with {text:?}")
    }

    /// Click the `inner` control inside the first `data-testid` element whose text
    /// contains `needle` (a button on one row of a list).
    pub async fn click_within(&self, testid: &str, needle: &str, inner: &str) -> Result<()> {
        self.el(testid).await?;
        for el in self
            .client
            .find_all(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await?
        {
            if el.text().await?.contains(needle) {
                el.find(Locator::Css(&format!("[data-testid=\"{inner}\"]")))
                    .await
                    .with_context(|| format!("[data-testid={inner}] in the row with {needle:?}"))?
                    .click()
                    .await?;
                return Ok(());
            }
        }
        bail!("no [data-testid={testid}] holds {needle:?}")
    }

    /// Whether any element with `data-testid` has text containing `needle`.
    pub async fn any_text(&self, testid: &str, needle: &str) -> Result<bool> {
        for el in self
            .client
            .find_all(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await?
        {
            if el.text().await?.contains(needle) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The first run: make the vault as its team lead and get past the recovery key.
    pub async fn first_run(
        &self,
        display_name: &str,
        sign_in: &str,
        passphrase: &str,
    ) -> Result<()> {
        self.type_into("team-name", "Mae Sai District MDT").await?;
        self.type_into("display-name", display_name).await?;
        self.type_into("sign-in-name", sign_in).await?;
        self.type_into("passphrase", passphrase).await?;
        self.type_into("passphrase-confirm", passphrase).await?;
        self.click("create-vault").await?;
        self.click("recovery-ack").await?;
        self.click("recovery-continue").await?;
        self.el("main").await?;
        Ok(())
    }

    /// As a lead on the Team page: add a member with a first passphrase.
    pub async fn add_member(
        &self,
        display_name: &str,
        sign_in: &str,
        role: &str,
        discipline: &str,
        first_passphrase: &str,
    ) -> Result<()> {
        self.click("nav-team").await?;
        self.click("member-add-open").await?;
        self.type_into("member-display-name", display_name).await?;
        self.type_into("member-sign-in-name", sign_in).await?;
        self.select("member-role", role).await?;
        self.select("member-discipline", discipline).await?;
        self.type_into("member-first-passphrase", first_passphrase)
            .await?;
        self.type_into("member-first-passphrase-confirm", first_passphrase)
            .await?;
        self.click("member-add-submit").await?;
        self.el("member-added").await?;
        Ok(())
    }

    /// Sign in with a first passphrase and replace it, as a new member must.
    pub async fn first_sign_in(&self, sign_in: &str, first: &str, own: &str) -> Result<()> {
        self.sign_in(sign_in, first).await?;
        self.el("first-passphrase").await?;
        self.type_into("first-current", first).await?;
        self.type_into("first-new", own).await?;
        self.type_into("first-new-confirm", own).await?;
        self.click("first-change-submit").await?;
        self.el("main").await?;
        Ok(())
    }

    /// On the lock screen: type a sign-in name and passphrase, and press Enter.
    pub async fn sign_in(&self, name: &str, passphrase: &str) -> Result<()> {
        self.type_into("unlock-sign-in-name", name).await?;
        self.type_into("unlock-passphrase", &format!("{passphrase}\u{E007}"))
            .await
    }

    pub async fn click(&self, testid: &str) -> Result<()> {
        self.el(testid).await?.click().await?;
        Ok(())
    }

    pub async fn text(&self, testid: &str) -> Result<String> {
        Ok(self.el(testid).await?.text().await?)
    }

    /// Wait until the element's text satisfies `pred` (up to 15 s); returns the text.
    pub async fn wait_text(
        &self,
        testid: &str,
        what: &str,
        pred: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text(testid).await.unwrap_or_default();
            if pred(&text) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                bail!("[data-testid={testid}] never showed {what}; last text: {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Save a whole-page screenshot after the page has painted.
    pub async fn screenshot(&mut self, step: &str) -> Result<PathBuf> {
        // A screenshot right after a DOM change shows the previous frame: wait two frames.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        self.shot_count += 1;
        let path = self
            .shots
            .join(format!("{:02}-{step}.png", self.shot_count));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    pub async fn close(self) -> Result<()> {
        self.close_keeping_data().await.map(drop)
    }

    /// Close the app and hand back its data directory, once the app has let go of it.
    pub async fn close_keeping_data(mut self) -> Result<tempfile::TempDir> {
        self.client.close().await?;
        let _ = self.driver.kill().await;
        let _ = self.driver.wait().await;
        Ok(self.data_dir)
    }

    /// Set an input's value as a picker does (a date or a day and time, whose typing
    /// follows the desktop's locale), telling the page as an edit would.
    pub async fn set_value(&self, testid: &str, value: &str) -> Result<()> {
        self.el(testid).await?;
        let script = format!(
            "const input = document.querySelector('[data-testid=\"{testid}\"]');
             input.value = {};
             input.dispatchEvent(new Event('input', {{ bubbles: true }}));
             input.dispatchEvent(new Event('change', {{ bubbles: true }}));
             return input.value;",
            serde_json::to_string(value)?
        );
        let set = self.script(&script).await?;
        if set != serde_json::Value::String(value.to_owned()) {
            bail!("[data-testid={testid}] took {set} for {value}");
        }
        Ok(())
    }

    /// Wait until `script` returns true in the window (up to 15 s).
    pub async fn until(&self, what: &str, script: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.script(script).await? != serde_json::Value::Bool(true) {
            if Instant::now() > deadline {
                bail!("never: {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Run a script in the window and give back what it returns.
    pub async fn script(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }
}

/// A message from the UI's catalog (`ui/src/lib/i18n/<lang>.json`), by dotted key.
pub fn catalog(lang: &str, key: &str) -> Result<String> {
    let path = workspace_root().join(format!("ui/src/lib/i18n/{lang}.json"));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    let mut node = &json;
    for part in key.split('.') {
        node = node
            .get(part)
            .with_context(|| format!("{key} is not in {}", path.display()))?;
    }
    node.as_str()
        .map(str::to_owned)
        .with_context(|| format!("{key} is not a string"))
}
