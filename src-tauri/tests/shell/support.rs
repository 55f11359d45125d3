//! An app on Tauri's mock runtime with a vault in a temp dir and an in-memory keyring.

use std::sync::Arc;

use ruam_core::crypto::Argon2Params;
use ruam_core::keyring::MemoryKeyring;
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;
use serde_json::{json, Value};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::WebviewWindow;

pub const PASSPHRASE: &str = "river lantern mango bicycle";

pub struct Shell {
    pub dir: tempfile::TempDir,
    app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

impl Shell {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let builder = ruam_desktop::specta_builder::<MockRuntime>();
        let app = mock_builder()
            .invoke_handler(builder.invoke_handler())
            .build(mock_context(noop_assets()))
            .unwrap();
        builder.mount_events(&app);
        let vault = Vault::new(VaultPaths::new(dir.path()), Arc::new(MemoryKeyring::new()))
            .with_argon2(Argon2Params::FAST_FOR_TESTS);
        ruam_desktop::attach_vault(app.handle(), Arc::new(vault));
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Self { dir, app, webview }
    }

    pub fn app(&self) -> &tauri::AppHandle<MockRuntime> {
        self.app.handle()
    }

    /// The vault the commands use (the app's managed state).
    pub fn vault(&self) -> Arc<Vault> {
        use tauri::Manager;
        self.app.state::<Arc<Vault>>().inner().clone()
    }

    /// Invoke a command as the UI would; `Err` holds the serialised error.
    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        tauri::test::get_ipc_response(
            &self.webview,
            tauri::webview::InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    pub fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Err(e) => e,
            Ok(v) => panic!("{cmd} should have failed, answered {v}"),
        }
    }

    /// Create a vault through IPC; returns the recovery key.
    pub fn create(&self) -> String {
        let created = self.ok(
            "vault_create",
            json!({ "request": { "teamName": "Mae Sai MDT", "displayName": "Somsri", "signInName": "somsri", "passphrase": PASSPHRASE } }),
        );
        created["recoveryKey"].as_str().unwrap().to_owned()
    }
}
