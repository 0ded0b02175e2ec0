//! RFC 7807 problem+json errors: every API failure is one of these, naming the field at fault.

use crate::partition::PartitionError;
use crate::store::StoreError;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An API error with its status; 5xx details are logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid parameter `{field}`: {reason}")]
    InvalidParam { field: String, reason: String },
    #[error("a bearer token is required for {what}")]
    Unauthorized { what: String },
    #[error("the token is unknown or revoked")]
    BadToken,
    #[error("role {role} may not access {what}")]
    Forbidden { role: String, what: String },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{detail}")]
    Unprocessable { detail: String },
    /// A well-formed value the data cannot take (a split line that misses the community, a
    /// code already taken, a worker that does not exist): 422 naming the field.
    #[error("`{field}`: {reason}")]
    Unfit { field: String, reason: String },
    #[error("{detail}")]
    Conflict { detail: String },
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("too many requests from this address; try again in {retry_after_s} s")]
    TooManyRequests { retry_after_s: u64 },
    #[error("store failure: {0}")]
    Store(#[from] StoreError),
    /// A failure of the server's own (logged, not shown).
    #[error("{detail}")]
    Internal { detail: String },
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidParam {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn unfit(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Unfit {
            field: field.into(),
            reason: reason.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::InvalidParam { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } | Self::BadToken => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Unprocessable { .. } | Self::Unfit { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } | Self::Store(StoreError::Conflict { .. }) => {
                StatusCode::CONFLICT
            }
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Store(_) | Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::InvalidParam { .. } => "invalid-parameter",
            Self::Unauthorized { .. } => "unauthorized",
            Self::BadToken => "bad-token",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not-found",
            Self::Unprocessable { .. } | Self::Unfit { .. } => "unprocessable",
            Self::Conflict { .. } | Self::Store(StoreError::Conflict { .. }) => "conflict",
            Self::TooLarge { .. } => "too-large",
            Self::TooManyRequests { .. } => "too-many-requests",
            Self::Store(_) | Self::Internal { .. } => "internal",
        }
    }
}

/// Refuses a query parameter not among `known`, naming it (strict parsing: a misspelt filter
/// is an error, not ignored).
pub(super) fn refuse_unknown_params(
    params: &std::collections::HashMap<String, String>,
    known: &[&str],
) -> Result<(), ApiError> {
    match params.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(ApiError::invalid(unknown.as_str(), "unknown parameter")),
        None => Ok(()),
    }
}

impl From<PartitionError> for ApiError {
    /// A target or tolerance out of range names its field; anything else about the
    /// buildings is unprocessable.
    fn from(e: PartitionError) -> Self {
        match e {
            PartitionError::InvalidTarget(_) => Self::invalid("target", e.to_string()),
            PartitionError::InvalidTolerance(_) => Self::invalid("tolerance", e.to_string()),
            other => Self::Unprocessable {
                detail: other.to_string(),
            },
        }
    }
}

impl From<JsonRejection> for ApiError {
    /// A body that is not the JSON expected: the field at fault named where serde tells it
    /// (`lon`, `communities[2]`), `body` for a body that is not JSON at all; 413 past the
    /// size limit.
    fn from(rejection: JsonRejection) -> Self {
        match &rejection {
            JsonRejection::JsonDataError(e) => {
                let text = e.body_text();
                let detail = text
                    .split_once("target type: ")
                    .map_or(text.as_str(), |(_, rest)| rest);
                let (field, reason) = json_field(detail);
                Self::invalid(field, reason)
            }
            JsonRejection::MissingJsonContentType(_) => {
                Self::invalid("Content-Type", "must be application/json for a JSON body")
            }
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::TooLarge {
                    limit: super::MAX_BODY_BYTES,
                }
            }
            _ => Self::invalid("body", rejection.body_text()),
        }
    }
}

/// The field a serde error is about, and the reason: `lon: invalid type…` names `lon`;
/// ``missing field `source` `` and ``unknown field `x` `` name those fields; otherwise `body`.
fn json_field(detail: &str) -> (String, String) {
    if let Some((path, reason)) = detail.split_once(": ")
        && !path.is_empty()
        && path != "."
        && !path.contains(' ')
    {
        return (path.to_string(), reason.to_string());
    }
    for marker in ["missing field `", "unknown field `"] {
        if let Some(rest) = detail.split_once(marker).map(|(_, rest)| rest)
            && let Some((name, _)) = rest.split_once('`')
        {
            return (name.to_string(), detail.to_string());
        }
    }
    ("body".to_string(), detail.to_string())
}

/// A problem+json response.
pub fn problem(status: StatusCode, kind: &str, detail: &str, extra: serde_json::Value) -> Response {
    let mut body = json!({
        "type": format!("/api/problems/{kind}"),
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    if let (Some(map), serde_json::Value::Object(more)) = (body.as_object_mut(), extra) {
        map.extend(more);
    }
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "internal error; see the server log".to_string()
        } else {
            self.to_string()
        };
        let extra = match &self {
            Self::InvalidParam { field, reason } | Self::Unfit { field, reason } => {
                json!({"invalid-params": [{"name": field, "reason": reason}]})
            }
            _ => json!({}),
        };
        let mut response = problem(status, self.kind(), &detail, extra);
        if let Self::TooManyRequests { retry_after_s } = &self
            && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"gridmap\""),
            );
        }
        response
    }
}

/// Makes every error response problem+json: those the router and the body limit write
/// themselves (405 with an empty body, 413 as text) get a problem body for their status;
/// headers (`Allow`, `WWW-Authenticate`) are kept.
pub async fn problem_for_bare_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (kind, detail) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            "this method is not allowed here (the Allow header lists those that are)".to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too-large",
            format!(
                "the request body is larger than {} bytes",
                super::MAX_BODY_BYTES
            ),
        ),
        _ => (
            "error",
            status.canonical_reason().unwrap_or("error").to_string(),
        ),
    };
    let (mut parts, _) = response.into_parts();
    let fresh = problem(status, kind, &detail, json!({}));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    Response::from_parts(parts, fresh.into_body())
}
