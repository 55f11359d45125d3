//! The one IPC error: a stable `code` the UI branches on, an English message a person
//! can act on (the UI shows its own catalog text for the code), and the details.

use ruam_core::{ErrorCode, Remedy};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// The input a validation error is about.
    pub field: Option<String>,
    /// For `throttled`: seconds until another attempt is allowed.
    pub retry_after_secs: Option<u32>,
    /// For `corrupt`: the damaged file, and what can be done about it.
    pub path: Option<String>,
    pub remedy: Option<Remedy>,
    /// For `backup_refused`: why the file was refused.
    pub backup_fault: Option<ruam_core::backup::BackupFault>,
}

impl From<ruam_core::Error> for IpcError {
    fn from(err: ruam_core::Error) -> Self {
        let code = err.code();
        // The message can hold what the person typed (a date, a name): the log gets the
        // code and the field only, except for internal errors, which hold no input.
        if code == ErrorCode::Internal {
            tracing::error!(error = %err, "internal error");
        } else {
            tracing::info!(?code, field = err.field(), "command refused");
        }
        Self {
            code,
            message: err.to_string(),
            field: err.field().map(str::to_owned),
            retry_after_secs: err.retry_after_secs(),
            path: err.path().map(|p| p.display().to_string()),
            remedy: err.remedy(),
            backup_fault: err.backup_fault(),
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
