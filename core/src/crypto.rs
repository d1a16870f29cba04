//! Encryption of secrets at rest (OAuth tokens) and hashing of API keys.
//!
//! Secrets are sealed with AES-256-GCM. A sealed value is laid out as
//! `version (1 byte) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`; the
//! version byte is also the associated data, so it cannot be swapped either.

use crate::config::Config;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Length of an AES-256 key in bytes.
pub const KEY_LEN: usize = 32;
/// The format version written as the first byte of every sealed value.
const VERSION: u8 = 1;
/// Length of the random GCM nonce.
const NONCE_LEN: usize = 12;
/// Length of the GCM authentication tag.
const TAG_LEN: usize = 16;

/// Why a key could not be loaded or a value could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The configured key is not 32 bytes of base64.
    #[error("invalid encryption key: the key must be 32 bytes, base64-encoded ({0})")]
    InvalidKey(String),
    /// The key file could not be read or created.
    #[error("encryption key file {path}: {source}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The sealed value is too short or has an unknown version byte.
    #[error("malformed encrypted value: {0}")]
    Malformed(String),
    /// Authentication failed: the value was tampered with or sealed under another key.
    #[error("decryption failed: the value was altered or encrypted with another key")]
    Decrypt,
    /// The opened value is not UTF-8 where text was expected.
    #[error("decrypted value is not UTF-8")]
    NotUtf8,
}

/// Seals and opens secrets with AES-256-GCM under one key.
#[derive(Clone)]
pub struct TokenCipher {
    cipher: Aes256Gcm,
}

impl fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCipher")
            .field("key", &"<redacted>")
            .finish()
    }
}

impl TokenCipher {
    /// A cipher for the raw 32-byte key.
    pub fn from_key_bytes(key: [u8; KEY_LEN]) -> TokenCipher {
        TokenCipher {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }

    /// A cipher for a base64 key (standard or URL-safe alphabet, padded or not).
    pub fn from_base64(key: &str) -> Result<TokenCipher, CryptoError> {
        let key = key.trim();
        let bytes = STANDARD
            .decode(key)
            .or_else(|_| URL_SAFE.decode(key))
            .or_else(|_| URL_SAFE_NO_PAD.decode(key))
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(key))
            .map_err(|e| CryptoError::InvalidKey(format!("not base64: {e}")))?;
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::InvalidKey(format!("decodes to {} bytes", bytes.len())))?;
        Ok(TokenCipher::from_key_bytes(key))
    }

    /// The cipher the configuration names: `security.encryption_key` when set,
    /// else the key in `Config::key_file()`, generated there (mode 0600) the first time.
    pub fn from_config(config: &Config) -> Result<TokenCipher, CryptoError> {
        if let Some(key) = &config.security.encryption_key {
            return TokenCipher::from_base64(key.expose()).map_err(|e| match e {
                CryptoError::InvalidKey(m) => {
                    CryptoError::InvalidKey(format!("security.encryption_key {m}"))
                }
                other => other,
            });
        }
        TokenCipher::from_key_file(&config.key_file())
    }

    /// The cipher for the key stored in `path`, generating a new random key
    /// there (mode 0600, creating the folder) when the file does not exist.
    pub fn from_key_file(path: &Path) -> Result<TokenCipher, CryptoError> {
        let key_file_err = |source| CryptoError::KeyFile {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                return TokenCipher::from_base64(&text).map_err(|e| match e {
                    CryptoError::InvalidKey(m) => {
                        CryptoError::InvalidKey(format!("in {}: {m}", path.display()))
                    }
                    other => other,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(key_file_err(e)),
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(key_file_err)?;
        }
        let key = generate_key();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut file) => {
                let text = format!("{}\n", STANDARD.encode(key));
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(key_file_err)?;
                Ok(TokenCipher::from_key_bytes(key))
            }
            // Another process generated it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path).map_err(key_file_err)?;
                TokenCipher::from_base64(&text)
            }
            Err(e) => Err(key_file_err(e)),
        }
    }

    /// Seals `plaintext` under a fresh random nonce.
    pub fn encrypt(&self, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = [VERSION];
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            // aes-gcm fails only for inputs beyond 64 GiB.
            .expect("AES-GCM encryption of an in-memory value cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a value sealed by [`TokenCipher::encrypt`]; any change to it is an error.
    pub fn decrypt(&self, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Malformed(format!(
                "{} bytes is shorter than the {} bytes of header and tag",
                sealed.len(),
                1 + NONCE_LEN + TAG_LEN
            )));
        }
        let (version, rest) = sealed.split_at(1);
        if version[0] != VERSION {
            return Err(CryptoError::Malformed(format!(
                "unknown format version {}",
                version[0]
            )));
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: version,
                },
            )
            .map_err(|_| CryptoError::Decrypt)
    }

    /// Seals a string.
    pub fn encrypt_str(&self, plaintext: &str) -> Vec<u8> {
        self.encrypt(plaintext.as_bytes())
    }

    /// Opens a sealed string.
    pub fn decrypt_str(&self, sealed: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.decrypt(sealed)?).map_err(|_| CryptoError::NotUtf8)
    }
}

/// A new random 32-byte key.
pub fn generate_key() -> [u8; KEY_LEN] {
    let mut key = [0u8; KEY_LEN];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

/// The SHA-256 hex digest under which an API key is stored.
///
/// API keys are 256 bits from the OS random generator, so a brute-force or
/// dictionary attack on the digest is hopeless and a slow password KDF
/// (argon2, bcrypt) would only cost time on every request.
pub fn hash_api_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Secret, SecurityConfig};

    fn cipher() -> TokenCipher {
        TokenCipher::from_key_bytes([7u8; KEY_LEN])
    }

    #[test]
    fn round_trips_and_uses_fresh_nonces() {
        let c = cipher();
        let a = c.encrypt_str("ya29.secret-token");
        let b = c.encrypt_str("ya29.secret-token");
        assert_ne!(a, b, "two seals of one value must differ");
        assert_eq!(a[0], VERSION);
        assert_eq!(a.len(), 1 + NONCE_LEN + "ya29.secret-token".len() + TAG_LEN);
        assert_eq!(c.decrypt_str(&a).unwrap(), "ya29.secret-token");
        assert_eq!(c.decrypt(&c.encrypt(b"")).unwrap(), b"");
    }

    #[test]
    fn any_tampering_is_detected() {
        let c = cipher();
        let sealed = c.encrypt_str("refresh-token");
        for i in 0..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 0x01;
            assert!(c.decrypt(&t).is_err(), "flip at byte {i} went unnoticed");
        }
        assert!(matches!(
            c.decrypt(&sealed[..sealed.len() - 1]),
            Err(CryptoError::Decrypt)
        ));
        assert!(matches!(
            c.decrypt(&sealed[..5]),
            Err(CryptoError::Malformed(_))
        ));
        let other = TokenCipher::from_key_bytes([8u8; KEY_LEN]);
        assert!(matches!(other.decrypt(&sealed), Err(CryptoError::Decrypt)));
    }

    #[test]
    fn base64_keys_must_be_32_bytes() {
        let key = STANDARD.encode([1u8; KEY_LEN]);
        let c = TokenCipher::from_base64(&key).unwrap();
        let d = TokenCipher::from_base64(&URL_SAFE_NO_PAD.encode([1u8; KEY_LEN])).unwrap();
        assert_eq!(d.decrypt_str(&c.encrypt_str("x")).unwrap(), "x");
        let err = TokenCipher::from_base64(&STANDARD.encode([1u8; 16])).unwrap_err();
        assert!(err.to_string().contains("32 bytes"), "{err}");
        let err = TokenCipher::from_base64("not base64 at all!").unwrap_err();
        assert!(err.to_string().contains("32 bytes, base64"), "{err}");
    }

    #[test]
    fn debug_does_not_print_the_key() {
        let key = [0xABu8; KEY_LEN];
        let shown = format!("{:?}", TokenCipher::from_key_bytes(key));
        assert!(shown.contains("redacted"));
        assert!(!shown.to_lowercase().contains("abab"));
        assert!(!shown.contains(&STANDARD.encode(key)));
    }

    #[test]
    fn config_key_wins_over_the_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_owned(),
            security: SecurityConfig {
                encryption_key: Some(Secret::new(STANDARD.encode([3u8; KEY_LEN]))),
                key_file: None,
            },
            ..Config::default()
        };
        let c = TokenCipher::from_config(&config).unwrap();
        let expected = TokenCipher::from_key_bytes([3u8; KEY_LEN]);
        assert_eq!(expected.decrypt_str(&c.encrypt_str("t")).unwrap(), "t");
        assert!(
            !config.key_file().exists(),
            "no key file when a key is configured"
        );

        config.security.encryption_key = Some(Secret::new("short"));
        let err = TokenCipher::from_config(&config).unwrap_err();
        assert!(err.to_string().contains("security.encryption_key"), "{err}");
    }

    #[test]
    fn key_file_is_generated_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            security: SecurityConfig {
                encryption_key: None,
                key_file: Some(dir.path().join("nested/folder/key")),
            },
            ..Config::default()
        };
        let path = config.key_file();
        let first = TokenCipher::from_config(&config).unwrap();
        assert!(path.is_file());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sealed = first.encrypt_str("token");
        let second = TokenCipher::from_config(&config).unwrap();
        assert_eq!(second.decrypt_str(&sealed).unwrap(), "token");

        std::fs::write(&path, "garbage").unwrap();
        let err = TokenCipher::from_config(&config).unwrap_err();
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn api_key_hash_is_sha256_hex() {
        assert_eq!(
            hash_api_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
