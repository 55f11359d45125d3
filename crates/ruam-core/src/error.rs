//! The one error type of the core, and the stable codes the UI branches on.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable, machine-readable error codes. The UI branches on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Locked,
    Forbidden,
    NotFound,
    Invalid,
    Conflict,
    InvalidCredentials,
    Throttled,
    Corrupt,
    DeviceNotEnrolled,
    KeyringUnavailable,
    Internal,
    /// Signed in with a first passphrase from the lead: change it before anything else.
    PassphraseChangeRequired,
    /// The sync relay could not be reached: changes wait on this laptop.
    Offline,
    /// The sync relay refused (this device revoked, an invite used, …); the message says why.
    RelayRefused,
    /// A file refused as a backup: `backupFault` says why (not a backup, cut short, …).
    BackupRefused,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the vault is locked")]
    Locked,
    #[error("no vault has been created on this device yet")]
    NoVault,
    #[error("a vault already exists in {0}")]
    VaultExists(PathBuf),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("the sign-in name, passphrase or recovery key is not right")]
    InvalidCredentials,
    #[error("too many wrong attempts; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: u32 },
    #[error("{} is damaged ({detail}); {remedy}", path.display())]
    Corrupt {
        path: PathBuf,
        detail: String,
        remedy: Remedy,
    },
    #[error("the vault is already unlocked")]
    AlreadyUnlocked,
    #[error("another Ruam window is already using {0}; close it first")]
    InUse(PathBuf),
    #[error("this device is not enrolled for this vault (was it copied from another computer?); unlock with the recovery key, which enrols this device")]
    DeviceNotEnrolled,
    #[error("the system keyring is not available ({0}); Ruam never stores its device secret anywhere else")]
    KeyringUnavailable(String),
    #[error(
        "this build has no SQLCipher; refusing to open a vault that would be written unencrypted"
    )]
    NoEncryption,
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("change the passphrase the team lead gave you before going on")]
    PassphraseChangeRequired,
    #[error("your membership of this team has ended; ask the team lead if this is a mistake")]
    MembershipEnded,
    #[error("{0} case(s) you can see have a child with this name and birth year; look at them before making a new case")]
    PossibleDuplicates(usize),
    #[error("could not use {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("storage error: {0}")]
    Storage(#[from] sqlx::Error),
    #[error("the vault's schema could not be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a cryptographic operation failed")]
    Crypto,
    #[error("a background task failed: {0}")]
    Task(String),
    #[error("could not encode {0}")]
    Encode(&'static str),
    #[error("data could not be read or written as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the sync relay could not be reached ({0}); changes wait on this laptop and go when it can be reached")]
    Offline(String),
    #[error("the sync relay refused: {0}")]
    RelayRefused(String),
    /// A ledger row from another laptop that would break this laptop's books (a line
    /// spending more than it was given): held for a lead.
    #[error("the books would not balance: {0}")]
    BooksBroken(String),
    /// A file's row from another laptop whose bytes have not all arrived: held until they
    /// have.
    #[error("a file's bytes have not all arrived")]
    FileIncomplete,
    #[error("{0}")]
    Backup(crate::backup::BackupFault),
}

/// What a person can do about a damaged file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// The key-slot file: the recovery key rebuilds it.
    RecoveryKey,
    /// The database (or every key file): only a backup brings it back.
    Backup,
}

impl std::fmt::Display for Remedy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Remedy::RecoveryKey => "unlock with the recovery key, which rebuilds it",
            Remedy::Backup => "restore it from a backup",
        })
    }
}

impl Error {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Locked => ErrorCode::Locked,
            Self::NoVault | Self::NotFound(_) => ErrorCode::NotFound,
            Self::VaultExists(_)
            | Self::AlreadyUnlocked
            | Self::InUse(_)
            | Self::PossibleDuplicates(_)
            | Self::BooksBroken(_)
            | Self::FileIncomplete => ErrorCode::Conflict,
            Self::Invalid { .. } => ErrorCode::Invalid,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::Throttled { .. } => ErrorCode::Throttled,
            Self::Corrupt { .. } => ErrorCode::Corrupt,
            Self::DeviceNotEnrolled => ErrorCode::DeviceNotEnrolled,
            Self::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
            Self::Forbidden | Self::MembershipEnded => ErrorCode::Forbidden,
            Self::PassphraseChangeRequired => ErrorCode::PassphraseChangeRequired,
            Self::NoEncryption
            | Self::Io { .. }
            | Self::Storage(_)
            | Self::Migrate(_)
            | Self::Crypto
            | Self::Task(_)
            | Self::Encode(_)
            | Self::Json(_) => ErrorCode::Internal,
            Self::Offline(_) => ErrorCode::Offline,
            Self::RelayRefused(_) => ErrorCode::RelayRefused,
            Self::Backup(_) => ErrorCode::BackupRefused,
        }
    }

    /// The field a validation error is about, for the UI to point at.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::PossibleDuplicates(_) => Some("duplicates_reviewed"),
            _ => None,
        }
    }

    pub fn retry_after_secs(&self) -> Option<u32> {
        match self {
            Self::Throttled { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// Why a file was refused as a backup.
    pub fn backup_fault(&self) -> Option<crate::backup::BackupFault> {
        match self {
            Self::Backup(fault) => Some(*fault),
            _ => None,
        }
    }

    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            Self::Corrupt { remedy, .. } => Some(*remedy),
            _ => None,
        }
    }

    /// The file a person should look at (a damaged slot file or vault).
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Self::Corrupt { path, .. } | Self::Io { path, .. } => Some(path),
            _ => None,
        }
    }
}
