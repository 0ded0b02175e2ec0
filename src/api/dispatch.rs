//! Dispatch endpoints over the engine: locate a point, nearest on-duty workers, worker
//! positions, the incidents' closed loop (report, steps, overdue, statistics, H3 counts),
//! staffing checks, nearest stations and the features in a box.

use super::AppState;
use super::auth::{Caller, caller_scope};
use super::problem::ApiError;
use crate::crs::Crs;
use crate::domain::*;
use crate::engine::WALK_M_PER_MIN;
use crate::engine::{AreaLevel, DEFAULT_H3_RESOLUTION};
use crate::engine::{Engine, read, write};
use crate::features::{ToFeature, collection};
use crate::routing::RoutingError;
use crate::service::dispatch::{self, Actor, DispatchError, MAX_TEXT_CHARS, NewIncident, Step};
use crate::service::staffing::{self, StaffingOptions};
use crate::store::Reported;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use geo_types::Point;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Most workers a nearest query returns.
const MAX_K: usize = 100;

impl From<DispatchError> for ApiError {
    fn from(e: DispatchError) -> Self {
        match e {
            DispatchError::Store(s) => ApiError::Store(s),
            DispatchError::UnknownCategory(_) => ApiError::invalid("category", e.to_string()),
            DispatchError::BadText { field, reason } => {
                ApiError::invalid(field, reason.to_string())
            }
            DispatchError::KeyReused(_) => ApiError::Unprocessable {
                detail: format!("Idempotency-Key: {e}"),
            },
            DispatchError::UnknownIncident(_) => ApiError::NotFound {
                what: e.to_string().replace(" not found", ""),
            },
            DispatchError::UnknownWorker(_) => ApiError::unfit("worker", e.to_string()),
            DispatchError::Photos(p) => p.into(),
            DispatchError::IllegalTransition { .. } | DispatchError::NoWorker(_) => {
                ApiError::Conflict {
                    detail: e.to_string(),
                }
            }
        }
    }
}

/// How many answers (`k`, 1..=[`MAX_K`]), `default` when absent.
fn k_param(params: &HashMap<String, String>, default: usize) -> Result<usize, ApiError> {
    params.get("k").map_or(Ok(default), |v| {
        v.parse::<usize>()
            .ok()
            .filter(|k| (1..=MAX_K).contains(k))
            .ok_or_else(|| ApiError::invalid("k", format!("must be an integer 1..={MAX_K}")))
    })
}

/// A number parameter, named in the error.
fn number(params: &HashMap<String, String>, name: &str) -> Result<f64, ApiError> {
    let raw = params
        .get(name)
        .ok_or_else(|| ApiError::invalid(name, "is required"))?;
    raw.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ApiError::invalid(name, format!("must be a number, got {raw:?}")))
}

fn crs_param(value: Option<&String>) -> Result<Crs, ApiError> {
    value.map_or(Ok(Crs::Wgs84), |v| {
        v.parse()
            .map_err(|_| ApiError::invalid("crs", "must be wgs84, cgcs2000, gcj02 or bd09"))
    })
}

/// A WGS84 point from lon/lat in any supported CRS, range-checked.
fn point(lon: f64, lat: f64, crs: Crs) -> Result<Point<f64>, ApiError> {
    if !(-180.0..=180.0).contains(&lon) {
        return Err(ApiError::invalid("lon", "must be within -180..180"));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(ApiError::invalid("lat", "must be within -90..90"));
    }
    let (x, y) = crs.to_wgs84(lon, lat);
    Ok(Point::new(x, y))
}

/// A WGS84 point from a body's lon, lat and optional CRS name.
pub(super) fn point_from(lon: f64, lat: f64, crs: Option<&String>) -> Result<Point<f64>, ApiError> {
    point(lon, lat, crs_param(crs)?)
}

pub(super) fn query_point(params: &HashMap<String, String>) -> Result<Point<f64>, ApiError> {
    point(
        number(params, "lon")?,
        number(params, "lat")?,
        crs_param(params.get("crs"))?,
    )
}

/// A `limit` parameter, 1..=`max`; `max` when absent.
pub(super) fn limit_param(params: &HashMap<String, String>, max: u32) -> Result<u32, ApiError> {
    params.get("limit").map_or(Ok(max), |v| {
        v.parse::<u32>()
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| ApiError::invalid("limit", format!("must be an integer 1..={max}")))
    })
}

pub(super) fn time_param(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    params
        .get(name)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::invalid(name, "must be an RFC 3339 time, e.g. 2026-11-01T08:00:00Z")
                })
        })
        .transpose()
}

/// `GET /api/locate?lon=&lat=[&crs=]`: the grid, community and street holding a point
/// (public; `null`s outside every one).
pub async fn locate(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let p = query_point(&params)?;
    let location = read(&state.engine).locate(p);
    Ok(Json(json!({
        "lon": p.x(), "lat": p.y(),
        "inside": location.grid.is_some() || location.community.is_some(),
        "location": location,
    })))
}

/// `GET /api/dispatch/nearest?lon=&lat=&k=[&mode=straight|walk|ebike][&crs=]`
/// (dispatcher): the k nearest on-duty workers, the workers of the point's grid first; with
/// `walk` or `ebike`, nearest along the walking network, each with `network_m`, `minutes`
/// and its `route`.
pub async fn nearest(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "nearest workers")?;
    let p = query_point(&params)?;
    let k = k_param(&params, 5)?;
    let mode = match params.get("mode").map(String::as_str) {
        None | Some("straight") => None,
        Some("walk") => Some(TravelMode::Walk),
        Some("ebike") => Some(TravelMode::EBike),
        Some(_) => return Err(ApiError::invalid("mode", "must be straight, walk or ebike")),
    };
    let engine = read(&state.engine);
    let grid = engine.grids().locate(p).cloned();
    let Some(mode) = mode else {
        let workers = engine.workers().nearest(p, grid.as_ref(), k);
        return Ok(Json(json!({ "grid": grid, "workers": workers })));
    };
    let speed = speed_param(&params, mode.m_per_min())?;
    // An hour's travel at most.
    let found = engine
        .nearest_workers_on_network(p, k, speed * 60.0)
        .map_err(walk_error)?;
    let workers: Vec<Value> = found
        .into_iter()
        .map(|(w, metres, route)| {
            let mut v = serde_json::to_value(&w).unwrap_or(Value::Null);
            v["network_m"] = json!(metres.round());
            v["minutes"] = json!((metres / speed).ceil());
            v["route"] = serde_json::to_value(geojson::Geometry::new(geojson::Value::from(&route)))
                .unwrap_or(Value::Null);
            v
        })
        .collect();
    Ok(Json(
        json!({ "grid": grid, "mode": mode.as_str(), "m_per_min": speed, "workers": workers }),
    ))
}

/// How a worker goes to an incident: on foot or by e-bike, along the same walking network
/// (walls and gates as on foot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TravelMode {
    Walk,
    EBike,
}

impl TravelMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Walk => "walk",
            Self::EBike => "ebike",
        }
    }

    /// Metres a minute unless the caller says otherwise: 72 on foot (4.3 km/h), 250 by
    /// e-bike (15 km/h in town).
    pub fn m_per_min(self) -> f64 {
        match self {
            Self::Walk => WALK_M_PER_MIN,
            Self::EBike => EBIKE_M_PER_MIN,
        }
    }
}

/// E-bike speed in town, in metres a minute (15 km/h).
const EBIKE_M_PER_MIN: f64 = 250.0;

/// The speeds a caller may ask for, in metres a minute (a slow walk to a fast ride).
pub const SPEED_M_PER_MIN: std::ops::RangeInclusive<f64> = 20.0..=600.0;

/// `m_per_min`: the caller's speed in metres a minute (an older resident walks ~50), else
/// `default`.
fn speed_param(params: &HashMap<String, String>, default: f64) -> Result<f64, ApiError> {
    params.get("m_per_min").map_or(Ok(default), |v| {
        v.parse::<f64>()
            .ok()
            .filter(|m| SPEED_M_PER_MIN.contains(m))
            .ok_or_else(|| {
                ApiError::invalid(
                    "m_per_min",
                    format!(
                        "must be metres a minute {}..={}",
                        SPEED_M_PER_MIN.start(),
                        SPEED_M_PER_MIN.end()
                    ),
                )
            })
    })
}

/// A position update.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionUpdate {
    pub lon: f64,
    pub lat: f64,
    pub crs: Option<String>,
    /// When the position was taken (default: now).
    pub at: Option<DateTime<Utc>>,
    pub duty: Option<DutyStatus>,
}

/// Whether a worker token may step an incident: it is assigned to the token's worker, or
/// it is open and lies in one of that worker's grids. An unknown incident is left to the
/// step itself (404).
fn worker_may_step(state: &AppState, caller: &Caller, id: &IncidentId) -> bool {
    // An incident the engine does not know is answered later, as not found. (The read
    // guard ends with this statement: `worker_works_on` takes its own.)
    let known = read(&state.engine).incidents().get(id).is_some();
    !known || worker_works_on(state, caller, id)
}

/// Whether a worker token's worker is assigned an incident, or serves its grid while it is
/// open.
pub(super) fn worker_works_on(state: &AppState, caller: &Caller, id: &IncidentId) -> bool {
    let Some(worker) = &caller.worker else {
        return false;
    };
    let engine = read(&state.engine);
    engine
        .incidents()
        .get(id)
        .is_some_and(|incident| engine.worker_works_on(worker, incident))
}

/// `POST /api/workers/{id}/position` (worker role and up): cheap, frequent; the engine
/// has it at once, the store within a quarter second.
pub async fn position(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<PositionUpdate>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Worker, "position updates")?;
    let id = WorkerId(id);
    if !caller.acts_for(&id) {
        return Err(ApiError::Forbidden {
            role: caller.role.as_str().into(),
            what: format!("the position of worker {id} (a worker token moves its own worker)"),
        });
    }
    let Json(update) = body.map_err(ApiError::from)?;
    let p = point(update.lon, update.lat, crs_param(update.crs.as_ref())?)?;
    {
        let mut engine = write(&state.engine);
        if let Some(duty) = update.duty
            && let Some(mut w) = engine.workers().get(&id).cloned()
        {
            w.duty = duty;
            engine.upsert_worker(w);
        }
        engine
            .set_worker_position(&id, p, update.at.unwrap_or_else(Utc::now))
            .map_err(|e| ApiError::NotFound {
                what: e.to_string().replace("unknown ", ""),
            })?;
    }
    state.positions.touch(id);
    Ok(StatusCode::NO_CONTENT)
}

/// A report.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    pub lon: f64,
    pub lat: f64,
    pub crs: Option<String>,
    pub category: String,
    pub description: String,
    pub source: IncidentSource,
    /// Ids of photos uploaded before (`POST /api/photos`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoId>,
}

pub(super) fn incident_json(i: &Incident) -> Value {
    let mut f = serde_json::to_value(i.to_feature(Audience::Internal)).unwrap_or(Value::Null);
    f["properties"]["deadline_at"] = json!(i.deadline_at);
    f["properties"]["closed_at"] = json!(i.closed_at);
    f["properties"]["overdue"] = json!(i.is_overdue(Utc::now()));
    f
}

/// An incident as staff read it: [`incident_json`] plus the names behind its codes (the
/// assignee's name, the community of its grid) and the time left to its deadline in its
/// category's unit (工作时, 工作日 or hours).
pub(super) fn incident_with_names(engine: &Engine, taxonomy: &Taxonomy, i: &Incident) -> Value {
    let mut f = incident_json(i);
    f["properties"]["time_left"] = json!(taxonomy.time_left(i, Utc::now()));
    let community = i.grid.as_ref().map(GridCode::community);
    f["properties"]["assignee_name"] = json!(worker_name(engine, i.assignee.as_ref()));
    f["properties"]["community_name"] =
        json!(community.and_then(|c| engine.community_names().get(&c).cloned()));
    f
}

/// A worker's name, when the worker is known.
fn worker_name(engine: &Engine, worker: Option<&WorkerId>) -> Option<String> {
    worker
        .and_then(|w| engine.workers().get(w))
        .map(|w| w.name.clone())
}

/// `POST /api/incidents` (worker role and up; an `Idempotency-Key` header makes
/// resubmissions safe): 201 with the incident located and assigned, or 200 with the first
/// incident of a repeated key.
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Json<ReportRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Role::Worker, "reporting incidents")?;
    let Json(request) = body.map_err(ApiError::from)?;
    let location = point(request.lon, request.lat, crs_param(request.crs.as_ref())?)?;
    // The key is the caller's own and bound to this report: the same key from another
    // caller is another key; the same key with another report is refused.
    let request_bytes = serde_json::to_vec(&request).unwrap_or_default();
    let key = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .map(|k| IdempotencyKey::new(&caller_scope(&headers), k, &request_bytes))
                .ok_or_else(|| {
                    ApiError::invalid("Idempotency-Key", "must be 1 to 200 visible characters")
                })
        })
        .transpose()?;
    let actor = Actor {
        who: caller.who.to_string(),
        now: Utc::now(),
    };
    let (incident, reported) = dispatch::report(
        &state.engine,
        state.store.as_ref(),
        &state.taxonomy,
        NewIncident {
            location,
            category: request.category,
            description: request.description,
            source: request.source,
            photos: request.photos,
            tracking_code_sha256: None,
        },
        &actor,
        key.as_ref(),
    )
    .await?;
    let status = match reported {
        Reported::Created => StatusCode::CREATED,
        Reported::Duplicate(_) | Reported::KeyReused(_) => StatusCode::OK,
    };
    Ok((status, Json(incident_json(&incident))).into_response())
}

/// `GET /api/incidents/{id}` (dispatcher): the incident and its steps.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "incidents")?;
    let id = IncidentId(id);
    let incident = read(&state.engine)
        .incidents()
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound {
            what: format!("incident {id}"),
        })?;
    let steps = state.store.incident_events(&id).await?;
    let engine = read(&state.engine);
    let mut body = incident_with_names(&engine, &state.taxonomy, &incident);
    let steps: Vec<Value> = steps
        .iter()
        .map(|step| {
            let mut v = json!(step);
            v["worker_name"] = json!(worker_name(&engine, step.worker.as_ref()));
            v
        })
        .collect();
    body["properties"]["steps"] = json!(steps);
    Ok(Json(body))
}

/// A step request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    pub action: String,
    pub worker: Option<String>,
    pub note: Option<String>,
    /// Ids of photos uploaded before (`POST /api/photos`).
    #[serde(default)]
    pub photos: Vec<PhotoId>,
}

/// `POST /api/incidents/{id}/steps` (worker role and up; assign needs a dispatcher):
/// `{"action": "assign"|"start"|"resolve"|"close"|"return", "worker"?, "note"?}`; an
/// illegal step (e.g. resolving a closed incident) or a stale one is 409.
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<StepRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Worker, "incident steps")?;
    let Json(request) = body.map_err(ApiError::from)?;
    let action = IncidentAction::parse(&request.action)
        .filter(|a| *a != IncidentAction::Report)
        .ok_or_else(|| {
            ApiError::invalid("action", "must be assign, start, resolve, close or return")
        })?;
    if matches!(action, IncidentAction::Assign | IncidentAction::Close) {
        caller.require(Role::Dispatcher, "assigning and closing incidents")?;
    }
    if let Some(note) = &request.note {
        check_text(note, MAX_TEXT_CHARS, Lines::Multi)
            .map_err(|reason| ApiError::invalid("note", reason.to_string()))?;
    }
    let id = IncidentId(id);
    if !caller.has(Role::Dispatcher) && !worker_may_step(&state, &caller, &id) {
        return Err(ApiError::Forbidden {
            role: caller.role.as_str().into(),
            what: format!(
                "incident {id} (a worker steps incidents assigned to it or open in its grids)"
            ),
        });
    }
    let actor = Actor {
        who: caller.who.to_string(),
        now: Utc::now(),
    };
    let incident = dispatch::step(
        &state.engine,
        state.store.as_ref(),
        &id,
        Step {
            action,
            worker: request.worker.map(WorkerId),
            note: request.note,
            photos: request.photos,
        },
        &actor,
    )
    .await?;
    Ok(Json(incident_json(&incident)))
}

/// `GET /api/incidents/overdue` (dispatcher): open incidents past their deadline.
pub async fn overdue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "overdue incidents")?;
    let now = Utc::now();
    let engine = read(&state.engine);
    let list: Vec<Incident> = engine
        .incidents()
        .overdue(now)
        .into_iter()
        .cloned()
        .collect();
    Ok(Json(
        serde_json::to_value(collection(&list, Audience::Internal)).unwrap_or(Value::Null),
    ))
}

/// `GET /api/incidents/stats?by=grid|community|street[&from=&to=]` (dispatcher): reported,
/// closed, closure rate, median hours to close and overdue per area.
pub async fn stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "incident statistics")?;
    let level = params
        .get("by")
        .map_or(Some(AreaLevel::Community), |v| AreaLevel::parse(v))
        .ok_or_else(|| ApiError::invalid("by", "must be grid, community or street"))?;
    let (from, to) = (time_param(&params, "from")?, time_param(&params, "to")?);
    let stats = read(&state.engine)
        .incidents()
        .stats(level, from, to, Utc::now());
    Ok(Json(
        json!({ "by": level, "from": from, "to": to, "areas": stats }),
    ))
}

/// Finest H3 resolution the public may ask for (res 8: cells of about 0.7 km²).
pub const PUBLIC_H3_MAX_RESOLUTION: u8 = 8;
/// Public cells with fewer reports than this are left out (no count singles out a report).
pub const PUBLIC_MIN_CELL_COUNT: u64 = 5;

/// `GET /api/incidents/h3[?resolution=9&from=&to=]`: incidents per H3 cell. Staff
/// (dispatcher and up) get any resolution 5–12 and every cell; the public gets resolution
/// 8 or coarser, whole UTC days (`from` down, `to` up to midnight) and only cells of at
/// least [`PUBLIC_MIN_CELL_COUNT`] reports, so no answer singles out a person or a report.
pub async fn h3_counts(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let staff = caller.has(Role::Dispatcher);
    let finest = if staff { 12 } else { PUBLIC_H3_MAX_RESOLUTION };
    let refused = || ApiError::invalid("resolution", format!("must be an integer 5..={finest}"));
    let resolution = match params.get("resolution") {
        None => DEFAULT_H3_RESOLUTION.min(finest),
        Some(v) => v
            .parse::<u8>()
            .ok()
            .filter(|r| (5..=finest).contains(r))
            .ok_or_else(refused)?,
    };
    let res = h3o::Resolution::try_from(resolution).map_err(|_| refused())?;
    let (mut from, mut to) = (time_param(&params, "from")?, time_param(&params, "to")?);
    if !staff {
        from = from.map(day_floor);
        to = to.map(|t| {
            let floor = day_floor(t);
            if floor == t {
                t
            } else {
                floor + chrono::Duration::days(1)
            }
        });
    }
    let mut cells = read(&state.engine).incidents().per_h3_cell(res, from, to);
    if !staff {
        cells.retain(|_, count| *count >= PUBLIC_MIN_CELL_COUNT);
    }
    Ok(Json(json!({ "resolution": resolution, "cells": cells })))
}

/// Midnight (UTC) of a time's day.
fn day_floor(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(t, |midnight| midnight.and_utc())
}

/// `GET /api/incident-categories` (public): the taxonomy with deadlines.
pub async fn categories(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "categories": state.taxonomy.categories() }))
}

/// `GET /api/staffing[?ratio=18&target=300]` (dispatcher): grids without a worker,
/// communities below the ratio of community workers per 10,000 residents, grids far above
/// the household target.
pub async fn staffing(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Dispatcher, "staffing checks")?;
    let mut options = StaffingOptions::default();
    if let Some(v) = params.get("ratio") {
        options.workers_per_10k_residents = v
            .parse::<f64>()
            .ok()
            .filter(|r| *r > 0.0 && r.is_finite())
            .ok_or_else(|| ApiError::invalid("ratio", "must be a positive number"))?;
    }
    if let Some(v) = params.get("target") {
        options.target_households = v
            .parse::<u32>()
            .ok()
            .filter(|t| *t > 0)
            .ok_or_else(|| ApiError::invalid("target", "must be a positive integer"))?;
    }
    let report = staffing::check(&read(&state.engine), &options);
    Ok(Json(serde_json::to_value(report).unwrap_or(Value::Null)))
}

/// `GET /api/stations/nearest?lon=&lat=[&k=3][&kind=][&mode=walk][&crs=]` (public): the
/// nearest service stations, with straight-line distance and walking minutes; with
/// `mode=walk`, the nearest along the walking network, each also with `walking_m`,
/// `walking_min` and its `route` (a GeoJSON LineString).
pub async fn nearest_stations(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let p = query_point(&params)?;
    let k = k_param(&params, 3)?;
    let kind = params
        .get("kind")
        .map(|v| {
            StationKind::parse(v).ok_or_else(|| ApiError::invalid("kind", "unknown station kind"))
        })
        .transpose()?;
    let speed = speed_param(&params, WALK_M_PER_MIN)?;
    match params.get("mode").map(String::as_str) {
        None | Some("straight") => {}
        Some("walk") => return nearest_stations_on_foot(&state, p, k, kind, speed),
        Some(_) => return Err(ApiError::invalid("mode", "must be walk or straight")),
    }
    let engine = read(&state.engine);
    let features: Vec<Value> = engine
        .nearest_stations(p, k, kind)
        .into_iter()
        .map(|(s, d)| {
            let mut f = serde_json::to_value(s.to_feature(Audience::Public)).unwrap_or(Value::Null);
            f["properties"]["distance_m"] = json!(d.round());
            f["properties"]["walk_min"] = json!((d / speed).ceil());
            f
        })
        .collect();
    Ok(Json(
        json!({"type": "FeatureCollection", "features": features}),
    ))
}

/// The nearest stations along the walking network, beside their straight-line figures.
fn nearest_stations_on_foot(
    state: &AppState,
    p: Point<f64>,
    k: usize,
    kind: Option<StationKind>,
    speed: f64,
) -> Result<Json<Value>, ApiError> {
    let engine = read(&state.engine);
    let frame = engine.walking().network().frame();
    let walks = engine
        .walking()
        .nearest_stations(p, k, |id| {
            kind.is_none_or(|k| engine.station_info().get(id).is_some_and(|s| s.kind == k))
        })
        .map_err(walk_error)?;
    let features: Vec<Value> = walks
        .into_iter()
        .filter_map(|w| {
            let s = engine.station_info().get(&w.station)?;
            let straight_m = frame.distance_m(p, s.location);
            let mut f = serde_json::to_value(s.to_feature(Audience::Public)).unwrap_or(Value::Null);
            f["properties"]["distance_m"] = json!(straight_m.round());
            f["properties"]["walk_min"] = json!((straight_m / speed).ceil());
            f["properties"]["walking_m"] = json!(w.walking_m.round());
            f["properties"]["walking_min"] = json!((w.walking_m / speed).ceil());
            f["properties"]["route"] =
                serde_json::to_value(geojson::Geometry::new(geojson::Value::from(&w.route)))
                    .unwrap_or(Value::Null);
            Some(f)
        })
        .collect();
    Ok(Json(
        json!({"type": "FeatureCollection", "features": features}),
    ))
}

/// A routing refusal as the caller's mistake: the point is off the network.
fn walk_error(e: RoutingError) -> ApiError {
    match e {
        RoutingError::EmptyNetwork => ApiError::unfit(
            "lon",
            "this district has no walking network (import its roads)",
        ),
        e @ RoutingError::TooFar { .. } => ApiError::unfit("lon", e.to_string()),
    }
}

/// The longest walk an area is drawn for, in minutes.
const MAX_AREA_MIN: u32 = 60;

/// `GET /api/walk/area?lon=&lat=[&minutes=15][&crs=]` or `?station=ID[&minutes=15]`
/// (public): the area within that many minutes on foot (at 72 m a minute) along the
/// walking network, as a GeoJSON Feature (MultiPolygon; holes where nothing is reached).
pub async fn walk_area(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let minutes = params.get("minutes").map_or(Ok(15), |v| {
        v.parse::<u32>()
            .ok()
            .filter(|m| (1..=MAX_AREA_MIN).contains(m))
            .ok_or_else(|| {
                ApiError::invalid("minutes", format!("must be an integer 1..={MAX_AREA_MIN}"))
            })
    })?;
    let speed = speed_param(&params, WALK_M_PER_MIN)?;
    let metres = f64::from(minutes) * speed;
    let engine = read(&state.engine);
    let walking = engine.walking();
    let area = match params.get("station") {
        Some(id) => {
            let id = StationId(id.clone());
            if !engine.station_info().contains_key(&id) {
                return Err(ApiError::NotFound {
                    what: format!("station {}", id.0),
                });
            }
            let snap = walking.station(&id).ok_or_else(|| {
                ApiError::unfit("station", "the station is off the walking network")
            })?;
            walking.area_from(snap, metres)
        }
        None => walking
            .area_from_point(query_point(&params)?, metres)
            .map_err(walk_error)?,
    };
    Ok(Json(json!({
        "type": "Feature",
        "geometry": geojson::Geometry::new(geojson::Value::from(&area)),
        "properties": {"minutes": minutes, "metres": metres, "walk_m_per_min": speed},
    })))
}

/// `GET /api/bbox?bbox=minLon,minLat,maxLon,maxLat`: the keys of each layer's features in a
/// box, from the engine; buildings and open incidents only for dispatchers and up.
pub async fn in_box(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let raw = params
        .get("bbox")
        .ok_or_else(|| ApiError::invalid("bbox", "is required"))?;
    let rect = super::layers::parse_bbox(raw)?;
    let (min, max) = ([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
    let mut contents =
        serde_json::to_value(read(&state.engine).in_box(min, max)).unwrap_or(Value::Null);
    if !caller.role.sees_internal_data()
        && let Some(map) = contents.as_object_mut()
    {
        map.remove("buildings");
        map.remove("open_incidents");
    }
    Ok(Json(contents))
}
