//! Photos named by a report, a step or a visit: few enough, and every one uploaded before.

use crate::domain::PhotoId;
use crate::store::{Store, StoreError};

/// Most photos a report, step or visit carries (a WeChat moment's nine).
pub const MAX_PHOTOS_PER_STEP: usize = 9;

/// Why the photos named were refused.
#[derive(Debug, thiserror::Error)]
pub enum PhotoRefError {
    #[error("at most {MAX_PHOTOS_PER_STEP} photos, got {0}")]
    TooMany(usize),
    #[error("no photo {0}: upload it first (POST /api/photos)")]
    Unknown(PhotoId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks the photos a record names.
pub async fn check_photo_refs(store: &dyn Store, photos: &[PhotoId]) -> Result<(), PhotoRefError> {
    if photos.len() > MAX_PHOTOS_PER_STEP {
        return Err(PhotoRefError::TooMany(photos.len()));
    }
    match store.missing_photos(photos).await?.into_iter().next() {
        Some(missing) => Err(PhotoRefError::Unknown(missing)),
        None => Ok(()),
    }
}
