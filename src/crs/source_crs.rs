//! The coordinate system of an input file, geographic ([`Crs`]) or projected
//! ([`Projection`]), and the converter that takes its coordinates to WGS84 lon/lat once.

use super::Crs;
use super::projection::{Inverse, Projection, ProjectionError};
use geo::{Coord, MapCoords};
use std::fmt;
use std::str::FromStr;

/// What an input's coordinates are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SourceCrs {
    Geographic(Crs),
    Projected(Projection),
}

impl Default for SourceCrs {
    fn default() -> Self {
        Self::Geographic(Crs::Wgs84)
    }
}

impl SourceCrs {
    /// Whether coordinates are lon/lat degrees (checked against ±180/±90 before
    /// conversion) rather than metres.
    pub fn is_geographic(&self) -> bool {
        matches!(self, Self::Geographic(_))
    }

    /// The converter to WGS84 (a projection is set up once here).
    pub fn converter(&self) -> Result<ToWgs84, ProjectionError> {
        Ok(match self {
            Self::Geographic(crs) => ToWgs84::Geographic(*crs),
            Self::Projected(p) => ToWgs84::Projected(Box::new(p.inverse()?)),
        })
    }
}

impl fmt::Display for SourceCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Geographic(crs) => write!(f, "{crs}"),
            Self::Projected(Projection::WebMercator) => f.write_str("EPSG:3857 (Web Mercator)"),
            Self::Projected(Projection::GaussKruger {
                central_meridian_deg,
                false_easting_m,
            }) => write!(
                f,
                "CGCS2000 Gauss–Krüger, central meridian {central_meridian_deg}°E, false easting {false_easting_m} m"
            ),
        }
    }
}

impl FromStr for SourceCrs {
    type Err = String;

    /// `wgs84`, `cgcs2000`, `gcj02`, `bd09`, or `EPSG:NNNN` (4326, 4490, 3857, 4491–4554).
    ///
    /// ```
    /// use gridmap::crs::{Crs, SourceCrs};
    /// assert_eq!("EPSG:4490".parse::<SourceCrs>().unwrap(), SourceCrs::Geographic(Crs::Cgcs2000));
    /// assert!(matches!("epsg:4527".parse::<SourceCrs>().unwrap(), SourceCrs::Projected(_)));
    /// assert!("EPSG:2435".parse::<SourceCrs>().unwrap_err().contains("Beijing 1954"));
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        if let Some(code) = upper.strip_prefix("EPSG:") {
            let epsg: u32 = code
                .parse()
                .map_err(|_| format!("{s:?}: EPSG codes are numbers (EPSG:4527)"))?;
            return match epsg {
                4326 => Ok(Self::Geographic(Crs::Wgs84)),
                4490 => Ok(Self::Geographic(Crs::Cgcs2000)),
                other => Projection::from_epsg(other)
                    .map(Self::Projected)
                    .map_err(|e| e.to_string()),
            };
        }
        s.parse::<Crs>()
            .map(Self::Geographic)
            .map_err(|e| format!("{e}, or EPSG:NNNN (4326, 4490, 3857, 4491–4554)"))
    }
}

/// Converts an input's coordinates to WGS84 lon/lat.
#[derive(Debug)]
pub enum ToWgs84 {
    Geographic(Crs),
    Projected(Box<Inverse>),
}

impl ToWgs84 {
    /// One position.
    pub fn position(&self, x: f64, y: f64) -> Result<(f64, f64), ProjectionError> {
        match self {
            Self::Geographic(crs) => Ok(crs.to_wgs84(x, y)),
            Self::Projected(inverse) => {
                let (lon, lat) = inverse.to_lon_lat(x, y)?;
                // Gauss–Krüger gives CGCS2000 lon/lat, Web Mercator WGS84: both stored as is.
                Ok((lon, lat))
            }
        }
    }

    /// Every position of a geometry; the first that cannot be converted is the error.
    pub fn geometry<G>(&self, geometry: &G) -> Result<G, ProjectionError>
    where
        G: MapCoords<f64, f64, Output = G>,
    {
        geometry.try_map_coords(|c| self.position(c.x, c.y).map(|(x, y)| Coord { x, y }))
    }
}
