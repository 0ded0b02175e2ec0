//! Projected coordinates of the inputs: CGCS2000 Gauss–Krüger (transverse Mercator on the
//! CGCS2000 ellipsoid; 3° and 6° zones, EPSG:4491–4554, with or without the zone number in
//! the false easting) and Web Mercator (EPSG:3857), converted to lon/lat by proj4rs.
//!
//! Beijing 1954 and Xi'an 1980 (their own ellipsoids and datums, metres to a hundred metres
//! from CGCS2000) are refused with the datum named: a silent shift would misplace every
//! building.

use proj4rs::Proj;

/// A projection an input's coordinates may be in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Projection {
    /// Gauss–Krüger (transverse Mercator, scale 1 on the central meridian, latitude of
    /// origin 0) on the CGCS2000 ellipsoid.
    GaussKruger {
        central_meridian_deg: f64,
        false_easting_m: f64,
    },
    /// EPSG:3857, the spherical Mercator of web maps.
    WebMercator,
}

/// Why a coordinate system was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProjectionError {
    #[error(
        "coordinates on the {0} datum are not supported: its ellipsoid and datum differ from CGCS2000 by metres to a hundred metres; convert the file to CGCS2000 (EPSG:4490, or its Gauss–Krüger zones EPSG:4491–4554) first"
    )]
    OtherDatum(&'static str),
    #[error(
        "EPSG:{0} is not supported: use 4326, 4490, 3857 or a CGCS2000 Gauss–Krüger zone (4491–4554)"
    )]
    UnknownEpsg(u32),
    #[error("the projection cannot be set up: {0}")]
    Setup(String),
    #[error("({x}, {y}) cannot be converted: {reason}")]
    Point { x: f64, y: f64, reason: String },
}

/// Geographic lon/lat: the datums gridmap takes as they are (WGS84 and CGCS2000 agree at
/// the centimetre-to-metre level) and those it refuses.
pub fn refused_datum(epsg: u32) -> Option<&'static str> {
    match epsg {
        // Beijing 1954: geographic, 3°/6° Gauss–Krüger zones and CMs.
        4214 | 2401..=2442 | 21413..=21423 | 21453..=21463 | 21473..=21483 => Some("Beijing 1954"),
        // Xi'an 1980: geographic, Gauss–Krüger zones and CMs.
        4610 | 2327..=2400 => Some("Xi'an 1980"),
        _ => None,
    }
}

impl Projection {
    /// The projection of an EPSG code: CGCS2000 Gauss–Krüger 6° zones 13–23 (4491–4501,
    /// zone in the false easting) and CM 75°E–135°E (4502–4512); 3° zones 25–45
    /// (4513–4533, zone in the false easting) and CM 75°E–135°E (4534–4554); 3857.
    ///
    /// ```
    /// use gridmap::crs::Projection;
    /// assert_eq!(
    ///     Projection::from_epsg(4526).unwrap(),
    ///     Projection::GaussKruger { central_meridian_deg: 114.0, false_easting_m: 38_500_000.0 }
    /// );
    /// assert!(Projection::from_epsg(2435).unwrap_err().to_string().contains("Beijing 1954"));
    /// ```
    pub fn from_epsg(epsg: u32) -> Result<Self, ProjectionError> {
        if let Some(datum) = refused_datum(epsg) {
            return Err(ProjectionError::OtherDatum(datum));
        }
        let gk = |cm: u32, zone: Option<u32>| Self::GaussKruger {
            central_meridian_deg: f64::from(cm),
            false_easting_m: f64::from(zone.unwrap_or(0)) * 1_000_000.0 + 500_000.0,
        };
        match epsg {
            4491..=4501 => {
                let zone = 13 + epsg - 4491;
                Ok(gk(6 * zone - 3, Some(zone)))
            }
            4502..=4512 => Ok(gk(75 + 6 * (epsg - 4502), None)),
            4513..=4533 => {
                let zone = 25 + epsg - 4513;
                Ok(gk(3 * zone, Some(zone)))
            }
            4534..=4554 => Ok(gk(75 + 3 * (epsg - 4534), None)),
            3857 | 900_913 | 102_100 => Ok(Self::WebMercator),
            other => Err(ProjectionError::UnknownEpsg(other)),
        }
    }

    /// The PROJ.4 definition.
    fn definition(self) -> String {
        match self {
            Self::GaussKruger {
                central_meridian_deg,
                false_easting_m,
            } => format!(
                "+proj=tmerc +lat_0=0 +lon_0={central_meridian_deg} +k=1 +x_0={false_easting_m} +y_0=0 +a=6378137 +rf=298.257222101 +units=m +no_defs"
            ),
            Self::WebMercator => "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +no_defs".into(),
        }
    }

    /// A converter from this projection's metres to lon/lat degrees (on its own datum:
    /// CGCS2000 for Gauss–Krüger, WGS84 for Web Mercator), set up once for a whole file.
    pub fn inverse(self) -> Result<Inverse, ProjectionError> {
        let from = Proj::from_proj_string(&self.definition())
            .map_err(|e| ProjectionError::Setup(e.to_string()))?;
        let to = Proj::from_proj_string("+proj=longlat +a=6378137 +rf=298.257222101 +no_defs")
            .map_err(|e| ProjectionError::Setup(e.to_string()))?;
        Ok(Inverse { from, to })
    }
}

/// Converts projected metres to lon/lat degrees.
#[derive(Debug)]
pub struct Inverse {
    from: Proj,
    to: Proj,
}

impl Inverse {
    /// One position: (x, y) metres to (lon, lat) degrees.
    pub fn to_lon_lat(&self, x: f64, y: f64) -> Result<(f64, f64), ProjectionError> {
        let mut point = (x, y, 0.0);
        proj4rs::transform::transform(&self.from, &self.to, &mut point).map_err(|e| {
            ProjectionError::Point {
                x,
                y,
                reason: e.to_string(),
            }
        })?;
        let (lon, lat) = (point.0.to_degrees(), point.1.to_degrees());
        if lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0 {
            Ok((lon, lat))
        } else {
            Err(ProjectionError::Point {
                x,
                y,
                reason: "outside the projection's range".into(),
            })
        }
    }
}
