//! A local equirectangular frame for one city: lon/lat to metres, accurate to well under a
//! metre per kilometre within ~50 km of its centre, so R-tree distances are in metres.

use geo_types::Point;

/// Metres per degree of latitude (mean).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// Lon/lat to local metres around a reference latitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricFrame {
    metres_per_lon_degree: f64,
}

impl MetricFrame {
    /// A frame for a city at `latitude`.
    ///
    /// ```
    /// use gridmap::engine::MetricFrame;
    /// use geo_types::Point;
    /// let f = MetricFrame::new(39.8);
    /// let a = f.to_metres(Point::new(109.98, 39.80));
    /// let b = f.to_metres(Point::new(109.99, 39.80));
    /// assert!(((b[0] - a[0]) - 855.3).abs() < 1.0); // 0.01° of longitude at 39.8°N
    /// ```
    pub fn new(latitude: f64) -> Self {
        Self {
            metres_per_lon_degree: METRES_PER_DEGREE * latitude.to_radians().cos(),
        }
    }

    pub fn to_metres(&self, p: Point<f64>) -> [f64; 2] {
        [
            p.x() * self.metres_per_lon_degree,
            p.y() * METRES_PER_DEGREE,
        ]
    }
}
