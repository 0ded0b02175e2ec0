//! Joining adjacent boundaries into one: refused when they overlap or do not touch.

use geo::{Area, BooleanOps};
use geo_types::MultiPolygon;

/// Why boundaries cannot be merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRefusal {
    /// Two of them share area.
    Overlap,
    /// Their union has as many pieces as they had: they share no boundary.
    NotAdjacent,
}

/// The union of adjacent, non-overlapping boundaries (at least one).
///
/// ```
/// use gridmap::spatial::{MergeRefusal, merge_boundaries};
/// use geo_types::{MultiPolygon, polygon};
/// let square = |x: f64| MultiPolygon::new(vec![polygon![(x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0)]]);
/// assert_eq!(merge_boundaries(&[square(0.0), square(1.0)]).map(|m| m.0.len()), Ok(1));
/// assert_eq!(merge_boundaries(&[square(0.0), square(5.0)]), Err(MergeRefusal::NotAdjacent));
/// assert_eq!(merge_boundaries(&[square(0.0), square(0.5)]), Err(MergeRefusal::Overlap));
/// ```
pub fn merge_boundaries(
    boundaries: &[MultiPolygon<f64>],
) -> Result<MultiPolygon<f64>, MergeRefusal> {
    let Some((first, rest)) = boundaries.split_first() else {
        return Ok(MultiPolygon::new(vec![]));
    };
    let mut union = first.clone();
    let mut parts_before = first.0.len();
    for b in rest {
        let overlap = union.intersection(b).unsigned_area();
        if overlap > 1e-12 {
            return Err(MergeRefusal::Overlap);
        }
        parts_before += b.0.len();
        union = union.union(b);
    }
    // Adjacent boundaries share edges: their union has fewer pieces than they had.
    if union.0.len() >= parts_before {
        return Err(MergeRefusal::NotAdjacent);
    }
    Ok(union)
}
