//! The caller's role, from an `Authorization: Bearer` token (none: public).

use super::AppState;
use super::problem::ApiError;
use crate::domain::{Role, WorkerId};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use std::sync::{Arc, LazyLock};

/// The authenticated role of a request, who it is (the token's label, or the role), and
/// what credential it carried. A token that is unknown or revoked makes a public caller:
/// public endpoints answer as to anyone (the same whatever token is sent), and anything
/// more is refused with 401 `bad-token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub role: Role,
    /// The token's label (or the role): who acted, in incident histories.
    pub who: Arc<str>,
    pub credential: Credential,
    /// The worker a worker token belongs to.
    pub worker: Option<WorkerId>,
}

/// What credential a request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// No `Authorization` header.
    None,
    /// A token the store knows.
    Valid,
    /// A malformed, unknown or revoked token.
    Refused,
}

/// The label of callers without a token.
static PUBLIC: LazyLock<Arc<str>> = LazyLock::new(|| Role::Public.as_str().into());

impl Caller {
    /// A caller without a token, or whose token was refused.
    fn public(credential: Credential) -> Self {
        Caller {
            role: Role::Public,
            who: PUBLIC.clone(),
            credential,
            worker: None,
        }
    }

    /// Whether the caller may act on what belongs to worker `worker`: staff (dispatcher
    /// and up) on anyone's, a worker token on its own worker's only.
    pub fn acts_for(&self, worker: &WorkerId) -> bool {
        self.has(Role::Dispatcher) || self.worker.as_ref() == Some(worker)
    }

    /// The worker a worker token acts as, for what only a worker does (a task list, a
    /// visit, a patrol); 403 for tokens without one.
    pub fn own_worker(&self, what: &str) -> Result<WorkerId, ApiError> {
        self.require(Role::Worker, what)?;
        self.worker.clone().ok_or_else(|| ApiError::Forbidden {
            role: self.role.as_str().into(),
            what: format!("{what} (a worker token names its worker)"),
        })
    }

    /// Whose records (visits, patrols) the caller may list: anyone's (`asked`, or all) for
    /// dispatchers and up; a worker token its own worker's only.
    pub fn readable_worker(
        &self,
        asked: Option<WorkerId>,
        what: &str,
    ) -> Result<Option<WorkerId>, ApiError> {
        self.require(Role::Worker, what)?;
        if self.has(Role::Dispatcher) {
            return Ok(asked);
        }
        match (&self.worker, asked) {
            (Some(me), None) => Ok(Some(me.clone())),
            (Some(me), Some(w)) if &w == me => Ok(Some(w)),
            _ => Err(ApiError::Forbidden {
                role: self.role.as_str().into(),
                what: format!("other workers' {what}"),
            }),
        }
    }

    /// Whether the caller holds `needed` or a higher role.
    pub fn has(&self, needed: Role) -> bool {
        self.role >= needed
    }

    /// Refuses callers below `needed`, naming what they tried to reach (`what` is only
    /// written out on refusal: `format_args!` costs nothing on the allowed path).
    pub fn require(&self, needed: Role, what: impl std::fmt::Display) -> Result<(), ApiError> {
        if self.has(needed) {
            Ok(())
        } else if self.credential == Credential::Refused {
            Err(ApiError::BadToken)
        } else if self.role == Role::Public {
            Err(ApiError::Unauthorized {
                what: what.to_string(),
            })
        } else {
            Err(ApiError::Forbidden {
                role: self.role.as_str().into(),
                what: what.to_string(),
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
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(Caller::public(Credential::None));
        }
        let refused = Caller::public(Credential::Refused);
        let Some(token) = bearer(&parts.headers) else {
            return Ok(refused);
        };
        Ok(match state.token(token).await? {
            Some(known) => Caller {
                who: if known.label.is_empty() {
                    known.role.as_str().into()
                } else {
                    known.label
                },
                role: known.role,
                credential: Credential::Valid,
                worker: known.worker,
            },
            None => refused,
        })
    }
}

/// The token of an `Authorization: Bearer …` header, when there is a well-formed one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Whose a request is, for scoping what a caller keeps (idempotency keys): the SHA-256 of
/// its bearer token as the store knows it, or `public` without one.
pub fn caller_scope(headers: &HeaderMap) -> String {
    bearer(headers).map_or_else(|| "public".to_string(), crate::auth::hash_token)
}
