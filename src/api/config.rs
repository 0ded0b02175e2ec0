//! `GET /api/config`: what the web app needs to know of this server before it draws —
//! the grid target and tolerance (one definition of "within tolerance" for UI and CLI) and
//! the extent of the store's data, so the map opens on it.

use super::AppState;
use crate::engine::read;
use crate::partition::PartitionOptions;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// `GET /api/config` (public).
pub async fn config(State(state): State<AppState>) -> Json<Value> {
    let options = PartitionOptions::default();
    let (low, high) = options.households_within().into_inner();
    let extent = {
        let engine = read(&state.engine);
        engine
            .communities()
            .extent()
            .or_else(|| engine.buildings().extent())
    };
    Json(json!({
        "target_households": options.target,
        "tolerance": options.tolerance,
        // The households a base grid may hold and still be within the tolerance.
        "within_band": {
            "low": low,
            "high": high,
        },
        "extent": extent.map(|(min, max)| [min[0], min[1], max[0], max[1]]),
    }))
}
