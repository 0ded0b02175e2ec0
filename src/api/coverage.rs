//! Life-circle coverage for planners and leaders (dispatcher role and up: it counts
//! households): `GET /api/coverage` (each area's share within each tier's walk, beside the
//! straight-line share) and `GET /api/coverage/buildings` (buildings a kind's stations leave
//! uncovered, or each building's catchment station, as GeoJSON points).

use super::AppState;
use super::auth::Caller;
use super::layers::parse_bbox;
use super::problem::{ApiError, refuse_unknown_params};
use crate::domain::{Role, StationKind};
use crate::engine::read;
use crate::service::coverage::{
    self, Coverage, CoverageError, CoverageLevel, CoverageScope, CoveredFilter, MAX_TIER_M, Tiers,
};
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Buildings listed when no `limit` is asked.
pub const DEFAULT_BUILDINGS: usize = 5_000;

/// The most buildings one answer lists.
pub const MAX_BUILDINGS: usize = 20_000;

impl From<CoverageError> for ApiError {
    fn from(e: CoverageError) -> Self {
        match e {
            CoverageError::Tiers(_) => Self::invalid("tiers", e.to_string()),
            CoverageError::Within(_) => Self::invalid("within", e.to_string()),
        }
    }
}

/// `kinds` (comma-separated; every kind when absent).
fn kinds(params: &HashMap<String, String>) -> Result<Vec<StationKind>, ApiError> {
    let Some(text) = params.get("kinds") else {
        return Ok(StationKind::ALL.to_vec());
    };
    let mut kinds = Vec::new();
    for k in text.split(',') {
        let kind = StationKind::parse(k.trim()).ok_or_else(|| {
            ApiError::invalid(
                "kinds",
                format!("{k:?} is not a station kind (service_centre, service_station, red_outpost, rider_rest_station)"),
            )
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// The blocking work of a request, off the async threads.
async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal {
            detail: format!("the coverage task failed: {e}"),
        })
}

/// `GET /api/coverage?level=&tiers=300,500,1000&kinds=&within=`: every area of the level
/// (community when not asked) with the households and residents within each tier's walk of
/// a station of each kind, beside the straight-line figures, and the whole scope's total.
pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Coverage>, ApiError> {
    caller.require(Role::Dispatcher, "coverage")?;
    refuse_unknown_params(&params, &["level", "tiers", "kinds", "within"])?;
    let level = params
        .get("level")
        .map_or(Ok(CoverageLevel::Community), |v| {
            CoverageLevel::parse(v).ok_or_else(|| {
                ApiError::invalid("level", "must be district, street, community or grid")
            })
        })?;
    let tiers = params
        .get("tiers")
        .map_or(Ok(Tiers::default()), |t| Tiers::parse(t))?;
    let scope = CoverageScope {
        kinds: kinds(&params)?,
        tiers,
        level,
        within: params.get("within").cloned(),
    };
    coverage::check_scope(&scope)?;
    let engine = state.engine.clone();
    let told = off_thread(move || coverage::coverage(&read(&engine), &scope)).await??;
    Ok(Json(told))
}

/// `GET /api/coverage/buildings?kind=&within_m=1000&covered=no|yes|all[&bbox=][&limit=]`:
/// buildings with households, as GeoJSON points, each with its catchment station of the
/// kind (the nearest on foot within `within_m`), the walk and the straight line to the
/// nearest; `truncated` when more matched than `limit`.
pub async fn buildings(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "coverage")?;
    refuse_unknown_params(&params, &["kind", "within_m", "covered", "bbox", "limit"])?;
    let kind = params
        .get("kind")
        .ok_or_else(|| ApiError::invalid("kind", "is required"))
        .and_then(|k| {
            StationKind::parse(k).ok_or_else(|| ApiError::invalid("kind", "is not a station kind"))
        })?;
    let within_m = params.get("within_m").map_or(Ok(1_000), |v| {
        v.parse::<u32>()
            .ok()
            .filter(|m| (1..=MAX_TIER_M).contains(m))
            .ok_or_else(|| {
                ApiError::invalid("within_m", format!("must be whole metres 1..={MAX_TIER_M}"))
            })
    })?;
    let filter = match params.get("covered").map(String::as_str) {
        None | Some("no") => CoveredFilter::Uncovered,
        Some("yes") => CoveredFilter::Covered,
        Some("all") => CoveredFilter::All,
        Some(_) => return Err(ApiError::invalid("covered", "must be no, yes or all")),
    };
    let bbox = params
        .get("bbox")
        .map(|b| parse_bbox(b))
        .transpose()?
        .map(|r| ([r.min().x, r.min().y], [r.max().x, r.max().y]));
    let limit = params.get("limit").map_or(Ok(DEFAULT_BUILDINGS), |v| {
        v.parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_BUILDINGS).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", format!("must be 1..={MAX_BUILDINGS}")))
    })?;
    let engine = state.engine.clone();
    let (found, truncated) = off_thread(move || {
        coverage::building_catchments(&read(&engine), kind, within_m, filter, bbox, limit)
    })
    .await?;
    let features: Vec<Value> = found
        .iter()
        .map(|b| {
            json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [b.at.x(), b.at.y()]},
                "properties": b,
            })
        })
        .collect();
    Ok(Json(json!({
        "type": "FeatureCollection",
        "kind": kind,
        "within_m": within_m,
        "truncated": truncated,
        "features": features,
    })))
}
