//! `GET /api/incidents/queue` (dispatcher and up): the workbench's incident list — filtered by
//! status, overdue, category, area (district, street, community or grid code) and source,
//! searchable by id, soonest deadline first, with names and the counts per status.

use super::AppState;
use super::auth::Caller;
use super::dispatch::{incident_with_names, limit_param};
use super::layers::code_prefix_param;
use super::problem::ApiError;
use crate::domain::{IncidentSource, IncidentStatus, Role, Taxonomy};
use crate::engine::{DeadlineFilter, IncidentFilter, read};
use axum::Json;
use axum::extract::{Query, State};
use chrono::Utc;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Most incidents a page holds.
const MAX_PAGE: u32 = 500;
/// Incidents a page holds when no `limit` is given.
const DEFAULT_PAGE: u32 = 100;

/// The filter the query asks for; an unknown parameter or value names itself.
fn filter_from(
    params: &HashMap<String, String>,
    taxonomy: &Taxonomy,
) -> Result<IncidentFilter, ApiError> {
    let mut filter = IncidentFilter::default();
    for (key, value) in params {
        let value = value.trim();
        match key.as_str() {
            "status" => filter.statuses = statuses(value)?,
            "overdue" => {
                filter.deadline = match value {
                    "true" => DeadlineFilter::Overdue,
                    "false" | "" => DeadlineFilter::Any,
                    _ => return Err(ApiError::invalid("overdue", "must be true or false")),
                }
            }
            "category" => {
                filter.category =
                    Some(taxonomy.get(value).map(|c| c.name.clone()).ok_or_else(|| {
                        ApiError::invalid("category", format!("{value:?} is not a category"))
                    })?);
            }
            "area" if !value.is_empty() => filter.area = Some(code_prefix_param("area", value)?),
            "source" => {
                filter.source = Some(IncidentSource::parse(value).ok_or_else(|| {
                    ApiError::invalid("source", "must be worker, hotline or resident")
                })?);
            }
            "q" if !value.is_empty() => {
                if value.chars().count() > 64 {
                    return Err(ApiError::invalid("q", "must be at most 64 characters"));
                }
                filter.id_contains = Some(value.to_string());
            }
            "area" | "q" | "limit" | "offset" => {}
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown parameter (use status, overdue, category, area, source, q, limit, offset)",
                ));
            }
        }
    }
    Ok(filter)
}

/// `status=reported,returned` or `status=open` (every status but closed); empty is any.
fn statuses(value: &str) -> Result<Vec<IncidentStatus>, ApiError> {
    if value == "open" {
        return Ok(IncidentStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect());
    }
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            IncidentStatus::parse(s).ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    format!("{s:?} is not a status (reported, assigned, in_progress, resolved, closed, returned or open)"),
                )
            })
        })
        .collect()
}

/// `GET /api/incidents/queue`.
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "the incident queue")?;
    let filter = filter_from(&params, &state.taxonomy)?;
    let limit = match params.get("limit") {
        Some(_) => limit_param(&params, MAX_PAGE)?,
        None => DEFAULT_PAGE,
    };
    let offset: usize = params
        .get("offset")
        .map(|v| v.parse())
        .transpose()
        .map_err(|_| ApiError::invalid("offset", "must be a non-negative integer"))?
        .unwrap_or(0);
    let now = Utc::now();
    let engine = read(&state.engine);
    let page = engine
        .incidents()
        .queue(&filter, now, offset, limit as usize);
    Ok(Json(json!({
        "at": now,
        "total": page.total,
        "offset": offset,
        "per_status": page.per_status,
        "overdue": page.overdue,
        "incidents": page.incidents.iter().map(|i| incident_with_names(&engine, &state.taxonomy, i)).collect::<Vec<_>>(),
    })))
}
