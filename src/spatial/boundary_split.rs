//! Cutting a boundary into pieces along a line (a thin cut) or around a polygon (inside and
//! outside), leaving out the specks a cut can leave.

use geo::{Area, BooleanOps, Buffer, Intersects};
use geo_types::{Geometry, MultiPolygon};

/// Width (degrees, ~10 cm) of the cut a split line makes.
const BLADE_DEGREES: f64 = 1e-6;

/// The pieces of `boundary` cut by `blade`: a polygon blade gives what lies inside it and
/// what lies outside; a line blade cuts a thin slot and gives each piece left. Pieces under
/// a millionth of the boundary's area are dropped. `None` when a line blade misses.
///
/// ```
/// use gridmap::spatial::split_boundary;
/// use geo_types::{Geometry, MultiPolygon, line_string, polygon};
/// let square = MultiPolygon::new(vec![polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)]]);
/// let cut = Geometry::LineString(line_string![(x: 1.0, y: -1.0), (x: 1.0, y: 3.0)]);
/// assert_eq!(split_boundary(&square, &cut).map(|p| p.len()), Some(2));
/// let miss = Geometry::LineString(line_string![(x: 5.0, y: -1.0), (x: 5.0, y: 3.0)]);
/// assert!(split_boundary(&square, &miss).is_none());
/// ```
pub fn split_boundary(
    boundary: &MultiPolygon<f64>,
    blade: &Geometry<f64>,
) -> Option<Vec<MultiPolygon<f64>>> {
    let pieces: Vec<MultiPolygon<f64>> = match blade {
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
            let area: MultiPolygon<f64> = match blade {
                Geometry::Polygon(p) => MultiPolygon::new(vec![p.clone()]),
                Geometry::MultiPolygon(m) => m.clone(),
                _ => MultiPolygon::new(vec![]),
            };
            vec![boundary.intersection(&area), boundary.difference(&area)]
        }
        other => {
            if !other.intersects(boundary) {
                return None;
            }
            let cut = other.buffer(BLADE_DEGREES);
            boundary
                .difference(&cut)
                .0
                .into_iter()
                .map(|p| MultiPolygon::new(vec![p]))
                .collect()
        }
    };
    // Specks the cut leaves (under 1 m²-ish) are not communities.
    let total = boundary.unsigned_area();
    Some(
        pieces
            .into_iter()
            .filter(|p| p.unsigned_area() > total * 1e-6)
            .collect(),
    )
}
