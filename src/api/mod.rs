//! The HTTP API (axum): GeoJSON layers, health, OpenAPI, metrics and the embedded web app.
//! `app(state)` builds the router; tests drive it with `oneshot`.

mod auth;
mod dispatch;
mod health;
mod layers;
mod metrics;
mod openapi;
mod partition;
mod positions;
mod problem;
mod rebalance;
mod tiles;
mod web;

pub use auth::Caller;
pub use openapi::document as openapi_document;
pub use problem::ApiError;

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

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The in-memory indexes, kept in step with every write.
    pub engine: Arc<RwLock<Engine>>,
    pub taxonomy: Arc<Taxonomy>,
    tokens: Arc<RwLock<HashMap<String, CachedToken>>>,
    positions: Arc<positions::PositionWriter>,
    /// Vector tiles made so far, by layer revision.
    pub tiles: Arc<crate::service::tile_cache::TileCache>,
}

/// A token's role and label, and when they were read.
type CachedToken = (Role, String, Instant);

/// How long a token's role is trusted without asking the store again.
const TOKEN_CACHE_TTL: Duration = Duration::from_secs(30);

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
        Ok(Self {
            store,
            engine,
            taxonomy: Arc::new(taxonomy),
            tokens: Arc::default(),
            positions,
            tiles: Arc::default(),
        })
    }

    /// Writes pending worker positions to the store now.
    pub async fn flush_positions(&self) -> Result<u64, StoreError> {
        self.positions.flush().await
    }

    /// The role and label of a token hash, cached for [`TOKEN_CACHE_TTL`].
    async fn token(&self, hash: &str) -> Result<Option<(Role, String)>, StoreError> {
        if let Some((role, label, at)) = self
            .tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(hash)
            && at.elapsed() < TOKEN_CACHE_TTL
        {
            return Ok(Some((*role, label.clone())));
        }
        let found = self.store.token(hash).await?;
        if let Some((role, label)) = &found {
            self.tokens
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(hash.to_string(), (*role, label.clone(), Instant::now()));
        }
        Ok(found)
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health::health))
        .route("/api/ready", get(health::ready))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/docs", get(web::serve))
        .route("/api/locate", get(dispatch::locate))
        .route("/api/dispatch/nearest", get(dispatch::nearest))
        .route(
            "/api/workers/{id}/position",
            axum::routing::post(dispatch::position),
        )
        .route(
            "/api/incidents",
            get(layers::list_incidents).post(dispatch::report),
        )
        .route("/api/incidents/overdue", get(dispatch::overdue))
        .route("/api/incidents/stats", get(dispatch::stats))
        .route("/api/incidents/h3", get(dispatch::h3_counts))
        .route("/api/incidents/{id}", get(dispatch::show))
        .route(
            "/api/incidents/{id}/steps",
            axum::routing::post(dispatch::step),
        )
        .route("/api/incident-categories", get(dispatch::categories))
        .route("/api/staffing", get(dispatch::staffing))
        .route("/api/stations/nearest", get(dispatch::nearest_stations))
        .route("/api/bbox", get(dispatch::in_box))
        .route("/api/rebalance", axum::routing::post(rebalance::rebalance))
        .route("/api/plan/versions", get(rebalance::versions))
        .route("/api/plan/versions/{version}", get(rebalance::show))
        .route(
            "/api/plan/versions/{version}/restore",
            axum::routing::post(rebalance::restore),
        )
        .route("/api/plan/diff", get(rebalance::diff))
        .route("/api/{layer}", get(layers::list))
        .route("/api/partition", axum::routing::post(partition::partition))
        .route("/metrics", get(metrics::render))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::tile))
        .route("/tiles/{file}", get(tiles::tilejson))
        .route("/styles/{name}", get(web::style))
        .fallback(web::serve)
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
