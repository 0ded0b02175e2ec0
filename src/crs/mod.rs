//! Coordinate reference systems of the inputs and their conversion to WGS84 (what is stored).
//!
//! CGCS2000 and WGS84 agree at the metre level and are stored as given. GCJ-02 and BD-09,
//! the obfuscated systems of Chinese web maps, are converted on the way in, exactly once.
//! Files may also come projected ([`Projection`]: CGCS2000 Gauss–Krüger, Web Mercator),
//! named by their `.prj` ([`read_prj`]) or `--crs EPSG:NNNN` ([`SourceCrs`]).

pub mod bd09;
pub mod gcj02;
mod prj;
mod projection;
mod source_crs;

pub use prj::{PrjError, read_prj};
pub use projection::{Inverse, Projection, ProjectionError};
pub use source_crs::{SourceCrs, ToWgs84};

use geo::MapCoords;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The coordinate reference system an input is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    #[default]
    Wgs84,
    Cgcs2000,
    Gcj02,
    Bd09,
}

impl Crs {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wgs84 => "wgs84",
            Self::Cgcs2000 => "cgcs2000",
            Self::Gcj02 => "gcj02",
            Self::Bd09 => "bd09",
        }
    }

    /// Converts one lon/lat position in this CRS to WGS84.
    ///
    /// ```
    /// use gridmap::crs::Crs;
    /// assert_eq!(Crs::Wgs84.to_wgs84(7.42, 43.73), (7.42, 43.73));
    /// let (lon, lat) = Crs::Bd09.to_wgs84(116.404, 39.915);
    /// assert!((lon - 116.404).abs() > 0.005); // Baidu is hundreds of metres off
    /// ```
    pub fn to_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Self::Wgs84 | Self::Cgcs2000 => (lon, lat),
            Self::Gcj02 => gcj02::to_wgs84(lon, lat),
            Self::Bd09 => {
                let (glon, glat) = bd09::to_gcj02(lon, lat);
                gcj02::to_wgs84(glon, glat)
            }
        }
    }

    /// Converts one WGS84 position into this CRS (for exports and tests).
    pub fn from_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Self::Wgs84 | Self::Cgcs2000 => (lon, lat),
            Self::Gcj02 => gcj02::from_wgs84(lon, lat),
            Self::Bd09 => {
                let (glon, glat) = gcj02::from_wgs84(lon, lat);
                bd09::from_gcj02(glon, glat)
            }
        }
    }

    /// Converts every coordinate of a geometry to WGS84.
    pub fn geometry_to_wgs84<G>(self, geometry: &G) -> G
    where
        G: MapCoords<f64, f64, Output = G>,
    {
        geometry.map_coords(|c| {
            let (x, y) = self.to_wgs84(c.x, c.y);
            geo::Coord { x, y }
        })
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Crs {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "wgs84" | "epsg4326" => Ok(Self::Wgs84),
            "cgcs2000" | "epsg4490" => Ok(Self::Cgcs2000),
            "gcj02" => Ok(Self::Gcj02),
            "bd09" => Ok(Self::Bd09),
            _ => Err(format!(
                "unknown CRS {s:?}: use wgs84, cgcs2000, gcj02 or bd09"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Haversine, Point};

    #[test]
    fn gcj02_round_trip_is_exact_and_shift_is_hundreds_of_metres() {
        for &(lon, lat) in &[
            (109.98, 39.81),
            (121.47, 31.23),
            (108.94, 34.26),
            (105.44, 28.87),
        ] {
            let (glon, glat) = Crs::Gcj02.from_wgs84(lon, lat);
            let shift_m = Haversine.distance(Point::new(lon, lat), Point::new(glon, glat));
            assert!((100.0..1000.0).contains(&shift_m), "shift {shift_m} m");
            let (wlon, wlat) = Crs::Gcj02.to_wgs84(glon, glat);
            let back_m = Haversine.distance(Point::new(lon, lat), Point::new(wlon, wlat));
            assert!(back_m < 0.01, "round trip off by {back_m} m");
        }
    }

    #[test]
    fn bd09_round_trip_is_exact() {
        let (blon, blat) = Crs::Bd09.from_wgs84(116.391, 39.907);
        let (lon, lat) = Crs::Bd09.to_wgs84(blon, blat);
        let off_m = Haversine.distance(Point::new(116.391, 39.907), Point::new(lon, lat));
        assert!(off_m < 0.01, "{off_m} m");
    }

    #[test]
    fn outside_china_nothing_moves() {
        assert_eq!(Crs::Gcj02.to_wgs84(7.42, 43.73), (7.42, 43.73));
        assert_eq!("GCJ-02".parse::<Crs>().unwrap(), Crs::Gcj02);
        assert!("utm".parse::<Crs>().is_err());
    }
}
