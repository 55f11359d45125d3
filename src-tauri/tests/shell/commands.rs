//! Each command's answer and refusal, as JSON, the way the UI sees them.

use serde_json::json;

use crate::support::*;

#[test]
fn a_first_run_creates_locks_and_unlocks_through_ipc() {
    let shell = Shell::new();
    assert_eq!(shell.ok("vault_status", json!({}))["state"], "absent");
    let key = shell.create();
    assert_eq!(key.len(), 39, "eight groups of four with dashes: {key}");
    let status = shell.ok("vault_status", json!({}));
    assert_eq!(status["state"], "unlocked");
    assert_eq!(status["teamName"], "Mae Sai MDT");
    assert_eq!(status["member"]["role"], "team_lead");
    assert_eq!(status["recoveryKeyPending"], true);
    assert_eq!(
        shell.ok("recovery_key_acknowledge", json!({}))["recoveryKeyPending"],
        false
    );

    let locked = shell.ok("vault_lock", json!({}));
    assert_eq!(locked["state"], "locked");
    assert_eq!(
        locked["teamName"],
        serde_json::Value::Null,
        "nothing of the vault while locked"
    );

    let wrong = shell.err(
        "vault_unlock",
        json!({ "request": { "signInName": "somsri", "passphrase": "not it at all" } }),
    );
    assert_eq!(wrong["code"], "invalid_credentials");
    assert!(wrong["message"].as_str().unwrap().contains("not right"));

    let unlocked = shell.ok(
        "vault_unlock",
        json!({ "request": { "signInName": "somsri", "passphrase": PASSPHRASE } }),
    );
    assert_eq!(unlocked["status"]["state"], "unlocked");
    assert_eq!(unlocked["status"]["member"]["displayName"], "Somsri");
    assert_eq!(unlocked["newRecoveryKey"], serde_json::Value::Null);

    let again = shell.err(
        "vault_unlock",
        json!({ "request": { "signInName": "somsri", "passphrase": PASSPHRASE } }),
    );
    assert_eq!(again["code"], "conflict");
}

#[test]
fn validation_errors_name_the_field() {
    let shell = Shell::new();
    let err = shell.err(
        "vault_create",
        json!({ "request": { "teamName": " ", "displayName": "Somsri", "signInName": "somsri", "passphrase": PASSPHRASE } }),
    );
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("invalid"), Some("team_name"))
    );
    shell.create();
    let err = shell.err(
        "settings_set",
        json!({ "patch": { "language": null, "autoLockMinutes": 0 } }),
    );
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("invalid"), Some("auto_lock_minutes"))
    );
    let settings = shell.ok(
        "settings_set",
        json!({ "patch": { "language": "th", "autoLockMinutes": 5 } }),
    );
    assert_eq!(settings, json!({ "language": "th", "autoLockMinutes": 5 }));
    assert_eq!(shell.ok("settings_get", json!({})), settings);
}

#[test]
fn the_lock_is_enforced_in_core_not_in_the_ui() {
    let shell = Shell::new();
    shell.create();
    shell.ok("vault_lock", json!({}));
    for (cmd, args) in [
        (
            "recovery_key_regenerate",
            json!({ "request": { "passphrase": PASSPHRASE } }),
        ),
        ("recovery_key_acknowledge", json!({})),
        (
            "passphrase_change",
            json!({ "request": { "current": PASSPHRASE, "new": "jasmine tractor monsoon violin" } }),
        ),
        (
            "settings_set",
            json!({ "patch": { "language": null, "autoLockMinutes": 30 } }),
        ),
    ] {
        assert_eq!(shell.err(cmd, args)["code"], "locked", "{cmd} while locked");
    }
}

#[test]
fn throttling_and_damage_carry_what_the_person_needs() {
    let shell = Shell::new();
    shell.create();
    shell.ok("vault_lock", json!({}));
    for _ in 0..3 {
        shell.err(
            "vault_unlock",
            json!({ "request": { "signInName": "somsri", "passphrase": "wrong wrong" } }),
        );
    }
    let throttled = shell.err(
        "vault_unlock",
        json!({ "request": { "signInName": "somsri", "passphrase": PASSPHRASE } }),
    );
    assert_eq!(throttled["code"], "throttled");
    assert!(throttled["retryAfterSecs"].as_u64().unwrap() >= 1);

    std::fs::write(shell.dir.path().join("ruam.slots"), b"{ truncated").unwrap();
    let damaged = shell.err(
        "vault_unlock",
        json!({ "request": { "signInName": "somsri", "passphrase": PASSPHRASE } }),
    );
    assert_eq!(damaged["code"], "corrupt");
    assert!(damaged["path"].as_str().unwrap().ends_with("ruam.slots"));
    assert_eq!(damaged["remedy"], "recovery_key");
}

#[test]
fn a_new_recovery_key_needs_the_passphrase_again() {
    let shell = Shell::new();
    shell.create();
    shell.ok("recovery_key_acknowledge", json!({}));
    let wrong = shell.err(
        "recovery_key_regenerate",
        json!({ "request": { "passphrase": "not my passphrase" } }),
    );
    assert_eq!(wrong["code"], "invalid_credentials");
    let key = shell.ok(
        "recovery_key_regenerate",
        json!({ "request": { "passphrase": PASSPHRASE } }),
    );
    assert_eq!(key.as_str().unwrap().split('-').count(), 8);
    assert_eq!(
        shell.ok("vault_status", json!({}))["recoveryKeyPending"],
        true
    );
}

#[test]
fn the_strength_meter_asks_core() {
    let shell = Shell::new();
    let weak = shell.ok(
        "passphrase_assess",
        json!({ "passphrase": "password123", "context": [] }),
    );
    assert_eq!(
        (weak["acceptable"].as_bool(), weak["problem"].as_str()),
        (Some(false), Some("too_common"))
    );
    let named = shell.ok(
        "passphrase_assess",
        json!({ "passphrase": "Somsri Somsri 2026", "context": ["Somsri"] }),
    );
    assert_eq!(named["acceptable"], false);
    let good = shell.ok(
        "passphrase_assess",
        json!({ "passphrase": PASSPHRASE, "context": [] }),
    );
    assert_eq!(
        (good["acceptable"].as_bool(), good["problem"].is_null()),
        (Some(true), true)
    );
}

#[test]
fn recovery_through_ipc_sets_a_new_passphrase() {
    let shell = Shell::new();
    let key = shell.create();
    shell.ok("vault_lock", json!({}));
    let bad = shell.err(
        "vault_unlock_with_recovery",
        json!({ "request": { "recoveryKey": "1234", "newPassphrase": "jasmine tractor monsoon violin" } }),
    );
    assert_eq!(
        (bad["code"].as_str(), bad["field"].as_str()),
        (Some("invalid"), Some("recovery_key"))
    );
    let status = shell.ok(
        "vault_unlock_with_recovery",
        json!({ "request": { "recoveryKey": key, "newPassphrase": "jasmine tractor monsoon violin" } }),
    );
    assert_eq!(status["status"]["state"], "unlocked");
}

#[test]
fn the_auto_lock_locks_and_tells_the_window() {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant, SystemTime};
    use tauri::Listener;

    let shell = Shell::new();
    shell.create();
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = heard.clone();
    shell.app().listen("vault-locked", move |event| {
        sink.lock().unwrap().push(event.payload().to_owned());
    });
    let vault = shell.vault();
    let soon = Duration::from_secs(60);
    let locked_early = tauri::async_runtime::block_on(ruam_desktop::auto_lock_tick(
        shell.app(),
        &vault,
        Instant::now() + soon,
        SystemTime::now() + soon,
    ));
    assert!(!locked_early);
    assert_eq!(shell.ok("vault_status", json!({}))["state"], "unlocked");
    let later = Duration::from_secs(10 * 60 + 1);
    let locked = tauri::async_runtime::block_on(ruam_desktop::auto_lock_tick(
        shell.app(),
        &vault,
        Instant::now() + later,
        SystemTime::now() + later,
    ));
    assert!(locked);
    assert_eq!(shell.ok("vault_status", json!({}))["state"], "locked");
    assert_eq!(
        *heard.lock().unwrap(),
        vec![r#"{"reason":"idle"}"#.to_owned()]
    );
}

#[test]
fn a_forbidden_call_through_ipc_is_refused_and_audited() {
    let shell = Shell::new();
    shell.create();
    shell.ok("recovery_key_acknowledge", json!({}));
    let added = shell.ok(
        "member_add",
        json!({ "member": {
            "displayName": "Pol. Lt. Anan", "signInName": "anan", "role": "police_liaison",
            "discipline": "police", "agencyId": null, "phone": null, "email": null,
            "firstPassphrase": "harbour violet cement glider",
        } }),
    );
    assert_eq!(added["mustChangePassphrase"], true);
    let weak = shell.err(
        "member_add",
        json!({ "member": {
            "displayName": "Malee", "signInName": "malee", "role": "viewer",
            "discipline": "health", "agencyId": null, "phone": null, "email": null,
            "firstPassphrase": "password1",
        } }),
    );
    assert_eq!(
        (weak["code"].as_str(), weak["field"].as_str()),
        (Some("invalid"), Some("first_passphrase"))
    );

    shell.ok("vault_lock", json!({}));
    let status = shell.ok(
        "vault_unlock",
        json!({ "request": { "signInName": "anan", "passphrase": "harbour violet cement glider" } }),
    )["status"]
        .clone();
    assert_eq!(status["member"]["mustChangePassphrase"], true);
    assert_eq!(status["permissions"], json!(["funds.request"]));
    let first = shell.err("team_overview", json!({}));
    assert_eq!(first["code"], "passphrase_change_required");
    shell.ok(
        "passphrase_change",
        json!({ "request": { "current": "harbour violet cement glider", "new": "tamarind bicycle lantern orbit" } }),
    );
    let team = shell.ok("team_overview", json!({}));
    assert_eq!(team["members"].as_array().unwrap().len(), 2);
    for (cmd, args) in [
        ("audit_log", json!({ "query": {} })),
        ("audit_export", json!({ "query": {} })),
        (
            "agency_add",
            json!({ "agency": { "name": "Mae Sai police", "kind": "police" } }),
        ),
    ] {
        assert_eq!(shell.err(cmd, args)["code"], "forbidden", "{cmd}");
    }

    shell.ok("vault_lock", json!({}));
    shell.ok(
        "vault_unlock",
        json!({ "request": { "signInName": "somsri", "passphrase": PASSPHRASE } }),
    );
    let page = shell.ok(
        "audit_log",
        json!({ "query": { "memberId": added["id"], "limit": 50 } }),
    );
    let seen: Vec<(String, String)> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("vault.unlock", "ok"),
        ("team.view", "refused"),
        ("audit.read", "refused"),
        ("audit.export", "refused"),
        ("agency.add", "refused"),
    ] {
        assert!(
            seen.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {seen:?}"
        );
    }
    let bad = shell.err(
        "audit_log",
        json!({ "query": { "from": "2026-12-01", "to": "2026-11-01" } }),
    );
    assert_eq!(
        (bad["code"].as_str(), bad["field"].as_str()),
        (Some("invalid"), Some("to"))
    );
}

#[test]
fn a_case_through_ipc_shows_each_member_only_what_they_may_see() {
    let shell = Shell::new();
    shell.create();
    shell.ok("recovery_key_acknowledge", json!({}));
    let case = shell.ok(
        "case_create",
        json!({ "newCase": {
            "subject": { "party": "subject", "name": "Lan", "sex": "female",
                         "birthYearEstimate": 2014, "documentation": "stateless" },
            "concerns": ["trafficking"], "risk": "high", "level": "village",
        } }),
    );
    let case_id = case["summary"]["id"].as_str().unwrap().to_owned();
    assert_eq!(case["summary"]["myResponsibility"], "lead");
    let with_note = shell.ok(
        "case_note_add",
        json!({ "note": { "caseId": case_id, "section": "health", "body": "ตรวจร่างกายแล้ว" } }),
    );
    assert_eq!(with_note["notes"][0]["section"], "health");
    let bad = shell.err(
        "case_note_add",
        json!({ "note": { "caseId": case_id, "section": "gossip", "body": "x" } }),
    );
    assert_eq!(
        (bad["code"].as_str(), bad["field"].as_str()),
        (Some("invalid"), Some("section"))
    );
    let hits = shell.ok("case_search", json!({ "query": "ตรวจร่างกาย" }));
    assert_eq!(hits.as_array().unwrap().len(), 1);

    shell.ok(
        "member_add",
        json!({ "member": {
            "displayName": "Anan", "signInName": "anan", "role": "police_liaison",
            "discipline": "police", "agencyId": null, "phone": null, "email": null,
            "firstPassphrase": "harbour violet cement glider",
        } }),
    );
    shell.ok("vault_lock", json!({}));
    shell.ok(
        "vault_unlock",
        json!({ "request": { "signInName": "anan", "passphrase": "harbour violet cement glider" } }),
    );
    shell.ok(
        "passphrase_change",
        json!({ "request": { "current": "harbour violet cement glider", "new": "tamarind bicycle lantern orbit" } }),
    );
    assert_eq!(
        shell.ok("case_list", json!({ "mineOnly": false, "after": null })),
        json!({ "cases": [], "next": null })
    );
    assert_eq!(
        shell.ok("case_search", json!({ "query": "ตรวจร่างกาย" })),
        json!([])
    );
    assert_eq!(
        shell.err("case_open", json!({ "caseId": case_id }))["code"],
        "forbidden"
    );
}

#[test]
fn the_daily_reminder_counts_due_tasks_once_and_tells_the_window() {
    use std::sync::{Arc, Mutex};
    use tauri::Listener;

    let shell = Shell::new();
    shell.create();
    let me = shell.ok("vault_status", json!({}))["member"]["id"].clone();
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = heard.clone();
    shell.app().listen("tasks-due", move |event| {
        sink.lock().unwrap().push(event.payload().to_owned());
    });
    let vault = shell.vault();
    // Nothing due: no reminder.
    assert_eq!(
        tauri::async_runtime::block_on(ruam_desktop::reminder_tick(shell.app(), &vault)),
        None
    );
    let today = ruam_core::cases::today().to_string();
    let board = shell.ok(
        "card_create",
        json!({ "card": { "caseId": null, "columnId": null, "title": "Call the school",
            "description": null, "assigneeIds": [me], "agencyId": null, "startsOn": null,
            "dueOn": today, "priority": null, "reviewerId": null } }),
    );
    let card_id = board["columns"][0]["cards"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let counts = shell.ok("task_counts", json!({}));
    assert_eq!(
        counts,
        json!({ "overdue": 0, "dueToday": 1, "toReview": 0 })
    );

    let reminded = tauri::async_runtime::block_on(ruam_desktop::reminder_tick(shell.app(), &vault));
    assert_eq!(reminded.map(|c| c.due_today), Some(1));
    assert_eq!(
        tauri::async_runtime::block_on(ruam_desktop::reminder_tick(shell.app(), &vault)),
        None,
        "once a day"
    );
    assert_eq!(
        *heard.lock().unwrap(),
        vec![r#"{"counts":{"overdue":0,"dueToday":1,"toReview":0}}"#.to_owned()]
    );

    // The card in full, and a comment on it, through IPC.
    let detail = shell.ok("card_get", json!({ "cardId": card_id }));
    assert_eq!(detail["card"]["title"], "Call the school");
    assert_eq!(detail["mayEdit"], true);
    let detail = shell.ok(
        "card_comment",
        json!({ "comment": { "cardId": card_id, "body": "The teacher calls back at 3." } }),
    );
    assert_eq!(
        detail["comments"][0]["body"],
        "The teacher calls back at 3."
    );
    let err = shell.err(
        "card_comment",
        json!({ "comment": { "cardId": card_id, "body": " " } }),
    );
    assert_eq!(err["code"], "invalid");
}

#[test]
fn a_fund_through_ipc_answers_in_text_and_refuses_by_field() {
    let shell = Shell::new();
    shell.create();
    shell.ok("recovery_key_acknowledge", json!({}));
    let agency = shell.ok(
        "agency_add",
        json!({ "agency": { "name": "Mae Sai police", "kind": "police" } }),
    );
    let overview = shell.ok(
        "fund_create",
        json!({ "fund": {
            "name": "District MDT pooled fund", "currency": null, "startsOn": "2026-01-01",
            "endsOn": "2026-12-31", "secondApprovalAbove": "10,000", "lines": ["Shelter"],
        } }),
    );
    let fund_id = overview["fund"]["id"].as_str().unwrap().to_owned();
    let line_id = overview["lines"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(overview["fund"]["currency"], "THB");
    assert_eq!(overview["mayManage"], true);
    shell.ok(
        "fund_contribute",
        json!({ "contribution": {
            "fundId": fund_id, "agencyId": agency["id"], "amount": "1,250.50",
            "currency": null, "rate": null, "receivedOn": "2026-03-01",
            "description": null, "reference": null,
        } }),
    );
    let overview = shell.ok(
        "fund_allocate",
        json!({ "change": {
            "fundId": fund_id, "fromLineId": null, "toLineId": line_id, "amount": "1,000",
            "reason": null,
        } }),
    );
    // Amounts cross as text, never as JavaScript numbers.
    assert_eq!(
        overview["totals"]["cash"],
        json!({ "minor": "125050", "text": "1,250.50 THB" })
    );
    assert_eq!(overview["lines"][0]["remaining"]["text"], "1,000.00 THB");
    let refused = shell.err(
        "fund_request",
        json!({ "request": {
            "fundId": fund_id, "lineId": line_id, "amount": "1,000.001", "purpose": "Bus fare",
            "caseId": null, "cardId": null,
        } }),
    );
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("invalid"), Some("amount"))
    );
    let ledger = shell.ok(
        "fund_ledger",
        json!({ "query": { "fundId": fund_id, "kind": null, "lineId": null, "agencyId": null,
                           "from": null, "to": null, "before": null, "limit": null } }),
    );
    assert_eq!(ledger["entries"].as_array().unwrap().len(), 2);
    let check = shell.ok("fund_books_check", json!({ "fundId": fund_id }));
    assert_eq!(check["totalsMatch"], true);
}
