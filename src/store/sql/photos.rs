//! Photos on SQL: a BLOB (GeoPackage) or `bytea` (PostGIS) row per picture, keyed by hash.

use super::{SqlBackend, SqlStore};
use crate::domain::{IncidentId, Photo, PhotoFormat, PhotoId, PhotoInfo, PhotoRendition};
use crate::store::schema::{self, ColumnType, SqlValue, Statement};
use crate::store::{PhotoSaved, PhotoStore, StoreError};
use async_trait::async_trait;
use std::sync::Arc;

fn format_of(text: Option<&str>) -> Option<PhotoFormat> {
    PhotoFormat::ALL
        .into_iter()
        .find(|f| Some(format_name(*f)) == text)
}

fn format_name(format: PhotoFormat) -> &'static str {
    match format {
        PhotoFormat::Jpeg => "jpeg",
        PhotoFormat::Png => "png",
        PhotoFormat::Webp => "webp",
    }
}

#[async_trait]
impl<B: SqlBackend> PhotoStore for SqlStore<B> {
    async fn save_photo(&self, photo: &Photo) -> Result<PhotoSaved, StoreError> {
        let at = B::DIALECT.param(ColumnType::Timestamp, 7);
        let insert = Statement::new(
            Arc::from(format!(
                "INSERT INTO photos (id, format, width_px, height_px, bytes, thumbnail, uploaded_at, uploaded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, {at}, $8) ON CONFLICT (id) DO NOTHING"
            )),
            vec![
                SqlValue::Text(Some(photo.id.to_string())),
                SqlValue::Text(Some(format_name(photo.format).into())),
                SqlValue::Int(Some(i64::from(photo.width_px))),
                SqlValue::Int(Some(i64::from(photo.height_px))),
                SqlValue::Blob(Some(photo.bytes.clone())),
                SqlValue::Blob(Some(photo.thumbnail.clone())),
                SqlValue::Text(Some(schema::format_timestamp(&photo.uploaded_at))),
                SqlValue::Text(Some(photo.uploaded_by.clone())),
            ],
        );
        let written = self
            .backend
            .execute_in_transaction(&[insert], None)
            .await
            .map_err(|source| StoreError::Write {
                what: format!("photo {}", photo.id),
                source,
            })?;
        Ok(if written == 0 {
            PhotoSaved::AlreadyStored
        } else {
            PhotoSaved::New
        })
    }

    async fn photo_info(&self, id: &PhotoId) -> Result<Option<PhotoInfo>, StoreError> {
        let at = B::DIALECT.select_column("uploaded_at", ColumnType::Timestamp);
        let rows = self
            .backend
            .fetch(
                &format!(
                    "SELECT format, width_px, height_px, CAST(length(bytes) AS BIGINT), {at}, uploaded_by FROM photos WHERE id = $1"
                ),
                &[SqlValue::Text(Some(id.to_string()))],
                &[
                    ColumnType::Text,
                    ColumnType::Int,
                    ColumnType::Int,
                    ColumnType::Int,
                    ColumnType::Text,
                    ColumnType::Text,
                ],
            )
            .await
            .map_err(StoreError::query("photos"))?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let corrupt = |reason: &str| StoreError::Corrupt {
            table: "photos",
            key: id.to_string(),
            reason: reason.into(),
        };
        match row.as_slice() {
            [
                SqlValue::Text(format),
                SqlValue::Int(Some(width)),
                SqlValue::Int(Some(height)),
                SqlValue::Int(Some(bytes)),
                SqlValue::Text(Some(at)),
                SqlValue::Text(Some(by)),
            ] => Ok(Some(PhotoInfo {
                id: id.clone(),
                format: format_of(format.as_deref()).ok_or_else(|| corrupt("bad format"))?,
                width_px: u32::try_from(*width).map_err(|_| corrupt("bad width"))?,
                height_px: u32::try_from(*height).map_err(|_| corrupt("bad height"))?,
                bytes: u64::try_from(*bytes).map_err(|_| corrupt("bad length"))?,
                uploaded_at: chrono::DateTime::parse_from_rfc3339(at)
                    .map_err(|_| corrupt("bad time"))?
                    .with_timezone(&chrono::Utc),
                uploaded_by: by.clone(),
            })),
            _ => Err(corrupt("unexpected columns")),
        }
    }

    async fn photo_bytes(
        &self,
        id: &PhotoId,
        rendition: PhotoRendition,
    ) -> Result<Option<(PhotoFormat, Vec<u8>)>, StoreError> {
        let column = match rendition {
            PhotoRendition::Original => "bytes",
            PhotoRendition::Thumbnail => "thumbnail",
        };
        let rows = self
            .backend
            .fetch(
                &format!("SELECT format, {column} FROM photos WHERE id = $1"),
                &[SqlValue::Text(Some(id.to_string()))],
                &[ColumnType::Text, ColumnType::Blob],
            )
            .await
            .map_err(StoreError::query("photos"))?;
        let mut rows = rows.into_iter();
        let Some(row) = rows.next() else {
            return Ok(None);
        };
        let mut values = row.into_iter();
        match (values.next(), values.next()) {
            (Some(SqlValue::Text(format)), Some(SqlValue::Blob(Some(bytes)))) => {
                let format = match rendition {
                    PhotoRendition::Thumbnail => Some(PhotoFormat::Jpeg),
                    PhotoRendition::Original => format_of(format.as_deref()),
                };
                Ok(format.map(|f| (f, bytes)))
            }
            _ => Err(StoreError::Corrupt {
                table: "photos",
                key: id.to_string(),
                reason: "no picture".into(),
            }),
        }
    }

    async fn photo_incidents(&self, id: &PhotoId) -> Result<Vec<IncidentId>, StoreError> {
        let rows = self
            .backend
            .fetch(
                "SELECT incident_id FROM incident_photos WHERE photo_id = $1 ORDER BY incident_id",
                &[SqlValue::Text(Some(id.to_string()))],
                &[ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("incident_photos"))?;
        Ok(rows
            .into_iter()
            .filter_map(|r| match r.into_iter().next() {
                Some(SqlValue::Text(Some(id))) => Some(IncidentId(id)),
                _ => None,
            })
            .collect())
    }

    async fn missing_photos(&self, ids: &[PhotoId]) -> Result<Vec<PhotoId>, StoreError> {
        let mut missing = Vec::new();
        for id in ids {
            let rows = self
                .backend
                .fetch(
                    "SELECT id FROM photos WHERE id = $1",
                    &[SqlValue::Text(Some(id.to_string()))],
                    &[ColumnType::Text],
                )
                .await
                .map_err(StoreError::query("photos"))?;
            if rows.is_empty() {
                missing.push(id.clone());
            }
        }
        Ok(missing)
    }
}
