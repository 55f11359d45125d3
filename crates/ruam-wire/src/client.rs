//! The relay's API as a laptop calls it: every request signed by the device's key.

use uuid::Uuid;

use crate::api::{self, ErrorBody, ErrorCode};
use crate::envelope::{frames, Envelope};
use crate::identity::SigningKey;
use crate::request;

/// Why a call to the relay did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The relay answered with a refusal.
    #[error("the relay refused ({code:?}, HTTP {status}): {message}")]
    Refused {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    /// The relay could not be reached, or the connection broke.
    #[error("the relay at {url} could not be reached: {reason}")]
    Unreachable { url: String, reason: String },
    /// The relay answered with something that is not its API.
    #[error("the relay's answer could not be read: {0}")]
    BadAnswer(String),
}

impl ClientError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// One page of a pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    pub envelopes: Vec<(i64, Envelope)>,
    /// Ask after this sequence number next time.
    pub next: i64,
    /// More envelopes wait beyond this page.
    pub more: bool,
}

/// A device's connection to one relay.
#[derive(Debug, Clone)]
pub struct RelayClient {
    http: reqwest::Client,
    base: String,
    device_id: Uuid,
    key: SigningKey,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl RelayClient {
    /// `base` is the relay's address, e.g. `http://127.0.0.1:8787`.
    pub fn new(base: &str, device_id: Uuid, key: SigningKey) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .map_err(|e| ClientError::Unreachable {
                url: base.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            device_id,
            key,
        })
    }

    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<reqwest::Response, ClientError> {
        let signed = request::sign(
            &self.key,
            self.device_id,
            method.as_str(),
            path_and_query,
            &body,
            now_ms(),
        );
        let url = format!("{}{path_and_query}", self.base);
        let mut builder = self
            .http
            .request(method, &url)
            .header(reqwest::header::CONTENT_TYPE, content_type);
        for (name, value) in signed.pairs() {
            builder = builder.header(name, value);
        }
        let response = builder
            .body(body)
            .send()
            .await
            .map_err(|e| ClientError::Unreachable {
                url: self.base.clone(),
                reason: e.to_string(),
            })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap_or_default();
        Err(match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => ClientError::Refused {
                status,
                code: body.code,
                message: body.message,
            },
            Err(_) => ClientError::BadAnswer(format!("HTTP {status} without the relay's error")),
        })
    }

    async fn body(&self, response: reqwest::Response) -> Result<Vec<u8>, ClientError> {
        match response.bytes().await {
            Ok(bytes) => Ok(bytes.to_vec()),
            Err(e) => Err(ClientError::Unreachable {
                url: self.base.clone(),
                reason: e.to_string(),
            }),
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&impl serde::Serialize>,
    ) -> Result<T, ClientError> {
        let bytes = match body {
            Some(body) => {
                serde_json::to_vec(body).map_err(|e| ClientError::BadAnswer(e.to_string()))?
            }
            None => Vec::new(),
        };
        let response = self.send(method, path, bytes, "application/json").await?;
        let bytes = self.body(response).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::BadAnswer(e.to_string()))
    }

    pub async fn create_team(&self, body: &api::CreateTeam) -> Result<api::Me, ClientError> {
        self.json(reqwest::Method::POST, "/v1/teams", Some(body))
            .await
    }

    pub async fn new_invite(
        &self,
        team: Uuid,
        body: &api::NewInvite,
    ) -> Result<serde_json::Value, ClientError> {
        self.json(
            reqwest::Method::POST,
            &format!("/v1/teams/{team}/invites"),
            Some(body),
        )
        .await
    }

    pub async fn enrol(&self, body: &api::Enrol) -> Result<api::Enrolled, ClientError> {
        self.json(reqwest::Method::POST, "/v1/enrol", Some(body))
            .await
    }

    pub async fn devices(&self, team: Uuid) -> Result<Vec<api::DeviceInfo>, ClientError> {
        self.json(
            reqwest::Method::GET,
            &format!("/v1/teams/{team}/devices"),
            None::<&()>,
        )
        .await
    }

    pub async fn approve(
        &self,
        team: Uuid,
        device: Uuid,
        admin: bool,
    ) -> Result<api::DeviceInfo, ClientError> {
        self.json(
            reqwest::Method::POST,
            &format!("/v1/teams/{team}/devices/{device}/approve"),
            Some(&api::Approve { admin }),
        )
        .await
    }

    pub async fn revoke(&self, team: Uuid, device: Uuid) -> Result<api::DeviceInfo, ClientError> {
        self.json(
            reqwest::Method::POST,
            &format!("/v1/teams/{team}/devices/{device}/revoke"),
            None::<&()>,
        )
        .await
    }

    pub async fn set_scope(
        &self,
        team: Uuid,
        scope: Uuid,
        body: &api::SetScope,
    ) -> Result<api::ScopeGrant, ClientError> {
        self.json(
            reqwest::Method::PUT,
            &format!("/v1/teams/{team}/scopes/{scope}"),
            Some(body),
        )
        .await
    }

    /// A scope's epoch and grants (for a lead's device or one that manages it).
    pub async fn scope(&self, team: Uuid, scope: Uuid) -> Result<api::ScopeState, ClientError> {
        self.json(
            reqwest::Method::GET,
            &format!("/v1/teams/{team}/scopes/{scope}"),
            None::<&()>,
        )
        .await
    }

    pub async fn me(&self, team: Uuid) -> Result<api::Me, ClientError> {
        self.json(
            reqwest::Method::GET,
            &format!("/v1/teams/{team}/me"),
            None::<&()>,
        )
        .await
    }

    /// Store envelopes; all of them or, on a refusal, none.
    pub async fn push(
        &self,
        team: Uuid,
        envelopes: &[Envelope],
    ) -> Result<api::PushAnswer, ClientError> {
        let response = self
            .send(
                reqwest::Method::POST,
                &format!("/v1/teams/{team}/envelopes"),
                frames::encode_push(envelopes),
                "application/octet-stream",
            )
            .await?;
        let bytes = self.body(response).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::BadAnswer(e.to_string()))
    }

    /// The envelopes of this device's scopes (or of one scope) after `after`.
    pub async fn pull(
        &self,
        team: Uuid,
        after: i64,
        limit: u32,
        scope: Option<Uuid>,
    ) -> Result<Pulled, ClientError> {
        self.pull_path(team, after, limit, scope, false).await
    }

    /// [`Self::pull`] without the envelopes this device wrote; `next` still moves past them.
    pub async fn pull_others(
        &self,
        team: Uuid,
        after: i64,
        limit: u32,
        scope: Option<Uuid>,
    ) -> Result<Pulled, ClientError> {
        self.pull_path(team, after, limit, scope, true).await
    }

    async fn pull_path(
        &self,
        team: Uuid,
        after: i64,
        limit: u32,
        scope: Option<Uuid>,
        skip_own: bool,
    ) -> Result<Pulled, ClientError> {
        let mut path = format!("/v1/teams/{team}/envelopes?after={after}&limit={limit}");
        if let Some(scope) = scope {
            path.push_str(&format!("&scope={scope}"));
        }
        if skip_own {
            path.push_str("&skip_own=true");
        }
        let response = self
            .send(reqwest::Method::GET, &path, Vec::new(), "application/json")
            .await?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let next = header(api::HEADER_NEXT)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| ClientError::BadAnswer(format!("no {} header", api::HEADER_NEXT)))?;
        let more = header(api::HEADER_MORE).as_deref() == Some("1");
        let bytes = self.body(response).await?;
        let envelopes =
            frames::decode_pull(&bytes).map_err(|e| ClientError::BadAnswer(e.to_string()))?;
        Ok(Pulled {
            envelopes,
            next,
            more,
        })
    }
}
