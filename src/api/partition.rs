//! `POST /api/partition` (planner role): partition a community, a street or everything;
//! `dry_run` previews the grids (GeoJSON) without writing.

use super::AppState;
use super::auth::Caller;
use super::problem::ApiError;
use crate::domain::Audience;
use crate::domain::Role;
use crate::features::collection;
use crate::partition::{PartitionOptions, Start};
use crate::service::engine_sync;
use crate::service::partition_job::{self, Commit, JobStop, PartitionJobError, Scope};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::Deserialize;
use serde_json::{Value, json};

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionRequest {
    pub community: Option<String>,
    pub street: Option<String>,
    #[serde(default)]
    pub all: bool,
    #[serde(default, deserialize_with = "super::whole_number::option")]
    pub target: Option<u32>,
    pub tolerance: Option<f64>,
    #[serde(default, deserialize_with = "super::whole_number::option")]
    pub seed: Option<u64>,
    #[serde(default)]
    pub dry_run: bool,
    /// Start from the current grids (see `Start::KeepExisting`).
    #[serde(default)]
    pub keep_existing: bool,
}

impl From<PartitionJobError> for ApiError {
    fn from(e: PartitionJobError) -> Self {
        match e {
            PartitionJobError::Store(s) => ApiError::Store(s),
            PartitionJobError::EmptyScope(what) => ApiError::NotFound { what },
            PartitionJobError::Partition(p) => p.into(),
            other => ApiError::Unprocessable {
                detail: other.to_string(),
            },
        }
    }
}

/// `POST /api/partition`.
pub async fn partition(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PartitionRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Planner, "partitioning")?;
    let Json(request) = body.map_err(ApiError::from)?;
    let scope = match (&request.community, &request.street, request.all) {
        (Some(c), None, false) => {
            Scope::Community(c.parse().map_err(|e: crate::domain::CodeError| {
                ApiError::invalid("community", e.to_string())
            })?)
        }
        (None, Some(s), false) => {
            Scope::Street(s.parse().map_err(|e: crate::domain::CodeError| {
                ApiError::invalid("street", e.to_string())
            })?)
        }
        (None, None, true) => Scope::All,
        _ => {
            return Err(ApiError::invalid(
                "community",
                "give exactly one of `community`, `street` or `all: true`",
            ));
        }
    };
    let defaults = PartitionOptions::default();
    let options = PartitionOptions {
        target: request.target.unwrap_or(defaults.target),
        tolerance: request.tolerance.unwrap_or(defaults.tolerance),
        seed: request.seed.unwrap_or(defaults.seed),
        start: if request.keep_existing {
            Start::KeepExisting
        } else {
            Start::Fresh
        },
        ..defaults
    };
    // Refused before any work (a tolerance of 5e-324 once ran for 46 s).
    options.check()?;
    let commit = if request.dry_run {
        Commit::DryRun
    } else {
        Commit::Write
    };
    let report = partition_job::run_detached(
        state.store.as_ref(),
        &scope,
        &options,
        commit,
        JobStop::after(state.job_time_limit()),
    )
    .await?;
    if report.committed {
        // The engine locates in the new grids from the next request on.
        engine_sync::reload_plan(state.store.as_ref(), &state.engine, &[]).await?;
    }
    let mut body = json!({
        "scope": report.scope,
        "committed": report.committed,
        "options": report.options,
        "metrics": report.metrics,
        "grid_metrics": report.grids,
        "outside_communities": report.outside_communities,
        "without_buildings": report.without_buildings,
    });
    if request.dry_run {
        let grids: Vec<_> = report
            .plans
            .iter()
            .flat_map(|p| p.grids.iter().map(|g| g.grid.clone()))
            .collect();
        body["grids"] =
            serde_json::to_value(collection(&grids, Audience::Internal)).unwrap_or(Value::Null);
    }
    Ok(Json(body))
}
