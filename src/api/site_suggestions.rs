//! `POST /api/coverage/suggestions[?format=json|geojson|xlsx]` (planner role): where `k`
//! new stations of a kind would bring the most uncovered households within a walk, from
//! candidate buildings, land areas, network nodes or given points; as JSON with the sites
//! as GeoJSON, as bare GeoJSON, or as a workbook (选址建议.xlsx).

use super::AppState;
use super::auth::Caller;
use super::exports::{failed, workbook};
use super::problem::{ApiError, refuse_unknown_params};
use crate::domain::{BuildingKind, LandClass, Role, StationKind};
use crate::engine::read;
use crate::service::office_workbooks::site_suggestions_workbook;
use crate::service::site_suggestions::{
    self, CandidateSource, DEFAULT_NODE_SPACING_M, SuggestionError, SuggestionRequest,
};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionBody {
    pub kind: String,
    #[serde(deserialize_with = "super::whole_number::required")]
    pub within_m: u32,
    #[serde(deserialize_with = "super::whole_number::required")]
    pub k: u32,
    pub candidates: CandidatesBody,
    pub within: Option<String>,
}

/// Where candidates come from.
#[derive(Debug, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case", deny_unknown_fields)]
pub enum CandidatesBody {
    Buildings { kinds: Vec<String> },
    Land { classes: Vec<String> },
    Nodes { spacing_m: Option<f64> },
    Points { points: Value },
}

impl From<SuggestionError> for ApiError {
    fn from(e: SuggestionError) -> Self {
        let field = match &e {
            SuggestionError::K(_) => "k",
            SuggestionError::WithinM => "within_m",
            SuggestionError::Within(_) => "within",
            SuggestionError::Candidates(_) => "candidates",
        };
        Self::invalid(field, e.to_string())
    }
}

fn request(body: SuggestionBody) -> Result<SuggestionRequest, ApiError> {
    let kind = StationKind::parse(&body.kind)
        .ok_or_else(|| ApiError::invalid("kind", "is not a station kind"))?;
    let candidates = match body.candidates {
        CandidatesBody::Buildings { kinds } => CandidateSource::Buildings(
            kinds
                .iter()
                .map(|k| {
                    BuildingKind::ALL
                        .into_iter()
                        .find(|b| b.as_str() == k)
                        .ok_or_else(|| {
                            ApiError::invalid(
                                "candidates.kinds",
                                format!("{k:?} is not a building kind"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        ),
        CandidatesBody::Land { classes } => CandidateSource::Land(
            classes
                .iter()
                .map(|c| {
                    LandClass::parse(c).ok_or_else(|| {
                        ApiError::invalid(
                            "candidates.classes",
                            format!("{c:?} is not a land class"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        CandidatesBody::Nodes { spacing_m } => CandidateSource::Nodes {
            spacing_m: spacing_m.unwrap_or(DEFAULT_NODE_SPACING_M),
        },
        CandidatesBody::Points { points } => CandidateSource::Points(
            site_suggestions::points_from_geojson(&points)
                .map_err(|e| ApiError::invalid("candidates.points", e))?,
        ),
    };
    let request = SuggestionRequest {
        kind,
        within_m: body.within_m,
        k: body.k as usize,
        candidates,
        within: body.within,
    };
    site_suggestions::check(&request)?;
    Ok(request)
}

/// `POST /api/coverage/suggestions`.
pub async fn suggest(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
    body: Result<Json<SuggestionBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Role::Planner, "site suggestions")?;
    refuse_unknown_params(&params, &["format"])?;
    let format = params.get("format").map_or("json", String::as_str);
    if !matches!(format, "json" | "geojson" | "xlsx") {
        return Err(ApiError::invalid("format", "must be json, geojson or xlsx"));
    }
    let Json(body) = body.map_err(ApiError::from)?;
    let request = request(body)?;
    let engine = state.engine.clone();
    let suggestions =
        tokio::task::spawn_blocking(move || site_suggestions::suggest(&read(&engine), &request))
            .await
            .map_err(|e| ApiError::Internal {
                detail: format!("the suggestion task failed: {e}"),
            })??;
    Ok(match format {
        "geojson" => Json(suggestions.sites_geojson()).into_response(),
        "xlsx" => workbook(
            site_suggestions_workbook(&suggestions).map_err(failed)?,
            "site-suggestions.xlsx",
            "选址建议.xlsx",
        ),
        _ => {
            let mut answer = serde_json::to_value(&suggestions).unwrap_or(Value::Null);
            answer["sites"] = suggestions.sites_geojson();
            Json(answer).into_response()
        }
    })
}
