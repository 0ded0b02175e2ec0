//! Excel downloads for offices (dispatcher role and up; they hold names and phones):
//! `GET /api/exports/grid-ledger.xlsx` (网格台账) and
//! `GET /api/exports/incident-statistics.xlsx?from=&to=` (事件统计). The same workbooks as
//! `gridmap export grids|incidents --format xlsx`.

use super::AppState;
use super::auth::Caller;
use super::dispatch::time_param;
use super::problem::{ApiError, refuse_unknown_params};
use crate::domain::Role;
use crate::engine::read;
use crate::service::office_workbooks::{grid_ledger, incident_statistics};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use std::collections::HashMap;

/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(super) fn workbook(bytes: Vec<u8>, ascii_name: &str, chinese_name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
    // RFC 6266: an ASCII fallback, then the UTF-8 name (percent-encoded).
    let encoded: String = chinese_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

pub(super) fn failed(e: rust_xlsxwriter::XlsxError) -> ApiError {
    ApiError::Internal {
        detail: format!("writing the workbook failed: {e}"),
    }
}

/// `GET /api/exports/grid-ledger.xlsx`.
pub async fn grid_ledger_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require(Role::Dispatcher, "the grid ledger")?;
    refuse_unknown_params(&params, &[])?;
    let bytes = grid_ledger(&read(&state.engine)).map_err(failed)?;
    Ok(workbook(bytes, "grid-ledger.xlsx", "网格台账.xlsx"))
}

/// `GET /api/exports/incident-statistics.xlsx?from=&to=`.
pub async fn incident_statistics_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require(Role::Dispatcher, "incident statistics")?;
    refuse_unknown_params(&params, &["from", "to"])?;
    let (from, to) = (time_param(&params, "from")?, time_param(&params, "to")?);
    let bytes = incident_statistics(&read(&state.engine), from, to, Utc::now()).map_err(failed)?;
    Ok(workbook(bytes, "incident-statistics.xlsx", "事件统计.xlsx"))
}
