//! The workers list through the API (planner and admin): `POST /api/workers` adds one,
//! `PATCH /api/workers/{id}` edits one, `POST /api/workers/{id}/retire` retires one,
//! `GET /api/workers/{id}/history` shows the record of changes. Each change is checked
//! against the grids the server knows and recorded with the caller's label and role;
//! dispatch and staffing use it at once.

use super::AppState;
use super::auth::Caller;
use super::problem::{ApiError, refuse_unknown_params};
use crate::domain::{Actor, Role, Worker, WorkerChange, WorkerId, WorkerRecord};
use crate::engine::{read, write};
use crate::service::worker_roster::{self, GridDirectory, RosterError, WorkerDraft, WorkerEdit};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// Most changes one history request returns.
pub const MAX_HISTORY: u32 = 1_000;

impl From<RosterError> for ApiError {
    fn from(e: RosterError) -> Self {
        match e {
            RosterError::UnknownWorker(id) => ApiError::NotFound {
                what: format!("worker {id}"),
            },
            RosterError::AlreadyExists(_) | RosterError::Retired { .. } => ApiError::Conflict {
                detail: e.to_string(),
            },
            RosterError::Invalid { field, reason } => ApiError::invalid(field, reason),
            RosterError::Unfit { field, reason } => ApiError::unfit(field, reason),
            RosterError::Store(e) => ApiError::Store(e),
        }
    }
}

fn actor(caller: &Caller) -> Actor {
    Actor {
        label: caller.who.to_string(),
        role: caller.role,
    }
}

fn directory(state: &AppState) -> GridDirectory {
    let engine = read(&state.engine);
    GridDirectory::new(
        engine.community_names().keys().cloned(),
        engine
            .grid_info()
            .iter()
            .map(|(g, info)| (g, &info.community, info.kind)),
    )
}

/// Puts a written worker into the engine, keeping the position it has now (a position
/// that arrived while the change was written is newer than the stored one).
fn publish(state: &AppState, mut worker: Worker) {
    let mut engine = write(&state.engine);
    if let Some(current) = engine.workers().get(&worker.id)
        && current.position_at > worker.position_at
    {
        worker.position = current.position;
        worker.position_at = current.position_at;
    }
    engine.upsert_worker(worker);
}

async fn answer(
    state: &AppState,
    status: StatusCode,
    result: Result<Worker, RosterError>,
) -> Result<Response, ApiError> {
    let worker = result?;
    let record = WorkerRecord::from(&worker);
    publish(state, worker);
    Ok((status, Json(record)).into_response())
}

/// `POST /api/workers`: 201 with the worker; 409 if the id exists.
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<WorkerDraft>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Role::Planner, "adding workers")?;
    let Json(draft) = body?;
    let directory = directory(&state);
    let result = worker_roster::add(state.store.as_ref(), &directory, &actor(&caller), draft).await;
    answer(&state, StatusCode::CREATED, result).await
}

/// `PATCH /api/workers/{id}`: 200 with the worker as it is now.
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<WorkerEdit>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Role::Planner, "editing workers")?;
    let Json(edit) = body?;
    state.flush_positions().await?;
    let directory = directory(&state);
    let result = worker_roster::edit(
        state.store.as_ref(),
        &directory,
        &actor(&caller),
        &WorkerId(id),
        edit,
    )
    .await;
    answer(&state, StatusCode::OK, result).await
}

/// `POST /api/workers/{id}/retire`: 200 with the retired worker; 409 if already retired.
pub async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(Role::Planner, "retiring workers")?;
    state.flush_positions().await?;
    let result = worker_roster::retire(state.store.as_ref(), &actor(&caller), &WorkerId(id)).await;
    answer(&state, StatusCode::OK, result).await
}

/// `GET /api/workers/{id}/history`: the recorded changes, newest first.
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<WorkerChange>>, ApiError> {
    caller.require(Role::Planner, "the workers' record")?;
    refuse_unknown_params(&params, &["limit"])?;
    let limit = match params.get("limit") {
        None => 100,
        Some(n) => n
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_HISTORY).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", format!("must be 1 to {MAX_HISTORY}")))?,
    };
    let id = WorkerId(id);
    let changes = state.store.worker_changes(Some(&id), limit).await?;
    if changes.is_empty() {
        let query = crate::store::LayerQuery {
            ids: Some(vec![id.to_string()]),
            ..Default::default()
        };
        if state.store.workers(&query).await?.is_empty() {
            return Err(ApiError::NotFound {
                what: format!("worker {id}"),
            });
        }
    }
    Ok(Json(changes))
}
