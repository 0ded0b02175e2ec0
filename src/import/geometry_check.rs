//! Checks of raw GeoJSON geometries before conversion: coordinate ranges, ring closure and
//! length, and OGC validity of polygons (no self-intersections).

use geo::{Orient, Validation, orient::Direction};
use geojson::{Position, Value};

/// What a position's coordinates must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranges {
    /// Lon/lat degrees within ±180 / ±90.
    LonLat,
    /// Finite numbers (projected metres, checked again once converted).
    Finite,
}

/// Checks one position: at least two coordinates, finite, within ±180 / ±90 for lon/lat.
fn check_position(p: &Position, ranges: Ranges) -> Result<(), String> {
    if p.len() < 2 {
        return Err(format!(
            "position {p:?} needs at least longitude and latitude"
        ));
    }
    let (lon, lat) = (p[0], p[1]);
    if !lon.is_finite() || !lat.is_finite() {
        return Err(format!("position {p:?} is not finite"));
    }
    if ranges == Ranges::Finite {
        return Ok(());
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!(
            "longitude {lon} out of range (must be within ±180)"
        ));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat} out of range (must be within ±90)"));
    }
    Ok(())
}

fn check_line(line: &[Position], ranges: Ranges) -> Result<(), String> {
    if line.len() < 2 {
        return Err(format!(
            "line has {} position(s), needs at least 2",
            line.len()
        ));
    }
    line.iter().try_for_each(|p| check_position(p, ranges))
}

fn check_polygon(rings: &[Vec<Position>], ranges: Ranges) -> Result<(), String> {
    if rings.is_empty() {
        return Err("polygon has no rings".into());
    }
    for (i, ring) in rings.iter().enumerate() {
        let which = if i == 0 {
            "outer ring".to_string()
        } else {
            format!("hole {i}")
        };
        if ring.len() < 4 {
            return Err(format!(
                "{which} has {} positions, needs at least 4",
                ring.len()
            ));
        }
        ring.iter().try_for_each(|p| check_position(p, ranges))?;
        if ring.first() != ring.last() {
            return Err(format!(
                "{which} is not closed (first and last positions differ)"
            ));
        }
    }
    Ok(())
}

/// Checks the structure and coordinates of any GeoJSON geometry value.
pub fn check_value(value: &Value, ranges: Ranges) -> Result<(), String> {
    match value {
        Value::Point(p) => check_position(p, ranges),
        Value::MultiPoint(ps) => ps.iter().try_for_each(|p| check_position(p, ranges)),
        Value::LineString(l) => check_line(l, ranges),
        Value::MultiLineString(ls) => ls.iter().try_for_each(|l| check_line(l, ranges)),
        Value::Polygon(rings) => check_polygon(rings, ranges),
        Value::MultiPolygon(polys) => polys.iter().try_for_each(|p| check_polygon(p, ranges)),
        Value::GeometryCollection(gs) => gs.iter().try_for_each(|g| check_value(&g.value, ranges)),
    }
}

/// Checks OGC validity of a polygonal geometry (self-intersections, holes outside shells…)
/// and returns it oriented as RFC 7946 asks: exteriors counter-clockwise, holes clockwise.
pub fn valid_oriented(
    mp: geo_types::MultiPolygon<f64>,
) -> Result<geo_types::MultiPolygon<f64>, String> {
    mp.check_validation()
        .map_err(|e| format!("invalid polygon: {e}"))?;
    Ok(mp.orient(Direction::Default))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_open_short_and_out_of_range_rings() {
        let open = Value::Polygon(vec![vec![
            vec![0.0, 0.0],
            vec![1.0, 0.0],
            vec![1.0, 1.0],
            vec![0.0, 1.0],
        ]]);
        assert!(
            check_value(&open, Ranges::LonLat)
                .unwrap_err()
                .contains("not closed")
        );
        let short = Value::Polygon(vec![vec![vec![0.0, 0.0], vec![1.0, 0.0], vec![0.0, 0.0]]]);
        assert!(
            check_value(&short, Ranges::LonLat)
                .unwrap_err()
                .contains("at least 4")
        );
        let far = Value::Point(vec![200.0, 10.0]);
        assert!(
            check_value(&far, Ranges::LonLat)
                .unwrap_err()
                .contains("longitude 200")
        );
        assert!(check_value(&Value::Point(vec![1.0]), Ranges::LonLat).is_err());
        assert!(check_value(&Value::Point(vec![7.4, 43.7]), Ranges::LonLat).is_ok());
    }
}
