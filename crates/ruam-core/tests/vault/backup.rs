//! Backups: one encrypted file opened by the recovery key or a lead's backup passphrase,
//! equal in content when restored, on this laptop or another; damaged, cut short or
//! another vault's backups refused with the vault left as it was; the daily plan and the
//! number kept; a switch cut short by a crash finished at the next start.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ruam_core::backup::{BackupFault, BackupProgress, Progress};
use ruam_core::vault::{BackupPlanRequest, BackupSecret, RestoreRequest};
use ruam_core::{Error, SecretString, VaultState};

use crate::cases::{new_case, note};
use crate::support::*;

const NOTE: &str = "เด็กเล่าว่าทำงานในโรงงานแปรรูปปลา";

fn quiet() -> Progress {
    Arc::new(|_: BackupProgress| {})
}

fn plan(folder: &Path, keep: u8, daily: bool, passphrase: Option<&str>) -> BackupPlanRequest {
    BackupPlanRequest {
        folder: Some(folder.display().to_string()),
        keep,
        daily,
        passphrase: passphrase.map(SecretString::from),
    }
}

fn with_key(file: &str, key: &str) -> RestoreRequest {
    RestoreRequest {
        file: file.into(),
        secret: BackupSecret::RecoveryKey(key.into()),
    }
}

fn with_passphrase(file: &str, passphrase: &str) -> RestoreRequest {
    RestoreRequest {
        file: file.into(),
        secret: BackupSecret::Passphrase(passphrase.into()),
    }
}

/// The cases' names and every note's body, as the lead reads them.
async fn content(t: &TestVault) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for case in t.vault.list_cases(false, None).await.unwrap().cases {
        let file = t.vault.open_case(&case.id).await.unwrap();
        let mut notes: Vec<String> = file.notes.iter().map(|n| n.body.clone()).collect();
        notes.sort();
        out.push((case.subject_name, notes));
    }
    out.sort();
    out
}

/// A vault with two cases and notes, and a backup folder.
async fn vault_with_cases() -> (TestVault, String, tempfile::TempDir) {
    let (t, key) = TestVault::created().await;
    for (name, year) in [("Nguyễn Thị Lan", 2013), ("สมชาย บุญมี", 2011)] {
        let case = t.vault.create_case(new_case(name, year)).await.unwrap();
        note(&t, &case.summary.id, "social", NOTE).await;
    }
    (t, key, tempfile::tempdir().unwrap())
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_backup_restored_on_this_laptop_brings_back_its_content_and_keeps_the_old_files() {
    let (t, key, folder) = vault_with_cases().await;
    let before = content(&t).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let progress: Progress = {
        let seen = seen.clone();
        Arc::new(move |p: BackupProgress| seen.lock().unwrap().push((p.done, p.total)))
    };
    let file = t
        .vault
        .back_up(Some(folder.path()), progress)
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty(), "the progress bar moved");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(
        seen.last().map(|p| p.0),
        seen.last().map(|p| p.1),
        "it ends full"
    );
    assert!(file.path.ends_with(".ruambackup"), "{}", file.path);
    assert_eq!(std::fs::metadata(&file.path).unwrap().len(), file.bytes);

    // Nothing of the vault's content is in the file as it was typed.
    let bytes = std::fs::read(&file.path).unwrap();
    for needle in [NOTE, "Nguyễn Thị Lan", "สมชาย", TEAM] {
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "{needle} is in the backup"
        );
    }

    let backups: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'vault.backup'")
            .fetch_one(&t.vault.pool().await.unwrap())
            .await
            .unwrap();
    assert_eq!(backups, 1, "the backup is in the audit log");

    // A case made after the backup is gone once it is restored.
    t.vault
        .create_case(new_case("Made after the backup", 2012))
        .await
        .unwrap();
    let done = t
        .vault
        .restore(with_key(&file.path, &key), quiet())
        .await
        .unwrap();
    assert_eq!(t.vault.status().await.state, VaultState::Locked);
    assert!(done.passphrase_signs_in, "this laptop's slots still open");
    assert!(
        done.check.tables > 20 && done.check.rows > 0,
        "{:?}",
        done.check
    );
    let replaced = PathBuf::from(done.replaced.expect("the old files are kept"));
    assert!(replaced.join("ruam.vault").exists() && replaced.join("ruam.slots").exists());
    assert!(
        !entries(t.dir.path())
            .iter()
            .any(|n| n.starts_with("restoring-")),
        "the unpacked folder is gone"
    );
    t.unlock(PASSPHRASE).await.unwrap();
    assert_eq!(content(&t).await, before);
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY seq")
        .fetch_all(&t.vault.pool().await.unwrap())
        .await
        .unwrap();
    assert!(actions.contains(&"vault.restore".to_owned()), "{actions:?}");
}

#[tokio::test]
async fn on_another_laptop_a_leads_backup_passphrase_restores_and_then_signs_in() {
    let (t, key, folder) = vault_with_cases().await;
    let before = content(&t).await;
    // A wrong passphrase makes no slot.
    let wrong = t
        .vault
        .set_backup_plan(
            plan(folder.path(), 3, false, Some("not my passphrase")),
            folder.path(),
        )
        .await;
    assert!(matches!(wrong, Err(Error::InvalidCredentials)), "{wrong:?}");
    let plan_now = t
        .vault
        .set_backup_plan(
            plan(folder.path(), 3, false, Some(PASSPHRASE)),
            folder.path(),
        )
        .await
        .unwrap();
    assert!(plan_now.my_passphrase);
    assert_eq!(plan_now.passphrases, 1);
    let file = t.vault.back_up(None, quiet()).await.unwrap();
    assert!(file.path.starts_with(&folder.path().display().to_string()));
    // A new passphrase opens the backups made after it; the old one those before.
    const NEW: &str = "jasmine tractor monsoon violin";
    t.vault
        .change_passphrase(change_request(PASSPHRASE, NEW))
        .await
        .unwrap();
    let after = t.vault.back_up(None, quiet()).await.unwrap();
    let fourth = TestVault::empty();
    let old_one = fourth
        .vault
        .restore(with_passphrase(&after.path, PASSPHRASE), quiet())
        .await;
    assert!(
        matches!(old_one, Err(Error::InvalidCredentials)),
        "{old_one:?}"
    );
    fourth
        .vault
        .restore(with_passphrase(&after.path, NEW), quiet())
        .await
        .unwrap();
    fourth.unlock(NEW).await.unwrap();

    // A new laptop: no vault, its own keyring.
    let other = TestVault::empty();
    let listed = other
        .vault
        .backups_in(&folder.path().display().to_string())
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed[0].passphrase && !listed[0].this_vault);
    let wrong = other
        .vault
        .restore(
            with_passphrase(&file.path, "river lantern mango bicyclf"),
            quiet(),
        )
        .await;
    assert!(matches!(wrong, Err(Error::InvalidCredentials)), "{wrong:?}");
    assert!(!other.paths().vault_exists(), "nothing was left behind");
    let done = other
        .vault
        .restore(with_passphrase(&file.path, PASSPHRASE), quiet())
        .await
        .unwrap();
    assert!(done.passphrase_signs_in);
    assert_eq!(done.replaced, None);
    other.unlock(PASSPHRASE).await.unwrap();
    assert_eq!(content(&other).await, before);

    // The recovery key restores on a third laptop, and then sets a passphrase there.
    let third = TestVault::empty();
    let done = third
        .vault
        .restore(with_key(&file.path, &key), quiet())
        .await
        .unwrap();
    assert!(!done.passphrase_signs_in);
    assert!(matches!(
        third.unlock(PASSPHRASE).await,
        Err(Error::DeviceNotEnrolled | Error::InvalidCredentials)
    ));
    third
        .vault
        .unlock_with_recovery(recovery_request(&key, "jasmine tractor monsoon violin"))
        .await
        .unwrap();
    assert_eq!(content(&third).await, before);
}

#[tokio::test]
async fn damaged_cut_short_or_foreign_backups_are_refused_and_the_vault_stays_as_it_was() {
    let (t, key, folder) = vault_with_cases().await;
    let file = t.vault.back_up(Some(folder.path()), quiet()).await.unwrap();
    let bytes = std::fs::read(&file.path).unwrap();
    let before = content(&t).await;
    let files_before = entries(t.dir.path());

    let write = |name: &str, bytes: &[u8]| {
        let path = folder.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let mut changed = bytes.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x40;
    let cases = [
        (write("changed.ruambackup", &changed), BackupFault::Damaged),
        (
            write("short.ruambackup", &bytes[..bytes.len() - 100]),
            BackupFault::Truncated,
        ),
        (
            write("half.ruambackup", &bytes[..bytes.len() / 2]),
            BackupFault::Truncated,
        ),
        (
            write("notes.ruambackup", "a spreadsheet".as_bytes()),
            BackupFault::NotABackup,
        ),
    ];
    for (path, expected) in cases {
        let result = t.vault.restore(with_key(&path, &key), quiet()).await;
        assert!(
            matches!(result, Err(Error::Backup(fault)) if fault == expected),
            "{path}: {result:?}"
        );
        assert_eq!(t.vault.status().await.state, VaultState::Unlocked, "{path}");
    }
    let wrong_key = t
        .vault
        .restore(
            with_key(&file.path, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789"),
            quiet(),
        )
        .await;
    assert!(
        matches!(wrong_key, Err(Error::InvalidCredentials)),
        "{wrong_key:?}"
    );

    // Another team's backup is not restored over this vault.
    let (other, other_key, other_folder) = vault_with_cases().await;
    let foreign = other
        .vault
        .back_up(Some(other_folder.path()), quiet())
        .await
        .unwrap();
    let result = t
        .vault
        .restore(with_key(&foreign.path, &other_key), quiet())
        .await;
    assert!(
        matches!(result, Err(Error::Backup(BackupFault::OtherVault))),
        "{result:?}"
    );

    assert_eq!(
        entries(t.dir.path()),
        files_before,
        "no folder or file was left"
    );
    assert_eq!(content(&t).await, before);
    t.vault.lock().await;
    t.unlock(PASSPHRASE).await.unwrap();
    assert_eq!(content(&t).await, before);
}

#[tokio::test]
async fn a_backup_taken_while_rows_are_written_is_one_consistent_moment() {
    let (t, key, folder) = vault_with_cases().await;
    let pool = t.vault.pool().await.unwrap();
    sqlx::query("CREATE TABLE busy (n INTEGER NOT NULL, pad BLOB NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (pool, stop) = (pool.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0i64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                sqlx::query("INSERT INTO busy (n, pad) VALUES (?, randomblob(3000))")
                    .bind(n)
                    .execute(&pool)
                    .await
                    .unwrap();
                n += 1;
                tokio::task::yield_now().await;
            }
            n
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut files = Vec::new();
    for _ in 0..3 {
        files.push(t.vault.back_up(Some(folder.path()), quiet()).await.unwrap());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    drop(pool);
    assert!(written > 0);
    // Each restores and passes the checks (integrity, pages, counts from its snapshot).
    for file in files {
        let other = TestVault::empty();
        other
            .vault
            .restore(with_key(&file.path, &key), quiet())
            .await
            .unwrap();
        other
            .vault
            .unlock_with_recovery(recovery_request(&key, "jasmine tractor monsoon violin"))
            .await
            .unwrap();
        let rows: Vec<i64> = sqlx::query_scalar("SELECT n FROM busy ORDER BY n")
            .fetch_all(&other.vault.pool().await.unwrap())
            .await
            .unwrap();
        // A prefix of what was written: no row without those before it.
        assert!(rows.iter().enumerate().all(|(i, n)| *n == i as i64));
        assert!((rows.len() as i64) <= written);
    }
}

#[tokio::test]
async fn the_daily_backup_runs_once_a_day_and_keeps_the_last_n() {
    let (t, _key, folder) = vault_with_cases().await;
    let refused = t
        .vault
        .set_backup_plan(
            BackupPlanRequest {
                folder: None,
                keep: 3,
                daily: true,
                passphrase: None,
            },
            folder.path(),
        )
        .await;
    assert_invalid_field(refused, "folder");
    assert_invalid_field(
        t.vault
            .set_backup_plan(plan(folder.path(), 0, true, None), folder.path())
            .await,
        "keep",
    );
    assert_invalid_field(
        t.vault
            .set_backup_plan(
                plan(&folder.path().join("missing"), 2, true, None),
                folder.path(),
            )
            .await,
        "folder",
    );
    assert_invalid_field(
        t.vault
            .set_backup_plan(
                plan(Path::new("relative/folder"), 2, true, None),
                folder.path(),
            )
            .await,
        "folder",
    );
    t.vault
        .set_backup_plan(plan(folder.path(), 2, true, None), folder.path())
        .await
        .unwrap();
    // Not a backup, and another vault's backup: never removed.
    std::fs::write(folder.path().join("notes.txt"), "keep me").unwrap();
    std::fs::write(
        folder
            .path()
            .join("ruam-00000000-20200101T000000000Z.ruambackup"),
        "x",
    )
    .unwrap();

    let now = time::OffsetDateTime::now_utc();
    let first = t.vault.back_up_if_due(now, quiet()).await.unwrap();
    assert!(first.is_some(), "due: none made yet");
    let again = t
        .vault
        .back_up_if_due(now + time::Duration::hours(23), quiet())
        .await
        .unwrap();
    assert!(again.is_none(), "not again within the day");
    let next_day = t
        .vault
        .back_up_if_due(now + time::Duration::hours(25), quiet())
        .await
        .unwrap();
    assert!(next_day.is_some(), "due a day later");
    t.vault.back_up(None, quiet()).await.unwrap();
    let last = t.vault.back_up(None, quiet()).await.unwrap();

    let names = entries(folder.path());
    let mine: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(".ruambackup") && !n.starts_with("ruam-00000000"))
        .collect();
    assert_eq!(mine.len(), 2, "{names:?}");
    assert!(last.path.ends_with(mine[1].as_str()), "the newest is kept");
    assert!(names.contains(&"notes.txt".to_owned()));
    assert!(names.iter().any(|n| n.starts_with("ruam-00000000")));
    assert!(!names.iter().any(|n| n.ends_with(".partial")));
    let plan = t.vault.backup_plan(folder.path()).await.unwrap();
    assert_eq!(plan.last_file.as_deref(), Some(last.path.as_str()));
    assert_eq!(plan.last_error, None);

    // The folder gone (a USB stick unplugged): the daily backup fails, and says so.
    let path = folder.path().to_owned();
    drop(folder);
    assert!(!path.exists());
    let failed = t
        .vault
        .back_up_if_due(now + time::Duration::days(3), quiet())
        .await;
    assert_invalid_field(failed, "folder");
    let plan = t.vault.backup_plan(&path).await.unwrap();
    assert_eq!(plan.last_error.as_deref(), Some("invalid"));
    assert_eq!(
        plan.last_file.as_deref(),
        Some(last.path.as_str()),
        "the last good one"
    );
}

#[tokio::test]
async fn only_those_who_manage_the_recovery_key_back_up_or_restore() {
    let (t, key, folder) = vault_with_cases().await;
    let file = t.vault.back_up(Some(folder.path()), quiet()).await.unwrap();
    t.vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "dao").await;
    assert!(matches!(
        t.vault.back_up(Some(folder.path()), quiet()).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.backup_plan(folder.path()).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault.restore(with_key(&file.path, &key), quiet()).await,
        Err(Error::Forbidden)
    ));
    assert!(t
        .vault
        .back_up_if_due(time::OffsetDateTime::now_utc(), quiet())
        .await
        .unwrap()
        .is_none());
    // Locked over an existing vault: a passphrase does not restore (only the recovery key).
    t.vault.lock().await;
    assert_invalid_field(
        t.vault
            .restore(with_passphrase(&file.path, PASSPHRASE), quiet())
            .await,
        "passphrase",
    );
}

#[tokio::test]
async fn a_vault_too_damaged_to_open_is_restored_from_the_lock_screen_with_its_recovery_key() {
    let (t, key, folder) = vault_with_cases().await;
    let before = content(&t).await;
    let file = t.vault.back_up(Some(folder.path()), quiet()).await.unwrap();
    t.vault.lock().await;
    // The database's pages are overwritten in the middle: it no longer opens.
    let database = t.paths().database();
    let mut bytes = std::fs::read(&database).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..].fill(0x5A);
    std::fs::write(&database, &bytes).unwrap();
    let vault = t.restart();
    assert!(vault.unlock(unlock_request(PASSPHRASE)).await.is_err());
    // A wrong recovery key is refused and counted, and nothing changes.
    let wrong = ruam_core::recovery::RecoveryKey::generate().unwrap();
    assert!(matches!(
        vault
            .restore(with_key(&file.path, wrong.display().as_str()), quiet())
            .await,
        Err(Error::InvalidCredentials)
    ));
    assert_eq!(
        std::fs::read(&database).unwrap(),
        bytes,
        "the damaged file is kept as it was"
    );
    assert!(
        t.paths().attempts().exists(),
        "the wrong key counts as a wrong attempt"
    );
    // Another vault's backup is refused even with that vault's key.
    let (other, other_key, other_folder) = vault_with_cases().await;
    let foreign = other
        .vault
        .back_up(Some(other_folder.path()), quiet())
        .await
        .unwrap();
    assert!(vault
        .restore(with_key(&foreign.path, &other_key), quiet())
        .await
        .is_err());
    assert_eq!(std::fs::read(&database).unwrap(), bytes);
    // This vault's key restores its backup; the damaged files are kept aside.
    let done = vault
        .restore(with_key(&file.path, &key), quiet())
        .await
        .unwrap();
    assert!(done.replaced.is_some());
    vault.unlock(unlock_request(PASSPHRASE)).await.unwrap();
    let restored = TestVault {
        dir: t.dir,
        keyring: t.keyring,
        vault,
    };
    assert_eq!(content(&restored).await, before);
}

#[tokio::test]
async fn a_switch_cut_short_by_a_crash_is_finished_at_the_next_start() {
    let (t, key, folder) = vault_with_cases().await;
    let before = content(&t).await;
    let file = t.vault.back_up(Some(folder.path()), quiet()).await.unwrap();
    t.vault
        .create_case(new_case("Made after the backup", 2012))
        .await
        .unwrap();
    t.vault.lock().await;

    // What a restore leaves when the process dies halfway through the switch: the
    // backup unpacked, the marker written, the old database moved away, the rest not.
    let paths = t.paths();
    let staging = t.dir.path().join("restoring-1");
    let recovery = ruam_core::recovery::RecoveryKey::parse(&key).unwrap();
    ruam_core::backup::restore::unpack(
        Path::new(&file.path),
        &staging,
        &ruam_core::backup::Opener::RecoveryKey(&recovery),
        None,
        &quiet(),
    )
    .unwrap();
    std::fs::write(
        t.dir.path().join("restore.json"),
        r#"{"restored":"restoring-1","replaced":"before-restore-1"}"#,
    )
    .unwrap();
    std::fs::create_dir(t.dir.path().join("before-restore-1")).unwrap();
    std::fs::rename(
        paths.database(),
        t.dir.path().join("before-restore-1/ruam.vault"),
    )
    .unwrap();
    // And an unpacked folder from a restore that never got to its switch.
    std::fs::create_dir(t.dir.path().join("restoring-0")).unwrap();

    let restarted = TestVault {
        vault: t.restart(),
        ..t
    };
    let names = entries(restarted.dir.path());
    assert!(!names.contains(&"restore.json".to_owned()), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("restoring-")),
        "{names:?}"
    );
    assert!(restarted
        .dir
        .path()
        .join("before-restore-1/ruam.slots")
        .exists());
    restarted.unlock(PASSPHRASE).await.unwrap();
    assert_eq!(content(&restarted).await, before);
}
