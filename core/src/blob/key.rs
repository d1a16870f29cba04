use serde::{Deserialize, Serialize};
use std::fmt;

/// A blob's name: a relative, `/`-separated path such as
/// `recordings/5f0c…/tracks/0.ogg`. It can never climb out of the store's
/// root: no empty, `.` or `..` segments, no leading `/`, no backslashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlobKey(String);

/// A string that is not a valid [`BlobKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid blob key {key:?}: {why}")]
pub struct InvalidBlobKey {
    /// The rejected key.
    pub key: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl BlobKey {
    /// Checks and wraps a key.
    pub fn new(key: impl Into<String>) -> Result<Self, InvalidBlobKey> {
        let key = key.into();
        let bad = |why| {
            Err(InvalidBlobKey {
                key: key.clone(),
                why,
            })
        };
        if key.is_empty() || key.len() > 1024 {
            return bad("must be 1 to 1024 bytes long");
        }
        if key.starts_with('/') {
            return bad("must be relative");
        }
        if key.contains('\\') || key.chars().any(char::is_control) {
            return bad("contains a backslash or a control character");
        }
        if key
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..")
        {
            return bad("has an empty, '.' or '..' segment");
        }
        if key.split('/').any(|seg| seg.contains(".tmp-")) {
            return bad("uses the reserved '.tmp-' marker of unfinished writes");
        }
        Ok(BlobKey(key))
    }

    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for BlobKey {
    type Error = InvalidBlobKey;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        BlobKey::new(s)
    }
}

impl From<BlobKey> for String {
    fn from(k: BlobKey) -> String {
        k.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_the_root() {
        for bad in [
            "",
            "/etc/passwd",
            "a/../b",
            "../x",
            "a//b",
            "a/./b",
            "a\\b",
            "a/",
            "x.tmp-1",
        ] {
            assert!(BlobKey::new(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["recordings/1/recording.ogg", "reports/r.pdf", "a.b/c-d_e"] {
            assert_eq!(BlobKey::new(good).unwrap().as_str(), good);
        }
    }
}
