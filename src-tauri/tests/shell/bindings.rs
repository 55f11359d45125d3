//! The committed TypeScript bindings must match what the Rust side generates.
//! `RUAM_UPDATE_BINDINGS=1 cargo test -p ruam-desktop --test shell bindings` rewrites them.

use std::path::Path;

#[test]
fn typescript_bindings_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join(ruam_desktop::BINDINGS_PATH);
    let fresh = tempfile::NamedTempFile::new().unwrap();
    ruam_desktop::export_bindings(fresh.path()).unwrap();
    let fresh = std::fs::read_to_string(fresh.path()).unwrap();
    if std::env::var_os("RUAM_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh).unwrap();
    }
    let current = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        current == fresh,
        "{} is stale: run `./x bindings` and commit the result",
        committed.display()
    );
    assert!(fresh.contains("vaultUnlock") && fresh.contains("invalid_credentials"));
}
