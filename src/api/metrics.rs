//! Prometheus metrics: request counts and latencies per route, served at `/metrics`.

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// How often recorded latencies are folded into the histograms (they are buffered until
/// then; without upkeep an unscraped server would keep every sample).
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The process-wide Prometheus recorder (installed once, with its upkeep thread).
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new();
            let handle = match builder.install_recorder() {
                Ok(handle) => handle,
                // Another recorder is installed (e.g. by an embedding program): render ours.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            };
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_INTERVAL);
                        upkeep.run_upkeep();
                    }
                });
            handle
        })
        .clone()
}

/// The counter and histogram of one (route, method, status), registered on first use so a
/// request records without building a label set.
struct RouteMetrics {
    requests: Counter,
    duration: Histogram,
}

type Routes = HashMap<String, HashMap<(Method, u16), RouteMetrics>>;

static ROUTES: OnceLock<RwLock<Routes>> = OnceLock::new();

/// Methods outside the standard ones count as `OTHER` (clients choose them freely).
fn method_label(method: &Method) -> Method {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    if STANDARD.contains(method) {
        method.clone()
    } else {
        Method::from_bytes(b"OTHER").unwrap_or(Method::GET)
    }
}

/// Records one answered request of `route` (a route pattern, as in `MatchedPath`).
pub fn record(route: &str, method: &Method, status: StatusCode, elapsed: Duration) {
    let routes = ROUTES.get_or_init(RwLock::default);
    let key = (method_label(method), status.as_u16());
    let seconds = elapsed.as_secs_f64();
    {
        let known = routes.read().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = known.get(route).and_then(|r| r.get(&key)) {
            m.requests.increment(1);
            m.duration.record(seconds);
            return;
        }
    }
    let labels = [
        ("method", key.0.as_str().to_string()),
        ("path", route.to_string()),
        ("status", status.as_str().to_string()),
    ];
    let m = RouteMetrics {
        requests: metrics::counter!("http_requests_total", &labels),
        duration: metrics::histogram!("http_request_duration_seconds", &labels),
    };
    m.requests.increment(1);
    m.duration.record(seconds);
    routes
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .entry(route.to_string())
        .or_default()
        .insert(key, m);
}

/// Middleware recording `http_requests_total` and `http_request_duration_seconds`.
pub async fn track(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let path = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let response = next.run(request).await;
    let route = path.as_ref().map_or("unmatched", MatchedPath::as_str);
    record(route, &method, response.status(), start.elapsed());
    response
}

/// `GET /metrics`.
pub async fn render() -> String {
    handle().render()
}
