//! The HTTP API (axum): GeoJSON layers, health, OpenAPI, metrics and the embedded web app.
//! `app(state)` builds the router; tests drive it with `oneshot`.

mod auth;
mod config;
mod coverage;
mod dashboard;
mod dispatch;
mod exports;
mod health;
mod incident_queue;
mod incident_stream;
mod layers;
mod malformed_requests;
mod me;
mod metrics;
mod my_buildings;
mod my_tasks;
mod openapi;
mod partition;
mod patrols;
mod photos;
mod positions;
mod problem;
mod public_reports;
mod rebalance;
mod server;
mod site_suggestions;
mod throttle;
mod tiles;
mod visits;
mod walk_network;
mod web;
mod whole_number;
mod worker_sign_in;
mod workers;

pub use auth::{Caller, Credential};
pub use dispatch::{PUBLIC_H3_MAX_RESOLUTION, PUBLIC_MIN_CELL_COUNT};
pub use openapi::document as openapi_document;
pub use problem::ApiError;
pub use server::{ServerLimits, serve};

use crate::domain::{Role, Taxonomy};
use crate::engine::Engine;
use crate::store::{Store, StoreError};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::RwLock;
use std::time::{Duration, Instant};
use tower_http::trace::TraceLayer;

/// Largest request body accepted (imports through the API are GeoJSON of a community or so).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What every handler can reach; cloning it (once per request) is one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The state behind [`AppState`].
pub struct Shared {
    pub store: Arc<dyn Store>,
    /// The in-memory indexes, kept in step with every write.
    pub engine: Arc<RwLock<Engine>>,
    pub taxonomy: Arc<Taxonomy>,
    /// Roles of tokens seen lately, by the token itself (no hashing per request).
    tokens: RwLock<HashMap<String, CachedToken>>,
    positions: Arc<positions::PositionWriter>,
    /// Vector tiles made so far, by layer revision.
    pub tiles: Arc<crate::service::tile_cache::TileCache>,
    /// How long an expensive job (a partition) may run for one request, in ms.
    job_time_limit_ms: std::sync::atomic::AtomicU64,
    /// What one client may do without signing in (public reports, code lookups).
    throttle: RwLock<Arc<throttle::Throttle>>,
}

/// Default time an expensive job may run for one request.
pub const DEFAULT_JOB_TIME_LIMIT: Duration = Duration::from_secs(120);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What a token stands for, as the API keeps it.
#[derive(Debug, Clone)]
struct KnownToken {
    role: Role,
    label: Arc<str>,
    worker: Option<crate::domain::WorkerId>,
}

/// A token's record, and when it was read.
type CachedToken = (KnownToken, Instant);

/// How long a token's role is trusted without asking the store again.
const TOKEN_CACHE_TTL: Duration = Duration::from_secs(30);

/// Tokens held in the cache before expired ones are swept.
const MAX_CACHED_TOKENS: usize = 1024;

impl AppState {
    /// Loads the engine from the store and starts the position writer (positions reach the
    /// store within [`positions::FLUSH_INTERVAL`]).
    pub async fn load(store: Arc<dyn Store>) -> Result<Self, StoreError> {
        Self::with_taxonomy(store, Taxonomy::default()).await
    }

    pub async fn with_taxonomy(
        store: Arc<dyn Store>,
        taxonomy: Taxonomy,
    ) -> Result<Self, StoreError> {
        metrics::handle();
        // Listen first, then load: a change committed meanwhile is applied after the load.
        let changes = store.subscribe().await;
        let engine = Arc::new(RwLock::new(Engine::load(store.as_ref()).await?));
        if let Some(changes) = changes {
            crate::service::engine_sync::follow(store.clone(), engine.clone(), changes);
        }
        let positions = positions::PositionWriter::start(store.clone(), engine.clone());
        Ok(Self(Arc::new(Shared {
            store,
            engine,
            taxonomy: Arc::new(taxonomy),
            tokens: RwLock::default(),
            positions,
            tiles: Arc::default(),
            job_time_limit_ms: std::sync::atomic::AtomicU64::new(
                u64::try_from(DEFAULT_JOB_TIME_LIMIT.as_millis()).unwrap_or(u64::MAX),
            ),
            throttle: RwLock::new(Arc::default()),
        })))
    }

    /// Sets how long an expensive job may run for one request; past it the job stops and
    /// the request gets a problem (nothing written).
    pub fn set_job_time_limit(&self, limit: Duration) {
        let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
        self.job_time_limit_ms
            .store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// How long an expensive job may run for one request.
    pub fn job_time_limit(&self) -> Duration {
        Duration::from_millis(
            self.job_time_limit_ms
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// Multiplies what one client may do without signing in (reports, tracking-code
    /// lookups) by `scale`; 0 turns the limits off.
    pub fn set_client_limit_scale(&self, scale: f64) {
        *self.throttle.write().unwrap_or_else(|e| e.into_inner()) =
            Arc::new(throttle::Throttle::scaled(scale));
    }

    /// The limits on clients without a token.
    fn throttle(&self) -> Arc<throttle::Throttle> {
        self.throttle
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Writes pending worker positions to the store now.
    pub async fn flush_positions(&self) -> Result<u64, StoreError> {
        self.positions.flush().await
    }

    /// The role and label of a token, cached for [`TOKEN_CACHE_TTL`] (the store holds only
    /// its hash).
    async fn token(&self, token: &str) -> Result<Option<KnownToken>, StoreError> {
        if let Some((known, at)) = self
            .tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            && at.elapsed() < TOKEN_CACHE_TTL
        {
            return Ok(Some(known.clone()));
        }
        let Some(record) = self.store.token(&crate::auth::hash_token(token)).await? else {
            return Ok(None);
        };
        let known = KnownToken {
            role: record.role,
            label: record.label.into(),
            worker: record.worker,
        };
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        // Expired entries go when the cache grows (tokens are few; revoked ones expire).
        if tokens.len() >= MAX_CACHED_TOKENS {
            tokens.retain(|_, (_, at)| at.elapsed() < TOKEN_CACHE_TTL);
        }
        tokens.insert(token.to_string(), (known.clone(), Instant::now()));
        Ok(Some(known))
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new().merge(api(state.clone())).merge(tiles(state))
}

/// The API, the web app and everything else but tiles: bodies limited, answers compressed.
fn api(state: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health::health))
        .route("/api/ready", get(health::ready))
        .route("/api/config", get(config::config))
        .route("/api/me", get(me::me))
        .route("/api/me/tasks", get(my_tasks::tasks))
        .route("/api/me/buildings", get(my_buildings::near_me))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/docs", get(web::serve))
        .route("/api/locate", get(dispatch::locate))
        .route("/api/dispatch/nearest", get(dispatch::nearest))
        .route(
            "/api/workers/{id}/position",
            axum::routing::post(dispatch::position),
        )
        .route("/api/workers", get(layers::list_workers).post(workers::add))
        .route("/api/workers/{id}", axum::routing::patch(workers::edit))
        .route(
            "/api/workers/{id}/retire",
            axum::routing::post(workers::retire),
        )
        .route("/api/workers/{id}/history", get(workers::history))
        .route(
            "/api/workers/{id}/sign-in-code",
            axum::routing::post(worker_sign_in::sign_in_code),
        )
        .route(
            "/api/incidents",
            get(layers::list_incidents).post(dispatch::report),
        )
        .route("/api/incidents/stream", get(incident_stream::stream))
        .route("/api/incidents/queue", get(incident_queue::queue))
        .route("/api/incidents/overdue", get(dispatch::overdue))
        .route("/api/incidents/stats", get(dispatch::stats))
        .route("/api/dashboard", get(dashboard::dashboard))
        .route("/api/dashboard/trend", get(dashboard::trend))
        .route("/api/dashboard/export.xlsx", get(dashboard::export))
        .route("/api/incidents/h3", get(dispatch::h3_counts))
        .route("/api/incidents/{id}", get(dispatch::show))
        .route(
            "/api/incidents/{id}/steps",
            axum::routing::post(dispatch::step),
        )
        .route("/api/public/categories", get(public_reports::categories))
        .route(
            "/api/public/reports",
            axum::routing::post(public_reports::submit),
        )
        .route("/api/public/reports/{code}", get(public_reports::status))
        .route(
            "/api/public/reports/{code}/rating",
            axum::routing::post(public_reports::rate),
        )
        .route("/api/visits", get(visits::list).post(visits::record))
        .route("/api/patrols", get(patrols::list).post(patrols::start))
        .route("/api/patrols/{id}", get(patrols::show))
        .route(
            "/api/patrols/{id}/points",
            axum::routing::post(patrols::points),
        )
        .route("/api/patrols/{id}/stop", axum::routing::post(patrols::stop))
        .route("/api/photos", axum::routing::post(photos::upload))
        .route("/api/photos/{id}", get(photos::original))
        .route("/api/photos/{id}/thumbnail", get(photos::thumbnail))
        .route("/api/incident-categories", get(dispatch::categories))
        .route("/api/staffing", get(dispatch::staffing))
        .route("/api/stations/nearest", get(dispatch::nearest_stations))
        .route("/api/walk/area", get(dispatch::walk_area))
        .route("/api/walk/network", get(walk_network::report))
        .route("/api/coverage", get(coverage::coverage))
        .route("/api/coverage/buildings", get(coverage::buildings))
        .route(
            "/api/coverage/suggestions",
            axum::routing::post(site_suggestions::suggest),
        )
        .route("/api/bbox", get(dispatch::in_box))
        .route("/api/rebalance", axum::routing::post(rebalance::rebalance))
        .route("/api/plan/versions", get(rebalance::versions))
        .route("/api/plan/versions/{version}", get(rebalance::show))
        .route(
            "/api/plan/versions/{version}/restore",
            axum::routing::post(rebalance::restore),
        )
        .route("/api/plan/diff", get(rebalance::diff))
        .route(
            "/api/exports/grid-ledger.xlsx",
            get(exports::grid_ledger_xlsx),
        )
        .route(
            "/api/exports/incident-statistics.xlsx",
            get(exports::incident_statistics_xlsx),
        )
        .route("/api/{layer}", get(layers::list))
        .route("/api/partition", axum::routing::post(partition::partition))
        .route("/metrics", get(metrics::render))
        .route("/tiles/{file}", get(tiles::tilejson))
        .route("/styles/{name}", get(web::style))
        .fallback(web::serve)
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
        .layer(axum::middleware::from_fn(problem::problem_for_bare_errors))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Vector tiles: the hot path, with no middleware. Tiles are gzipped once in the cache (not
/// per response), take no body, and the handler records its own request metrics.
fn tiles(state: AppState) -> Router {
    Router::new()
        .route(tiles::TILE_ROUTE, get(tiles::tile))
        .with_state(state)
}
