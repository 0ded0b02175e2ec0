//! The HTTP API (axum): GeoJSON layers, health, OpenAPI, metrics and the embedded web app.
//! `app(state)` builds the router; tests drive it with `oneshot`.

mod auth;
mod health;
mod layers;
mod metrics;
mod openapi;
mod partition;
mod problem;
mod web;

pub use auth::Caller;
pub use openapi::document as openapi_document;
pub use problem::ApiError;

use crate::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (imports through the API are GeoJSON of a community or so).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        metrics::handle();
        Self { store }
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health::health))
        .route("/api/ready", get(health::ready))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/docs", get(web::serve))
        .route("/api/{layer}", get(layers::list))
        .route("/api/partition", axum::routing::post(partition::partition))
        .route("/metrics", get(metrics::render))
        .route("/glyphs/{fontstack}/{range}", get(web::glyphs))
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
