//! End-to-end benchmarks (`gridmap bench …`): our engine and server measured side by side
//! with the real alternative (the same queries in PostGIS) on the same data, in one run.

pub mod coverage;
pub mod dashboard;
pub mod http_load;
pub mod imports;
pub mod memory;
pub mod photos;
pub mod queries;
pub mod rebalance;
pub mod sustained_load;
pub mod tiles;
pub mod walking;

use crate::api::{AppState, app};
use crate::domain::Role;
use serde::Serialize;
use std::time::Duration;

/// A router served on a free loopback port; aborted on drop.
pub struct LoopbackServer {
    pub base: String,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl LoopbackServer {
    pub async fn start(router: axum::Router) -> Result<Self, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let base = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let task = tokio::spawn(axum::serve(listener, router).into_future());
        Ok(Self { base, task })
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `app(state)` on loopback, with a dispatcher's token.
pub struct BenchServer {
    pub base: String,
    pub token: String,
    _server: LoopbackServer,
}

impl BenchServer {
    /// Serves `app(state)` on a free loopback port and stores a dispatcher token.
    pub async fn start(state: &AppState) -> Result<Self, String> {
        let server = LoopbackServer::start(app(state.clone())).await?;
        let token = crate::auth::new_token();
        state
            .store
            .create_token(
                &crate::auth::hash_token(&token),
                Role::Dispatcher,
                "bench",
                None,
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self {
            base: server.base.clone(),
            token,
            _server: server,
        })
    }
}

/// Throughput and latency of one measured workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Throughput {
    pub name: String,
    pub operations: u64,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
}

impl Throughput {
    /// From per-operation latencies and the wall time of the whole run.
    pub fn new(name: &str, mut latencies: Vec<Duration>, wall: Duration) -> Self {
        latencies.sort_unstable();
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1e6)
        };
        let seconds = wall.as_secs_f64().max(1e-9);
        Self {
            name: name.to_string(),
            operations: latencies.len() as u64,
            seconds,
            per_second: latencies.len() as f64 / seconds,
            p50_us: at(0.5),
            p99_us: at(0.99),
        }
    }

    pub fn line(&self) -> String {
        format!(
            "{:<56} {:>7} ops  {:>12.0} /s  p50 {:>9.1} µs  p99 {:>9.1} µs",
            self.name, self.operations, self.per_second, self.p50_us, self.p99_us
        )
    }
}
