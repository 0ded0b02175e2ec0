//! Residents' reports without signing in (随手拍): `GET /api/public/categories`,
//! `POST /api/public/reports` (answered with a tracking code), `GET /api/public/reports/{code}`
//! (status and times only) and `POST /api/public/reports/{code}/rating`. Limited per client
//! address (`throttle.rs`); nothing personal is ever answered.

use super::AppState;
use super::photos::store_upload;
use super::problem::ApiError;
use super::throttle::{Client, Limited};
use crate::domain::{Lines, Satisfaction, TrackingCode, check_required_text};
use crate::service::dispatch::MAX_TEXT_CHARS;
use crate::service::public_reports::{self, PublicReportError, ResidentReport};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

impl From<PublicReportError> for ApiError {
    fn from(e: PublicReportError) -> Self {
        match e {
            PublicReportError::NotPublic(_) => ApiError::invalid("category", e.to_string()),
            PublicReportError::OutsideGrids => ApiError::unfit("lon", e.to_string()),
            PublicReportError::UnknownCode => ApiError::NotFound {
                what: "tracking code".into(),
            },
            PublicReportError::NotClosed | PublicReportError::AlreadyRated => ApiError::Conflict {
                detail: e.to_string(),
            },
            PublicReportError::BadComment(reason) => {
                ApiError::invalid("comment", reason.to_string())
            }
            PublicReportError::Dispatch(d) => d.into(),
            PublicReportError::Store(s) => ApiError::Store(s),
        }
    }
}

/// `GET /api/public/categories`: what residents may report, Chinese and English names.
pub async fn categories(State(state): State<AppState>) -> Json<Value> {
    let public: Vec<Value> = state
        .taxonomy
        .categories()
        .iter()
        .filter(|c| c.public)
        .map(|c| json!({"name": c.name, "en": c.en}))
        .collect();
    Json(json!({ "categories": public }))
}

/// A resident's report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidentReportRequest {
    pub lon: f64,
    pub lat: f64,
    pub crs: Option<String>,
    pub category: String,
    pub description: String,
    /// A JPEG, PNG or WebP, base64 (a `data:` URL or bare).
    pub photo: Option<String>,
}

fn decode_photo(text: &str) -> Result<Vec<u8>, ApiError> {
    let payload = text
        .split_once("base64,")
        .map_or(text, |(_, rest)| rest)
        .trim();
    base64::engine::general_purpose::STANDARD
        .decode(payload)
        .map_err(|_| {
            ApiError::invalid(
                "photo",
                "must be a base64 picture (a data: URL or bare base64)",
            )
        })
}

/// `POST /api/public/reports` (anyone; a few a client): 201 with the tracking code.
pub async fn submit(
    State(state): State<AppState>,
    Client(client): Client,
    body: Result<Json<ResidentReportRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    state.throttle().check(Limited::Report, client)?;
    let Json(request) = body.map_err(ApiError::from)?;
    let location = super::dispatch::point_from(request.lon, request.lat, request.crs.as_ref())?;
    check_required_text(&request.description, MAX_TEXT_CHARS, Lines::Multi)
        .map_err(|reason| ApiError::invalid("description", reason.to_string()))?;
    let mut report = ResidentReport {
        location,
        category: request.category,
        description: request.description,
        photo: None,
    };
    // Everything is checked before the photo is stored.
    public_reports::check(&state.engine, &state.taxonomy, &report)?;
    if let Some(photo) = request.photo {
        let bytes = decode_photo(&photo)?;
        let (info, _) = store_upload(&state, bytes.into(), public_reports::RESIDENT_ACTOR)
            .await
            .map_err(|e| match e {
                ApiError::InvalidParam { reason, .. } => ApiError::invalid("photo", reason),
                ApiError::Unfit { reason, .. } => ApiError::unfit("photo", reason),
                other => other,
            })?;
        report.photo = Some(info.id);
    }
    let now = Utc::now();
    let (code, incident) = public_reports::submit(
        &state.engine,
        state.store.as_ref(),
        &state.taxonomy,
        report,
        now,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "code": code.to_string(),
            "status": incident.status,
            "reported_at": incident.reported_at,
            "deadline_at": incident.deadline_at,
            "status_url": format!("/api/public/reports/{code}"),
        })),
    )
        .into_response())
}

/// The code in a path, counted against the client's lookups (and misses).
fn code_param(
    state: &AppState,
    client: std::net::IpAddr,
    text: &str,
) -> Result<TrackingCode, ApiError> {
    state.throttle().check(Limited::Lookup, client)?;
    TrackingCode::parse(text).ok_or_else(|| {
        state
            .throttle()
            .check(Limited::Miss, client)
            .err()
            .unwrap_or(ApiError::NotFound {
                what: "tracking code".into(),
            })
    })
}

/// Counts a lookup of a code that names no report against the client.
fn missed(state: &AppState, client: std::net::IpAddr, e: ApiError) -> ApiError {
    match e {
        ApiError::NotFound { .. } => state
            .throttle()
            .check(Limited::Miss, client)
            .err()
            .unwrap_or(e),
        other => other,
    }
}

/// `GET /api/public/reports/{code}` (anyone with the code): status and times only.
pub async fn status(
    State(state): State<AppState>,
    Client(client): Client,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let code = code_param(&state, client, &code)?;
    let status = public_reports::status(&state.engine, state.store.as_ref(), &code)
        .await
        .map_err(|e| missed(&state, client, e.into()))?;
    Ok(Json(json!({ "code": code.to_string(), "report": status })))
}

/// A rating.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// `satisfied` (满意), `basically_satisfied` (基本满意) or `dissatisfied` (不满意).
    pub rating: String,
    pub comment: Option<String>,
}

/// `POST /api/public/reports/{code}/rating`: once the report is closed, once.
pub async fn rate(
    State(state): State<AppState>,
    Client(client): Client,
    Path(code): Path<String>,
    body: Result<Json<RatingRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let code = code_param(&state, client, &code)?;
    let Json(request) = body.map_err(ApiError::from)?;
    let rating = Satisfaction::parse(&request.rating).ok_or_else(|| {
        ApiError::invalid(
            "rating",
            "must be satisfied (满意), basically_satisfied (基本满意) or dissatisfied (不满意)",
        )
    })?;
    let comment = request.comment.as_deref().filter(|c| !c.trim().is_empty());
    public_reports::rate(
        &state.engine,
        state.store.as_ref(),
        &code,
        rating,
        comment,
        Utc::now(),
    )
    .await
    .map_err(|e| missed(&state, client, e.into()))?;
    Ok(StatusCode::NO_CONTENT)
}
