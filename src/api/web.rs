//! The web app from `web/`, embedded in the binary (MapLibre GL JS vendored: no CDN).

use super::problem::problem;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "$CARGO_MANIFEST_DIR/web"]
struct WebAssets;

/// Serves an embedded file; the three map views are one page that picks its view from the
/// path; `/worker` is the grid worker's phone app.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let file = match path {
        "" | "planner" | "dispatch" | "dashboard" => "index.html",
        "worker" => "worker.html",
        "docs" | "api/docs" => "docs.html",
        other => other,
    };
    match WebAssets::get(file) {
        Some(content) => {
            let mime = mime_guess::from_path(file).first_or_octet_stream();
            let mime = if file.ends_with(".mjs") {
                "text/javascript".to_string()
            } else {
                mime.to_string()
            };
            let mut response = content.data.into_owned().into_response();
            if let Ok(value) = HeaderValue::from_str(&mime) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            let cache = if file.starts_with("vendor/") {
                "public, max-age=86400"
            } else {
                "no-cache"
            };
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            response
        }
        None => problem(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("no page or file at /{path}"),
            serde_json::json!({}),
        ),
    }
}

#[derive(Embed)]
#[folder = "$CARGO_MANIFEST_DIR/tiles/styles"]
struct Styles;

/// `GET /styles/{name}.json`: the MapLibre styles of `tiles/styles/`.
pub async fn style(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match Styles::get(&name) {
        Some(content) => {
            let mut response = content.data.into_owned().into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        None => problem(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("no style {name:?}"),
            serde_json::json!({}),
        ),
    }
}
