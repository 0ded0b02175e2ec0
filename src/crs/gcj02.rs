//! GCJ-02 (火星坐标, used by Amap, Tencent and WeChat) to and from WGS84.
//!
//! The forward offset is the published GCJ-02 polynomial on the Krasovsky 1940 ellipsoid;
//! it applies inside mainland China only (a bounding-box test, as every client does). The
//! inverse has no closed form and is found by fixed-point iteration to below a millimetre.

use std::f64::consts::PI;

const KRASOVSKY_A_M: f64 = 6_378_245.0;
const KRASOVSKY_E2: f64 = 0.006_693_421_622_965_943;

/// Whether GCJ-02 applies at this WGS84 position (rough mainland-China box).
pub fn is_offset_region(lon: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0
}

fn offset_lon(x: f64, y: f64) -> f64 {
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0
}

/// The GCJ-02 shift (degrees) at a WGS84 position.
fn delta(lon: f64, lat: f64) -> (f64, f64) {
    let d_lat = offset_lat(lon - 105.0, lat - 35.0);
    let d_lon = offset_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_E2 * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat_deg =
        (d_lat * 180.0) / ((KRASOVSKY_A_M * (1.0 - KRASOVSKY_E2)) / (magic * sqrt_magic) * PI);
    let d_lon_deg = (d_lon * 180.0) / (KRASOVSKY_A_M / sqrt_magic * rad_lat.cos() * PI);
    (d_lon_deg, d_lat_deg)
}

/// WGS84 → GCJ-02. Positions outside China are returned unchanged.
///
/// ```
/// let (lon, lat) = gridmap::crs::gcj02::from_wgs84(109.98, 39.81);
/// assert!((lon - 109.98).abs() > 1e-4 && (lat - 39.81).abs() > 1e-5);
/// ```
pub fn from_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if !is_offset_region(lon, lat) {
        return (lon, lat);
    }
    let (d_lon, d_lat) = delta(lon, lat);
    (lon + d_lon, lat + d_lat)
}

/// GCJ-02 → WGS84, accurate to well under a millimetre (iterated inverse).
///
/// ```
/// use gridmap::crs::gcj02;
/// let (glon, glat) = gcj02::from_wgs84(116.391, 39.907);
/// let (lon, lat) = gcj02::to_wgs84(glon, glat);
/// assert!((lon - 116.391).abs() < 1e-8 && (lat - 39.907).abs() < 1e-8);
/// ```
pub fn to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if !is_offset_region(lon, lat) {
        return (lon, lat);
    }
    let (mut wlon, mut wlat) = (lon, lat);
    for _ in 0..30 {
        let (glon, glat) = from_wgs84(wlon, wlat);
        let (e_lon, e_lat) = (glon - lon, glat - lat);
        wlon -= e_lon;
        wlat -= e_lat;
        if e_lon.abs() < 1e-10 && e_lat.abs() < 1e-10 {
            break;
        }
    }
    (wlon, wlat)
}
