//! A closed-loop HTTP load generator: `concurrency` clients on keep-alive connections, each
//! sending its next request as soon as the previous answer is read.

use super::Throughput;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One request of a workload.
#[derive(Debug, Clone)]
pub struct LoadRequest {
    pub method: Method,
    pub uri: String,
    pub body: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl LoadRequest {
    pub fn get(uri: String) -> Self {
        Self {
            method: Method::GET,
            uri,
            body: None,
            headers: Vec::new(),
        }
    }
}

/// What a load run saw.
#[derive(Debug, Clone)]
pub struct LoadResult {
    pub throughput: Throughput,
    /// Answers that were not the expected status, and transport errors.
    pub failures: u64,
}

/// Sends every request once, `concurrency` at a time; answers other than `expect` count
/// as failures.
pub async fn run(
    name: &str,
    requests: Vec<LoadRequest>,
    concurrency: usize,
    bearer: Option<&str>,
    expect: StatusCode,
) -> LoadResult {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .build_http();
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let bearer = bearer.map(|t| format!("Bearer {t}"));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let (client, requests, next, bearer) = (
            client.clone(),
            requests.clone(),
            next.clone(),
            bearer.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0u64;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(r) = requests.get(i) else { break };
                let mut builder = Request::builder().method(r.method.clone()).uri(&r.uri);
                if let Some(b) = &bearer {
                    builder = builder.header("authorization", b);
                }
                if r.body.is_some() {
                    builder = builder.header("content-type", "application/json");
                }
                for (k, v) in &r.headers {
                    builder = builder.header(k, v);
                }
                let body = Full::new(Bytes::from(r.body.clone().unwrap_or_default()));
                let Ok(request) = builder.body(body) else {
                    failures += 1;
                    continue;
                };
                let t = Instant::now();
                match client.request(request).await {
                    Ok(response) => {
                        let ok = response.status() == expect;
                        let read = response.into_body().collect().await.is_ok();
                        if !(ok && read) {
                            failures += 1;
                        }
                    }
                    Err(_) => failures += 1,
                }
                latencies.push(t.elapsed());
            }
            (latencies, failures)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(requests.len());
    let mut failures = 0;
    for task in tasks {
        if let Ok((l, f)) = task.await {
            latencies.extend(l);
            failures += f;
        }
    }
    LoadResult {
        throughput: Throughput::new(name, latencies, started.elapsed()),
        failures,
    }
}
