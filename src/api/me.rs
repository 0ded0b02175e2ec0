//! `GET /api/me`: who the caller is, for the web app to say who is signed in (or that the
//! token it holds is refused).

use super::auth::{Caller, Credential};
use crate::domain::Role;
use axum::Json;
use serde_json::{Value, json};

/// `GET /api/me`: `role`, `label` and `worker` of a valid token; `signed_in` false without
/// one; `token: "refused"` for an unknown or revoked token (answered as to the public).
pub async fn me(caller: Caller) -> Json<Value> {
    let signed_in = caller.credential == Credential::Valid;
    Json(json!({
        "signed_in": signed_in,
        "role": caller.role.as_str(),
        "label": if signed_in { Some(caller.who.as_ref()) } else { None },
        "worker": caller.worker,
        "token": match caller.credential {
            Credential::None => "none",
            Credential::Valid => "valid",
            Credential::Refused => "refused",
        },
        "internal": caller.role >= Role::Dispatcher,
    }))
}
