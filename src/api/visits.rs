//! Visits (走访): `POST /api/visits` (a worker token, buildings of its grids) and
//! `GET /api/visits?worker=&building=&from=&to=&limit=` (dispatcher and up; a worker sees
//! its own).

use super::AppState;
use super::auth::Caller;
use super::dispatch::{limit_param, time_param};
use super::problem::{ApiError, refuse_unknown_params};
use crate::domain::{BuildingId, PhotoId, WorkerId};
use crate::service::visits::{self, NewVisit, VisitError};
use crate::store::VisitQuery;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Most visits one listing returns.
pub const MAX_VISITS_LISTED: u32 = 1_000;

impl From<VisitError> for ApiError {
    fn from(e: VisitError) -> Self {
        match e {
            VisitError::UnknownBuilding(_) => ApiError::unfit("building", e.to_string()),
            VisitError::NotYourGrid { .. } => ApiError::unfit("building", e.to_string()),
            VisitError::BadText { field, reason } => ApiError::invalid(field, reason.to_string()),
            VisitError::Photos(p) => p.into(),
            VisitError::Store(s) => ApiError::Store(s),
        }
    }
}

/// A visit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitRequest {
    pub building: String,
    pub household: Option<String>,
    pub note: String,
    #[serde(default)]
    pub photos: Vec<PhotoId>,
}

/// `POST /api/visits`: 201 with the visit.
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<VisitRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let worker = caller.own_worker("recording visits")?;
    let Json(request) = body.map_err(ApiError::from)?;
    let visit = visits::record(
        &state.engine,
        state.store.as_ref(),
        &worker,
        NewVisit {
            building: BuildingId(request.building),
            household: request.household.filter(|h| !h.trim().is_empty()),
            note: request.note,
            photos: request.photos,
        },
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!(visit))).into_response())
}

/// `GET /api/visits`: newest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    refuse_unknown_params(&params, &["worker", "building", "from", "to", "limit"])?;
    let worker =
        caller.readable_worker(params.get("worker").map(|w| WorkerId(w.clone())), "visits")?;
    let limit = limit_param(&params, MAX_VISITS_LISTED)?;
    let query = VisitQuery {
        worker,
        building: params.get("building").map(|b| BuildingId(b.clone())),
        from: time_param(&params, "from")?,
        to: time_param(&params, "to")?,
        limit: Some(limit),
    };
    let visits = state.store.visits(&query).await?;
    Ok(Json(json!({ "visits": visits })))
}
