//! Requests as an attacker would send them: unsigned, signed by another key, late,
//! replayed, altered, too large, too many.

use ruam_relay::limits::Rate;
use ruam_relay::Config;
use ruam_wire::api::{ErrorBody, ErrorCode};
use ruam_wire::client::now_ms;
use ruam_wire::request;
use ruam_wire::SigningKey;

use crate::harness::{team, TestRelay};

async fn send(
    relay: &TestRelay,
    path: &str,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
) -> (u16, Option<ErrorBody>) {
    let mut builder = reqwest::Client::new().get(format!("{}{path}", relay.url));
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    let response = builder.body(body).send().await.expect("send");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body");
    (status, serde_json::from_slice(&body).ok())
}

fn refused(answer: (u16, Option<ErrorBody>), status: u16, code: ErrorCode) -> String {
    assert_eq!(answer.0, status, "{answer:?}");
    let body = answer.1.expect("an error body");
    assert_eq!(body.code, code, "{body:?}");
    body.message
}

pub async fn unsigned_tampered_stale_and_replayed_requests_are_refused(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let path = format!("/v1/teams/{team_id}/devices");

    // No signature at all.
    let message = refused(
        send(&relay, &path, &[], vec![]).await,
        401,
        ErrorCode::Unauthenticated,
    );
    assert!(message.contains("ruam-device"), "{message}");

    // Signed in the lead's name by another key.
    let thief = SigningKey::generate().unwrap();
    let forged = request::sign(&thief, lead.id, "GET", &path, b"", now_ms());
    refused(
        send(&relay, &path, &forged.pairs(), vec![]).await,
        401,
        ErrorCode::Unauthenticated,
    );

    // Ten minutes old.
    let stale = request::sign(&lead.key, lead.id, "GET", &path, b"", now_ms() - 600_000);
    let message = refused(
        send(&relay, &path, &stale.pairs(), vec![]).await,
        401,
        ErrorCode::Unauthenticated,
    );
    assert!(message.contains("clock"), "{message}");

    // Signed for another path, or another body.
    let elsewhere = request::sign(&lead.key, lead.id, "GET", "/v1/other", b"", now_ms());
    refused(
        send(&relay, &path, &elsewhere.pairs(), vec![]).await,
        401,
        ErrorCode::Unauthenticated,
    );
    let for_empty = request::sign(&lead.key, lead.id, "GET", &path, b"", now_ms());
    refused(
        send(&relay, &path, &for_empty.pairs(), b"x".to_vec()).await,
        401,
        ErrorCode::Unauthenticated,
    );

    // Addresses that are not the relay's API answer in its own words too.
    refused(
        send(&relay, "/v1/teams/not-a-uuid/devices", &[], vec![]).await,
        404,
        ErrorCode::NotFound,
    );
    refused(
        send(&relay, "/v2/anything", &[], vec![]).await,
        404,
        ErrorCode::NotFound,
    );

    // A good request goes through once; the same bytes again are a replay.
    let good = request::sign(&lead.key, lead.id, "GET", &path, b"", now_ms());
    assert_eq!(send(&relay, &path, &good.pairs(), vec![]).await.0, 200);
    let message = refused(
        send(&relay, &path, &good.pairs(), vec![]).await,
        401,
        ErrorCode::Unauthenticated,
    );
    assert!(message.contains("replay"), "{message}");
}

pub async fn bodies_and_rates_are_limited(relay: TestRelay) {
    let (team_id, lead) = team(&relay).await;
    let path = format!("/v1/teams/{team_id}/envelopes");
    let big = vec![0u8; ruam_wire::api::MAX_BODY + 1];
    let signed = request::sign(&lead.key, lead.id, "GET", &path, &big, now_ms());
    refused(
        send(&relay, &path, &signed.pairs(), big).await,
        413,
        ErrorCode::TooLarge,
    );

    // A relay that lets a device make five requests, then one a thousand seconds.
    let Some(tight) = TestRelay::start_with(
        relay.kind,
        Config {
            device_rate: Rate {
                per_sec: 0.001,
                burst: 5.0,
            },
            ..Config::default()
        },
    )
    .await
    else {
        return;
    };
    let (team_id, lead) = team(&tight).await;
    for _ in 0..5 {
        lead.client.me(team_id).await.unwrap();
    }
    let refused = lead.client.me(team_id).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::RateLimited));
    // Another device has its own allowance.
    let (other_team, other) = team(&tight).await;
    assert!(other.client.me(other_team).await.is_ok());
}
