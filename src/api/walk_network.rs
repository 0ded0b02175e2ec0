//! `GET /api/walk/network` (dispatcher role and up): what the walking network is made of and
//! what in it planners should fix — pieces apart from the largest (with some of their ways),
//! walled compounds with paths inside and no gate out, stations off the network or on a
//! piece apart.

use super::AppState;
use super::auth::Caller;
use super::problem::{ApiError, refuse_unknown_params};
use crate::domain::Role;
use crate::engine::read;
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The most pieces apart listed (all are counted).
pub const PIECES_LISTED: usize = 100;

pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "the walking network report")?;
    refuse_unknown_params(&params, &[])?;
    let engine = read(&state.engine);
    let walking = engine.walking();
    let r = walking.report();
    let name = |id: &crate::domain::StationId| {
        engine
            .station_info()
            .get(id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    Ok(Json(json!({
        "nodes": r.nodes,
        "edges": r.edges,
        "length_m": r.length_m.round(),
        "largest_share": r.largest_share,
        "cut_at_walls": r.cut_at_walls,
        "pieces_apart": r.pieces.len(),
        "pieces": r.pieces.iter().take(PIECES_LISTED).map(|p| json!({
            "nodes": p.nodes,
            "length_m": p.length_m.round(),
            "at": [p.at.x(), p.at.y()],
            "ways": p.ways.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "sealed_compounds": r.sealed.iter().map(|s| json!({
            "wall": s.wall.to_string(),
            "nodes": s.nodes,
            "at": [s.at.x(), s.at.y()],
        })).collect::<Vec<_>>(),
        "stations_off_network": walking.stranded().iter().map(|(id, why)| json!({
            "station": id.0, "name": name(id), "reason": why.to_string(),
        })).collect::<Vec<_>>(),
        "stations_apart": walking.apart().iter().map(|(id, nodes)| json!({
            "station": id.0, "name": name(id), "piece_nodes": nodes,
        })).collect::<Vec<_>>(),
    })))
}
