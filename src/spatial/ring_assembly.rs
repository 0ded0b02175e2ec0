//! Joining way fragments into closed rings, as OSM multipolygon relations need.

use geo_types::{Coord, LineString};

/// Joins coordinate sequences end to end (either direction) into closed rings.
///
/// ```
/// use geo_types::Coord;
/// use gridmap::spatial::assemble_rings;
/// let c = |x: f64, y: f64| Coord { x, y };
/// let parts = vec![vec![c(0., 0.), c(1., 0.), c(1., 1.)], vec![c(0., 0.), c(0., 1.), c(1., 1.)]];
/// let rings = assemble_rings(parts).unwrap();
/// assert_eq!(rings.len(), 1);
/// assert_eq!(rings[0].0.len(), 5);
/// assert!(rings[0].is_closed());
/// ```
pub fn assemble_rings(mut parts: Vec<Vec<Coord<f64>>>) -> Result<Vec<LineString<f64>>, String> {
    let mut rings = Vec::new();
    parts.retain(|p| p.len() >= 2);
    while let Some(mut ring) = parts.pop() {
        while ring.first() != ring.last() {
            let Some(end) = ring.last().copied() else {
                break;
            };
            let Some(next) = parts
                .iter()
                .position(|p| p.first() == Some(&end) || p.last() == Some(&end))
            else {
                return Err(format!(
                    "ring does not close (open end at {:.7},{:.7})",
                    end.x, end.y
                ));
            };
            let mut part = parts.swap_remove(next);
            if part.first() != Some(&end) {
                part.reverse();
            }
            ring.extend(part.into_iter().skip(1));
        }
        if ring.len() < 4 {
            return Err(format!(
                "ring has {} positions, needs at least 4",
                ring.len()
            ));
        }
        rings.push(LineString::new(ring));
    }
    Ok(rings)
}
