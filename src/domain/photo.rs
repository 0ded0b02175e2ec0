//! Photos (现场照片) attached to incident reports and steps: content-addressed, stripped of
//! location metadata, internal only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A photo's id: the SHA-256 of its stored bytes, 64 lowercase hex digits. The same picture
/// uploaded twice is one photo.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhotoId(String);

impl PhotoId {
    /// The id of these stored bytes.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest;
        Self(hex(&sha2::Sha256::digest(bytes)))
    }

    /// Parses an id: exactly 64 hex digits (either case; kept lowercase).
    ///
    /// ```
    /// use gridmap::domain::PhotoId;
    /// let id = PhotoId::of(b"jpeg bytes");
    /// assert_eq!(PhotoId::parse(&id.as_str().to_uppercase()), Some(id));
    /// assert_eq!(PhotoId::parse("../etc/passwd"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl fmt::Display for PhotoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PhotoId {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text).ok_or_else(|| format!("{text:?} is not a photo id (64 hex digits)"))
    }
}

impl From<PhotoId> for String {
    fn from(id: PhotoId) -> String {
        id.0
    }
}

/// The picture formats accepted: what phones and WeChat save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhotoFormat {
    Jpeg,
    Png,
    Webp,
}

impl PhotoFormat {
    pub const ALL: [PhotoFormat; 3] = [Self::Jpeg, Self::Png, Self::Webp];

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.media_type().eq_ignore_ascii_case(media_type.trim()))
    }

    /// The format these bytes start like (their magic number), whatever they are called.
    ///
    /// ```
    /// use gridmap::domain::PhotoFormat;
    /// assert_eq!(PhotoFormat::sniff(b"\xFF\xD8\xFF\xE0...."), Some(PhotoFormat::Jpeg));
    /// assert_eq!(PhotoFormat::sniff(b"GIF89a"), None);
    /// ```
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\xFF\xD8\xFF") {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

/// Which rendition of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoRendition {
    /// As uploaded, less its metadata (orientation kept).
    Original,
    /// A JPEG at most [`THUMBNAIL_EDGE_PX`] on its longer side, upright.
    Thumbnail,
}

/// The longer side of a thumbnail, in pixels.
pub const THUMBNAIL_EDGE_PX: u32 = 320;

/// A photo as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub id: PhotoId,
    pub format: PhotoFormat,
    /// Upright size in pixels.
    pub width_px: u32,
    pub height_px: u32,
    /// The picture without EXIF, XMP, IPTC or text metadata.
    pub bytes: Vec<u8>,
    /// JPEG.
    pub thumbnail: Vec<u8>,
    pub uploaded_at: DateTime<Utc>,
    /// Who uploaded it: the token's label, or `resident` for a public report.
    pub uploaded_by: String,
}

/// What a photo is, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotoInfo {
    pub id: PhotoId,
    pub format: PhotoFormat,
    pub width_px: u32,
    pub height_px: u32,
    pub bytes: u64,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
}

impl Photo {
    pub fn info(&self) -> PhotoInfo {
        PhotoInfo {
            id: self.id.clone(),
            format: self.format,
            width_px: self.width_px,
            height_px: self.height_px,
            bytes: self.bytes.len() as u64,
            uploaded_at: self.uploaded_at,
            uploaded_by: self.uploaded_by.clone(),
        }
    }
}
