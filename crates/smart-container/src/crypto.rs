//! Secrets at rest: the data key, authenticated encryption of consumer and
//! token secrets, SHA-256 digests of token ids and verifiers, argon2
//! password hashes and CSPRNG credentials (SECURITY.md items 18, 20, 21).

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::rngs::OsRng;
use rand::{Rng as _, RngCore as _};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::Error;
use crate::error::KeyError;

/// The environment variable that may carry the data key (64 hex digits).
pub const KEY_ENV: &str = "SMART_CONTAINER_KEY";

/// The file, inside the data directory, that holds the data key.
pub const KEY_FILE: &str = "secret.key";

/// A secret string (consumer secret, token secret, password) that never
/// shows itself in `Debug` or `Display` and has no `PartialEq`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret in clear, for the few places that need it (signing keys,
    /// a reply body that hands the credential to its owner).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares with another value in constant time.
    pub fn ct_eq(&self, other: &str) -> bool {
        self.0.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The data key: encrypts secrets stored in the database.
#[derive(Clone)]
pub(crate) struct DataKey {
    cipher: ChaCha20Poly1305,
    /// A subkey for the login form's CSRF tokens: derived, so that replicas
    /// sharing the data key accept each other's forms.
    login: [u8; 32],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    /// Loads the key from `SMART_CONTAINER_KEY` when set, otherwise from
    /// `<data_dir>/secret.key`, creating that file (mode 0600) on first use.
    #[cfg(test)]
    pub(crate) fn load_or_create(data_dir: &Path) -> Result<Self, Error> {
        Self::load(data_dir, true)
    }

    /// As [`DataKey::load_or_create`]; creates the file only when `create`.
    pub(crate) fn load(data_dir: &Path, create: bool) -> Result<Self, Error> {
        if let Ok(hex) = std::env::var(KEY_ENV) {
            let bytes = decode_hex(hex.trim())
                .filter(|b| b.len() == 32)
                .ok_or(KeyError::MalformedVariable)?;
            return Ok(Self::from_bytes(&bytes));
        }
        let path = data_dir.join(KEY_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = decode_hex(text.trim())
                    .filter(|b| b.len() == 32)
                    .ok_or_else(|| KeyError::MalformedFile { path: path.clone() })?;
                check_key_file_mode(&path)?;
                Ok(Self::from_bytes(&bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => {
                Err(KeyError::Missing { path }.into())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                OsRng.fill_bytes(&mut bytes);
                write_private_file(&path, encode_hex(&bytes).as_bytes())?;
                Ok(Self::from_bytes(&bytes))
            }
            Err(e) => Err(Error::io(format!(
                "read the data key file {}",
                path.display()
            ))(e)),
        }
    }

    fn from_bytes(bytes: &[u8]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(bytes)),
            login: derive(bytes, b"smart-container login form CSRF v1"),
        }
    }

    /// The key that signs the login form's CSRF tokens (HMAC-SHA256 of a
    /// fixed label under the data key).
    pub(crate) fn login_key(&self) -> &[u8; 32] {
        &self.login
    }

    /// Encrypts `plain`, bound to `context` (the row it belongs to), as
    /// `nonce || ciphertext`.
    pub(crate) fn seal(&self, context: &str, plain: &str) -> Result<Vec<u8>, Error> {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| KeyError::Seal)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts what [`DataKey::seal`] produced for the same `context`.
    pub(crate) fn open(&self, context: &str, sealed: &[u8]) -> Result<Secret, Error> {
        if sealed.len() < 12 {
            return Err(KeyError::TooShort.into());
        }
        let (nonce, ct) = sealed.split_at(12);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| KeyError::Open)?;
        String::from_utf8(plain)
            .map(Secret)
            // The error would hold the opened bytes: it is dropped.
            .map_err(|_| KeyError::NotUtf8.into())
    }
}

/// The SHA-256 digest of a token id, verifier or session id, in hex: what the
/// database stores instead of the value.
pub(crate) fn digest(value: &str) -> String {
    encode_hex(&Sha256::digest(value.as_bytes()))
}

/// A fresh credential of `len` alphanumerics from the OS CSPRNG (32
/// alphanumerics carry about 190 bits).
pub(crate) fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = OsRng;
    (0..len)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// The cost of password hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    /// Argon2id, 19 MiB, 2 passes (the OWASP baseline).
    Standard,
    /// Argon2id, 1 MiB, 1 pass: for tests only.
    Test,
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub(crate) fn hash_password(password: &str, cost: PasswordCost) -> Result<String, Error> {
    let params = match cost {
        PasswordCost::Standard => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::Test => Params::new(1024, 1, 1, None),
    }
    .map_err(|e| Error::PasswordHash(e.into()))?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(Error::PasswordHash)
}

thread_local! {
    /// The argon2 working memory of this thread, kept between checks: a
    /// fresh 19 MiB per check made each thread's allocator arena hold on to
    /// up to twice that after the check (SECURITY.md 28).
    static ARGON2_BLOCKS: std::cell::RefCell<Vec<argon2::Block>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Checks a password against a PHC string: argon2 with the hash's own
/// parameters, in this thread's reused working memory, and a constant-time
/// comparison of the outputs.
pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(&hash))
    else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let need = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = ARGON2_BLOCKS.with(|blocks| {
        let Ok(mut blocks) = blocks.try_borrow_mut() else {
            return false;
        };
        if blocks.len() < need {
            blocks.resize(need, argon2::Block::default());
        }
        argon2
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                &mut out,
                &mut blocks[..need],
            )
            .is_ok()
    });
    computed && bool::from(out.ct_eq(expected.as_bytes()))
}

/// A PHC string for a password nobody knows: unknown users take the same
/// path as known ones.
pub(crate) fn dummy_password_hash(cost: PasswordCost) -> String {
    hash_password(&random_token(32), cost).unwrap_or_default()
}

/// HMAC-SHA256 of `label` under `key`: a subkey that reveals nothing of
/// `key`.
fn derive(key: &[u8], label: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        // HMAC takes a key of any length; this arm is never taken.
        return Sha256::digest([key, label].concat()).into();
    };
    mac.update(label);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex.
pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

fn write_private_file(path: &Path, content: &[u8]) -> Result<(), Error> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(Error::io(format!(
        "create the data key file {}",
        path.display()
    )))?;
    file.write_all(content)
        .and_then(|()| file.sync_all())
        .map_err(Error::io(format!(
            "write the data key file {}",
            path.display()
        )))
}

fn check_key_file_mode(path: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(path)
            .map_err(Error::io(format!(
                "stat the data key file {}",
                path.display()
            )))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(KeyError::Exposed {
                path: path.to_owned(),
                mode: mode & 0o777,
            }
            .into());
        }
    }
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte_and_reads_back() {
        let bytes = [0x00, 0x0f, 0x10, 0xa5, 0xff];
        assert_eq!(encode_hex(&bytes), "000f10a5ff");
        assert_eq!(decode_hex(&encode_hex(&bytes)), Some(bytes.to_vec()));
        assert_eq!(encode_hex(&[]), "");
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
