//! `GET /api/me/tasks` (a worker token): the worker's task list — open incidents assigned to
//! it, and the other open incidents of its grids — soonest deadline first, with names, for
//! the phone app.

use super::AppState;
use super::auth::Caller;
use super::dispatch::incident_with_names;
use super::problem::ApiError;
use crate::domain::Incident;
use crate::engine::read;
use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde_json::{Value, json};

/// `GET /api/me/tasks`.
pub async fn tasks(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let me = caller.own_worker("a task list")?;
    let engine = read(&state.engine);
    let grids = engine.workers().grids_of(&me);
    let mut assigned: Vec<&Incident> = Vec::new();
    let mut in_my_grids: Vec<&Incident> = Vec::new();
    for incident in engine.incidents().open() {
        if incident.assignee.as_ref() == Some(&me) {
            assigned.push(incident);
        } else if incident.grid.as_ref().is_some_and(|g| grids.contains(g)) {
            in_my_grids.push(incident);
        }
    }
    assigned.sort_by(|a, b| a.by_deadline(b));
    in_my_grids.sort_by(|a, b| a.by_deadline(b));
    let item = |i: &&Incident| incident_with_names(&engine, &state.taxonomy, i);
    Ok(Json(json!({
        "worker": me,
        "grids": grids,
        "at": Utc::now(),
        "assigned": assigned.iter().map(item).collect::<Vec<_>>(),
        "in_my_grids": in_my_grids.iter().map(item).collect::<Vec<_>>(),
    })))
}
