//! Where installed models live: `<data_dir>/models/<name>/`.

use super::{find, ModelError, ModelSpec, MODELS};
use std::path::{Path, PathBuf};

/// Environment variable that overrides the models directory.
pub const MODELS_DIR_ENV: &str = "MYMEET_MODELS_DIR";

/// A directory of installed models, one folder per model.
#[derive(Debug, Clone)]
pub struct ModelStore {
    dir: PathBuf,
}

impl ModelStore {
    /// A store rooted at `dir` exactly.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The store of a configuration: `models_dir` (config key, or
    /// `$MYMEET_MODELS_DIR` through the config loader) if set, else `<data_dir>/models`.
    pub fn from_config(data_dir: &Path, models_dir: Option<&Path>) -> Self {
        match models_dir {
            Some(dir) if !dir.as_os_str().is_empty() => Self::new(dir),
            _ => Self::new(data_dir.join("models")),
        }
    }

    /// The store's root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder a model is (or would be) installed in.
    pub fn model_dir(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Whether every file of the model is present.
    pub fn is_installed(&self, spec: &ModelSpec) -> bool {
        let dir = self.model_dir(spec.name);
        spec.files.iter().all(|f| dir.join(f.name).is_file())
    }

    /// The known model's registry entry, or an error listing the known names.
    pub fn spec(name: &str) -> Result<&'static ModelSpec, ModelError> {
        find(name).ok_or_else(|| ModelError::Unknown {
            name: name.to_owned(),
            known: MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(", "),
        })
    }

    /// The folder of an installed model, or the one-line error that says how to fetch it.
    pub fn require(&self, name: &str) -> Result<PathBuf, ModelError> {
        let spec = Self::spec(name)?;
        if self.is_installed(spec) {
            Ok(self.model_dir(name))
        } else {
            Err(ModelError::NotInstalled {
                name: name.to_owned(),
                dir: self.dir.clone(),
            })
        }
    }

    /// Resolves what a user typed: an existing folder is used as is, anything else is a registry name.
    pub fn resolve(&self, name_or_path: &str) -> Result<PathBuf, ModelError> {
        let path = Path::new(name_or_path);
        if find(name_or_path).is_none() && path.is_dir() {
            return Ok(path.to_path_buf());
        }
        self.require(name_or_path)
    }
}
