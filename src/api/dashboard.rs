//! The leaders' dashboard (dispatcher role and up): `GET /api/dashboard` (every unit of a
//! level with its figures), `GET /api/dashboard/trend` (one unit's figures per day, week or
//! month) and `GET /api/dashboard/export.xlsx` (both as a workbook).

use super::AppState;
use super::auth::Caller;
use super::dispatch::time_param;
use super::exports::{failed, workbook};
use super::problem::{ApiError, refuse_unknown_params};
use crate::domain::Role;
use crate::engine::read;
use crate::service::evaluation::{
    self, Evaluation, EvaluationError, EvaluationLevel, EvaluationScope, TrendPoint, TrendStep,
};
use crate::service::office_workbooks::evaluation_workbook;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The period when none is asked: the last 30 days.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

impl From<EvaluationError> for ApiError {
    fn from(e: EvaluationError) -> Self {
        match e {
            EvaluationError::EmptyPeriod => Self::invalid("to", e.to_string()),
            EvaluationError::BadArea(_) => Self::invalid("within", e.to_string()),
            EvaluationError::TooManyPoints => Self::invalid("step", e.to_string()),
            EvaluationError::Store(s) => Self::Store(s),
        }
    }
}

/// `from`, `to`, `level` and `within` as an evaluation's scope.
fn scope(params: &HashMap<String, String>) -> Result<EvaluationScope, ApiError> {
    let now = Utc::now();
    let to = time_param(params, "to")?.unwrap_or(now);
    let from = time_param(params, "from")?.unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS));
    let level = match params.get("level") {
        None => EvaluationLevel::Community,
        Some(v) => EvaluationLevel::parse(v).ok_or_else(|| {
            ApiError::invalid(
                "level",
                "must be district, street, community, grid or worker",
            )
        })?,
    };
    Ok(EvaluationScope {
        from,
        to,
        level,
        within: params.get("within").cloned(),
        now,
    })
}

/// The most characters of a trend's `unit` (an area code or a worker id).
pub const MAX_UNIT_CHARS: usize = 64;

/// `unit`: an area code or a worker id, when given.
fn unit(params: &HashMap<String, String>) -> Result<Option<&str>, ApiError> {
    match params.get("unit").map(String::as_str) {
        Some(u) if u.is_empty() || u.chars().count() > MAX_UNIT_CHARS => Err(ApiError::invalid(
            "unit",
            format!("must be an area code or a worker id of 1 to {MAX_UNIT_CHARS} characters"),
        )),
        other => Ok(other),
    }
}

fn step(params: &HashMap<String, String>) -> Result<TrendStep, ApiError> {
    params.get("step").map_or(Ok(TrendStep::Day), |v| {
        TrendStep::parse(v).ok_or_else(|| ApiError::invalid("step", "must be day, week or month"))
    })
}

async fn evaluation_of(state: &AppState, scope: &EvaluationScope) -> Result<Evaluation, ApiError> {
    Ok(evaluation::evaluate(&state.engine, state.store.as_ref(), scope).await?)
}

fn trend_of(
    state: &AppState,
    scope: &EvaluationScope,
    unit: Option<&str>,
    step: TrendStep,
) -> Result<Vec<TrendPoint>, ApiError> {
    let engine = read(&state.engine);
    Ok(evaluation::trend(
        &engine,
        state.taxonomy.calendar(),
        scope,
        unit,
        step,
    )?)
}

/// `GET /api/dashboard?from=&to=&level=&within=`: each unit's incident figures, patrol
/// coverage and staffing, with the whole area's total.
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Evaluation>, ApiError> {
    caller.require(Role::Dispatcher, "the dashboard")?;
    refuse_unknown_params(&params, &["from", "to", "level", "within"])?;
    let scope = scope(&params)?;
    Ok(Json(evaluation_of(&state, &scope).await?))
}

/// `GET /api/dashboard/trend?from=&to=&step=day|week|month[&unit=]`: the figures of one
/// area (a code) or worker (an id), or of everything, per period.
pub async fn trend(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "the dashboard")?;
    refuse_unknown_params(&params, &["from", "to", "step", "unit"])?;
    let scope = scope(&params)?;
    let step = step(&params)?;
    let unit = unit(&params)?;
    let points = trend_of(&state, &scope, unit, step)?;
    Ok(Json(json!({
        "from": scope.from, "to": scope.to, "step": step, "unit": unit, "points": points,
    })))
}

/// `GET /api/dashboard/export.xlsx?from=&to=&level=&within=&step=[&unit=]`: the units'
/// table and the trend as a workbook (考核统计.xlsx).
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require(Role::Dispatcher, "the dashboard")?;
    refuse_unknown_params(&params, &["from", "to", "level", "within", "step", "unit"])?;
    let scope = scope(&params)?;
    let step = step(&params)?;
    let unit = unit(&params)?
        .or(scope.within.as_deref())
        .map(str::to_string);
    let evaluation = evaluation_of(&state, &scope).await?;
    let trend = trend_of(&state, &scope, unit.as_deref(), step)?;
    let bytes = evaluation_workbook(&evaluation, &trend).map_err(failed)?;
    Ok(workbook(bytes, "evaluation.xlsx", "考核统计.xlsx"))
}
