//! `GET /api/{layer}`: GeoJSON feature collections with `bbox`, `code`, `limit` and `offset`.

use super::AppState;
use super::auth::Caller;
use super::problem::ApiError;
use crate::domain::Audience;
use crate::features::{Layer, collection};
use crate::store::LayerQuery;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use geo_types::{Rect, coord};
use std::collections::HashMap;

/// Features per page when `limit` is not given, and the most a page may hold.
pub const DEFAULT_LIMIT: u32 = 10_000;
pub const MAX_LIMIT: u32 = 50_000;

/// A bbox as the server takes it, and as the OpenAPI document states it: four
/// comma-separated plain decimals within ±180 (lon) and ±90 (lat). That the minimum does
/// not exceed the maximum is checked after it.
pub const BBOX_PATTERN: &str = concat!(
    "^ *-?(180(\\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\\.[0-9]+)?) *,",
    " *-?(90(\\.0+)?|[1-8]?[0-9](\\.[0-9]+)?) *,",
    " *-?(180(\\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\\.[0-9]+)?) *,",
    " *-?(90(\\.0+)?|[1-8]?[0-9](\\.[0-9]+)?) *$"
);

static BBOX_GRAMMAR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    // A constant pattern: the unit tests compile it.
    regex::Regex::new(BBOX_PATTERN).expect("the bbox pattern compiles")
});

pub fn parse_bbox(value: &str) -> Result<Rect<f64>, ApiError> {
    if !BBOX_GRAMMAR.is_match(value) {
        return Err(ApiError::invalid(
            "bbox",
            "must be four plain decimals minLon,minLat,maxLon,maxLat within ±180 and ±90",
        ));
    }
    let parts: Vec<f64> = value
        .split(',')
        .map(|p| p.trim_matches(' ').parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            ApiError::invalid("bbox", "must be four numbers: minLon,minLat,maxLon,maxLat")
        })?;
    let [min_lon, min_lat, max_lon, max_lat] = parts[..] else {
        return Err(ApiError::invalid(
            "bbox",
            "must be four numbers: minLon,minLat,maxLon,maxLat",
        ));
    };
    if !parts.iter().all(|v| v.is_finite())
        || !(-180.0..=180.0).contains(&min_lon)
        || !(-180.0..=180.0).contains(&max_lon)
        || !(-90.0..=90.0).contains(&min_lat)
        || !(-90.0..=90.0).contains(&max_lat)
    {
        return Err(ApiError::invalid(
            "bbox",
            "coordinates out of range (lon ±180, lat ±90)",
        ));
    }
    if min_lon > max_lon || min_lat > max_lat {
        return Err(ApiError::invalid("bbox", "minimum must not exceed maximum"));
    }
    Ok(Rect::new(
        coord! { x: min_lon, y: min_lat },
        coord! { x: max_lon, y: max_lat },
    ))
}

/// Reads the query string into a store query, refusing unknown or malformed parameters.
/// A district, street, community or grid code, or a prefix of one: 1 to 15 digits.
pub(super) fn code_prefix_param(field: &str, value: &str) -> Result<String, ApiError> {
    if value.is_empty() || value.len() > 15 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            field,
            "must be 1 to 15 digits (a district, street, community or grid code, or its prefix)",
        ));
    }
    Ok(value.to_string())
}

pub fn parse_query(params: &HashMap<String, String>) -> Result<LayerQuery, ApiError> {
    let mut query = LayerQuery {
        limit: Some(DEFAULT_LIMIT),
        ..LayerQuery::default()
    };
    for (key, value) in params {
        match key.as_str() {
            "bbox" => query.bbox = Some(parse_bbox(value)?),
            "code" => query.code_prefix = Some(code_prefix_param("code", value)?),
            "limit" => {
                let limit: u32 = value
                    .parse()
                    .map_err(|_| ApiError::invalid("limit", "must be a positive integer"))?;
                if limit == 0 || limit > MAX_LIMIT {
                    return Err(ApiError::invalid(
                        "limit",
                        format!("must be between 1 and {MAX_LIMIT}"),
                    ));
                }
                query.limit = Some(limit);
            }
            "q" => {
                let text = value.trim();
                if text.is_empty() || text.chars().count() > 64 {
                    return Err(ApiError::invalid("q", "must be 1 to 64 characters"));
                }
                query.text = Some(text.to_string());
            }
            "offset" => {
                query.offset = value
                    .parse()
                    .map_err(|_| ApiError::invalid("offset", "must be a non-negative integer"))?;
            }
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown parameter (use bbox, code, q, limit, offset)",
                ));
            }
        }
    }
    Ok(query)
}

/// `GET /api/{layer}`.
/// `GET /api/incidents`: the incidents layer (its path is shared with `POST` reports).
pub async fn list_incidents(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    list(state, caller, Path("incidents".into()), params).await
}

pub async fn list_workers(
    state: State<AppState>,
    caller: Caller,
    params: Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    list(state, caller, Path("workers".into()), params).await
}

/// The walking network's edges in the query's box (all without one), a page of them.
fn network_page(state: &AppState, query: &LayerQuery) -> geojson::FeatureCollection {
    let engine = crate::engine::read(&state.engine);
    let network = engine.walking().network();
    let edges: Vec<crate::routing::EdgeId> = match query.bbox {
        Some(b) => network.edges_in_box(b.min(), b.max()),
        None => (0..network.edge_count() as u32)
            .map(crate::routing::EdgeId)
            .collect(),
    };
    let skip = usize::try_from(query.offset).unwrap_or(usize::MAX);
    let take = query.limit.map_or(usize::MAX, |l| l as usize);
    crate::features::network_collection(network, edges.into_iter().skip(skip).take(take))
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(layer): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let layer = Layer::parse(&layer).ok_or_else(|| ApiError::NotFound {
        what: format!("layer {layer:?}"),
    })?;
    caller.require(layer.min_role(), format_args!("layer {}", layer.as_str()))?;
    let query = parse_query(&params)?;
    if query.text.is_some()
        && !matches!(
            layer,
            Layer::Buildings | Layer::Stations | Layer::Communities
        )
    {
        return Err(ApiError::invalid(
            "q",
            "only buildings, stations and communities are searched by text",
        ));
    }
    let audience = if caller.role.sees_internal_data() {
        Audience::Internal
    } else {
        Audience::Public
    };
    let store = state.store.as_ref();
    let mut fc = match layer {
        Layer::Districts => collection(&store.districts(&query).await?, audience),
        Layer::Streets => collection(&store.streets(&query).await?, audience),
        Layer::Communities => collection(&store.communities(&query).await?, audience),
        Layer::Grids => collection(&store.grids(&query).await?, audience),
        Layer::Buildings => collection(&store.buildings(&query).await?, audience),
        Layer::Roads => collection(&store.roads(&query).await?, audience),
        Layer::Stations => collection(&store.stations(&query).await?, audience),
        Layer::Workers => {
            // Positions are written behind; list them as they are now.
            state.flush_positions().await?;
            collection(&store.workers(&query).await?, audience)
        }
        Layer::Incidents => collection(&store.incidents(&query).await?, audience),
        Layer::Network => network_page(&state, &query),
    };
    let returned = fc.features.len();
    let mut members = serde_json::Map::new();
    members.insert("numberReturned".into(), returned.into());
    if let Some(limit) = query.limit
        && returned == limit as usize
    {
        let mut next: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k.as_str() != "offset")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        next.push((
            "offset".into(),
            (query.offset + u64::from(limit)).to_string(),
        ));
        next.sort();
        let qs: Vec<String> = next.iter().map(|(k, v)| format!("{k}={v}")).collect();
        members.insert(
            "links".into(),
            serde_json::json!([{"rel": "next", "type": "application/geo+json",
                "href": format!("/api/{}?{}", layer.as_str(), qs.join("&"))}]),
        );
    }
    fc.foreign_members = Some(members);
    let mut response = serde_json::to_string(&fc)
        .map_err(|e| ApiError::invalid("response", e.to_string()))?
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<LayerQuery, ApiError> {
        parse_query(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn bbox_and_paging_are_checked_with_the_field_named() {
        let ok = q(&[
            ("bbox", "7.4,43.7,7.5,43.8"),
            ("limit", "5"),
            ("code", "1506"),
        ])
        .unwrap();
        assert_eq!(ok.limit, Some(5));
        assert_eq!(ok.code_prefix.as_deref(), Some("1506"));
        for (pairs, field) in [
            (vec![("bbox", "1,2,3")], "bbox"),
            (vec![("bbox", "200,0,201,1")], "bbox"),
            (vec![("bbox", "5,5,4,4")], "bbox"),
            (vec![("limit", "0")], "limit"),
            (vec![("limit", "abc")], "limit"),
            (vec![("code", "15x")], "code"),
            (vec![("bogus", "1")], "bogus"),
        ] {
            match q(&pairs) {
                Err(ApiError::InvalidParam { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
    }
}
