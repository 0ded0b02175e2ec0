//! Vector tiles: `GET /tiles/{layer}/{z}/{x}/{y}.mvt` (MVT 2.1, cached, ETag/304, gzip) and
//! `GET /tiles/{layer}.json` (TileJSON 3.0). Internal layers need a token.

use super::AppState;
use super::auth::Caller;
use super::problem::ApiError;
use crate::domain::Audience;
use crate::domain::Role;
use crate::engine::{TileLayer, read};
use crate::mvt::{EXTENT, TileId};
use crate::service::tile_cache::CacheOutcome;
use axum::body::Body;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{Path, RawPathParams, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The MIME type of Mapbox Vector Tiles.
pub const MVT_MIME: &str = "application/vnd.mapbox-vector-tile";

fn layer_param(name: &str) -> Result<TileLayer, ApiError> {
    TileLayer::parse(name).map_err(|e| ApiError::NotFound {
        what: e.to_string(),
    })
}

fn allow(caller: &Caller, layer: TileLayer) -> Result<(), ApiError> {
    match layer.audience() {
        Audience::Public => Ok(()),
        Audience::Internal => caller.require(
            Role::Dispatcher,
            format_args!("the {} tiles", layer.as_str()),
        ),
    }
}

fn number(field: &str, text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>()
        .map_err(|_| ApiError::invalid(field, format!("`{text}` is not a whole number ≥ 0")))
}

/// The route of tiles (`{y}` is `{y}.mvt`).
pub const TILE_ROUTE: &str = "/tiles/{layer}/{z}/{x}/{y}";

/// `GET /tiles/{layer}/{z}/{x}/{y}.mvt`, counted in the request metrics like every route.
pub async fn tile(
    State(state): State<AppState>,
    method: axum::http::Method,
    caller: Result<Caller, ApiError>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    headers: HeaderMap,
) -> Response {
    let started = std::time::Instant::now();
    let response = caller
        .and_then(|caller| tile_response(&state, &caller, params, &headers))
        .into_response();
    super::metrics::record(TILE_ROUTE, &method, response.status(), started.elapsed());
    response
}

fn tile_response(
    state: &AppState,
    caller: &Caller,
    params: Result<RawPathParams, RawPathParamsRejection>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let params = params.map_err(|e| ApiError::invalid("path", e.body_text()))?;
    // The router matched `/tiles/{layer}/{z}/{x}/{y}`: four parameters, in that order.
    let mut params = params.iter().map(|(_, value)| value);
    let (layer, z, x, file) = (
        params.next().unwrap_or_default(),
        params.next().unwrap_or_default(),
        params.next().unwrap_or_default(),
        params.next().unwrap_or_default(),
    );
    let layer = layer_param(layer)?;
    let Some(y) = file.strip_suffix(".mvt") else {
        return Err(ApiError::NotFound {
            what: format!("`{file}` (tiles are named {{y}}.mvt)"),
        });
    };
    let (z, x, y) = (number("z", z)?, number("x", x)?, number("y", y)?);
    let z = u32::try_from(z).map_err(|_| ApiError::invalid("z", "zoom too deep"))?;
    let tile = TileId::new(z, x, y).map_err(|e| {
        let field = if matches!(e, crate::mvt::TileIdError::ZoomTooDeep { .. }) {
            "z"
        } else if x >= (1u64 << z.min(63)) {
            "x"
        } else {
            "y"
        };
        ApiError::invalid(field, e.to_string())
    })?;
    allow(caller, layer)?;
    let (cached, outcome) = state.tiles.get(&state.engine, layer, tile);
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == cached.etag || t.trim() == "*")
        }) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if !cached.bytes.is_empty() && accepts_gzip(headers) {
        let mut r = Body::from(cached.gzip()).into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        Body::from(cached.bytes.clone()).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT_MIME));
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Authorization"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match layer.audience() {
            Audience::Public => "public, no-cache",
            Audience::Internal => "private, no-cache",
        }),
    );
    h.insert(header::ETAG, cached.etag_header.clone());
    h.insert(
        "x-tile-cache",
        HeaderValue::from_static(match outcome {
            CacheOutcome::Hit => "hit",
            CacheOutcome::Miss => "miss",
        }),
    );
    Ok(response)
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}

/// `GET /tiles/{layer}.json`: TileJSON 3.0 of a layer.
pub async fn tilejson(
    State(state): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(name) = file.strip_suffix(".json") else {
        return Err(ApiError::NotFound {
            what: format!("`/tiles/{file}` (TileJSON is at /tiles/{{layer}}.json)"),
        });
    };
    let layer = layer_param(name)?;
    allow(&caller, layer)?;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("http");
    let extent = read(&state.engine).communities().extent();
    let bounds = extent.map_or([-180.0, -85.05, 180.0, 85.05], |(min, max)| {
        [min[0], min[1], max[0], max[1]]
    });
    let centre = [
        (bounds[0] + bounds[2]) / 2.0,
        (bounds[1] + bounds[3]) / 2.0,
        13.0,
    ];
    let vector_layers: Vec<_> = layer
        .vector_layers()
        .into_iter()
        .map(|(id, fields)| {
            json!({
                "id": id,
                "fields": fields
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect::<serde_json::Map<_, _>>(),
                "minzoom": layer.min_zoom(),
                "maxzoom": layer.max_zoom(),
            })
        })
        .collect();
    let body = json!({
        "tilejson": "3.0.0",
        "name": format!("gridmap {}", layer.as_str()),
        "scheme": "xyz",
        "tiles": [format!("{scheme}://{host}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", layer.as_str())],
        "minzoom": layer.min_zoom(),
        "maxzoom": layer.max_zoom(),
        "bounds": bounds,
        "center": centre,
        "vector_layers": vector_layers,
        "attribution": "© OpenStreetMap contributors; gridmap",
        "gridmap:extent": EXTENT,
    });
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}
