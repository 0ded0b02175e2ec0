//! `POST /api/workers/{id}/sign-in-code` (planner and up): a new token for a worker's phone
//! app, with the link that signs the app in and that link as a QR code (SVG) to print. The
//! token is answered once and stored only hashed.

use super::AppState;
use super::auth::Caller;
use super::problem::ApiError;
use crate::domain::{Role, WorkerId};
use crate::engine::read;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::json;

/// `POST /api/workers/{id}/sign-in-code`.
pub async fn sign_in_code(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller.require(Role::Planner, "signing in workers' phones")?;
    let worker = WorkerId(id);
    let name = {
        let engine = read(&state.engine);
        let known = engine
            .workers()
            .get(&worker)
            .ok_or_else(|| ApiError::NotFound {
                what: format!("worker {worker}"),
            })?;
        if known.is_retired() {
            return Err(ApiError::Conflict {
                detail: format!("worker {worker} has left; a retired worker gets no sign-in code"),
            });
        }
        known.name.clone()
    };
    let token = crate::auth::new_token();
    state
        .store
        .create_token(
            &crate::auth::hash_token(&token),
            Role::Worker,
            &name,
            Some(&worker),
        )
        .await?;
    let url = format!("{}/worker#token={token}", origin(&headers));
    let svg = QrCode::new(url.as_bytes())
        .map_err(|e| ApiError::Internal {
            detail: format!("QR code: {e}"),
        })?
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let mut response = Json(json!({
        "worker": worker, "name": name, "token": token, "url": url, "svg": svg,
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Where the phone reaches this server: the `Host` the planner's browser used, over the
/// scheme a reverse proxy names (`X-Forwarded-Proto`), else http.
fn origin(headers: &HeaderMap) -> String {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let scheme = match text("x-forwarded-proto") {
        Some("https") => "https",
        _ => "http",
    };
    let host = text("host")
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}
