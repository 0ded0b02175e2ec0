//! Photos as stored: content-addressed pictures with their thumbnails, and which incidents
//! show them.

use super::StoreError;
use crate::domain::{IncidentId, Photo, PhotoFormat, PhotoId, PhotoInfo, PhotoRendition};
use async_trait::async_trait;

/// Whether saving a photo stored new bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSaved {
    New,
    /// The same bytes were stored before (by anyone): nothing was written.
    AlreadyStored,
}

/// Photos and their links to incidents (written with the incident steps that name them).
#[async_trait]
pub trait PhotoStore: Send + Sync {
    /// Stores a photo unless its id (the hash of its bytes) is stored already.
    async fn save_photo(&self, photo: &Photo) -> Result<PhotoSaved, StoreError>;

    /// What a photo is, without its bytes.
    async fn photo_info(&self, id: &PhotoId) -> Result<Option<PhotoInfo>, StoreError>;

    /// A rendition's format and bytes (thumbnails are JPEG).
    async fn photo_bytes(
        &self,
        id: &PhotoId,
        rendition: PhotoRendition,
    ) -> Result<Option<(PhotoFormat, Vec<u8>)>, StoreError>;

    /// The incidents whose steps show a photo.
    async fn photo_incidents(&self, id: &PhotoId) -> Result<Vec<IncidentId>, StoreError>;

    /// Which of `ids` are not stored.
    async fn missing_photos(&self, ids: &[PhotoId]) -> Result<Vec<PhotoId>, StoreError>;
}
