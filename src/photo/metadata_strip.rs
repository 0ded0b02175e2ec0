//! Removing a picture's metadata without re-encoding it: JPEG segments, PNG chunks and WebP
//! chunks are kept by an allow-list of what drawing the picture needs (and its colour
//! profile); everything else — EXIF with its GPS position, XMP, IPTC, comments, text chunks,
//! embedded previews and data after the image — is dropped. An orientation other than
//! upright is written back as a minimal EXIF block holding that one tag, so the picture
//! still shows the right way up.

use crate::domain::PhotoFormat;
use bytes::Bytes;
use img_parts::jpeg::{Jpeg, markers};
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{ImageEXIF, ImageICC};

/// The picture without metadata; `orientation` is the EXIF orientation (1–8) to keep, 1
/// (upright) keeping none. `None` when the container cannot be read.
///
/// ```
/// use gridmap::domain::PhotoFormat;
/// use gridmap::photo::strip_metadata;
/// let mut png = Vec::new();
/// image::RgbImage::new(2, 2)
///     .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
///     .unwrap();
/// // A text chunk naming a place is gone, the picture stays.
/// let mut with_text = png[..33].to_vec();
/// let text = b"tEXtLocation\x0039.8,110.0";
/// with_text.extend((text.len() as u32 - 4).to_be_bytes());
/// with_text.extend(text);
/// with_text.extend(crc32(text).to_be_bytes());
/// with_text.extend(&png[33..]);
/// let clean = strip_metadata(PhotoFormat::Png, &with_text, 1).unwrap();
/// assert_eq!(clean, png);
/// # fn crc32(data: &[u8]) -> u32 {
/// #     let mut crc = !0u32;
/// #     for b in data {
/// #         crc ^= u32::from(*b);
/// #         for _ in 0..8 { crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 }; }
/// #     }
/// #     !crc
/// # }
/// ```
pub fn strip_metadata(format: PhotoFormat, bytes: &[u8], orientation: u8) -> Option<Vec<u8>> {
    let data = Bytes::copy_from_slice(bytes);
    let exif = (orientation != 1).then(|| Bytes::from(orientation_exif(orientation)));
    let out = match format {
        PhotoFormat::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(data).ok()?;
            jpeg.segments_mut()
                .retain(|s| jpeg_segment_kept(s.marker(), s.contents()));
            jpeg.set_exif(exif);
            truncate_after_end_of_image(jpeg.encoder().bytes().to_vec())
        }
        PhotoFormat::Png => {
            let mut png = Png::from_bytes(data).ok()?;
            png.chunks_mut().retain(|c| PNG_KEPT.contains(&c.kind()));
            png.set_exif(exif);
            png.encoder().bytes().to_vec()
        }
        PhotoFormat::Webp => {
            let mut webp = WebP::from_bytes(data).ok()?;
            let icc = webp.icc_profile();
            webp.chunks_mut().retain(|c| WEBP_KEPT.contains(&c.id()));
            // Setting the profile and EXIF recomputes the VP8X flags for what is left.
            webp.set_icc_profile(icc);
            webp.set_exif(exif);
            webp.encoder().bytes().to_vec()
        }
    };
    Some(out)
}

/// JPEG segments kept: everything that is not an application segment or a comment, plus
/// JFIF (APP0), an ICC profile (APP2 `ICC_PROFILE`) and Adobe's colour transform (APP14).
fn jpeg_segment_kept(marker: u8, contents: &[u8]) -> bool {
    match marker {
        markers::APP0 | markers::APP14 => true,
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        m if (markers::APP0..=markers::APP15).contains(&m) => false,
        markers::COM => false,
        _ => true,
    }
}

/// PNG chunks kept: the critical ones and those that change how the pixels look.
const PNG_KEPT: [[u8; 4]; 12] = [
    *b"IHDR", *b"PLTE", *b"IDAT", *b"IEND", *b"tRNS", *b"gAMA", *b"cHRM", *b"sRGB", *b"iCCP",
    *b"sBIT", *b"bKGD", *b"pHYs",
];

/// WebP chunks kept: the picture, its alpha, animation and colour profile.
const WEBP_KEPT: [[u8; 4]; 7] = [
    *b"VP8 ", *b"VP8L", *b"VP8X", *b"ALPH", *b"ANIM", *b"ANMF", *b"ICCP",
];

/// A JPEG ends at its first end-of-image marker after the scans begin: phones append more
/// pictures (and their EXIF) after it.
fn truncate_after_end_of_image(mut jpeg: Vec<u8>) -> Vec<u8> {
    let scan_start = jpeg
        .windows(2)
        .position(|w| w == [0xFF, markers::SOS])
        .unwrap_or(0);
    if let Some(end) = jpeg[scan_start..]
        .windows(2)
        .position(|w| w == [0xFF, markers::EOI])
    {
        jpeg.truncate(scan_start + end + 2);
    }
    jpeg
}

/// A TIFF-structured EXIF block (big-endian) with one entry: Orientation (0x0112) = `value`.
fn orientation_exif(value: u8) -> Vec<u8> {
    let mut exif = Vec::with_capacity(26);
    exif.extend(b"MM\x00\x2A"); // byte order, TIFF magic
    exif.extend(8u32.to_be_bytes()); // offset of IFD0
    exif.extend(1u16.to_be_bytes()); // one entry
    exif.extend(0x0112u16.to_be_bytes()); // Orientation
    exif.extend(3u16.to_be_bytes()); // SHORT
    exif.extend(1u32.to_be_bytes()); // one value
    exif.extend(u16::from(value).to_be_bytes());
    exif.extend([0, 0]); // padding to four bytes
    exif.extend(0u32.to_be_bytes()); // no next IFD
    exif
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_orientation_block_reads_back() {
        let exif = orientation_exif(6);
        assert_eq!(
            image::metadata::Orientation::from_exif_chunk(&exif),
            image::metadata::Orientation::from_exif(6)
        );
    }

    #[test]
    fn jpeg_trailers_are_cut_at_the_end_of_the_image() {
        let jpeg = vec![
            0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 1, 2, 0xFF, 0xD9, b'M', b'P', b'F',
        ];
        assert_eq!(truncate_after_end_of_image(jpeg).len(), 10);
    }
}
