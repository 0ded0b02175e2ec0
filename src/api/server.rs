//! The HTTP server around the router: a bounded number of connections and a bounded time
//! to send a request's headers, so that slow or idle clients (connections opened and left
//! silent) cannot hold the server's file descriptors and starve everyone else; requests too
//! malformed to reach the router still get problem+json answers.

use super::malformed_requests::ProblemOnMalformed;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// How much a server gives its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Time a connection has to send a request's headers before it is closed.
    pub header_read_timeout: Duration,
    /// Largest request head (request line and headers) in bytes; larger is 431.
    pub max_header_bytes: usize,
}

/// The default [`ServerLimits::max_header_bytes`]: room for hyper's longest URI (64 KiB,
/// longer is 414) and a few KiB of headers.
pub const MAX_HEADER_BYTES: usize = 96 * 1024;

impl Default for ServerLimits {
    /// Three quarters of the process's open-file limit (the rest stays for the store and
    /// the system), at most 50,000; ten seconds for headers; a head of 96 KiB.
    fn default() -> Self {
        Self {
            max_connections: (open_file_limit().unwrap_or(1024) * 3 / 4).clamp(64, 50_000),
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: MAX_HEADER_BYTES,
        }
    }
}

/// The soft limit on open files, from `/proc/self/limits` (Linux).
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight
/// finish (five seconds at most).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a reset before accept: breathe, then go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .max_header_size(limits.max_header_bytes)
            .serve_connection(
                TokioIo::new(ProblemOnMalformed::new(stream)),
                // Each request knows the connection's peer (limits on public requests).
                TowerToHyperService::new(router.clone().map_request(
                    move |mut request: axum::http::Request<hyper::body::Incoming>| {
                        request
                            .extensions_mut()
                            .insert(axum::extract::ConnectInfo(peer));
                        request
                    },
                )),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
}
