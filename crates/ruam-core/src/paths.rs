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
    /// The key-slot file: every member's passphrase slot and the recovery slot.
    pub fn slots(&self) -> PathBuf {
        self.dir.join("ruam.slots")
    }
    /// A second copy of the recovery slot alone, so that the recovery key can rebuild a
    /// damaged or lost slot file.
    pub fn recovery(&self) -> PathBuf {
        self.dir.join("ruam.recovery")
    }
    /// A vault exists once either key file does (a database alone was never finished).
    pub fn vault_exists(&self) -> bool {
        self.slots().exists() || self.recovery().exists()
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

    /// Claim the directory for this process. Hold the file for as long as the app runs:
    /// a second app on the same vault would race it on the key files.
    pub fn claim(&self) -> crate::Result<std::fs::File> {
        std::fs::create_dir_all(&self.dir).map_err(|e| crate::Error::io(&self.dir, e))?;
        // Only this OS account may even list the vault's files (Windows' app-data
        // directory is per-user already).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| crate::Error::io(&self.dir, e))?;
        }
        let path = self.dir.join("ruam.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| crate::Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(crate::Error::InUse(self.dir.clone())),
            Err(std::fs::TryLockError::Error(e)) => Err(crate::Error::io(&path, e)),
        }
    }
}

/// Write a small file so that a crash leaves either the old or the new content, never half.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> crate::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp).map_err(|e| crate::Error::io(&tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| crate::Error::io(&tmp, e))?;
    drop(file);
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(crate::Error::io(path, e));
    }
    // Make the rename itself durable where the platform allows opening a directory.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_on_the_same_directory_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let paths = VaultPaths::new(dir.path().join("data"));
        let first = paths.claim().unwrap();
        assert!(matches!(paths.claim(), Err(crate::Error::InUse(_))));
        drop(first);
        assert!(paths.claim().is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(paths.dir()).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o777,
                0o700,
                "the data directory is private to its owner"
            );
        }
    }

    #[test]
    fn atomic_writes_of_neighbouring_files_use_their_own_temporary_names() {
        let dir = tempfile::tempdir().unwrap();
        let paths = VaultPaths::new(dir.path());
        write_atomic(&paths.slots(), b"slots").unwrap();
        write_atomic(&paths.recovery(), b"recovery").unwrap();
        assert_eq!(std::fs::read(paths.slots()).unwrap(), b"slots");
        assert_eq!(std::fs::read(paths.recovery()).unwrap(), b"recovery");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary file left"
        );
    }
}
