//! Sealing at rest (SECURITY.md items 20 and 21, the approach of the
//! container's `crypto.rs`): a 32-byte key kept outside the session
//! database, ChaCha20-Poly1305 with a fresh random nonce per seal, and the
//! row the value belongs to as associated data, so that a sealed value
//! copied to another row does not open.

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest as _, Sha256};

use crate::error::AppError;

/// The environment variable that may carry the session key (64 hex digits).
pub const KEY_ENV: &str = "SMART_REST_SESSION_KEY";

/// The file, beside the session database, that holds the key.
pub const KEY_FILE: &str = "session.key";

/// The key that seals session data. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct SealKey {
    cipher: ChaCha20Poly1305,
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(<redacted>)")
    }
}

impl SealKey {
    /// The key from `SMART_REST_SESSION_KEY` when set, otherwise from
    /// `<dir>/session.key`, created (mode 0600) on first use; a key file
    /// others can read is refused.
    pub fn load_or_create(dir: &Path) -> Result<Self, AppError> {
        if let Ok(hex) = std::env::var(KEY_ENV) {
            let bytes = decode_hex(hex.trim())
                .filter(|b| b.len() == 32)
                .ok_or_else(|| AppError::Config(format!("{KEY_ENV} must be 64 hex digits")))?;
            return Ok(Self::from_bytes(&bytes));
        }
        let path = dir.join(KEY_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = decode_hex(text.trim())
                    .filter(|b| b.len() == 32)
                    .ok_or_else(|| {
                        AppError::Config(format!("{} must hold 64 hex digits", path.display()))
                    })?;
                check_private(&path)?;
                Ok(Self::from_bytes(&bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let bytes = random_bytes::<32>()?;
                write_private_file(&path, encode_hex(&bytes).as_bytes())?;
                Ok(Self::from_bytes(&bytes))
            }
            Err(e) => Err(AppError::Config(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// A fresh random key that lives as long as the process (in-memory
    /// stores).
    pub fn ephemeral() -> Result<Self, AppError> {
        Ok(Self::from_bytes(&random_bytes::<32>()?))
    }

    fn from_bytes(bytes: &[u8]) -> Self {
        SealKey {
            cipher: ChaCha20Poly1305::new(Key::from_slice(bytes)),
        }
    }

    /// Encrypts `plain` bound to `context`, as `nonce || ciphertext`.
    pub fn seal(&self, context: &str, plain: &[u8]) -> Result<Vec<u8>, AppError> {
        let nonce = random_bytes::<12>()?;
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| AppError::Internal("sealing failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what [`SealKey::seal`] made for the same `context`.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, AppError> {
        if sealed.len() < 12 {
            return Err(AppError::Internal("sealed value too short".into()));
        }
        let (nonce, body) = sealed.split_at(12);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| AppError::Internal("cannot open a sealed session: wrong key?".into()))
    }
}

/// The SHA-256 digest of a value, in hex: what the database keeps instead of
/// a session id.
pub fn digest(value: &str) -> String {
    encode_hex(&Sha256::digest(value.as_bytes()))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn write_private_file(path: &Path, content: &[u8]) -> Result<(), AppError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| AppError::Config(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(content)
        .and_then(|()| file.sync_all())
        .map_err(|e| AppError::Config(format!("cannot write {}: {e}", path.display())))
}

fn check_private(path: &Path) -> Result<(), AppError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(path)
            .map_err(|e| AppError::Config(format!("cannot stat {}: {e}", path.display())))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(AppError::Config(format!(
                "{} is readable by others (mode {:o}); run `chmod 600` on it",
                path.display(),
                mode & 0o777
            )));
        }
    }
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_row_and_with_their_key() {
        let key = SealKey::ephemeral().unwrap();
        let sealed = key.seal("row-a", b"token secret").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(key.open("row-a", &sealed).unwrap(), b"token secret");
        assert!(key.open("row-b", &sealed).is_err());
        assert!(
            SealKey::ephemeral()
                .unwrap()
                .open("row-a", &sealed)
                .is_err()
        );
        assert!(key.open("row-a", &sealed[..8]).is_err());
        assert!(!format!("{key:?}").contains("cipher"));
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = SealKey::load_or_create(dir.path()).unwrap();
        let b = SealKey::load_or_create(dir.path()).unwrap();
        let sealed = a.seal("x", b"v").unwrap();
        assert_eq!(b.open("x", &sealed).unwrap(), b"v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let path = dir.path().join(KEY_FILE);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(SealKey::load_or_create(dir.path()).is_err());
        }
    }
}
