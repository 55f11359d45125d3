//! Settings: checked, kept across restarts, and the auto-lock guarded by the lock.

use ruam_core::settings::{Language, SettingsPatch};
use ruam_core::Error;

use crate::support::*;

fn patch(language: Option<Language>, minutes: Option<u32>) -> SettingsPatch {
    SettingsPatch {
        language,
        auto_lock_minutes: minutes,
    }
}

#[tokio::test]
async fn settings_are_checked_and_kept_across_restarts() {
    let (t, _) = TestVault::created().await;
    assert_invalid_field(
        t.vault.update_settings(patch(None, Some(0))).await,
        "auto_lock_minutes",
    );
    assert_invalid_field(
        t.vault
            .update_settings(patch(Some(Language::Th), Some(241)))
            .await,
        "auto_lock_minutes",
    );
    assert_eq!(
        t.vault.settings().language,
        Language::En,
        "a refused patch changes nothing"
    );
    let saved = t
        .vault
        .update_settings(patch(Some(Language::Th), Some(3)))
        .await
        .unwrap();
    assert_eq!((saved.language, saved.auto_lock_minutes), (Language::Th, 3));
    let again = t.restart().settings();
    assert_eq!(again, saved);
}

#[tokio::test]
async fn on_the_lock_screen_only_the_language_can_change() {
    let (t, _) = TestVault::created().await;
    t.vault.lock().await;
    assert!(matches!(
        t.vault.update_settings(patch(None, Some(30))).await,
        Err(Error::Locked)
    ));
    assert_eq!(
        t.vault
            .update_settings(patch(Some(Language::Th), None))
            .await
            .unwrap()
            .language,
        Language::Th
    );
}

#[tokio::test]
async fn a_damaged_settings_file_falls_back_to_defaults() {
    let (t, _) = TestVault::created().await;
    std::fs::write(t.paths().settings(), b"{not json").unwrap();
    let settings = t.restart().settings();
    assert_eq!(
        (settings.language, settings.auto_lock_minutes),
        (Language::En, 10)
    );
}
