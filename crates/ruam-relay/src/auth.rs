//! Who is asking: every request is signed by a device's Ed25519 key (see
//! `ruam_wire::request`). A known device must be of the team and not revoked; a new one
//! (making a team, enrolling) signs with the key it registers.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, Uri};
use ruam_wire::api::{DeviceKeys, DeviceStatus, ErrorCode};
use ruam_wire::request::{SignedHeaders, MAX_SKEW_MS};
use uuid::Uuid;

use crate::error::Refusal;
use crate::store::{DeviceRow, RelayStore};
use crate::{now_ms, App};

/// A request as its signature covers it: method, path and query, headers and the whole
/// body (at most `api::MAX_BODY` bytes).
#[derive(Debug)]
pub struct Signed {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Signed {
    type Rejection = Refusal;

    async fn from_request(request: Request, _: &S) -> Result<Self, Refusal> {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, ruam_wire::api::MAX_BODY)
            .await
            .map_err(|_| {
                Refusal::new(
                    ErrorCode::TooLarge,
                    format!(
                        "the request's body is more than {} MiB, or was cut off",
                        ruam_wire::api::MAX_BODY >> 20
                    ),
                )
            })?;
        Ok(Self {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        })
    }
}

/// Whether pending devices may make the call (only to ask whether they are approved yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Allowed,
    Refused,
}

fn signed_headers(headers: &HeaderMap) -> Result<SignedHeaders, Refusal> {
    SignedHeaders::parse(|name| headers.get(name).and_then(|v| v.to_str().ok())).map_err(
        |missing| {
            Refusal::unauthenticated(format!(
                "the request is not signed: its {missing} header is missing or malformed"
            ))
        },
    )
}

/// Check the signature with `key`, the time and that the nonce is new.
async fn check<S: RelayStore>(
    app: &App<S>,
    signed: &SignedHeaders,
    key: &ruam_wire::PublicKey,
    request: &Signed,
) -> Result<(), Refusal> {
    let now = now_ms();
    if (signed.time_ms - now).abs() > MAX_SKEW_MS {
        return Err(Refusal::unauthenticated(
            "the request's time is more than five minutes from the relay's: check this computer's clock",
        ));
    }
    let path = request
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if !signed.verify(key, request.method.as_str(), path, &request.body) {
        return Err(Refusal::unauthenticated(
            "the request's signature does not verify",
        ));
    }
    if !app
        .store
        .use_nonce(signed.device_id, &signed.nonce, now)
        .await?
    {
        return Err(Refusal::unauthenticated(
            "the request was sent before (a replay)",
        ));
    }
    Ok(())
}

/// The device of `team_id` that signed the request; refused if unknown, revoked, or (unless
/// allowed) still waiting for approval. Counts against the device's rate.
pub async fn device<S: RelayStore>(
    app: &App<S>,
    team_id: Uuid,
    request: &Signed,
    pending: Pending,
) -> Result<DeviceRow, Refusal> {
    let signed = signed_headers(&request.headers)?;
    let Some(device) = app.store.device(team_id, signed.device_id).await? else {
        return Err(Refusal::unauthenticated(
            "this device is not enrolled in the team on this relay",
        ));
    };
    check(app, &signed, &device.keys.sign_key, request).await?;
    match device.status {
        DeviceStatus::Active => {}
        DeviceStatus::Pending if pending == Pending::Allowed => {}
        DeviceStatus::Pending => {
            return Err(Refusal::new(
                ErrorCode::Pending,
                "this device waits for a lead to compare its code and approve it",
            ))
        }
        DeviceStatus::Revoked => {
            tracing::warn!(%team_id, device = %device.keys.device_id, "revoked device refused");
            return Err(Refusal::new(
                ErrorCode::Revoked,
                "this device was revoked by the team's lead",
            ));
        }
    }
    app.device_rate
        .take(&device.keys.device_id)
        .map_err(rate_limited)?;
    app.store
        .touch_device(team_id, device.keys.device_id, now_ms())
        .await?;
    Ok(device)
}

/// A device not yet known, signing with the key it registers.
pub async fn new_device<S: RelayStore>(
    app: &App<S>,
    keys: &DeviceKeys,
    request: &Signed,
) -> Result<(), Refusal> {
    let signed = signed_headers(&request.headers)?;
    if signed.device_id != keys.device_id {
        return Err(Refusal::unauthenticated(
            "the request is signed for another device than it registers",
        ));
    }
    check(app, &signed, &keys.sign_key, request).await
}

pub fn admin(device: &DeviceRow) -> Result<(), Refusal> {
    if device.admin {
        Ok(())
    } else {
        Err(Refusal::forbidden(
            "only a lead's (admin) device may do this",
        ))
    }
}

pub fn rate_limited(wait_secs: u64) -> Refusal {
    Refusal {
        retry_after_secs: Some(wait_secs),
        ..Refusal::new(
            ErrorCode::RateLimited,
            format!("too many requests; try again in {wait_secs} s"),
        )
    }
}
