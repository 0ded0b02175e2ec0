//! Photos for the incident loop, pure (no I/O): checked to be a picture, stripped of its
//! metadata (the position a phone writes into EXIF first of all), a thumbnail made.
//!
//! - `prepare.rs` — `prepare`: bytes in, a [`PreparedPhoto`] or a [`PhotoError`] out.
//! - `metadata_strip.rs` — container-level removal of EXIF, XMP, IPTC and text chunks,
//!   keeping only an orientation tag.

mod metadata_strip;
mod prepare;

pub use metadata_strip::strip_metadata;
pub use prepare::{MAX_PHOTO_BYTES, MAX_PHOTO_EDGE_PX, PhotoError, PreparedPhoto, prepare};
