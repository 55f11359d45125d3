//! The child of the crash test (`tests/crash.rs`): opens the vault in the folder it is
//! given, with the real OS keyring, signs in as the lead, and writes cases, task cards and
//! ledger rows (contributions) in a loop until it is killed. Each write is acknowledged on
//! standard output only after the vault answered it: `case <id>`, `card <title>`,
//! `ledger <reference>`.

use std::io::Write;
use std::sync::Arc;

use ruam_core::keyring::OsKeyring;
use ruam_core::paths::VaultPaths;
use ruam_core::Vault;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, service, passphrase, fund_id, agency_id, round] = args.as_slice() else {
        eprintln!("usage: ruam-crash-writer DIR SERVICE PASSPHRASE FUND AGENCY ROUND");
        std::process::exit(64);
    };
    let vault = Vault::new(
        VaultPaths::new(dir),
        Arc::new(OsKeyring::with_service(service)),
    );
    let unlock = serde_json::from_value(serde_json::json!({
        "signInName": "somsri", "passphrase": passphrase,
    }))
    .expect("an unlock request");
    if let Err(err) = vault.unlock(unlock).await {
        eprintln!("unlock: {err}");
        std::process::exit(2);
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    for i in 0u64.. {
        let name = format!("r{round}-w{i}");
        let ack = match i % 3 {
            0 => vault
                .create_case(new_case(&name))
                .await
                .map(|file| format!("case {}", file.summary.id)),
            1 => vault
                .create_card(card(&name))
                .await
                .map(|_| format!("card {name}")),
            _ => vault
                .contribute_to_fund(
                    serde_json::from_value(serde_json::json!({
                        "fundId": fund_id, "agencyId": agency_id, "amount": "1",
                        "receivedOn": "2026-03-02", "reference": name,
                    }))
                    .expect("a contribution"),
                )
                .await
                .map(|_| format!("ledger {name}")),
        };
        match ack {
            Ok(line) => {
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
            Err(err) => {
                eprintln!("write {i}: {err}");
                std::process::exit(3);
            }
        }
    }
}

fn new_case(name: &str) -> ruam_core::cases::NewCase {
    serde_json::from_value(serde_json::json!({
        "subject": {
            "party": "subject", "name": name, "alias": null, "sex": "female",
            "birthDate": null, "birthYearEstimate": 2013, "nationality": "Thai",
            "documentation": "stateless", "languages": ["Thai"],
            "village": "Ban Pa Sak", "relation": null, "contact": null,
        },
        "others": [],
        "concerns": ["trafficking"],
        "risk": "high",
        "level": "village",
    }))
    .expect("a case")
}

fn card(title: &str) -> ruam_core::boards::NewCard {
    ruam_core::boards::NewCard {
        case_id: None,
        column_id: None,
        title: title.into(),
        description: None,
        assignee_ids: vec![],
        agency_id: None,
        starts_on: None,
        due_on: None,
        priority: None,
        reviewer_id: None,
        labels: vec![],
        checklist: vec![],
    }
}
