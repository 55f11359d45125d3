//! Pooled funds between laptops through a real relay on loopback: the fund, its lines and
//! its ledger reach every laptop and give the same totals there; a case's spending keeps
//! its purpose and decisions with the case; two leads who each approve spending offline
//! that together is more than the line holds find the second approval held for a lead on
//! each laptop, until money given to the line lets it in everywhere; and two approvals
//! given offline on two laptops approve a request together, its money set aside once.

use ruam_core::vault::FundOverview;

use crate::funds::{agency, allocate, decide, fund, give, line, request};
use crate::support::*;
use crate::sync::{forged_change, joined_laptop, rows, social_worker, Relay};

/// Each line's figures (name, allocated, committed, paid, remaining), in minor units.
async fn lines(t: &TestVault, fund_id: &str) -> Vec<(String, String, String, String, String)> {
    let overview: FundOverview = t.vault.fund_overview(fund_id).await.unwrap();
    overview
        .lines
        .into_iter()
        .map(|l| {
            (
                l.name,
                l.allocated.minor,
                l.committed.minor,
                l.paid.minor,
                l.remaining.minor,
            )
        })
        .collect()
}

async fn held(t: &TestVault) -> Vec<(String, String)> {
    t.vault
        .sync_status()
        .await
        .unwrap()
        .held
        .into_iter()
        .map(|h| (h.entity, h.reason))
        .collect()
}

fn shelter_of(lines: &[(String, String, String, String, String)]) -> (&str, &str, &str) {
    let l = lines.iter().find(|l| l.0 == "Emergency shelter").unwrap();
    (l.1.as_str(), l.2.as_str(), l.4.as_str())
}

/// The lead's fund, given `given` by an NGO, with `allocated` of it on the emergency
/// shelter line: (fund id, line id).
async fn shelter_fund(lead: &TestVault, given: &str, allocated: &str) -> (String, String) {
    let ngo = agency(lead, "Friends of Children", "ngo").await;
    let overview = fund(lead).await;
    let fund_id = overview.fund.id.clone();
    let shelter = line(&overview, "Emergency shelter");
    give(lead, &fund_id, &ngo, given, serde_json::json!({}))
        .await
        .unwrap();
    allocate(lead, &fund_id, None, Some(&shelter), allocated)
        .await
        .unwrap();
    (fund_id, shelter)
}

#[tokio::test]
async fn pooled_funds_merge_as_sets_and_spending_that_breaks_the_books_waits_for_a_lead() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let second = lead
        .vault
        .add_member(new_member("Somchai", "somchai", "team_lead"))
        .await
        .unwrap();
    let worker = social_worker(&lead).await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    // The fund is set up before the team syncs: what was written then travels too.
    let (fund_id, shelter) = shelter_fund(&lead, "20,000", "5,000").await;
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let second_laptop = joined_laptop(&relay, &lead, &second.id).await;
    let worker_laptop = joined_laptop(&relay, &lead, &worker.id).await;
    let liaison_laptop = joined_laptop(&relay, &lead, &liaison.id).await;
    let laptops = [&lead, &second_laptop, &worker_laptop, &liaison_laptop];
    for t in laptops {
        t.vault.sync_now().await.unwrap();
    }
    let at_lead = lines(&lead, &fund_id).await;
    assert_eq!(shelter_of(&at_lead), ("500000", "0", "500000"));
    for t in &laptops[1..] {
        assert_eq!(lines(t, &fund_id).await, at_lead);
    }

    // A case's spending: the social worker asks on her laptop, a lead approves on his.
    let case_id = worker_laptop
        .vault
        .create_case(crate::cases::new_case("canary-CASE-Lan", 2013))
        .await
        .unwrap()
        .summary
        .id;
    let for_case = request(&worker_laptop, &fund_id, &shelter, "3,000", Some(&case_id))
        .await
        .unwrap();
    worker_laptop.vault.sync_now().await.unwrap();
    lead.vault.sync_now().await.unwrap();
    let approved = decide(&lead, &for_case.id, true, None).await.unwrap();
    assert_eq!(approved.status, "approved");
    lead.vault.sync_now().await.unwrap();
    for t in laptops {
        t.vault.sync_now().await.unwrap();
    }
    let seen = worker_laptop.vault.case_spending(&case_id).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].status, "approved");
    assert_eq!(
        seen[0].purpose.as_deref(),
        Some("Two weeks at the shelter for Lan")
    );
    let at_lead = lines(&lead, &fund_id).await;
    assert_eq!(shelter_of(&at_lead), ("500000", "300000", "200000"));
    for t in &laptops[1..] {
        assert_eq!(lines(t, &fund_id).await, at_lead);
    }
    // The liaison, not on the case, holds the request and its money, not what it is for.
    assert_eq!(
        rows(&liaison_laptop, "SELECT count(*) FROM fund_requests").await,
        1
    );
    for table in ["fund_request_details", "fund_decisions", "cases"] {
        assert_eq!(
            rows(&liaison_laptop, &format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    let listed = liaison_laptop
        .vault
        .fund_overview(&fund_id)
        .await
        .unwrap()
        .fund
        .name;
    assert_eq!(listed, "District MDT pooled fund 2026");
    assert!(!contains(&relay.bytes(), b"shelter for Lan"));
    assert!(!contains(&relay.bytes(), b"Emergency shelter"));

    // Two requests of 1,500 with 2,000 left on the line: each lead approves one, offline.
    let a = request(&worker_laptop, &fund_id, &shelter, "1,500", None)
        .await
        .unwrap();
    let b = request(&worker_laptop, &fund_id, &shelter, "1,500", None)
        .await
        .unwrap();
    worker_laptop.vault.sync_now().await.unwrap();
    lead.vault.sync_now().await.unwrap();
    second_laptop.vault.sync_now().await.unwrap();
    decide(&lead, &a.id, true, None).await.unwrap();
    decide(&second_laptop, &b.id, true, None).await.unwrap();
    for t in [&lead, &second_laptop, &lead, &worker_laptop] {
        t.vault.sync_now().await.unwrap();
    }
    // Each lead's laptop keeps its own approval and holds the other's: the two together
    // are more than the line was given.
    for t in [&lead, &second_laptop, &worker_laptop] {
        assert_eq!(
            held(t).await,
            [("fund_ledger".to_owned(), "books".to_owned())]
        );
        assert_eq!(
            shelter_of(&lines(t, &fund_id).await),
            ("500000", "450000", "50000")
        );
    }
    let check = lead.vault.check_fund_books(&fund_id).await.unwrap();
    assert!(check.totals_match && check.months_match, "{check:?}");

    // The lead gives the line 1,000 more: the held approval goes in at once here, and on
    // every other laptop at its next round.
    allocate(&lead, &fund_id, None, Some(&shelter), "1,000")
        .await
        .unwrap();
    assert!(held(&lead).await.is_empty());
    for t in laptops {
        t.vault.sync_now().await.unwrap();
    }
    let at_lead = lines(&lead, &fund_id).await;
    assert_eq!(shelter_of(&at_lead), ("600000", "600000", "0"));
    for t in laptops {
        assert!(held(t).await.is_empty());
        assert_eq!(lines(t, &fund_id).await, at_lead);
    }
    for t in [&lead, &second_laptop] {
        let check = t.vault.check_fund_books(&fund_id).await.unwrap();
        assert!(
            check.totals_match && check.months_match && check.requests_match,
            "{check:?}"
        );
        assert_eq!(check.entries, 6);
    }

    // Above the fund's threshold two leads approve; each does so offline, seeing only his
    // own approval. Together the two approve it: its money is set aside once, everywhere.
    allocate(&lead, &fund_id, None, Some(&shelter), "12,000")
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    worker_laptop.vault.sync_now().await.unwrap();
    let big = request(&worker_laptop, &fund_id, &shelter, "12,000", None)
        .await
        .unwrap();
    assert_eq!(big.approvals_needed, 2);
    worker_laptop.vault.sync_now().await.unwrap();
    lead.vault.sync_now().await.unwrap();
    second_laptop.vault.sync_now().await.unwrap();
    assert_eq!(
        decide(&lead, &big.id, true, None).await.unwrap().status,
        "pending"
    );
    assert_eq!(
        decide(&second_laptop, &big.id, true, None)
            .await
            .unwrap()
            .status,
        "pending"
    );
    for t in [&lead, &second_laptop, &lead, &second_laptop] {
        t.vault.sync_now().await.unwrap();
    }
    for t in laptops {
        t.vault.sync_now().await.unwrap();
    }
    let set_aside = format!(
        "SELECT count(*) FROM fund_ledger WHERE request_id = '{}' AND kind = 'commitment'",
        big.id
    );
    for t in laptops {
        assert_eq!(rows(t, &set_aside).await, 1);
        assert_eq!(
            shelter_of(&lines(t, &fund_id).await),
            ("1800000", "1800000", "0")
        );
    }
    for t in [&lead, &second_laptop] {
        let seen = t
            .vault
            .spending_requests(crate::funds::json(
                serde_json::json!({ "fundId": fund_id, "status": "approved" }),
            ))
            .await
            .unwrap();
        assert!(
            seen.iter().any(|r| r.id == big.id),
            "approved on each lead's laptop"
        );
        let check = t.vault.check_fund_books(&fund_id).await.unwrap();
        assert!(check.requests_match, "{check:?}");
    }
}

#[tokio::test]
async fn a_laptop_that_writes_money_its_member_may_not_is_refused_by_the_others() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = social_worker(&lead).await;
    let ngo = agency(&lead, "Friends of Children", "ngo").await;
    let overview = fund(&lead).await;
    let fund_id = overview.fund.id.clone();
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let laptop = joined_laptop(&relay, &lead, &worker.id).await;
    laptop.vault.sync_now().await.unwrap();
    // A changed client on the social worker's laptop (she may only ask for spending)
    // records a contribution of a million, and says so in its outbox as the app would.
    let pool = laptop.vault.pool().await.unwrap();
    sqlx::query(
        "INSERT INTO fund_ledger (id, fund_id, kind, amount, agency_id, on_date, recorded_by,
             recorded_at) VALUES ('forged', ?, 'contribution', 100000000, ?, '2026-03-02', ?, '2026-03-02')",
    )
    .bind(&fund_id)
    .bind(&ngo)
    .bind(&worker.id)
    .execute(&pool)
    .await
    .unwrap();
    forged_change(&pool, ("fund_ledger", "forged"), "insert", &worker.id, 0).await;
    drop(pool);
    let sent = laptop.vault.sync_now().await.unwrap();
    assert!(sent.sealed > 0, "{sent:?}");
    let got = lead.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 1, "{got:?}");
    assert_eq!(
        rows(
            &lead,
            "SELECT count(*) FROM fund_ledger WHERE id = 'forged'"
        )
        .await,
        0
    );
    // Nor may she approve her own request from her laptop.
    let shelter = line(&overview, "Emergency shelter");
    give(&lead, &fund_id, &ngo, "1,000", serde_json::json!({}))
        .await
        .unwrap();
    allocate(&lead, &fund_id, None, Some(&shelter), "500")
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    laptop.vault.sync_now().await.unwrap();
    let own = request(&laptop, &fund_id, &shelter, "100", None)
        .await
        .unwrap();
    laptop.vault.sync_now().await.unwrap();
    lead.vault.sync_now().await.unwrap();
    let pool = laptop.vault.pool().await.unwrap();
    sqlx::query("UPDATE fund_requests SET status = 'approved' WHERE id = ?")
        .bind(&own.id)
        .execute(&pool)
        .await
        .unwrap();
    forged_change(&pool, ("fund_request", &own.id), "update", &worker.id, 1).await;
    drop(pool);
    laptop.vault.sync_now().await.unwrap();
    let got = lead.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 1, "{got:?}");
    let status: String = {
        let pool = lead.vault.pool().await.unwrap();
        sqlx::query_scalar("SELECT status FROM fund_requests WHERE id = ?")
            .bind(&own.id)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(status, "pending");

    // What she may write still arrives: a request of her own.
    let asked = request(&laptop, &fund_id, &shelter, "100", None)
        .await
        .unwrap();
    laptop.vault.sync_now().await.unwrap();
    let got = lead.vault.sync_now().await.unwrap();
    assert_eq!(got.refused, 0, "{got:?}");
    let listed = lead
        .vault
        .spending_requests(crate::funds::json(serde_json::json!({ "fundId": fund_id })))
        .await
        .unwrap();
    assert!(listed.iter().any(|r| r.id == asked.id));
}

#[tokio::test]
async fn a_request_withdrawn_while_a_lead_approves_it_stays_withdrawn_and_its_money_goes_back() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let second = lead
        .vault
        .add_member(new_member("Somchai", "somchai", "team_lead"))
        .await
        .unwrap();
    let worker = social_worker(&lead).await;
    let (fund_id, shelter) = shelter_fund(&lead, "5,000", "2,000").await;
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let second_laptop = joined_laptop(&relay, &lead, &second.id).await;
    let worker_laptop = joined_laptop(&relay, &lead, &worker.id).await;
    let laptops = [&lead, &second_laptop, &worker_laptop];
    let asked = request(&worker_laptop, &fund_id, &shelter, "500", None)
        .await
        .unwrap();
    for _ in 0..2 {
        for t in laptops {
            t.vault.sync_now().await.unwrap();
        }
    }
    // Offline, each on their own laptop: she withdraws it, the lead approves it.
    let withdrawn = worker_laptop
        .vault
        .cancel_spending(crate::funds::json(serde_json::json!({
            "requestId": asked.id, "reason": "The family found a place with relatives",
        })))
        .await
        .unwrap();
    assert_eq!(withdrawn.status, "cancelled");
    let approved = decide(&lead, &asked.id, true, None).await.unwrap();
    assert_eq!(approved.status, "approved");
    assert_eq!(
        shelter_of(&lines(&lead, &fund_id).await),
        ("200000", "50000", "150000")
    );
    // The approval reaches the relay first, then the withdrawal; then every laptop syncs.
    lead.vault.sync_now().await.unwrap();
    worker_laptop.vault.sync_now().await.unwrap();
    for _ in 0..2 {
        for t in laptops {
            let round = t.vault.sync_now().await.unwrap();
            assert_eq!(round.refused, 0, "{round:?}");
        }
    }
    // Withdrawn everywhere, nobody asked to choose, and the money back on its line, once.
    for t in laptops {
        let status: String = {
            let pool = t.vault.pool().await.unwrap();
            sqlx::query_scalar("SELECT status FROM fund_requests WHERE id = ?")
                .bind(&asked.id)
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        assert_eq!(status, "cancelled");
        assert!(t.vault.sync_conflicts().await.unwrap().is_empty());
        assert!(held(t).await.is_empty());
        assert_eq!(
            shelter_of(&lines(t, &fund_id).await),
            ("200000", "0", "200000")
        );
        assert_eq!(
            rows(
                t,
                &format!(
                    "SELECT count(*) FROM fund_ledger WHERE request_id = '{}' AND kind = 'commitment'",
                    asked.id
                )
            )
            .await,
            2,
            "set aside once, given back once"
        );
    }
    for t in [&lead, &second_laptop] {
        let check = t.vault.check_fund_books(&fund_id).await.unwrap();
        assert!(
            check.totals_match && check.months_match && check.requests_match,
            "{check:?}"
        );
    }
}
