//! Geometry encodings of the two stores: ISO WKB (PostGIS) and GeoPackage binary
//! (a `GP` header with SRS id and envelope in front of the WKB, OGC 12-128r18 §2.1.3).

use geo::BoundingRect;
use geo_types::Geometry;
use geozero::{CoordDimensions, ToGeo, ToWkb};

/// WGS84 / CGCS2000 lon-lat, the only SRS we store.
pub const SRS_ID: i32 = 4326;

/// Encodes a geometry as ISO WKB (2D).
pub fn to_wkb(geometry: &Geometry<f64>) -> Result<Vec<u8>, String> {
    geometry
        .to_wkb(CoordDimensions::xy())
        .map_err(|e| e.to_string())
}

/// Decodes ISO or extended WKB.
pub fn from_wkb(bytes: &[u8]) -> Result<Geometry<f64>, String> {
    geozero::wkb::Wkb(bytes.to_vec())
        .to_geo()
        .map_err(|e| e.to_string())
}

/// Encodes a geometry as a GeoPackage binary blob: little-endian, envelope [minx,maxx,miny,maxy].
pub fn to_gpkg(geometry: &Geometry<f64>) -> Result<Vec<u8>, String> {
    let wkb = to_wkb(geometry)?;
    let mut out = Vec::with_capacity(8 + 32 + wkb.len());
    out.extend_from_slice(b"GP");
    out.push(0); // version 1
    match geometry.bounding_rect() {
        Some(rect) => {
            out.push(0b0000_0011); // little endian, envelope kind 1 (xy)
            out.extend_from_slice(&SRS_ID.to_le_bytes());
            for v in [rect.min().x, rect.max().x, rect.min().y, rect.max().y] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => {
            out.push(0b0001_0001); // little endian, empty, no envelope
            out.extend_from_slice(&SRS_ID.to_le_bytes());
        }
    }
    out.extend_from_slice(&wkb);
    Ok(out)
}

/// Decodes a GeoPackage binary blob (any byte order and envelope kind).
pub fn from_gpkg(bytes: &[u8]) -> Result<Geometry<f64>, String> {
    if bytes.len() < 8 || &bytes[..2] != b"GP" {
        return Err("not a GeoPackage geometry (missing GP magic)".into());
    }
    let flags = bytes[3];
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(format!("invalid envelope indicator {other}")),
    };
    let start = 8 + envelope_len;
    if bytes.len() <= start {
        return Err("GeoPackage geometry ends before its WKB".into());
    }
    from_wkb(&bytes[start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Point, polygon};

    #[test]
    fn gpkg_blob_has_header_envelope_and_round_trips() {
        let poly: Geometry<f64> =
            polygon![(x: 7.42, y: 43.73), (x: 7.43, y: 43.73), (x: 7.43, y: 43.74), (x: 7.42, y: 43.73)]
                .into();
        let blob = to_gpkg(&poly).unwrap();
        assert_eq!(&blob[..4], &[b'G', b'P', 0, 3]);
        assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 4326);
        let minx = f64::from_le_bytes(blob[8..16].try_into().unwrap());
        let maxy = f64::from_le_bytes(blob[32..40].try_into().unwrap());
        assert_eq!((minx, maxy), (7.42, 43.74));
        assert_eq!(from_gpkg(&blob).unwrap(), poly);
        let point: Geometry<f64> = Point::new(1.0, 2.0).into();
        assert_eq!(from_wkb(&to_wkb(&point).unwrap()).unwrap(), point);
        assert!(from_gpkg(b"XX").is_err());
    }
}
