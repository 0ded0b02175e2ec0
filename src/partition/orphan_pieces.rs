//! Step 5b: a site's cell clipped to a concave community can fall apart; the pieces away
//! from any of the grid's sites go to the neighbouring grid they share most boundary with,
//! so every grid is one polygon while the tiling stays exact.

use super::drawing::DrawnGrid;
use geo::{Area, BooleanOps, Closest, ClosestPoint, Contains, Distance, Euclidean};
use geo_types::{Coord, Line, LineString, MultiPolygon, Point, Polygon};

/// Gives away every grid's pieces that hold none of its sites. Returns, per grid, the
/// pieces kept that touch no other grid: islands of the community itself (or pieces joined
/// to it only at a point), which no other grid could take.
pub(crate) fn give_orphan_pieces_to_neighbours(
    planned: &mut [DrawnGrid],
    sites: &[Coord<f64>],
) -> Vec<usize> {
    let mut islands = vec![0; planned.len()];
    for g in 0..planned.len() {
        if planned[g].polygon_m.0.len() < 2 {
            continue;
        }
        let polygons = planned[g].polygon_m.0.clone();
        let members = planned[g].sites.clone();
        let holds = |p: &Polygon<f64>| {
            members
                .iter()
                .filter(|&&s| p.contains(&Point::from(sites[s])))
                .count()
        };
        let main = (0..polygons.len())
            .max_by(|&a, &b| {
                holds(&polygons[a]).cmp(&holds(&polygons[b])).then(
                    polygons[a]
                        .unsigned_area()
                        .total_cmp(&polygons[b].unsigned_area()),
                )
            })
            .unwrap_or(0);
        let mut keep = Vec::new();
        for (i, piece) in polygons.into_iter().enumerate() {
            if i == main || holds(&piece) > 0 {
                keep.push(piece);
                continue;
            }
            // The neighbour touching most of the piece's outline.
            let outline: Vec<Point<f64>> = piece.exterior().points().collect();
            let best = (0..planned.len())
                .filter(|&h| h != g)
                .map(|h| {
                    let touching = outline
                        .iter()
                        .filter(|p| Euclidean.distance(*p, &planned[h].polygon_m) < 1e-3)
                        .count();
                    (touching, h)
                })
                .filter(|(touching, _)| *touching >= 2)
                .max();
            match best {
                Some((_, h)) => {
                    planned[h].polygon_m =
                        planned[h].polygon_m.union(&MultiPolygon::new(vec![piece]))
                }
                None => {
                    islands[g] += 1;
                    keep.push(piece);
                }
            }
        }
        planned[g].polygon_m = MultiPolygon::new(keep);
    }
    for grid in planned.iter_mut() {
        grid.polygon_m = close_hairline_gaps(&grid.polygon_m);
    }
    islands
}

/// Pieces closer than this (metres) to a grid's main piece touch it: a gap that narrow is
/// the boolean operations' rounding (each snaps to a grid of its own extent), not a gap.
const HAIRLINE_M: f64 = 1e-3;

/// Joins to the largest piece every piece that touches it but was left apart by rounding:
/// the piece's vertices within [`HAIRLINE_M`] of the main piece's outline are moved onto it
/// (onto its vertex, or onto a point then added to its edge), so that both share exact
/// coordinates, then the two are unioned. Pieces truly apart stay apart.
fn close_hairline_gaps(polygon: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    if polygon.0.len() < 2 {
        return polygon.clone();
    }
    let mut pieces = polygon.0.clone();
    pieces.sort_by(|a, b| b.unsigned_area().total_cmp(&a.unsigned_area()));
    let mut main = pieces.remove(0);
    let mut apart = Vec::new();
    for piece in pieces {
        if Euclidean.distance(&piece, &main) >= HAIRLINE_M {
            apart.push(piece);
            continue;
        }
        let (outline, piece_ring) = snap_onto(main.exterior(), piece.exterior());
        let joined = Polygon::new(outline, main.interiors().to_vec())
            .union(&Polygon::new(piece_ring, piece.interiors().to_vec()));
        match joined.0.as_slice() {
            [one] => main = one.clone(),
            _ => apart.push(piece),
        }
    }
    let mut all = vec![main];
    all.extend(apart);
    MultiPolygon::new(all)
}

/// Moves each vertex of `ring` lying within [`HAIRLINE_M`] of `outline` onto it: onto an
/// outline vertex when one is that near, else onto the nearest point of an edge, which is
/// then added to the outline. Returns the outline and the ring.
fn snap_onto(
    outline: &LineString<f64>,
    ring: &LineString<f64>,
) -> (LineString<f64>, LineString<f64>) {
    let mut outline: Vec<Coord<f64>> = outline.0.clone();
    let mut ring: Vec<Coord<f64>> = ring.0.clone();
    for v in ring.iter_mut() {
        let here = Point::from(*v);
        if let Some(exact) = outline
            .iter()
            .find(|o| Euclidean.distance(&Point::from(**o), &here) < HAIRLINE_M)
        {
            *v = *exact;
            continue;
        }
        let nearest = (0..outline.len().saturating_sub(1))
            .filter_map(|i| {
                let edge = Line::new(outline[i], outline[i + 1]);
                match edge.closest_point(&here) {
                    Closest::Intersection(p) | Closest::SinglePoint(p) => {
                        Some((Euclidean.distance(&p, &here), i, p.0))
                    }
                    Closest::Indeterminate => None,
                }
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((d, i, p)) = nearest
            && d < HAIRLINE_M
        {
            outline.insert(i + 1, p);
            *v = p;
        }
    }
    (LineString::new(outline), LineString::new(ring))
}
