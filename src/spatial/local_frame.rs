//! A local metric frame (equirectangular about a centre): metres east/north ↔ lon/lat.
//! Accurate to well under 0.1% across a city, which is all layout generation and
//! partitioning need.

use geo_types::Coord;

/// Metres per degree of latitude (mean).
const M_PER_DEG_LAT: f64 = 110_574.0;
/// Metres per degree of longitude at the equator.
const M_PER_DEG_LON_EQ: f64 = 111_320.0;

#[derive(Debug, Clone, Copy)]
pub struct LocalFrame {
    lon0: f64,
    lat0: f64,
    m_per_deg_lon: f64,
}

impl LocalFrame {
    pub fn new(lon0: f64, lat0: f64) -> Self {
        Self {
            lon0,
            lat0,
            m_per_deg_lon: M_PER_DEG_LON_EQ * lat0.to_radians().cos(),
        }
    }

    /// Lon/lat of a point `x` metres east and `y` metres north of the centre.
    pub fn to_lonlat(self, x: f64, y: f64) -> Coord<f64> {
        Coord {
            x: self.lon0 + x / self.m_per_deg_lon,
            y: self.lat0 + y / M_PER_DEG_LAT,
        }
    }

    /// Metres east and north of the centre.
    pub fn to_metres(self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.lon0) * self.m_per_deg_lon,
            y: (c.y - self.lat0) * M_PER_DEG_LAT,
        }
    }
}
