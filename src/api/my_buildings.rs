//! `GET /api/me/buildings?lon=…&lat=…` (a worker token): the buildings of the worker's grids
//! near where the worker stands, nearest first — what the phone app offers for a visit (走访).

use super::AppState;
use super::auth::Caller;
use super::dispatch::query_point;
use super::problem::ApiError;
use crate::engine::read;
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use std::collections::HashMap;

/// How far around the worker buildings are offered, in metres, when no `radius_m` is given.
const DEFAULT_RADIUS_M: f64 = 150.0;
/// The widest `radius_m` asked.
const MAX_RADIUS_M: f64 = 1000.0;
/// Most buildings answered.
const MAX_BUILDINGS: usize = 30;

/// `GET /api/me/buildings`.
pub async fn near_me(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let me = caller.own_worker("buildings near a worker")?;
    let here = query_point(&params)?;
    let radius_m = params.get("radius_m").map_or(Ok(DEFAULT_RADIUS_M), |v| {
        v.parse::<f64>()
            .ok()
            .filter(|r| (1.0..=MAX_RADIUS_M).contains(r))
            .ok_or_else(|| {
                ApiError::invalid("radius_m", format!("must be a number 1..={MAX_RADIUS_M}"))
            })
    })?;
    let engine = read(&state.engine);
    let grids = engine.workers().grids_of(&me);
    let buildings: Vec<Value> = engine
        .buildings_within(here, radius_m)
        .into_iter()
        .filter_map(|(id, distance_m)| {
            let info = engine.building_info().get(&id)?;
            let grid = engine.grids().locate(info.anchor)?;
            grids.contains(grid).then(|| {
                json!({
                    "id": id, "name": info.name, "kind": info.kind.as_str(),
                    "households": info.households, "grid": grid,
                    "distance_m": (distance_m * 10.0).round() / 10.0,
                })
            })
        })
        .take(MAX_BUILDINGS)
        .collect();
    Ok(Json(
        json!({ "worker": me, "radius_m": radius_m, "buildings": buildings }),
    ))
}
