//! Pooled funds on a real vault: contributions from agencies (one in another currency,
//! one in kind), budget lines, requests approved by one lead or, above the threshold, by
//! two different ones, payments with receipts, reversals, the ledger and its CSV, what
//! each reader sees, and refusals that leave the books as they were.

use base64::Engine as _;
use proptest::prelude::*;
use ruam_core::vault::{FundOverview, LedgerQuery, SpendingRequest};
use ruam_core::Error;

use crate::cards::{put_on_case, sign_in_again};
use crate::cases::new_case;
use crate::support::*;

pub fn json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

pub(crate) async fn agency(t: &TestVault, name: &str, kind: &str) -> String {
    t.vault
        .add_agency(json(serde_json::json!({ "name": name, "kind": kind })))
        .await
        .unwrap()
        .id
}

/// A fund in THB: a second approver above 10,000; lines for shelter and travel.
pub(crate) async fn fund(t: &TestVault) -> FundOverview {
    t.vault
        .create_fund(json(serde_json::json!({
            "name": "District MDT pooled fund 2026", "currency": "THB",
            "startsOn": "2026-01-01", "endsOn": "2026-12-31",
            "secondApprovalAbove": "10,000",
            "lines": ["Emergency shelter", "Travel for home visits"],
        })))
        .await
        .unwrap()
}

pub(crate) fn line(overview: &FundOverview, name: &str) -> String {
    overview
        .lines
        .iter()
        .find(|l| l.name == name)
        .unwrap()
        .id
        .clone()
}

pub(crate) async fn give(
    t: &TestVault,
    fund_id: &str,
    agency_id: &str,
    amount: &str,
    extra: serde_json::Value,
) -> Result<FundOverview, Error> {
    let mut body = serde_json::json!({
        "fundId": fund_id, "agencyId": agency_id, "amount": amount, "receivedOn": "2026-03-02",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    t.vault.contribute_to_fund(json(body)).await
}

pub(crate) async fn allocate(
    t: &TestVault,
    fund_id: &str,
    from: Option<&str>,
    to: Option<&str>,
    amount: &str,
) -> Result<FundOverview, Error> {
    t.vault
        .allocate_fund(json(serde_json::json!({
            "fundId": fund_id, "fromLineId": from, "toLineId": to, "amount": amount,
        })))
        .await
}

pub(crate) async fn request(
    t: &TestVault,
    fund_id: &str,
    line_id: &str,
    amount: &str,
    case_id: Option<&str>,
) -> Result<SpendingRequest, Error> {
    t.vault
        .request_spending(json(serde_json::json!({
            "fundId": fund_id, "lineId": line_id, "amount": amount,
            "purpose": "Two weeks at the shelter for Lan", "caseId": case_id,
        })))
        .await
}

pub(crate) async fn decide(
    t: &TestVault,
    request_id: &str,
    approve: bool,
    reason: Option<&str>,
) -> Result<SpendingRequest, Error> {
    t.vault
        .decide_spending(json(serde_json::json!({
            "requestId": request_id, "approve": approve, "reason": reason,
        })))
        .await
}

pub(crate) const RECEIPT: &[u8] = b"%PDF-1.4 receipt 4471 Baan Kru Noi shelter";

pub(crate) async fn pay(t: &TestVault, request_id: &str) -> Result<SpendingRequest, Error> {
    t.vault
        .pay_spending(json(serde_json::json!({
            "requestId": request_id, "paidOn": "2026-03-20", "method": "transfer",
            "reference": "KTB 4471", "receiptFileName": "receipt-4471.pdf",
            "receiptBase64": base64::engine::general_purpose::STANDARD.encode(RECEIPT),
        })))
        .await
}

/// The fund's books as they stand: every total, and every row of the ledger.
async fn books(t: &TestVault, fund_id: &str) -> String {
    let overview = t.vault.fund_overview(fund_id).await.unwrap();
    let mut value = serde_json::to_value(&overview).unwrap();
    value["waitingForMe"] = serde_json::Value::Null;
    let ledger = t
        .vault
        .fund_ledger(LedgerQuery {
            fund_id: fund_id.into(),
            limit: Some(500),
            ..LedgerQuery::default()
        })
        .await
        .unwrap();
    format!("{value}{}", serde_json::to_string(&ledger.entries).unwrap())
}

fn amount_of(overview: &FundOverview, agency_id: &str) -> (String, String, String) {
    let c = overview
        .contributors
        .iter()
        .find(|c| c.agency_id == agency_id)
        .unwrap();
    (
        c.cash.text.clone(),
        c.in_kind.text.clone(),
        c.share_of_paid.text.clone(),
    )
}

#[tokio::test]
async fn money_goes_in_from_three_agencies_and_out_through_approved_requests() {
    let (t, _) = TestVault::created().await;
    let police = agency(&t, "Mae Sai police", "police").await;
    let ngo = agency(&t, "Friends of Children", "ngo").await;
    let hospital = agency(&t, "Mae Sai hospital", "health").await;
    t.vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    let deputy = t
        .vault
        .add_member(new_member("Lek", "lek", "team_lead"))
        .await
        .unwrap();
    let worker_id = sign_in_fresh(&t, "dao").await.member.unwrap().id;
    sign_in_fresh(&t, "lek").await;
    sign_in_lead(&t).await;

    let overview = fund(&t).await;
    let fund_id = overview.fund.id.clone();
    let shelter = line(&overview, "Emergency shelter");
    assert_eq!(overview.totals.balance.text, "0.00 THB");
    assert!(overview.may_manage && overview.may_approve && overview.may_read_ledger);

    give(
        &t,
        &fund_id,
        &police,
        "60,000",
        serde_json::json!({ "reference": "=cmd|' /C calc'!A0" }),
    )
    .await
    .unwrap();
    // 1,000 USD at 30 THB.
    give(
        &t,
        &fund_id,
        &ngo,
        "1,000.00",
        serde_json::json!({ "currency": "USD", "rate": "30" }),
    )
    .await
    .unwrap();
    let overview = give(
        &t,
        &fund_id,
        &hospital,
        "15,000",
        serde_json::json!({ "inKind": true, "description": "A vehicle for home visits, March" }),
    )
    .await
    .unwrap();
    assert_eq!(overview.totals.cash.text, "90,000.00 THB");
    assert_eq!(overview.totals.in_kind.text, "15,000.00 THB");
    let overview = allocate(&t, &fund_id, None, Some(&shelter), "50,000")
        .await
        .unwrap();
    assert_eq!(overview.totals.unallocated.text, "40,000.00 THB");

    // The worker asks for shelter costs for a case they work on.
    let case_id = t
        .vault
        .create_case(new_case("Lan Saelee", 2013))
        .await
        .unwrap()
        .summary
        .id;
    put_on_case(&t, &case_id, &worker_id, Some("support")).await;
    sign_in_again(&t, "dao").await;
    let small = request(&t, &fund_id, &shelter, "9,000", Some(&case_id))
        .await
        .unwrap();
    assert_eq!((small.number, small.approvals_needed), (1, 1));
    let large = request(&t, &fund_id, &shelter, "12,000", Some(&case_id))
        .await
        .unwrap();
    assert_eq!((large.number, large.approvals_needed), (2, 2));
    assert!(!small.may_decide, "a worker does not approve");
    assert!(matches!(
        decide(&t, &small.id, true, None).await,
        Err(Error::Forbidden)
    ));
    let case_view = t.vault.case_spending(&case_id).await.unwrap();
    assert_eq!(case_view.len(), 2);

    // The lead approves the small one: it is set aside on its line.
    sign_in_lead(&t).await;
    let overview = t.vault.fund_overview(&fund_id).await.unwrap();
    assert_eq!(overview.waiting_for_me, 2);
    let small = decide(&t, &small.id, true, None).await.unwrap();
    assert_eq!(small.status, "approved");
    let overview = t.vault.fund_overview(&fund_id).await.unwrap();
    assert_eq!(overview.totals.committed.text, "9,000.00 THB");

    // Above the threshold, one approval is not enough, and the same lead cannot give the
    // second.
    let large = decide(&t, &large.id, true, None).await.unwrap();
    assert_eq!(
        (large.status.as_str(), large.decisions.len()),
        ("pending", 1)
    );
    assert!(large.awaiting_second && !large.may_decide);
    let before = (
        books(&t, &fund_id).await,
        count(&t, "fund_decisions").await,
        count(&t, "changes").await,
    );
    assert_invalid_field(decide(&t, &large.id, true, None).await, "request");
    assert_eq!(
        (
            books(&t, &fund_id).await,
            count(&t, "fund_decisions").await,
            count(&t, "changes").await
        ),
        before
    );
    sign_in_again(&t, "lek").await;
    let large = decide(&t, &large.id, true, None).await.unwrap();
    assert_eq!(large.status, "approved");
    assert!(!large.awaiting_second);
    assert_eq!(large.decisions[1].member_id, deputy.id);
    // Approving twice.
    sign_in_lead(&t).await;
    assert_invalid_field(decide(&t, &large.id, true, None).await, "request");

    // Paid with a receipt.
    let paid = pay(&t, &large.id).await.unwrap();
    assert_eq!(paid.status, "paid");
    let payment = paid.payment.clone().unwrap();
    assert_eq!(
        (payment.paid_on.as_str(), payment.method.as_str()),
        ("2026-03-20", "transfer")
    );
    let receipt = t
        .vault
        .fund_receipt(payment.receipt_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(receipt.content_base64)
            .unwrap(),
        RECEIPT
    );
    assert_invalid_field(pay(&t, &large.id).await, "request");

    // 12,000 paid, shared by cash: police 60,000 of 90,000 (8,000), the NGO 30,000
    // (4,000); the hospital gave in kind and has no share of the cash spent.
    let overview = t.vault.fund_overview(&fund_id).await.unwrap();
    assert_eq!(overview.totals.paid.text, "12,000.00 THB");
    assert_eq!(overview.totals.balance.text, "78,000.00 THB");
    assert_eq!(overview.totals.available.text, "69,000.00 THB");
    assert_eq!(
        amount_of(&overview, &police),
        (
            "60,000.00 THB".into(),
            "0.00 THB".into(),
            "8,000.00 THB".into()
        )
    );
    assert_eq!(
        amount_of(&overview, &ngo),
        (
            "30,000.00 THB".into(),
            "0.00 THB".into(),
            "4,000.00 THB".into()
        )
    );
    assert_eq!(
        amount_of(&overview, &hospital),
        ("0.00 THB".into(), "15,000.00 THB".into(), "0.00 THB".into())
    );
    let shelter_line = overview.lines.iter().find(|l| l.id == shelter).unwrap();
    assert_eq!(
        (
            shelter_line.allocated.text.as_str(),
            shelter_line.committed.text.as_str(),
            shelter_line.paid.text.as_str(),
            shelter_line.remaining.text.as_str()
        ),
        (
            "50,000.00 THB",
            "9,000.00 THB",
            "12,000.00 THB",
            "29,000.00 THB"
        )
    );
    // The chart: March has the contributions and the payment.
    assert_eq!(overview.months.len(), 1);
    assert_eq!(overview.months[0].month, "2026-03");
    assert_eq!(overview.months[0].paid[0].amount.text, "12,000.00 THB");
    assert_eq!(overview.months[0].contributed.len(), 3);

    // The ledger: newest first, the USD contribution with its rate.
    let ledger = t
        .vault
        .fund_ledger(LedgerQuery {
            fund_id: fund_id.clone(),
            ..LedgerQuery::default()
        })
        .await
        .unwrap();
    let kinds: Vec<&str> = ledger.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "payment",
            "commitment",
            "commitment",
            "allocation",
            "contribution",
            "contribution",
            "contribution"
        ]
    );
    let usd = ledger
        .entries
        .iter()
        .find(|e| e.agency_id.as_deref() == Some(&ngo))
        .unwrap();
    assert_eq!(usd.original.as_deref(), Some("1,000.00 USD at 30"));
    assert_eq!(usd.amount.text, "30,000.00 THB");
    let only_payments = t
        .vault
        .fund_ledger(LedgerQuery {
            fund_id: fund_id.clone(),
            kind: Some("payment".into()),
            line_id: Some(shelter.clone()),
            from: Some("2026-03-01".into()),
            to: Some("2026-03-31".into()),
            ..LedgerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(only_payments.entries.len(), 1);
    assert_eq!(only_payments.entries[0].request_number, Some(2));

    // The books replay to the running totals.
    let check = t.vault.check_fund_books(&fund_id).await.unwrap();
    assert_eq!(
        (
            check.entries,
            check.totals_match,
            check.months_match,
            check.requests_match
        ),
        (7, true, true, true)
    );

    // The CSV holds amounts, not purposes, and no formula.
    let dir = tempfile::tempdir().unwrap();
    let exported = t
        .vault
        .export_fund_ledger(
            LedgerQuery {
                fund_id: fund_id.clone(),
                ..LedgerQuery::default()
            },
            dir.path(),
        )
        .await
        .unwrap();
    assert_eq!(exported.entries, 7);
    let csv = std::fs::read_to_string(&exported.path).unwrap();
    assert!(csv.starts_with("seq,date,kind,amount,currency,"));
    assert!(csv.contains(",payment,12000.00,THB,"), "{csv}");
    assert!(csv.contains("'=cmd|"), "{csv}");
    assert!(!csv.contains("shelter for Lan"));

    // Nothing of it is in the clear on disk.
    t.vault.lock().await;
    for (path, bytes) in database_bytes(&t.paths()) {
        for needle in [
            &b"shelter for Lan"[..],
            b"Baan Kru Noi",
            b"KTB 4471",
            b"District MDT",
        ] {
            assert!(
                !contains(&bytes, needle),
                "{path} holds {needle:?} in the clear"
            );
        }
    }
}

#[tokio::test]
async fn bad_input_is_refused_by_name_and_the_books_stay_as_they_were() {
    let (t, _) = TestVault::created().await;
    let police = agency(&t, "Mae Sai police", "police").await;
    t.vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap();
    sign_in_fresh(&t, "dao").await;
    sign_in_lead(&t).await;
    let overview = fund(&t).await;
    let fund_id = overview.fund.id.clone();
    let shelter = line(&overview, "Emergency shelter");
    let travel = line(&overview, "Travel for home visits");
    give(&t, &fund_id, &police, "20,000", serde_json::json!({}))
        .await
        .unwrap();
    allocate(&t, &fund_id, None, Some(&shelter), "5,000")
        .await
        .unwrap();
    let before = books(&t, &fund_id).await;

    let g = |amount: &'static str, extra: serde_json::Value| {
        let (t, fund_id, police) = (&t, fund_id.clone(), police.clone());
        async move { give(t, &fund_id, &police, amount, extra).await }
    };
    assert_invalid_field(g("-5", serde_json::json!({})).await, "amount");
    assert_invalid_field(g("0", serde_json::json!({})).await, "amount");
    assert_invalid_field(g("10.005", serde_json::json!({})).await, "amount");
    assert_invalid_field(g("1,0000", serde_json::json!({})).await, "amount");
    assert_invalid_field(
        g("10,000,000,000,000.01", serde_json::json!({})).await,
        "amount",
    );
    assert_invalid_field(
        g("100", serde_json::json!({ "currency": "USD" })).await,
        "rate",
    );
    assert_invalid_field(g("100", serde_json::json!({ "rate": "35" })).await, "rate");
    assert_invalid_field(
        g(
            "100",
            serde_json::json!({ "currency": "USD", "rate": "-3" }),
        )
        .await,
        "rate",
    );
    assert_invalid_field(
        g("100", serde_json::json!({ "currency": "XYZ", "rate": "3" })).await,
        "currency",
    );
    assert_invalid_field(
        g("100", serde_json::json!({ "inKind": true })).await,
        "description",
    );
    assert_invalid_field(
        g("100", serde_json::json!({ "receivedOn": "2999-01-01" })).await,
        "receivedOn",
    );
    assert_invalid_field(
        g("100", serde_json::json!({ "receivedOn": "1 March" })).await,
        "receivedOn",
    );
    assert_invalid_field(
        give(&t, &fund_id, "no-such-agency", "100", serde_json::json!({})).await,
        "agencyId",
    );
    // More than the fund holds unallocated, more than a line has, a line of nothing.
    assert_invalid_field(
        allocate(&t, &fund_id, None, Some(&travel), "15,000.01").await,
        "amount",
    );
    assert_invalid_field(
        allocate(&t, &fund_id, Some(&shelter), Some(&travel), "5,000.01").await,
        "amount",
    );
    assert_invalid_field(
        allocate(&t, &fund_id, Some(&shelter), Some(&shelter), "1").await,
        "toLineId",
    );
    assert_invalid_field(allocate(&t, &fund_id, None, None, "1").await, "toLineId");
    assert_invalid_field(
        allocate(&t, &fund_id, None, Some("nowhere"), "1").await,
        "toLineId",
    );
    assert_eq!(books(&t, &fund_id).await, before);

    // Requests: beyond the line's remaining balance, zero, no purpose, an unknown line.
    sign_in_again(&t, "dao").await;
    assert_invalid_field(
        request(&t, &fund_id, &shelter, "5,000.01", None).await,
        "amount",
    );
    assert_invalid_field(request(&t, &fund_id, &travel, "1", None).await, "amount");
    assert_invalid_field(request(&t, &fund_id, &shelter, "0", None).await, "amount");
    assert_invalid_field(request(&t, &fund_id, "nowhere", "1", None).await, "lineId");
    assert_invalid_field(
        t.vault
            .request_spending(json(serde_json::json!({
                "fundId": fund_id, "lineId": shelter, "amount": "10", "purpose": "  ",
            })))
            .await,
        "purpose",
    );
    let asked = request(&t, &fund_id, &shelter, "4,000", None)
        .await
        .unwrap();
    let rejected = request(&t, &fund_id, &shelter, "500", None).await.unwrap();
    sign_in_lead(&t).await;
    // A rejection needs a reason; a payment needs an approval first.
    assert_invalid_field(decide(&t, &rejected.id, false, None).await, "reason");
    assert_invalid_field(pay(&t, &asked.id).await, "request");
    decide(&t, &rejected.id, false, Some("Covered by the province"))
        .await
        .unwrap();
    assert_invalid_field(pay(&t, &rejected.id).await, "request");
    assert_invalid_field(decide(&t, &rejected.id, true, None).await, "request");
    // The line shrank under an open request: the approval is refused, nothing is set aside.
    allocate(&t, &fund_id, Some(&shelter), None, "2,000")
        .await
        .unwrap();
    let before_approval = books(&t, &fund_id).await;
    assert_invalid_field(decide(&t, &asked.id, true, None).await, "amount");
    assert_eq!(books(&t, &fund_id).await, before_approval);
    allocate(&t, &fund_id, None, Some(&shelter), "2,000")
        .await
        .unwrap();
    let approved = decide(&t, &asked.id, true, None).await.unwrap();
    assert_eq!(approved.status, "approved");

    // Payment details.
    let pay_with = |extra: serde_json::Value| {
        let mut body = serde_json::json!({
            "requestId": asked.id, "paidOn": "2026-03-20", "method": "transfer",
            "receiptFileName": "r.pdf",
            "receiptBase64": base64::engine::general_purpose::STANDARD.encode(RECEIPT),
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let t = &t;
        async move { t.vault.pay_spending(json(body)).await }
    };
    let before = books(&t, &fund_id).await;
    assert_invalid_field(
        pay_with(serde_json::json!({ "method": "barter" })).await,
        "method",
    );
    assert_invalid_field(
        pay_with(serde_json::json!({ "paidOn": "2999-01-01" })).await,
        "paidOn",
    );
    assert_invalid_field(
        pay_with(serde_json::json!({ "receiptBase64": "" })).await,
        "receipt",
    );
    assert_invalid_field(
        pay_with(serde_json::json!({ "receiptBase64": "%%%" })).await,
        "receipt",
    );
    assert_invalid_field(
        pay_with(serde_json::json!({ "receiptFileName": "../x.pdf" })).await,
        "file_name",
    );
    assert_eq!(books(&t, &fund_id).await, before);
    assert_eq!(count(&t, "fund_receipts").await, 0);

    // A fund's own fields.
    let new_fund = |patch: serde_json::Value| {
        let mut body = serde_json::json!({
            "name": "Another fund", "startsOn": "2026-01-01", "endsOn": "2026-12-31",
            "secondApprovalAbove": "10,000", "lines": ["Medical costs"],
        });
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let t = &t;
        async move { t.vault.create_fund(json(body)).await }
    };
    let funds = count(&t, "funds").await;
    assert_invalid_field(
        new_fund(serde_json::json!({ "name": "district mdt pooled fund 2026" })).await,
        "name",
    );
    assert_invalid_field(
        new_fund(serde_json::json!({ "endsOn": "2025-12-31" })).await,
        "endsOn",
    );
    assert_invalid_field(
        new_fund(serde_json::json!({ "secondApprovalAbove": "-1" })).await,
        "secondApprovalAbove",
    );
    assert_invalid_field(
        new_fund(serde_json::json!({ "currency": "BAHT" })).await,
        "currency",
    );
    assert_invalid_field(
        new_fund(serde_json::json!({ "lines": ["Fees", "fees"] })).await,
        "lines",
    );
    assert_eq!(count(&t, "funds").await, funds);
    // Amounts in a currency with no minor units.
    let yen = new_fund(
        serde_json::json!({ "name": "Yen fund", "currency": "JPY", "secondApprovalAbove": "1000" }),
    )
    .await
    .unwrap();
    assert_eq!(yen.fund.second_approval_above.text, "1,000 JPY");
    assert_invalid_field(
        give(&t, &yen.fund.id, &police, "10.5", serde_json::json!({})).await,
        "amount",
    );
}

#[tokio::test]
async fn corrections_are_rows_of_their_own() {
    let (t, _) = TestVault::created().await;
    let police = agency(&t, "Mae Sai police", "police").await;
    t.vault
        .add_member(new_member("Lek", "lek", "team_lead"))
        .await
        .unwrap();
    sign_in_fresh(&t, "lek").await;
    let overview = fund(&t).await;
    let fund_id = overview.fund.id.clone();
    let shelter = line(&overview, "Emergency shelter");
    give(&t, &fund_id, &police, "20,000", serde_json::json!({}))
        .await
        .unwrap();
    allocate(&t, &fund_id, None, Some(&shelter), "15,000")
        .await
        .unwrap();
    let asked = request(&t, &fund_id, &shelter, "3,000", None)
        .await
        .unwrap();
    sign_in_lead(&t).await;
    decide(&t, &asked.id, true, None).await.unwrap();
    let paid = pay(&t, &asked.id).await.unwrap();
    let payment_entry = paid.payment.unwrap().entry_id;
    let reverse = |entry: &str, reason: &str| {
        let body = serde_json::json!({ "entryId": entry, "reason": reason });
        let t = &t;
        async move { t.vault.reverse_fund_entry(json(body)).await }
    };
    assert_invalid_field(reverse(&payment_entry, " ").await, "reason");
    let overview = reverse(&payment_entry, "Paid twice by the bank; refunded")
        .await
        .unwrap();
    assert_eq!(overview.totals.paid.text, "0.00 THB");
    assert_eq!(overview.totals.committed.text, "3,000.00 THB");
    let again = t
        .vault
        .spending_requests(json(serde_json::json!({ "fundId": fund_id })))
        .await
        .unwrap();
    assert_eq!(again[0].status, "approved");
    assert!(again[0].payment.is_none());
    assert_invalid_field(reverse(&payment_entry, "again").await, "entryId");
    // The CSV writes the correction as a negative number, not as text.
    let dir = tempfile::tempdir().unwrap();
    let exported = t
        .vault
        .export_fund_ledger(
            LedgerQuery {
                fund_id: fund_id.clone(),
                ..LedgerQuery::default()
            },
            dir.path(),
        )
        .await
        .unwrap();
    let csv = std::fs::read_to_string(&exported.path).unwrap();
    assert!(csv.contains(",payment,-3000.00,THB,"), "{csv}");
    assert!(!csv.contains("'-3000"), "{csv}");
    let ledger = t
        .vault
        .fund_ledger(LedgerQuery {
            fund_id: fund_id.clone(),
            ..LedgerQuery::default()
        })
        .await
        .unwrap();
    let reversal = &ledger.entries[0];
    assert_eq!(
        (reversal.amount.text.as_str(), reversal.reverses.as_deref()),
        ("-3,000.00 THB", Some(payment_entry.as_str()))
    );
    let paid_entry = ledger
        .entries
        .iter()
        .find(|e| e.id == payment_entry)
        .unwrap();
    assert!(paid_entry.reversed && !paid_entry.may_reverse);
    // Only a contribution or a payment not yet corrected is offered for reversal.
    let offered: Vec<&str> = ledger
        .entries
        .iter()
        .filter(|e| e.may_reverse)
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(offered, ["contribution"]);
    assert_invalid_field(reverse(&reversal.id, "undo").await, "entryId");
    let allocation = ledger
        .entries
        .iter()
        .find(|e| e.kind == "allocation")
        .unwrap();
    assert_invalid_field(reverse(&allocation.id, "undo").await, "entryId");
    // A contribution whose cash is already on lines cannot be taken back.
    let contribution = ledger
        .entries
        .iter()
        .find(|e| e.kind == "contribution")
        .unwrap();
    let before = books(&t, &fund_id).await;
    assert_invalid_field(reverse(&contribution.id, "typed twice").await, "amount");
    assert_eq!(books(&t, &fund_id).await, before);
    // Cancelling the approved request frees its money on the line.
    let cancelled = t
        .vault
        .cancel_spending(json(
            serde_json::json!({ "requestId": asked.id, "reason": "Family moved" }),
        ))
        .await
        .unwrap();
    assert_eq!(cancelled.status, "cancelled");
    allocate(&t, &fund_id, Some(&shelter), None, "15,000")
        .await
        .unwrap();
    let overview = reverse(&contribution.id, "Typed twice").await.unwrap();
    assert_eq!(overview.totals.cash.text, "0.00 THB");
    let check = t.vault.check_fund_books(&fund_id).await.unwrap();
    assert!(check.totals_match && check.months_match && check.requests_match);
    // A status written behind the ledger's back is found.
    sqlx::query("UPDATE fund_requests SET status = 'paid' WHERE id = ?")
        .bind(&asked.id)
        .execute(&t.vault.pool().await.unwrap())
        .await
        .unwrap();
    let check = t.vault.check_fund_books(&fund_id).await.unwrap();
    assert!(!check.requests_match && check.totals_match);
    assert_eq!(check.requests_astray, [asked.number]);
    sqlx::query("UPDATE fund_requests SET status = 'cancelled' WHERE id = ?")
        .bind(&asked.id)
        .execute(&t.vault.pool().await.unwrap())
        .await
        .unwrap();

    // The ledger and the decisions cannot be changed behind the vault's back.
    let pool = t.vault.pool().await.unwrap();
    for sql in [
        "UPDATE fund_ledger SET amount = 1",
        "DELETE FROM fund_ledger",
        "UPDATE fund_decisions SET decision = 'reject'",
        "DELETE FROM fund_decisions",
    ] {
        let err = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(
            err.to_string().contains("append-only") || err.to_string().contains("final"),
            "{sql}: {err}"
        );
    }
}

#[tokio::test]
async fn each_reader_sees_what_their_role_needs() {
    let (t, _) = TestVault::created().await;
    let police = agency(&t, "Mae Sai police", "police").await;
    let worker_id = t
        .vault
        .add_member(new_member("Dao", "dao", "case_worker"))
        .await
        .unwrap()
        .id;
    t.vault
        .add_member(new_member("Noi", "noi", "case_worker"))
        .await
        .unwrap();
    t.vault
        .add_member(new_member("Wan", "wan", "viewer"))
        .await
        .unwrap();
    // A finance officer approves and pays but does not oversee cases.
    let finance = t
        .vault
        .add_role(json(serde_json::json!({
            "name": "Finance officer", "description": null,
            "permissions": ["funds.manage", "funds.approve"],
        })))
        .await
        .unwrap();
    t.vault
        .add_member(new_member("Fon", "fon", &finance.id))
        .await
        .unwrap();
    for name in ["dao", "noi", "wan", "fon"] {
        sign_in_fresh(&t, name).await;
    }
    sign_in_lead(&t).await;
    let overview = fund(&t).await;
    let fund_id = overview.fund.id.clone();
    let shelter = line(&overview, "Emergency shelter");
    give(&t, &fund_id, &police, "20,000", serde_json::json!({}))
        .await
        .unwrap();
    allocate(&t, &fund_id, None, Some(&shelter), "20,000")
        .await
        .unwrap();
    let case_id = t
        .vault
        .create_case(new_case("Lan Saelee", 2013))
        .await
        .unwrap()
        .summary
        .id;
    put_on_case(&t, &case_id, &worker_id, Some("support")).await;

    sign_in_again(&t, "dao").await;
    let for_case = request(&t, &fund_id, &shelter, "2,000", Some(&case_id))
        .await
        .unwrap();
    assert_eq!(
        for_case.purpose.as_deref(),
        Some("Two weeks at the shelter for Lan")
    );
    // The worker reads totals but not the ledger.
    let seen = t.vault.fund_overview(&fund_id).await.unwrap();
    assert!(seen.may_request && !seen.may_approve && !seen.may_manage && !seen.may_read_ledger);
    assert!(matches!(
        t.vault
            .fund_ledger(LedgerQuery {
                fund_id: fund_id.clone(),
                ..LedgerQuery::default()
            })
            .await,
        Err(Error::Forbidden)
    ));

    // Another worker: not on the case, sees no request but their own, and not the case's.
    sign_in_again(&t, "noi").await;
    let theirs = t
        .vault
        .spending_requests(json(serde_json::json!({ "fundId": fund_id })))
        .await
        .unwrap();
    assert!(theirs.is_empty());
    assert!(matches!(
        t.vault.case_spending(&case_id).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        request(&t, &fund_id, &shelter, "10", Some(&case_id)).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        t.vault
            .cancel_spending(json(
                serde_json::json!({ "requestId": for_case.id, "reason": "x" })
            ))
            .await,
        Err(Error::Forbidden)
    ));

    // The viewer reads totals, and nothing else.
    sign_in_again(&t, "wan").await;
    let seen = t.vault.fund_overview(&fund_id).await.unwrap();
    assert_eq!(seen.totals.cash.text, "20,000.00 THB");
    assert!(!seen.may_request && !seen.may_read_ledger);
    assert!(matches!(
        request(&t, &fund_id, &shelter, "10", None).await,
        Err(Error::Forbidden)
    ));

    // The finance officer approves the case's spending without seeing its purpose or case.
    sign_in_again(&t, "fon").await;
    let queue = t
        .vault
        .spending_requests(json(
            serde_json::json!({ "fundId": fund_id, "status": "pending" }),
        ))
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert!(queue[0].case_hidden && queue[0].purpose.is_none() && queue[0].case_id.is_none());
    assert!(queue[0].may_decide);
    let approved = decide(&t, &for_case.id, true, None).await.unwrap();
    assert!(approved.purpose.is_none());
    assert!(matches!(
        t.vault.case_spending(&case_id).await,
        Err(Error::Forbidden)
    ));
    let csv_dir = tempfile::tempdir().unwrap();
    t.vault
        .export_fund_ledger(
            LedgerQuery {
                fund_id: fund_id.clone(),
                ..LedgerQuery::default()
            },
            csv_dir.path(),
        )
        .await
        .unwrap();

    // The lead, who oversees cases, sees it all.
    sign_in_lead(&t).await;
    let all = t
        .vault
        .spending_requests(json(serde_json::json!({ "fundId": fund_id })))
        .await
        .unwrap();
    assert_eq!(all[0].case_id.as_deref(), Some(case_id.as_str()));
    assert!(!all[0].case_hidden);
    // Nobody approves their own request.
    let own = request(&t, &fund_id, &shelter, "100", None).await.unwrap();
    assert!(!own.may_decide);
    assert_invalid_field(decide(&t, &own.id, true, None).await, "request");
    let status: Vec<String> = all.iter().map(|r| r.status.clone()).collect();
    assert_eq!(status, ["approved"]);
    // The lead pays it; what the payment says may name the child, so the finance
    // officer sees the amount and the date, not the reference or the receipt.
    let paid = pay(&t, &for_case.id).await.unwrap();
    let receipt_id = paid.payment.unwrap().receipt_id.unwrap();
    sign_in_again(&t, "fon").await;
    let seen = t
        .vault
        .spending_requests(json(serde_json::json!({ "fundId": fund_id })))
        .await
        .unwrap();
    let seen = seen.iter().find(|r| r.id == for_case.id).unwrap();
    assert!(seen.case_hidden && seen.decisions.iter().all(|d| d.reason.is_none()));
    let payment = seen.payment.clone().unwrap();
    assert_eq!(payment.paid_on, "2026-03-20");
    assert!(payment.reference.is_none() && payment.receipt_id.is_none());
    assert!(matches!(
        t.vault.fund_receipt(&receipt_id).await,
        Err(Error::Forbidden)
    ));
    let ledger = t
        .vault
        .fund_ledger(LedgerQuery {
            fund_id: fund_id.clone(),
            kind: Some("payment".into()),
            ..LedgerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(ledger.entries.len(), 1);
    assert!(ledger.entries[0].reference.is_none() && ledger.entries[0].receipt_id.is_none());
    // The worker who asked opens the receipt, until taken off the case.
    sign_in_again(&t, "dao").await;
    assert!(t.vault.fund_receipt(&receipt_id).await.is_ok());
    sign_in_lead(&t).await;
    put_on_case(&t, &case_id, &worker_id, None).await;
    sign_in_again(&t, "dao").await;
    assert!(matches!(
        t.vault.fund_receipt(&receipt_id).await,
        Err(Error::Forbidden)
    ));
    let own = t
        .vault
        .spending_requests(json(serde_json::json!({ "fundId": fund_id })))
        .await
        .unwrap();
    assert!(own[0].case_hidden && own[0].purpose.is_none());
    sign_in_lead(&t).await;
    put_on_case(&t, &case_id, &worker_id, Some("support")).await;

    // A worker withdraws their own pending request; another worker cannot.
    sign_in_again(&t, "dao").await;
    let second = request(&t, &fund_id, &shelter, "300", None).await.unwrap();
    assert!(second.may_cancel);
    sign_in_again(&t, "noi").await;
    let cancel = serde_json::json!({ "requestId": second.id, "reason": "Not needed" });
    assert!(matches!(
        t.vault.cancel_spending(json(cancel.clone())).await,
        Err(Error::Forbidden)
    ));
    sign_in_again(&t, "dao").await;
    let withdrawn = t.vault.cancel_spending(json(cancel)).await.unwrap();
    assert_eq!(withdrawn.status, "cancelled");
    assert!(!withdrawn.may_cancel);
    let pool = t.vault.pool().await.unwrap();
    let reason: Option<String> =
        sqlx::query_scalar("SELECT cancel_reason FROM fund_request_details WHERE id = ?")
            .bind(&second.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason.as_deref(), Some("Not needed"));
}

/// One operation of a random session on a real vault.
#[derive(Debug, Clone)]
enum Op {
    Give(usize, bool, u32),
    Allocate(Option<usize>, Option<usize>, u32),
    Ask(usize, u32),
    Approve(usize),
    Reject(usize),
    Pay(usize),
    Cancel(usize),
    ReversePayment(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let line = || proptest::option::weighted(0.5, 0..3_usize);
    prop_oneof![
        2 => (0..3_usize, any::<bool>(), 1..5_000_000_u32).prop_map(|(a, k, n)| Op::Give(a, k, n)),
        3 => (line(), line(), 1..1_000_000_u32).prop_map(|(a, b, n)| Op::Allocate(a, b, n)),
        3 => (0..3_usize, 1..30_000_u32).prop_map(|(l, n)| Op::Ask(l, n)),
        3 => (0..16_usize).prop_map(Op::Approve),
        1 => (0..16_usize).prop_map(Op::Reject),
        2 => (0..16_usize).prop_map(Op::Pay),
        1 => (0..16_usize).prop_map(Op::Cancel),
        1 => (0..16_usize).prop_map(Op::ReversePayment),
    ]
}

fn minor(text: &str) -> i64 {
    text.parse().unwrap()
}

/// Random sessions through the vault's commands: whatever is accepted or refused, the
/// running totals equal a replay of the ledger, nothing goes negative, and the agencies'
/// shares add up to what was paid.
#[test]
fn random_sessions_keep_the_books_sound() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // How many operations of each kind went through, over all sessions: a session in
    // which every operation is refused would prove nothing.
    let accepted = std::cell::RefCell::new(std::collections::BTreeMap::<&str, usize>::new());
    let config = ProptestConfig {
        cases: 20,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..60))| {
        runtime.block_on(async {
            let (t, _) = TestVault::created().await;
            let mut agencies = Vec::new();
            for (i, kind) in ["police", "ngo", "health"].into_iter().enumerate() {
                agencies.push(agency(&t, &format!("Agency {i}"), kind).await);
            }
            let overview = t.vault.create_fund(json(serde_json::json!({
                "name": "Fund", "startsOn": "2026-01-01", "endsOn": "2026-12-31",
                "secondApprovalAbove": "100", "lines": ["A", "B", "C"],
            }))).await.unwrap();
            let fund_id = overview.fund.id.clone();
            let lines: Vec<String> = overview.lines.iter().map(|l| l.id.clone()).collect();
            t.vault.add_member(new_member("Lek", "lek", "team_lead")).await.unwrap();
            t.vault.add_member(new_member("Mon", "mon", "team_lead")).await.unwrap();
            sign_in_fresh(&t, "mon").await;
            sign_in_fresh(&t, "lek").await;
            // A start that leaves room for requests, so that sessions go beyond refusals.
            for agency_id in &agencies {
                give(&t, &fund_id, agency_id, "10,000", serde_json::json!({})).await.unwrap();
            }
            for line_id in &lines {
                allocate(&t, &fund_id, None, Some(line_id), "5,000").await.unwrap();
            }
            let mut requests: Vec<String> = Vec::new();
            let amount = |n: u32| format!("{}.{:02}", n / 100, n % 100);
            for op in &ops {
                let outcome = match op {
                    Op::Give(a, in_kind, n) => give(&t, &fund_id, &agencies[*a], &amount(*n), serde_json::json!({
                        "inKind": in_kind, "description": "in kind",
                    })).await.map(|_| ()),
                    Op::Allocate(from, to, n) => allocate(
                        &t, &fund_id, from.map(|i| lines[i].as_str()), to.map(|i| lines[i].as_str()), &amount(*n),
                    ).await.map(|_| ()),
                    Op::Ask(l, n) => request(&t, &fund_id, &lines[*l], &amount(*n), None).await.map(|r| requests.push(r.id)),
                    Op::Approve(i) | Op::Reject(i) | Op::Pay(i) | Op::Cancel(i) | Op::ReversePayment(i) => {
                        let Some(id) = requests.get(*i % requests.len().max(1)).cloned() else { continue };
                        // The lead signs in only for decisions; the deputy asked.
                        match op {
                            Op::Approve(_) => {
                                sign_in_lead(&t).await;
                                let first = decide(&t, &id, true, None).await;
                                // A second approver, where one is needed.
                                sign_in_again(&t, "mon").await;
                                let second = match &first {
                                    Ok(r) if r.status == "pending" => decide(&t, &id, true, None).await.map(|_| ()),
                                    _ => Ok(()),
                                };
                                sign_in_again(&t, "lek").await;
                                first.and(second).map(|_| ())
                            }
                            Op::Reject(_) => {
                                sign_in_lead(&t).await;
                                let r = decide(&t, &id, false, Some("no")).await.map(|_| ());
                                sign_in_again(&t, "lek").await;
                                r
                            }
                            Op::Pay(_) => pay(&t, &id).await.map(|_| ()),
                            Op::Cancel(_) => t.vault.cancel_spending(json(serde_json::json!({
                                "requestId": id, "reason": "no longer needed",
                            }))).await.map(|_| ()),
                            _ => {
                                let found = t.vault.spending_requests(json(serde_json::json!({ "fundId": fund_id }))).await.unwrap();
                                match found.iter().find(|r| r.id == id).and_then(|r| r.payment.clone()) {
                                    Some(p) => t.vault.reverse_fund_entry(json(serde_json::json!({
                                        "entryId": p.entry_id, "reason": "refunded",
                                    }))).await.map(|_| ()),
                                    None => continue,
                                }
                            }
                        }
                    }
                };
                // A refusal is a clear error, never a storage failure.
                if let Err(err) = &outcome {
                    assert!(
                        matches!(err, Error::Invalid { .. } | Error::Forbidden),
                        "{op:?}: {err:?}"
                    );
                }
                if outcome.is_ok() {
                    let name = match op {
                        Op::Give(..) => "give",
                        Op::Allocate(..) => "allocate",
                        Op::Ask(..) => "ask",
                        Op::Approve(_) => "approve",
                        Op::Reject(_) => "reject",
                        Op::Pay(_) => "pay",
                        Op::Cancel(_) => "cancel",
                        Op::ReversePayment(_) => "reverse",
                    };
                    *accepted.borrow_mut().entry(name).or_default() += 1;
                }
            }
            let check = t.vault.check_fund_books(&fund_id).await.unwrap();
            assert!(check.totals_match && check.months_match && check.requests_match, "{check:?} after {ops:?}");
            let o = t.vault.fund_overview(&fund_id).await.unwrap();
            let totals = &o.totals;
            for figure in [&totals.cash, &totals.in_kind, &totals.allocated, &totals.unallocated,
                           &totals.committed, &totals.paid, &totals.balance, &totals.available] {
                assert!(minor(&figure.minor) >= 0, "{o:?}");
            }
            for l in &o.lines {
                assert!(minor(&l.remaining.minor) >= 0 && minor(&l.committed.minor) >= 0, "{l:?}");
            }
            let shares: i64 = o.contributors.iter().map(|c| minor(&c.share_of_paid.minor)).sum();
            assert_eq!(shares, minor(&totals.paid.minor));
        });
    });
    let accepted = accepted.into_inner();
    eprintln!("accepted operations over all sessions: {accepted:?}");
    for kind in [
        "give", "allocate", "ask", "approve", "reject", "pay", "cancel",
    ] {
        assert!(
            accepted.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} went through: {accepted:?}"
        );
    }
}
