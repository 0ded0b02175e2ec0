//! Rebalancing and plan history (planner role): `POST /api/rebalance` previews or commits
//! a split, merge or adjustment; `GET /api/plan/versions`, `/api/plan/versions/{v}`,
//! `/api/plan/diff`, `POST /api/plan/versions/{v}/restore`. Commits carry the version they
//! were previewed against (`base_version` or `If-Match: "v12"`): a stale one is 409.

use super::AppState;
use super::auth::Caller;
use super::problem::ApiError;
use crate::domain::Audience;
use crate::domain::{CommunityCode, Role};
use crate::features::ToFeature;
use crate::partition::PartitionOptions;
use crate::service::engine_sync;
use crate::service::job_stop::JobStop;
use crate::service::rebalance::{self, Operation, RebalanceError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

impl From<RebalanceError> for ApiError {
    fn from(e: RebalanceError) -> Self {
        match e {
            RebalanceError::Store(s) => ApiError::Store(s),
            RebalanceError::UnknownCommunity(_) => ApiError::NotFound {
                what: e.to_string().replace(" not found", ""),
            },
            RebalanceError::BladeMisses(_) => ApiError::unfit("line", e.to_string()),
            RebalanceError::PartsMismatch { .. }
            | RebalanceError::CodeTaken { .. }
            | RebalanceError::WrongStreet { .. } => ApiError::unfit("codes", e.to_string()),
            RebalanceError::NotAdjacent(_) | RebalanceError::Overlap(_) => {
                ApiError::unfit("communities", e.to_string())
            }
            RebalanceError::TooFew => ApiError::invalid("communities", e.to_string()),
            RebalanceError::BadName { field, reason } => {
                ApiError::invalid(field, reason.to_string())
            }
            RebalanceError::EmptyList { field }
            | RebalanceError::Duplicate { field, .. }
            | RebalanceError::TooMany { field, .. } => ApiError::invalid(field, e.to_string()),
            RebalanceError::Partition(p) => p.into(),
            RebalanceError::Stopped(_) => ApiError::Unprocessable {
                detail: e.to_string(),
            },
        }
    }
}

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RebalanceRequest {
    /// `adjust`, `split` or `merge`.
    pub operation: String,
    /// adjust: the communities; merge: those to join.
    pub communities: Option<Vec<String>>,
    /// split: the community to cut.
    pub community: Option<String>,
    /// split: a GeoJSON LineString (or Polygon) geometry.
    pub line: Option<Value>,
    /// split: the new communities' codes, in reading order of the pieces; merge: `code`.
    pub codes: Option<Vec<String>>,
    pub names: Option<Vec<String>>,
    pub code: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::whole_number::option")]
    pub target: Option<u32>,
    pub tolerance: Option<f64>,
    #[serde(default)]
    pub commit: bool,
    #[serde(default, deserialize_with = "super::whole_number::option")]
    pub base_version: Option<u64>,
}

fn code(field: &str, raw: &str) -> Result<CommunityCode, ApiError> {
    raw.parse()
        .map_err(|e: crate::domain::CodeError| ApiError::invalid(field, e.to_string()))
}

fn codes(field: &str, raw: &Option<Vec<String>>) -> Result<Vec<CommunityCode>, ApiError> {
    raw.as_ref()
        .ok_or_else(|| ApiError::invalid(field, "is required"))?
        .iter()
        .map(|c| code(field, c))
        .collect()
}

fn operation(r: &RebalanceRequest) -> Result<Operation, ApiError> {
    match r.operation.as_str() {
        "adjust" => Ok(Operation::Adjust {
            communities: codes("communities", &r.communities)?,
        }),
        "split" => {
            let community = code(
                "community",
                r.community
                    .as_deref()
                    .ok_or_else(|| ApiError::invalid("community", "is required"))?,
            )?;
            let raw = r
                .line
                .as_ref()
                .ok_or_else(|| ApiError::invalid("line", "is required"))?;
            let raw = raw.get("geometry").unwrap_or(raw);
            let geometry = geojson::Geometry::from_json_value(raw.clone())
                .map_err(|e| ApiError::invalid("line", format!("not a GeoJSON geometry: {e}")))?;
            let blade = geo_types::Geometry::<f64>::try_from(geometry)
                .map_err(|e| ApiError::invalid("line", e.to_string()))?;
            if !matches!(
                blade,
                geo_types::Geometry::LineString(_)
                    | geo_types::Geometry::MultiLineString(_)
                    | geo_types::Geometry::Polygon(_)
                    | geo_types::Geometry::MultiPolygon(_)
            ) {
                return Err(ApiError::invalid("line", "must be a LineString or Polygon"));
            }
            Ok(Operation::Split {
                community,
                blade,
                codes: codes("codes", &r.codes)?,
                names: r.names.clone().unwrap_or_default(),
            })
        }
        "merge" => {
            let communities = codes("communities", &r.communities)?;
            let merged = match &r.code {
                Some(c) => code("code", c)?,
                None => communities
                    .first()
                    .cloned()
                    .ok_or_else(|| ApiError::invalid("communities", "is empty"))?,
            };
            Ok(Operation::Merge {
                communities,
                code: merged,
                name: r.name.clone().unwrap_or_default(),
            })
        }
        _ => Err(ApiError::invalid(
            "operation",
            "must be adjust, split or merge",
        )),
    }
}

/// The version a commit was previewed against: the body's `base_version`, else
/// `If-Match: "v12"`.
fn base_version(body: Option<u64>, headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    if body.is_some() {
        return Ok(body);
    }
    headers
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str()
                .ok()
                .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|s| s.strip_prefix('v'))
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| {
                    ApiError::invalid("If-Match", "must be a plan version tag like \"v12\"")
                })
        })
        .transpose()
}

fn tagged(body: Value, version: u64) -> Response {
    let mut response = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"v{version}\"")) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// `POST /api/rebalance`.
pub async fn rebalance(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Json<RebalanceRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Role::Planner, "rebalancing")?;
    let Json(request) = body.map_err(ApiError::from)?;
    let op = operation(&request)?;
    let defaults = PartitionOptions::default();
    let options = PartitionOptions {
        target: request.target.unwrap_or(defaults.target),
        tolerance: request.tolerance.unwrap_or(defaults.tolerance),
        ..defaults
    };
    options.check()?;
    let stop = JobStop::after(state.job_time_limit());
    if !request.commit {
        let preview = rebalance::preview(state.store.as_ref(), &op, &options, &stop).await?;
        let version = preview.base_version;
        let mut body = serde_json::to_value(&preview).unwrap_or(Value::Null);
        body["committed"] = json!(false);
        return Ok(tagged(body, version));
    }
    let base = base_version(request.base_version, &headers)?.ok_or_else(|| {
        ApiError::invalid(
            "base_version",
            "a commit needs the plan version it was previewed against (or If-Match)",
        )
    })?;
    let (preview, version) = rebalance::commit(
        state.store.as_ref(),
        &op,
        &options,
        base,
        &caller.who,
        &stop,
    )
    .await?;
    engine_sync::reload_plan(state.store.as_ref(), &state.engine, &preview.commit.workers).await?;
    let mut body = serde_json::to_value(&preview).unwrap_or(Value::Null);
    body["committed"] = json!(true);
    body["version"] = json!(version);
    Ok(tagged(body, version))
}

/// `GET /api/plan/versions[?limit=50]`.
pub async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require(Role::Planner, "plan versions")?;
    let limit = match params.get("limit") {
        None => 50,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=1000).contains(l))
            .ok_or_else(|| ApiError::invalid("limit", "must be an integer 1..=1000"))?,
    };
    let head = state.store.plan_head().await?;
    let versions = state.store.plan_versions(limit).await?;
    Ok(tagged(json!({"head": head, "versions": versions}), head))
}

fn version_param(raw: &str, field: &str) -> Result<u64, ApiError> {
    raw.trim_start_matches('v')
        .parse::<u64>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| ApiError::invalid(field, "must be a plan version number"))
}

/// `GET /api/plan/versions/{v}`: the communities and grids as that version left them.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Planner, "plan versions")?;
    let version = version_param(&version, "version")?;
    if version > state.store.plan_head().await? {
        return Err(ApiError::NotFound {
            what: format!("plan version {version}"),
        });
    }
    let plan = state.store.plan_state(version).await?;
    let grids: Vec<Value> = plan
        .grids
        .iter()
        .map(|g| {
            let mut f =
                serde_json::to_value(g.grid.to_feature(Audience::Internal)).unwrap_or(Value::Null);
            f["properties"]["buildings"] = json!(g.buildings);
            f
        })
        .collect();
    Ok(Json(json!({
        "version": version,
        "communities": crate::features::collection(&plan.communities, Audience::Internal),
        "grids": {"type": "FeatureCollection", "features": grids},
    })))
}

/// `GET /api/plan/diff?from=&to=`: grids added, removed or changed between two versions.
pub async fn diff(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Role::Planner, "plan versions")?;
    let head = state.store.plan_head().await?;
    let from = version_param(
        params
            .get("from")
            .ok_or_else(|| ApiError::invalid("from", "is required"))?,
        "from",
    )?;
    let to = match params.get("to") {
        Some(t) => version_param(t, "to")?,
        None => head,
    };
    for (v, field) in [(from, "from"), (to, "to")] {
        if v > head {
            return Err(ApiError::NotFound {
                what: format!("plan version {v} (`{field}`; the head is {head})"),
            });
        }
    }
    let changes = rebalance::diff(state.store.as_ref(), from, to).await?;
    Ok(Json(json!({"from": from, "to": to, "grids": changes})))
}

/// The restore request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    #[serde(default, deserialize_with = "super::whole_number::option")]
    pub base_version: Option<u64>,
}

/// `POST /api/plan/versions/{v}/restore`: the plan of version v as a new version.
pub async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Result<Json<RestoreRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Role::Planner, "restoring plan versions")?;
    let version = version_param(&version, "version")?;
    let head = state.store.plan_head().await?;
    if version > head {
        return Err(ApiError::NotFound {
            what: format!("plan version {version}"),
        });
    }
    let from_body = match body {
        Ok(Json(r)) => r.base_version,
        Err(JsonRejection::MissingJsonContentType(_)) => None,
        Err(e) => return Err(ApiError::from(e)),
    };
    let base = base_version(from_body, &headers)?.ok_or_else(|| {
        ApiError::invalid(
            "base_version",
            "give the current plan version (or If-Match)",
        )
    })?;
    let new = rebalance::restore(state.store.as_ref(), version, base, &caller.who).await?;
    engine_sync::reload_plan(state.store.as_ref(), &state.engine, &[]).await?;
    Ok(tagged(json!({"restored": version, "version": new}), new))
}
