//! Web Mercator (EPSG:3857) as world units: x and y in 0..1 from the north-west corner.

/// A point in world units (0..1, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct World {
    pub x: f64,
    pub y: f64,
}

/// The latitude where Web Mercator's square world ends.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// Projects lon/lat (degrees, WGS84) to world units; latitudes are clamped to the square.
///
/// ```
/// use gridmap::mvt::mercator::lonlat_to_world;
/// let w = lonlat_to_world(0.0, 0.0);
/// assert!((w.x - 0.5).abs() < 1e-12 && (w.y - 0.5).abs() < 1e-12);
/// ```
pub fn lonlat_to_world(lon: f64, lat: f64) -> World {
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    World {
        x: lon / 360.0 + 0.5,
        y: 0.5
            - (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln() / (2.0 * std::f64::consts::PI),
    }
}

/// The inverse of [`lonlat_to_world`]: `[lon, lat]`.
pub fn world_to_lonlat(w: World) -> [f64; 2] {
    let lon = (w.x - 0.5) * 360.0;
    let lat = (((0.5 - w.y) * 2.0 * std::f64::consts::PI).exp().atan() * 2.0
        - std::f64::consts::FRAC_PI_2)
        .to_degrees();
    [lon, lat]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_within_a_nanodegree() {
        for (lon, lat) in [
            (109.98, 39.81),
            (7.42, 43.73),
            (-73.9, -40.1),
            (179.9, 84.0),
        ] {
            let back = world_to_lonlat(lonlat_to_world(lon, lat));
            assert!((back[0] - lon).abs() < 1e-9 && (back[1] - lat).abs() < 1e-9);
        }
    }
}
