//! Stopping long-running commands on SIGINT (Ctrl-C) or SIGTERM.

use tokio::sync::watch;

/// A future that completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are
/// installed when this is called, not when the future is first polled, so
/// call it before announcing readiness.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    let mut flag = shutdown_flag();
    async move {
        let _ = flag.wait_for(|stop| *stop).await;
    }
}

/// A flag that turns true on SIGINT or SIGTERM, for tasks that watch it.
///
/// The handlers are installed before this returns, so a signal that arrives
/// at once is not lost to the default action (which would kill the process
/// without finalizing anything).
pub fn shutdown_flag() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    let term = sigterm();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::spawn(async move {
        tokio::select! {
            _ = ctrl_c => {}
            _ = recv(term) => {}
        }
        tracing::info!("stop requested");
        let _ = tx.send(true);
    });
    rx
}

#[cfg(unix)]
type Term = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Term = ();

#[cfg(unix)]
fn sigterm() -> Term {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok()
}

#[cfg(not(unix))]
fn sigterm() -> Term {}

#[cfg(unix)]
async fn recv(term: Term) {
    match term {
        Some(mut s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn recv(_: Term) {
    std::future::pending::<()>().await
}
