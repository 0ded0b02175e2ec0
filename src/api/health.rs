//! Liveness and readiness: `GET /api/health` (store kind and counts) and `GET /api/ready`.

use super::AppState;
use super::problem::ApiError;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// `GET /api/health`: the store answers, with its kind and row counts.
pub async fn health(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let counts = state.store.counts().await?;
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "store": state.store.kind(),
        "counts": counts,
    })))
}

/// `GET /api/ready`: 200 once the store can be queried.
pub async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.store.counts().await?;
    Ok(Json(json!({"status": "ready"})))
}
