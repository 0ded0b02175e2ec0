//! Preparing an uploaded photo: its format sniffed from its bytes (not from what the client
//! calls it), decoded whole within size limits (so a file that only starts like a picture is
//! refused), the metadata stripped, and a thumbnail made upright from what is kept.

use super::metadata_strip::strip_metadata;
use crate::domain::{PhotoFormat, THUMBNAIL_EDGE_PX};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The largest upload, in bytes: a full-resolution phone photo fits, a video does not.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;

/// The longest side a photo may have, in pixels (a 50-megapixel phone camera is 8,160).
pub const MAX_PHOTO_EDGE_PX: u32 = 12_000;

/// Memory the decoder may take, in bytes: a 12,000 × 12,000 picture would need more.
const MAX_DECODE_BYTES: u64 = 400 * 1024 * 1024;

/// JPEG quality of thumbnails.
const THUMBNAIL_QUALITY: u8 = 80;

/// Why a photo was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the upload is empty")]
    Empty,
    #[error("the upload is {bytes} bytes; photos may be at most {max} bytes")]
    TooLarge { bytes: usize, max: usize },
    #[error("not a JPEG, PNG or WebP picture")]
    NotAPicture,
    #[error("the picture is {width_px} × {height_px} pixels; at most {max} on a side")]
    TooManyPixels {
        width_px: u32,
        height_px: u32,
        max: u32,
    },
    #[error("the picture cannot be read: {0}")]
    Unreadable(String),
}

/// A photo ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedPhoto {
    pub format: PhotoFormat,
    /// Upright size.
    pub width_px: u32,
    pub height_px: u32,
    /// The original without metadata (orientation kept).
    pub bytes: Vec<u8>,
    /// An upright JPEG at most [`THUMBNAIL_EDGE_PX`] on its longer side.
    pub thumbnail: Vec<u8>,
}

/// Checks and prepares an upload.
///
/// ```
/// use gridmap::photo::{PhotoError, prepare};
/// let mut png = Vec::new();
/// image::RgbImage::from_pixel(640, 480, image::Rgb([200, 30, 30]))
///     .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
///     .unwrap();
/// let photo = prepare(&png).unwrap();
/// assert_eq!((photo.width_px, photo.height_px), (640, 480));
/// let thumb = image::load_from_memory(&photo.thumbnail).unwrap();
/// assert_eq!((thumb.width(), thumb.height()), (320, 240));
/// assert_eq!(prepare(b"%PDF-1.7"), Err(PhotoError::NotAPicture));
/// // Starts like a PNG, is not one.
/// assert!(matches!(prepare(&png[..100]), Err(PhotoError::Unreadable(_))));
/// ```
pub fn prepare(bytes: &[u8]) -> Result<PreparedPhoto, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge {
            bytes: bytes.len(),
            max: MAX_PHOTO_BYTES,
        });
    }
    let format = PhotoFormat::sniff(bytes).ok_or(PhotoError::NotAPicture)?;
    // The orientation from the original's header, then the picture stored is the one
    // decoded: what is kept is known to read.
    let orientation = decoder(bytes, format)?
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let stripped = strip_metadata(format, bytes, orientation.to_exif())
        .ok_or_else(|| PhotoError::Unreadable("its container is damaged".into()))?;
    let unreadable = |e: image::ImageError| PhotoError::Unreadable(e.to_string());
    let mut picture =
        DynamicImage::from_decoder(decoder(&stripped, format)?).map_err(unreadable)?;
    picture.apply_orientation(orientation);
    let thumbnail = encode_thumbnail(&picture).map_err(unreadable)?;
    Ok(PreparedPhoto {
        format,
        width_px: picture.width(),
        height_px: picture.height(),
        bytes: stripped,
        thumbnail,
    })
}

/// A decoder of `bytes` within the size limits; a picture too large is refused by its
/// header, before any pixel is decoded.
fn decoder(bytes: &[u8], format: PhotoFormat) -> Result<impl ImageDecoder + '_, PhotoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_EDGE_PX);
    limits.max_image_height = Some(MAX_PHOTO_EDGE_PX);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|e| too_large_or(e, bytes))?;
    let (width_px, height_px) = decoder.dimensions();
    if width_px.max(height_px) > MAX_PHOTO_EDGE_PX {
        return Err(PhotoError::TooManyPixels {
            width_px,
            height_px,
            max: MAX_PHOTO_EDGE_PX,
        });
    }
    Ok(decoder)
}

fn image_format(format: PhotoFormat) -> ImageFormat {
    match format {
        PhotoFormat::Jpeg => ImageFormat::Jpeg,
        PhotoFormat::Png => ImageFormat::Png,
        PhotoFormat::Webp => ImageFormat::WebP,
    }
}

/// A decoder refusing the picture's size is [`PhotoError::TooManyPixels`] when the size is
/// known, otherwise unreadable.
fn too_large_or(e: image::ImageError, bytes: &[u8]) -> PhotoError {
    if matches!(e, image::ImageError::Limits(_))
        && let Ok((width_px, height_px)) = image::ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(image::ImageError::IoError)
            .and_then(|r| r.into_dimensions())
    {
        return PhotoError::TooManyPixels {
            width_px,
            height_px,
            max: MAX_PHOTO_EDGE_PX,
        };
    }
    PhotoError::Unreadable(e.to_string())
}

fn encode_thumbnail(picture: &DynamicImage) -> Result<Vec<u8>, image::ImageError> {
    let small = picture
        .thumbnail(THUMBNAIL_EDGE_PX, THUMBNAIL_EDGE_PX)
        .to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, THUMBNAIL_QUALITY)
        .encode_image(&small)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        })
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .unwrap();
        out
    }

    /// A JPEG with an EXIF block holding a GPS position and an orientation.
    fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        // TIFF, little-endian: IFD0 with Orientation and a GPS IFD pointer; the GPS IFD
        // with a latitude reference.
        let mut tiff: Vec<u8> = b"II\x2A\x00\x08\x00\x00\x00".to_vec();
        tiff.extend(2u16.to_le_bytes());
        tiff.extend(0x0112u16.to_le_bytes());
        tiff.extend(3u16.to_le_bytes());
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(u32::from(orientation).to_le_bytes());
        tiff.extend(0x8825u16.to_le_bytes());
        tiff.extend(4u16.to_le_bytes());
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(38u32.to_le_bytes());
        tiff.extend(0u32.to_le_bytes());
        tiff.extend(1u16.to_le_bytes());
        tiff.extend(1u16.to_le_bytes()); // GPSLatitudeRef
        tiff.extend(2u16.to_le_bytes()); // ASCII
        tiff.extend(2u32.to_le_bytes());
        tiff.extend(b"N\0\0\0");
        tiff.extend(0u32.to_le_bytes());
        tiff.extend(b"GPS-MARKER-39.81N-110.00E");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
        out.extend(&app1);
        out.extend(&jpeg[2..]);
        out.extend(b"TRAILER-WITH-GPS-MARKER");
        out
    }

    #[test]
    fn exif_positions_are_stripped_and_orientation_kept() {
        let original = with_exif(&jpeg(400, 200), 6);
        assert!(original.windows(10).any(|w| w == b"GPS-MARKER"));
        let photo = prepare(&original).unwrap();
        assert!(
            !photo.bytes.windows(10).any(|w| w == b"GPS-MARKER"),
            "no GPS block, no trailer"
        );
        // Rotated 90°: upright it is tall, and so is the thumbnail.
        assert_eq!((photo.width_px, photo.height_px), (200, 400));
        let thumb = image::load_from_memory(&photo.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (160, 320));
        // The stored original still says how to turn it, and still decodes.
        let mut decoder = ImageReader::new(Cursor::new(&photo.bytes))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(
            decoder.orientation().unwrap(),
            image::metadata::Orientation::Rotate90
        );
        assert!(image::load_from_memory(&photo.bytes).is_ok());
    }

    #[test]
    fn upright_photos_keep_no_exif_at_all() {
        let photo = prepare(&with_exif(&jpeg(64, 48), 1)).unwrap();
        assert!(!photo.bytes.windows(4).any(|w| w == b"Exif"));
        assert_eq!((photo.width_px, photo.height_px), (64, 48));
    }

    #[test]
    fn oversized_and_foreign_uploads_are_refused() {
        assert_eq!(prepare(b""), Err(PhotoError::Empty));
        let big = vec![0xFF; MAX_PHOTO_BYTES + 1];
        assert!(matches!(prepare(&big), Err(PhotoError::TooLarge { .. })));
        assert_eq!(prepare(b"GIF89a\x01\x00"), Err(PhotoError::NotAPicture));
        // A PNG header claiming 20,000 × 20,000 pixels.
        let mut png = Vec::new();
        image::RgbImage::new(1, 1)
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            prepare(&png),
            Err(PhotoError::TooManyPixels {
                width_px: 20_000,
                height_px: 20_000,
                max: MAX_PHOTO_EDGE_PX
            })
        );
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for b in data {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
