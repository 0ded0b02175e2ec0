//! Grid polygons: the union of a grid's Voronoi cells clipped to the community, so the grids
//! of a community tile it with no gap and no overlap.

use geo::{Area, BooleanOps, Euclidean, Length, unary_union};
use geo_types::{MultiPolygon, Polygon};

/// The polygon of a grid made of `cells`, inside `boundary` (all in metres).
pub fn grid_polygon(cells: &[&Polygon<f64>], boundary: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let union = unary_union(cells.iter().copied());
    let clipped = union.intersection(boundary);
    // Drop slivers left by floating point (under 0.01 m²).
    MultiPolygon::new(
        clipped
            .0
            .into_iter()
            .filter(|p| p.unsigned_area() > 0.01)
            .collect(),
    )
}

/// Polsby-Popper compactness 4πA/P² (1 for a circle), of all parts together.
pub fn polsby_popper(polygon: &MultiPolygon<f64>) -> f64 {
    let area = polygon.unsigned_area();
    let perimeter: f64 = polygon
        .0
        .iter()
        .map(|p| {
            Euclidean.length(p.exterior())
                + p.interiors()
                    .iter()
                    .map(|r| Euclidean.length(r))
                    .sum::<f64>()
        })
        .sum();
    if perimeter > 0.0 {
        4.0 * std::f64::consts::PI * area / (perimeter * perimeter)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_has_pp_pi_over_4() {
        let square = MultiPolygon::new(vec![Polygon::new(
            vec![
                (0.0, 0.0),
                (10.0, 0.0),
                (10.0, 10.0),
                (0.0, 10.0),
                (0.0, 0.0),
            ]
            .into(),
            vec![],
        )]);
        assert!((polsby_popper(&square) - std::f64::consts::PI / 4.0).abs() < 1e-9);
    }
}
