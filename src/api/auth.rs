//! The caller's role, from an `Authorization: Bearer` token (none: public).

use super::AppState;
use super::problem::ApiError;
use crate::auth::hash_token;
use crate::domain::Role;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

/// The authenticated role of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller(pub Role);

impl Caller {
    /// Refuses callers below `needed`, naming what they tried to reach.
    pub fn require(self, needed: Role, what: &str) -> Result<(), ApiError> {
        if self.0 >= needed {
            Ok(())
        } else if self.0 == Role::Public {
            Err(ApiError::Unauthorized { what: what.into() })
        } else {
            Err(ApiError::Forbidden {
                role: self.0.as_str().into(),
                what: what.into(),
            })
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Caller(Role::Public));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::BadToken)?;
        state
            .store
            .role_for_token(&hash_token(token))
            .await?
            .map(Caller)
            .ok_or(ApiError::BadToken)
    }
}
