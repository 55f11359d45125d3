//! Files between laptops through a real relay on loopback: a case's attachment (larger
//! than one part) reaches the laptops of those on the case byte for byte and nothing of it
//! reaches the liaison's or the relay in the clear; a team task's photo reaches every
//! laptop; a payment's receipt reaches the laptop of the member who asked.

use base64::Engine as _;

use crate::boards::card;
use crate::funds::{agency, allocate, decide, fund, give, json, line, pay, request, RECEIPT};
use crate::support::*;
use crate::sync::{joined_laptop, rows, social_worker, Relay};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A PDF of `len` bytes with a canary in its middle and no run of bytes repeating.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    let mut x: u32 = 0x9E37_79B9;
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push(x as u8);
        if bytes.len() == len / 2 {
            bytes.extend_from_slice(b"canary-FILE-Lan home visit");
        }
    }
    bytes
}

#[tokio::test]
async fn files_reach_the_laptops_that_may_hold_them_byte_for_byte() {
    let relay = Relay::start().await;
    let (lead, _) = TestVault::created().await;
    let worker = social_worker(&lead).await;
    let liaison = lead
        .vault
        .add_member(new_member("Pol. Lt. Anan", "anan", "police_liaison"))
        .await
        .unwrap();
    lead.vault.open_board(None).await.unwrap();
    lead.vault.sync_start_team(relay.url()).await.unwrap();
    let worker_laptop = joined_laptop(&relay, &lead, &worker.id).await;
    let liaison_laptop = joined_laptop(&relay, &lead, &liaison.id).await;
    let laptops = [&lead, &worker_laptop, &liaison_laptop];
    for t in laptops {
        t.vault.sync_now().await.unwrap();
    }

    // A scan of 600 KB (four parts) on a case, written on the social worker's laptop.
    let case_id = worker_laptop
        .vault
        .create_case(crate::cases::new_case("canary-CASE-Lan", 2013))
        .await
        .unwrap()
        .summary
        .id;
    let scan = pdf(600 * 1024);
    let file = worker_laptop
        .vault
        .add_attachment(json(serde_json::json!({
            "caseId": case_id, "section": "social", "fileName": "home-visit.pdf",
            "contentBase64": b64(&scan),
        })))
        .await
        .unwrap();
    let attachment_id = file.attachments[0].id.clone();
    // A photo on the team's board, from the lead's laptop.
    let board = lead
        .vault
        .create_card(card(None, "Village meeting"))
        .await
        .unwrap();
    let card_id = board.columns[0].cards[0].id.clone();
    let photo = [
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        b"meeting photo",
    ]
    .concat();
    let with_photo = lead
        .vault
        .attach_to_card(json(serde_json::json!({
            "cardId": card_id, "fileName": "meeting.png", "contentBase64": b64(&photo),
        })))
        .await
        .unwrap();
    let photo_id = with_photo.attachments[0].id.clone();
    for t in [&worker_laptop, &lead, &worker_laptop, &liaison_laptop] {
        t.vault.sync_now().await.unwrap();
    }

    let got = lead.vault.attachment(&attachment_id).await.unwrap();
    assert_eq!(got.file_name, "home-visit.pdf");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(got.content_base64)
            .unwrap(),
        scan
    );
    for t in laptops {
        let got = t.vault.card_attachment(&photo_id).await.unwrap();
        assert_eq!(got.content_base64, b64(&photo));
        assert_eq!(rows(t, "SELECT count(*) FROM sync_blob_parts").await, 0);
    }
    assert_eq!(
        rows(&liaison_laptop, "SELECT count(*) FROM case_attachments").await,
        0
    );
    assert!(!contains(&relay.bytes(), b"canary-FILE"));
    assert!(!contains(&relay.bytes(), b"meeting photo"));

    // A receipt for spending that is not a case's: the member who asked can open it.
    let ngo = agency(&lead, "Friends of Children", "ngo").await;
    let overview = fund(&lead).await;
    let fund_id = overview.fund.id.clone();
    let travel = line(&overview, "Travel for home visits");
    give(&lead, &fund_id, &ngo, "5,000", serde_json::json!({}))
        .await
        .unwrap();
    allocate(&lead, &fund_id, None, Some(&travel), "1,000")
        .await
        .unwrap();
    lead.vault.sync_now().await.unwrap();
    worker_laptop.vault.sync_now().await.unwrap();
    let asked = request(&worker_laptop, &fund_id, &travel, "400", None)
        .await
        .unwrap();
    worker_laptop.vault.sync_now().await.unwrap();
    lead.vault.sync_now().await.unwrap();
    decide(&lead, &asked.id, true, None).await.unwrap();
    let paid = pay(&lead, &asked.id).await.unwrap();
    let receipt_id = paid.payment.unwrap().receipt_id.unwrap();
    lead.vault.sync_now().await.unwrap();
    worker_laptop.vault.sync_now().await.unwrap();
    let seen = worker_laptop.vault.fund_receipt(&receipt_id).await.unwrap();
    assert_eq!(seen.content_base64, b64(RECEIPT));
}
