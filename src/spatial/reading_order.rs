//! Reading order of points: rows north→south, west→east within a row, as grid and
//! community codes are numbered (cf. Beijing DB11/T 2157-2023).

use geo_types::Point;

/// The indices of `points` in reading order. Rows are latitude bands of equal height, as
/// many as the square root of the number of points, so nearly-level neighbours share a row.
///
/// ```
/// use geo_types::Point;
/// use gridmap::spatial::reading_order;
/// // Two rows of two: north-west, north-east, south-west, south-east.
/// let pts = [Point::new(1.0, 0.0), Point::new(0.0, 1.0), Point::new(0.0, 0.0), Point::new(1.0, 1.01)];
/// assert_eq!(reading_order(&pts), vec![1, 3, 2, 0]);
/// ```
pub fn reading_order(points: &[Point<f64>]) -> Vec<usize> {
    if points.is_empty() {
        return Vec::new();
    }
    let max_y = points.iter().map(|p| p.y()).fold(f64::MIN, f64::max);
    let min_y = points.iter().map(|p| p.y()).fold(f64::MAX, f64::min);
    let rows = (points.len() as f64).sqrt().ceil().max(1.0);
    let band = ((max_y - min_y) / rows).max(f64::EPSILON);
    let row_of = |p: &Point<f64>| (((max_y - p.y()) / band).floor() as i64).min(rows as i64 - 1);
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&points[a], &points[b]);
        row_of(pa)
            .cmp(&row_of(pb))
            .then(pa.x().total_cmp(&pb.x()))
            .then(pb.y().total_cmp(&pa.y()))
            .then(a.cmp(&b))
    });
    order
}
