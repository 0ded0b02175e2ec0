//! Patrols (巡查): `POST /api/patrols` starts one (a worker token), `POST
//! /api/patrols/{id}/points` sends fixes, `POST /api/patrols/{id}/stop` stops it with what it
//! passed; `GET /api/patrols[?worker=&from=&to=&limit=]` and `GET /api/patrols/{id}` (with its
//! track) for dispatchers and up, and a worker its own.

use super::AppState;
use super::auth::Caller;
use super::dispatch::{limit_param, point_from, time_param};
use super::problem::{ApiError, refuse_unknown_params};
use crate::domain::{PatrolId, Role, TrackPoint, WorkerId};
use crate::service::patrols::{self, PatrolError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Most patrols one listing returns.
pub const MAX_PATROLS_LISTED: u32 = 500;

impl From<PatrolError> for ApiError {
    fn from(e: PatrolError) -> Self {
        match e {
            // Another worker's patrol is as good as absent.
            PatrolError::Unknown(_) | PatrolError::NotYours(_) => ApiError::NotFound {
                what: e
                    .to_string()
                    .replace(" not found", "")
                    .replace(" is another worker's", ""),
            },
            PatrolError::TooManyFixes(_) => ApiError::invalid("points", e.to_string()),
            PatrolError::BadTime { index, .. } => {
                ApiError::invalid(format!("points[{index}].at"), e.to_string())
            }
            PatrolError::Store(s) => ApiError::Store(s),
        }
    }
}

/// `POST /api/patrols`: 201 with the patrol; 409 when one is under way.
pub async fn start(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let worker = caller.own_worker("patrols")?;
    let patrol = patrols::start(state.store.as_ref(), &worker, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(json!(patrol.view(false)))).into_response())
}

/// One fix.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    pub lon: f64,
    pub lat: f64,
    /// When the phone took it (default: now).
    pub at: Option<DateTime<Utc>>,
}

/// Fixes sent together, in any supported CRS.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixesRequest {
    pub points: Vec<Fix>,
    pub crs: Option<String>,
}

/// `POST /api/patrols/{id}/points`: 204.
pub async fn points(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<FixesRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let worker = caller.own_worker("patrols")?;
    let Json(request) = body.map_err(ApiError::from)?;
    let now = Utc::now();
    let fixes = request
        .points
        .iter()
        .map(|f| {
            Ok(TrackPoint {
                location: point_from(f.lon, f.lat, request.crs.as_ref())?,
                at: f.at.unwrap_or(now),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    patrols::add_fixes(state.store.as_ref(), &PatrolId(id), &worker, &fixes, now).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/patrols/{id}/stop`: the patrol with its length, grids and buildings passed.
pub async fn stop(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let worker = caller.own_worker("patrols")?;
    let patrol = patrols::stop(
        &state.engine,
        state.store.as_ref(),
        &PatrolId(id),
        &worker,
        Utc::now(),
    )
    .await?;
    Ok(Json(json!(patrol.view(true))))
}

/// `GET /api/patrols`: newest first, without tracks.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    refuse_unknown_params(&params, &["worker", "from", "to", "limit"])?;
    let worker =
        caller.readable_worker(params.get("worker").map(|w| WorkerId(w.clone())), "patrols")?;
    let limit = limit_param(&params, MAX_PATROLS_LISTED)?;
    let list = state
        .store
        .patrols(
            worker.as_ref(),
            time_param(&params, "from")?,
            time_param(&params, "to")?,
            limit,
        )
        .await?;
    let views: Vec<_> = list.iter().map(|p| p.view(false)).collect();
    Ok(Json(json!({ "patrols": views })))
}

/// `GET /api/patrols/{id}`: with its track as a GeoJSON LineString.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Worker, "patrols")?;
    let worker = (!caller.has(Role::Dispatcher))
        .then(|| caller.worker.clone().unwrap_or(WorkerId(String::new())));
    let patrol = patrols::show(state.store.as_ref(), &PatrolId(id), worker.as_ref()).await?;
    Ok(Json(json!(patrol.view(true))))
}
