//! A local metric frame: metres east and north of a centre ↔ lon/lat, equirectangular with
//! the WGS84 ellipsoid's radii of curvature at the centre's latitude. Within 20 km of the
//! centre its distances are within 0.5% of geodesic ones at Chinese latitudes (18°–53°; the
//! test below checks it), which is all layout generation, partitioning and nearest-worker
//! ranking need.

use geo_types::{Coord, Point};

/// WGS84 (and CGCS2000, to 0.1 mm) semi-major axis.
const SEMI_MAJOR_M: f64 = 6_378_137.0;
/// WGS84 first eccentricity squared.
const ECCENTRICITY_SQUARED: f64 = 6.694_379_990_141_317e-3;

/// Metres east and north about a centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    lon0: f64,
    lat0: f64,
    m_per_deg_lon: f64,
    m_per_deg_lat: f64,
}

impl LocalFrame {
    /// The frame about (`lon0`, `lat0`).
    ///
    /// ```
    /// use gridmap::spatial::LocalFrame;
    /// use geo_types::Coord;
    /// let frame = LocalFrame::new(109.98, 39.8);
    /// let east = frame.to_metres(Coord { x: 109.99, y: 39.8 });
    /// assert!((east.x - 856.4).abs() < 0.1); // 0.01° of longitude at 39.8°N
    /// let north = frame.to_metres(Coord { x: 109.98, y: 39.81 });
    /// assert!((north.y - 1110.3).abs() < 0.1); // 0.01° of latitude
    /// ```
    pub fn new(lon0: f64, lat0: f64) -> Self {
        let (sin, cos) = lat0.to_radians().sin_cos();
        let w = (1.0 - ECCENTRICITY_SQUARED * sin * sin).sqrt();
        let radians_per_degree = std::f64::consts::PI / 180.0;
        Self {
            lon0,
            lat0,
            // Radius of the parallel, and the meridian's radius of curvature.
            m_per_deg_lon: radians_per_degree * SEMI_MAJOR_M * cos / w,
            m_per_deg_lat: radians_per_degree * SEMI_MAJOR_M * (1.0 - ECCENTRICITY_SQUARED)
                / (w * w * w),
        }
    }

    /// The frame about the mean of some lon/lat points (about (0, 0) when there are none).
    ///
    /// ```
    /// use gridmap::spatial::LocalFrame;
    /// use geo_types::Coord;
    /// let frame = LocalFrame::at_mean([Coord { x: 110.0, y: 39.0 }, Coord { x: 111.0, y: 40.0 }]);
    /// assert_eq!(frame.centre(), Coord { x: 110.5, y: 39.5 });
    /// ```
    pub fn at_mean(points: impl IntoIterator<Item = Coord<f64>>) -> Self {
        let (sum, count) = points
            .into_iter()
            .fold((Coord { x: 0.0, y: 0.0 }, 0usize), |(sum, n), c| {
                (sum + c, n + 1)
            });
        let n = count.max(1) as f64;
        Self::new(sum.x / n, sum.y / n)
    }

    /// The centre's lon/lat.
    pub fn centre(self) -> Coord<f64> {
        Coord {
            x: self.lon0,
            y: self.lat0,
        }
    }

    /// Lon/lat of a point `x` metres east and `y` metres north of the centre.
    pub fn to_lonlat(self, x: f64, y: f64) -> Coord<f64> {
        Coord {
            x: self.lon0 + x / self.m_per_deg_lon,
            y: self.lat0 + y / self.m_per_deg_lat,
        }
    }

    /// Metres east and north of the centre.
    pub fn to_metres(self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.lon0) * self.m_per_deg_lon,
            y: (c.y - self.lat0) * self.m_per_deg_lat,
        }
    }

    /// [`Self::to_metres`] of a point as an R-tree position.
    pub fn point_metres(self, p: Point<f64>) -> [f64; 2] {
        let m = self.to_metres(p.0);
        [m.x, m.y]
    }

    /// Metres between two lon/lat points, measured in this frame.
    pub fn distance_m(self, a: Point<f64>, b: Point<f64>) -> f64 {
        let (a, b) = (self.to_metres(a.0), self.to_metres(b.0));
        (a.x - b.x).hypot(a.y - b.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Destination, Distance, Geodesic};

    /// Segments up to 20 km with both ends within 10 km of the centre, every 5° of latitude
    /// from 18° to 53° and every 15° of bearing: the frame's length is within 0.5% of the
    /// geodesic length on the WGS84 ellipsoid.
    #[test]
    fn lengths_within_half_a_percent_of_geodesic_up_to_20_km() {
        let mut worst: f64 = 0.0;
        for lat in (18..=53).step_by(5).chain([53]) {
            let centre = Point::new(110.0, f64::from(lat));
            let frame = LocalFrame::new(centre.x(), centre.y());
            for bearing in (0..360).step_by(15) {
                let bearing = f64::from(bearing);
                for half_m in [50.0, 1_000.0, 5_000.0, 10_000.0] {
                    let a = Geodesic.destination(centre, bearing, half_m);
                    let b = Geodesic.destination(centre, bearing + 180.0, half_m);
                    let geodesic = Geodesic.distance(a, b);
                    let error = (frame.distance_m(a, b) - geodesic).abs() / geodesic;
                    worst = worst.max(error);
                    assert!(error < 0.005, "{lat}° {bearing}° {half_m} m: {error}");
                    // And from the centre out, on a side.
                    let side = Geodesic.destination(a, bearing + 90.0, half_m);
                    let geodesic = Geodesic.distance(a, side);
                    let error = (frame.distance_m(a, side) - geodesic).abs() / geodesic;
                    worst = worst.max(error);
                    assert!(error < 0.005, "{lat}° {bearing}° side {half_m} m: {error}");
                }
            }
        }
        assert!(worst > 0.0, "the check measured something");
    }

    #[test]
    fn round_trips() {
        let frame = LocalFrame::new(121.47, 31.23);
        let c = Coord { x: 121.5, y: 31.2 };
        let m = frame.to_metres(c);
        let back = frame.to_lonlat(m.x, m.y);
        assert!((back.x - c.x).abs() < 1e-12 && (back.y - c.y).abs() < 1e-12);
    }
}
