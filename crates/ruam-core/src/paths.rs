//! Where a vault's files live: all side by side in one directory.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the data directory (tests, portable installs).
pub const DATA_DIR_ENV: &str = "RUAM_DATA_DIR";

#[derive(Debug, Clone)]
pub struct VaultPaths {
    dir: PathBuf,
}

impl VaultPaths {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory from `RUAM_DATA_DIR` if set, else the given OS default.
    pub fn from_env_or(default_dir: impl Into<PathBuf>) -> Self {
        match std::env::var_os(DATA_DIR_ENV) {
            Some(dir) if !dir.is_empty() => Self::new(dir),
            _ => Self::new(default_dir),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// The SQLCipher database.
    pub fn database(&self) -> PathBuf {
        self.dir.join("ruam.vault")
    }
    /// The key-slot file; a vault exists once this file does.
    pub fn slots(&self) -> PathBuf {
        self.dir.join("ruam.slots")
    }
    /// The previous version of the slot file, kept in case the newest is damaged.
    pub fn slots_backup(&self) -> PathBuf {
        self.dir.join("ruam.slots.bak")
    }
    pub fn attempts(&self) -> PathBuf {
        self.dir.join("unlock-attempts.json")
    }
    pub fn settings(&self) -> PathBuf {
        self.dir.join("settings.json")
    }
    pub fn logs(&self) -> PathBuf {
        self.dir.join("logs")
    }
}

/// Write a small file so that a crash leaves either the old or the new content, never half.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> crate::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| crate::Error::io(&tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| crate::Error::io(&tmp, e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| crate::Error::io(path, e))?;
    // Make the rename itself durable where the platform allows opening a directory.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
