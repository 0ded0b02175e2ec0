//! BD-09 (Baidu) to and from GCJ-02; BD-09 is a further rotation and shift of GCJ-02.

use std::f64::consts::PI;

const X_PI: f64 = PI * 3000.0 / 180.0;

/// GCJ-02 → BD-09.
pub fn from_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02 (the published closed-form inverse, refined by two Newton-free
/// fixed-point steps so that a round trip is exact to 1e-9 degrees).
pub fn to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    let x = lon - 0.0065;
    let y = lat - 0.006;
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    let (mut glon, mut glat) = (z * theta.cos(), z * theta.sin());
    for _ in 0..5 {
        let (blon, blat) = from_gcj02(glon, glat);
        glon -= blon - lon;
        glat -= blat - lat;
    }
    (glon, glat)
}
