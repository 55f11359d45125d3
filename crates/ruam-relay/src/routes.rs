//! The relay's API (see `ruam_wire::api` for the table of calls) and its rules: who may
//! create invites, approve and revoke devices, change a scope's grants, and push or pull
//! which envelopes. The relay checks signatures and rights; it cannot read a thing.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ruam_wire::api::{self, DeviceInfo, DeviceStatus, ErrorCode, Grant, Me, ScopeGrant};
use ruam_wire::envelope::frames;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{self, Pending, Signed};
use crate::error::Refusal;
use crate::store::{InviteRow, NewEnvelope, PullScope, RelayStore};
use crate::{now_ms, App};

/// The most devices one scope may list.
const MAX_GRANTS: usize = 500;

type Answer<T> = Result<Json<T>, Refusal>;

/// The ids in a request's path; one that is not a UUID is answered like an unknown one.
#[derive(Debug)]
pub struct Ids<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S>
    for Ids<T>
{
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Refusal> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(ids)) => Ok(Self(ids)),
            Err(_) => Err(Refusal::not_found(
                "no such team, device or scope: the ids in the address are not UUIDs",
            )),
        }
    }
}

fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    serde_json::from_slice(body).map_err(|e| {
        Refusal::invalid(format!(
            "the request's body is not what this call takes: {e}"
        ))
    })
}

fn by_address<S: RelayStore>(app: &App<S>, peer: SocketAddr) -> Result<(), Refusal> {
    app.address_rate
        .take(&peer.ip())
        .map_err(auth::rate_limited)
}

pub async fn create_team<S: RelayStore>(
    State(app): State<App<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    signed: Signed,
) -> Answer<Me> {
    by_address(&app, peer)?;
    let request: api::CreateTeam = json(&signed.body)?;
    auth::new_device(&app, &request.device, &signed).await?;
    if !app.config.allow_new_teams {
        return Err(Refusal::forbidden("this relay takes no new teams"));
    }
    if !app
        .store
        .create_team(request.team_id, &request.device, now_ms())
        .await?
    {
        return Err(Refusal::conflict(
            "a team with this id is on the relay already",
        ));
    }
    tracing::info!(team = %request.team_id, "team created");
    me_of(&app, request.team_id, request.device.device_id).await
}

pub async fn new_invite<S: RelayStore>(
    State(app): State<App<S>>,
    Ids(team_id): Ids<Uuid>,
    signed: Signed,
) -> Answer<serde_json::Value> {
    let device = auth::device(&app, team_id, &signed, Pending::Refused).await?;
    auth::admin(&device)?;
    let request: api::NewInvite = json(&signed.body)?;
    if request.invite_id.len() != api::INVITE_ID_HEX
        || !request
            .invite_id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(Refusal::invalid(format!(
            "inviteId must be {} lower-case hex digits",
            api::INVITE_ID_HEX
        )));
    }
    let now = now_ms();
    if request.expires_ms <= now || request.expires_ms > now + api::MAX_INVITE_MS {
        return Err(Refusal::invalid(
            "expiresMs must be in the future and at most seven days away",
        ));
    }
    if let Some(welcome) = &request.welcome {
        let base64 = welcome
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if welcome.len() > api::MAX_WELCOME_CHARS || !base64 {
            return Err(Refusal::invalid(format!(
                "welcome must be base64 of at most {} characters",
                api::MAX_WELCOME_CHARS
            )));
        }
    }
    let invite = InviteRow {
        id: request.invite_id.clone(),
        team_id,
        invite_key: request.invite_key,
        expires_ms: request.expires_ms,
        used: false,
        welcome: request.welcome,
    };
    if !app
        .store
        .add_invite(&invite, device.keys.device_id, now)
        .await?
    {
        return Err(Refusal::conflict(
            "this invite id is taken; make a new invite",
        ));
    }
    Ok(Json(serde_json::json!({
        "inviteId": invite.id,
        "expiresMs": invite.expires_ms,
    })))
}

pub async fn enrol<S: RelayStore>(
    State(app): State<App<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    signed: Signed,
) -> Answer<api::Enrolled> {
    by_address(&app, peer)?;
    let request: api::Enrol = json(&signed.body)?;
    let Some(invite) = app.store.invite(&request.invite_id).await? else {
        return Err(Refusal::not_found(
            "no such invite on this relay: check the code and the relay's address",
        ));
    };
    if invite.used {
        return Err(Refusal::conflict(
            "this invite was used already; ask the lead for a new one",
        ));
    }
    if invite.expires_ms <= now_ms() {
        return Err(Refusal::invalid(
            "this invite has expired; ask the lead for a new one",
        ));
    }
    if !invite.invite_key.verify(
        &api::enrol_message(&request.invite_id, &request.device),
        &request.invite_signature,
    ) {
        tracing::warn!(invite = %request.invite_id, "enrolment with a wrong invite secret");
        return Err(Refusal::forbidden(
            "the invite code does not match this invite",
        ));
    }
    auth::new_device(&app, &request.device, &signed).await?;
    if !app.store.enrol(&invite, &request.device, now_ms()).await? {
        return Err(Refusal::conflict(
            "this invite was used already, or this device is enrolled already",
        ));
    }
    tracing::info!(team = %invite.team_id, device = %request.device.device_id, "device enrolled, pending");
    Ok(Json(api::Enrolled {
        team_id: invite.team_id,
        status: DeviceStatus::Pending,
        welcome: invite.welcome,
    }))
}

pub async fn devices<S: RelayStore>(
    State(app): State<App<S>>,
    Ids(team_id): Ids<Uuid>,
    signed: Signed,
) -> Answer<Vec<DeviceInfo>> {
    auth::device(&app, team_id, &signed, Pending::Refused).await?;
    // Revoked devices stay listed: their keys still verify what they wrote before.
    let devices = app.store.devices(team_id).await?;
    Ok(Json(devices.iter().map(|d| d.info()).collect()))
}

pub async fn approve<S: RelayStore>(
    State(app): State<App<S>>,
    Ids((team_id, target)): Ids<(Uuid, Uuid)>,
    signed: Signed,
) -> Answer<DeviceInfo> {
    let device = auth::device(&app, team_id, &signed, Pending::Refused).await?;
    auth::admin(&device)?;
    let request: api::Approve = json(&signed.body)?;
    let Some(found) = app.store.device(team_id, target).await? else {
        return Err(Refusal::not_found("no such device in the team"));
    };
    if found.status != DeviceStatus::Pending {
        return Err(Refusal::conflict(format!(
            "the device is {}, not waiting for approval",
            found.status.as_str()
        )));
    }
    app.store.approve(team_id, target, request.admin).await?;
    tracing::info!(%team_id, device = %target, by = %device.keys.device_id, "device approved");
    device_info(&app, team_id, target).await
}

pub async fn revoke<S: RelayStore>(
    State(app): State<App<S>>,
    Ids((team_id, target)): Ids<(Uuid, Uuid)>,
    signed: Signed,
) -> Answer<DeviceInfo> {
    let device = auth::device(&app, team_id, &signed, Pending::Refused).await?;
    auth::admin(&device)?;
    let devices = app.store.devices(team_id).await?;
    let Some(found) = devices.iter().find(|d| d.keys.device_id == target) else {
        return Err(Refusal::not_found("no such device in the team"));
    };
    if found.status == DeviceStatus::Revoked {
        return Ok(Json(found.info()));
    }
    let other_admins = devices
        .iter()
        .filter(|d| d.admin && d.status == DeviceStatus::Active && d.keys.device_id != target)
        .count();
    if found.admin && other_admins == 0 {
        return Err(Refusal::conflict(
            "this is the team's last lead device; approve another lead's device first",
        ));
    }
    app.store.revoke(team_id, target, now_ms()).await?;
    tracing::info!(%team_id, device = %target, by = %device.keys.device_id, "device revoked");
    device_info(&app, team_id, target).await
}

async fn device_info<S: RelayStore>(
    app: &App<S>,
    team_id: Uuid,
    device_id: Uuid,
) -> Answer<DeviceInfo> {
    match app.store.device(team_id, device_id).await? {
        Some(found) => Ok(Json(found.info())),
        None => Err(Refusal::not_found("no such device in the team")),
    }
}

pub async fn set_scope<S: RelayStore>(
    State(app): State<App<S>>,
    Ids((team_id, scope_id)): Ids<(Uuid, Uuid)>,
    signed: Signed,
) -> Answer<ScopeGrant> {
    let device = auth::device(&app, team_id, &signed, Pending::Refused).await?;
    let request: api::SetScope = json(&signed.body)?;
    if request.grants.len() > MAX_GRANTS {
        return Err(Refusal::invalid(format!(
            "a scope lists at most {MAX_GRANTS} devices"
        )));
    }
    let devices = app.store.devices(team_id).await?;
    if devices.iter().any(|d| d.keys.device_id == scope_id) {
        return Err(Refusal::invalid(
            "a device's inbox is not a scope whose grants change",
        ));
    }
    let mut seen = HashSet::new();
    for grant in &request.grants {
        if !seen.insert(grant.device_id) {
            return Err(Refusal::invalid(format!(
                "device {} is listed twice",
                grant.device_id
            )));
        }
        let active = devices
            .iter()
            .any(|d| d.keys.device_id == grant.device_id && d.status == DeviceStatus::Active);
        if !active {
            return Err(Refusal::invalid(format!(
                "device {} is not an active device of the team",
                grant.device_id
            )));
        }
    }
    let current_epoch = app.store.scope_epoch(team_id, scope_id).await?;
    let current = app.store.grants(team_id, scope_id).await?;
    let me = device.keys.device_id;
    let manages = |grants: &[Grant]| grants.iter().any(|g| g.device_id == me && g.manage);
    let dropped: Vec<Uuid> = current
        .iter()
        .map(|g| g.device_id)
        .filter(|id| !seen.contains(id))
        .collect();
    match current_epoch {
        None if !(device.admin || manages(&request.grants)) => {
            return Err(Refusal::invalid(
                "a new scope must list the device that makes it as a manager",
            ))
        }
        None => {}
        Some(_) if !(device.admin || manages(&current)) => {
            return Err(Refusal::forbidden(
                "only a lead's device or one that manages the scope changes who may read it",
            ))
        }
        Some(epoch) if request.epoch < epoch => {
            return Err(Refusal::new(
                ErrorCode::StaleEpoch,
                format!("the scope is at key epoch {epoch} already"),
            ))
        }
        Some(epoch) if !dropped.is_empty() && request.epoch == epoch => {
            return Err(Refusal::invalid(format!(
                "taking devices off a scope needs a new key epoch (after {epoch})"
            )))
        }
        Some(_) => {}
    }
    app.store
        .set_scope(
            team_id,
            scope_id,
            request.epoch,
            &request.grants,
            &dropped,
            now_ms(),
        )
        .await?;
    tracing::info!(%team_id, scope = %scope_id, epoch = request.epoch, devices = request.grants.len(), dropped = dropped.len(), "scope set");
    Ok(Json(ScopeGrant {
        scope_id,
        epoch: request.epoch,
        manage: manages(&request.grants),
    }))
}

pub async fn scope<S: RelayStore>(
    State(app): State<App<S>>,
    Ids((team_id, scope_id)): Ids<(Uuid, Uuid)>,
    signed: Signed,
) -> Answer<api::ScopeState> {
    let device = auth::device(&app, team_id, &signed, Pending::Refused).await?;
    let Some(epoch) = app.store.scope_epoch(team_id, scope_id).await? else {
        return Err(Refusal::not_found("no such scope in the team"));
    };
    let grants = app.store.grants(team_id, scope_id).await?;
    let manages = grants
        .iter()
        .any(|g| g.device_id == device.keys.device_id && g.manage);
    if !(device.admin || manages) {
        return Err(Refusal::forbidden(
            "only a lead's device or one that manages the scope sees who may read it",
        ));
    }
    Ok(Json(api::ScopeState { epoch, grants }))
}

pub async fn me<S: RelayStore>(
    State(app): State<App<S>>,
    Ids(team_id): Ids<Uuid>,
    signed: Signed,
) -> Answer<Me> {
    let device = auth::device(&app, team_id, &signed, Pending::Allowed).await?;
    me_of(&app, team_id, device.keys.device_id).await
}

async fn me_of<S: RelayStore>(app: &App<S>, team_id: Uuid, device_id: Uuid) -> Answer<Me> {
    let Some(device) = app.store.device(team_id, device_id).await? else {
        return Err(Refusal::not_found("no such device in the team"));
    };
    Ok(Json(Me {
        device_id,
        status: device.status,
        admin: device.admin,
        scopes: app.store.device_scopes(team_id, device_id).await?,
        dropped: app.store.dropped_scopes(team_id, device_id).await?,
        head_seq: app.store.head_seq(team_id).await?,
    }))
}

/// Where a device may write: its grants (at their epochs), and the inboxes of the team's
/// active devices (epoch 0).
async fn writable<S: RelayStore>(
    app: &App<S>,
    team_id: Uuid,
    device_id: Uuid,
) -> Result<HashMap<Uuid, u32>, Refusal> {
    let mut out: HashMap<Uuid, u32> = app
        .store
        .device_scopes(team_id, device_id)
        .await?
        .into_iter()
        .map(|s| (s.scope_id, s.epoch))
        .collect();
    for d in app.store.devices(team_id).await? {
        if d.status == DeviceStatus::Active {
            out.insert(d.keys.device_id, 0);
        }
    }
    Ok(out)
}

pub async fn push<S: RelayStore>(
    State(app): State<App<S>>,
    Ids(team_id): Ids<Uuid>,
    signed: Signed,
) -> Answer<api::PushAnswer> {
    let device = auth::device(&app, team_id, &signed, Pending::Refused).await?;
    let me = device.keys.device_id;
    let envelopes = frames::decode_push(&signed.body, api::MAX_PUSH_ENVELOPES).map_err(|e| {
        tracing::warn!(%team_id, device = %me, error = %e, "push refused: bad frames");
        Refusal::invalid(format!("the push was refused whole: {e}"))
    })?;
    let writable = writable(&app, team_id, me).await?;
    let mut batch = Vec::with_capacity(envelopes.len());
    for (index, envelope) in envelopes.iter().enumerate() {
        let h = &envelope.header;
        let refuse = |refusal: Refusal| {
            tracing::warn!(%team_id, device = %me, index, code = ?refusal.code, "push refused");
            Err(refusal)
        };
        if h.team_id != team_id {
            return refuse(Refusal::invalid(format!(
                "envelope {index} is for another team"
            )));
        }
        if h.device_id != me {
            return refuse(Refusal::forbidden(format!(
                "envelope {index} is written in another device's name"
            )));
        }
        if !envelope.verify(&device.keys.sign_key) {
            return refuse(Refusal::invalid(format!(
                "envelope {index} does not verify: altered or signed with another key"
            )));
        }
        match writable.get(&h.scope_id) {
            None => {
                return refuse(Refusal::forbidden(format!(
                    "envelope {index} is for a scope this device may not write"
                )))
            }
            Some(&epoch) if h.epoch < epoch => {
                return refuse(Refusal::new(
                    ErrorCode::StaleEpoch,
                    format!("envelope {index} is sealed under key epoch {}, the scope is at {epoch}: seal it again", h.epoch),
                ))
            }
            Some(&epoch) if h.epoch > epoch => {
                return refuse(Refusal::invalid(format!(
                    "envelope {index} names key epoch {}, the scope is at {epoch}",
                    h.epoch
                )))
            }
            Some(_) => {}
        }
        batch.push(NewEnvelope {
            envelope_id: h.envelope_id,
            scope_id: h.scope_id,
            device_id: me,
            body: envelope.encode(),
        });
    }
    let pushed = app.store.append(team_id, &batch, now_ms()).await?;
    tracing::debug!(%team_id, device = %me, count = pushed.len(), "pushed");
    Ok(Json(api::PushAnswer { pushed }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    #[serde(default)]
    after: i64,
    limit: Option<u32>,
    scope: Option<Uuid>,
    /// Leave out the envelopes this device wrote (it has them); the pull moves past them.
    #[serde(default)]
    skip_own: bool,
}

pub async fn pull<S: RelayStore>(
    State(app): State<App<S>>,
    Ids(team_id): Ids<Uuid>,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
    signed: Signed,
) -> Result<Response, Refusal> {
    let device = auth::device(&app, team_id, &signed, Pending::Refused).await?;
    let Query(query) = query.map_err(|e| {
        Refusal::invalid(format!(
            "the pull's query is not after, limit and scope: {e}"
        ))
    })?;
    let me = device.keys.device_id;
    let limit = query.limit.unwrap_or(500).clamp(1, api::MAX_PULL_LIMIT);
    if query.after < 0 {
        return Err(Refusal::invalid("after must be 0 or more"));
    }
    let scope = match query.scope {
        None => PullScope::Device(me),
        Some(scope) if scope == me => PullScope::One(scope),
        Some(scope) => {
            let granted = app
                .store
                .device_scopes(team_id, me)
                .await?
                .iter()
                .any(|s| s.scope_id == scope);
            if !granted {
                return Err(Refusal::forbidden("this device may not read that scope"));
            }
            PullScope::One(scope)
        }
    };
    let mut rows = app
        .store
        .pull(
            team_id,
            scope,
            query.after,
            limit + 1,
            query.skip_own.then_some(me),
        )
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().map(|(seq, _)| *seq).unwrap_or(query.after);
    let body = frames::encode_pull(
        rows.iter()
            .filter_map(|(seq, bytes)| bytes.as_ref().map(|b| (*seq, b.as_slice()))),
    );
    let mut response = (
        [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(api::HEADER_NEXT, HeaderValue::from(next));
    headers.insert(
        api::HEADER_MORE,
        HeaderValue::from_static(if more { "1" } else { "0" }),
    );
    Ok(response)
}
