//! Photos (worker role and up; never public): `POST /api/photos` takes a JPEG, PNG or WebP
//! body and answers with its id for reports and steps to name; `GET /api/photos/{id}` and
//! `GET /api/photos/{id}/thumbnail` serve it to dispatchers, and to a worker who uploaded it
//! or may work an incident showing it.

use super::AppState;
use super::auth::Caller;
use super::dispatch::worker_works_on;
use super::problem::ApiError;
use crate::domain::{Photo, PhotoId, PhotoInfo, PhotoRendition, Role};
use crate::photo::{PhotoError, prepare};
use crate::service::photo_refs::PhotoRefError;
use crate::store::PhotoSaved;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Value, json};

impl From<PhotoError> for ApiError {
    fn from(e: PhotoError) -> Self {
        match e {
            PhotoError::TooLarge { max, .. } => ApiError::TooLarge { limit: max },
            PhotoError::Empty | PhotoError::NotAPicture | PhotoError::Unreadable(_) => {
                ApiError::invalid("body", e.to_string())
            }
            PhotoError::TooManyPixels { .. } => ApiError::unfit("body", e.to_string()),
        }
    }
}

impl From<PhotoRefError> for ApiError {
    /// Too many photos is 400, one never uploaded 422, both naming `photos`.
    fn from(e: PhotoRefError) -> Self {
        match e {
            PhotoRefError::TooMany(_) => ApiError::invalid("photos", e.to_string()),
            PhotoRefError::Unknown(_) => ApiError::unfit("photos", e.to_string()),
            PhotoRefError::Store(s) => ApiError::Store(s),
        }
    }
}

/// What an upload answers: the photo and where to fetch it.
pub fn photo_json(info: &PhotoInfo) -> Value {
    json!({
        "id": info.id,
        "format": info.format,
        "media_type": info.format.media_type(),
        "width_px": info.width_px,
        "height_px": info.height_px,
        "bytes": info.bytes,
        "uploaded_at": info.uploaded_at,
        "url": format!("/api/photos/{}", info.id),
        "thumbnail_url": format!("/api/photos/{}/thumbnail", info.id),
    })
}

/// Checks, strips and stores an uploaded picture for `uploaded_by`; the format comes from
/// the bytes, whatever the client calls it.
pub async fn store_upload(
    state: &AppState,
    body: Bytes,
    uploaded_by: &str,
) -> Result<(PhotoInfo, PhotoSaved), ApiError> {
    let prepared = tokio::task::spawn_blocking(move || prepare(&body))
        .await
        .map_err(|e| ApiError::Internal {
            detail: format!("preparing a photo failed: {e}"),
        })??;
    let photo = Photo {
        id: PhotoId::of(&prepared.bytes),
        format: prepared.format,
        width_px: prepared.width_px,
        height_px: prepared.height_px,
        bytes: prepared.bytes,
        thumbnail: prepared.thumbnail,
        uploaded_at: Utc::now(),
        uploaded_by: uploaded_by.to_string(),
    };
    let saved = state.store.save_photo(&photo).await?;
    Ok((photo.info(), saved))
}

/// `POST /api/photos` (worker role and up): the picture as the body. 201 with its id, or
/// 200 when the same picture was stored before.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Worker, "uploading photos")?;
    let (info, saved) = store_upload(&state, body, &caller.who).await?;
    let status = match saved {
        PhotoSaved::New => StatusCode::CREATED,
        PhotoSaved::AlreadyStored => StatusCode::OK,
    };
    Ok((status, Json(photo_json(&info))).into_response())
}

/// `GET /api/photos/{id}`: the picture without its metadata.
pub async fn original(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    serve(&state, &caller, &id, PhotoRendition::Original).await
}

/// `GET /api/photos/{id}/thumbnail`: an upright JPEG at most 320 pixels on a side.
pub async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    serve(&state, &caller, &id, PhotoRendition::Thumbnail).await
}

async fn serve(
    state: &AppState,
    caller: &Caller,
    id: &str,
    rendition: PhotoRendition,
) -> Result<Response, ApiError> {
    caller.require(Role::Worker, "photos")?;
    let not_found = || ApiError::NotFound {
        what: format!("photo {id}"),
    };
    let id = PhotoId::parse(id).ok_or_else(not_found)?;
    if !caller.has(Role::Dispatcher) && !worker_may_see(state, caller, &id).await? {
        // As if it did not exist: a worker learns nothing of others' photos.
        return Err(not_found());
    }
    let (format, bytes) = state
        .store
        .photo_bytes(&id, rendition)
        .await?
        .ok_or_else(not_found)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    // Content-addressed: the bytes behind an id never change; only this caller may keep them.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// A worker sees a photo it uploaded, or one shown by an incident assigned to it or open in
/// one of its grids.
async fn worker_may_see(state: &AppState, caller: &Caller, id: &PhotoId) -> Result<bool, ApiError> {
    let Some(info) = state.store.photo_info(id).await? else {
        return Ok(false);
    };
    if info.uploaded_by == *caller.who {
        return Ok(true);
    }
    let incidents = state.store.photo_incidents(id).await?;
    Ok(incidents.iter().any(|i| worker_works_on(state, caller, i)))
}
