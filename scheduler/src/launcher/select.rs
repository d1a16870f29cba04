//! The backend `[scheduler.launcher]` names.

use super::backend::{Backend, LaunchError};
use super::config::{BackendKind, LauncherConfig};
use super::kubernetes::KubeBackend;
use super::process::ProcessBackend;
use std::sync::Arc;

/// Child processes by default; Kubernetes Jobs (in-cluster or kubeconfig
/// credentials) when `backend = "kubernetes"`.
pub async fn backend_for(config: &LauncherConfig) -> Result<Arc<dyn Backend>, LaunchError> {
    Ok(match config.backend {
        BackendKind::Process => Arc::new(ProcessBackend::new(config.process.clone())?),
        BackendKind::Kubernetes => {
            let client = kube::Client::try_default().await?;
            Arc::new(KubeBackend::new(client, config.kubernetes.clone()))
        }
    })
}
