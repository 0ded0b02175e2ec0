//! RFC 7807 problem+json errors: every API failure is one of these, naming the field at fault.

use crate::store::StoreError;
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
    #[error("{detail}")]
    Conflict { detail: String },
    #[error("store failure: {0}")]
    Store(#[from] StoreError),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidParam {
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
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } | Self::Store(StoreError::Conflict { .. }) => {
                StatusCode::CONFLICT
            }
            Self::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::InvalidParam { .. } => "invalid-parameter",
            Self::Unauthorized { .. } => "unauthorized",
            Self::BadToken => "bad-token",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not-found",
            Self::Unprocessable { .. } => "unprocessable",
            Self::Conflict { .. } | Self::Store(StoreError::Conflict { .. }) => "conflict",
            Self::Store(_) => "internal",
        }
    }
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
            Self::InvalidParam { field, reason } => {
                json!({"invalid-params": [{"name": field, "reason": reason}]})
            }
            _ => json!({}),
        };
        let mut response = problem(status, self.kind(), &detail, extra);
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"gridmap\""),
            );
        }
        response
    }
}
