//! Step 5b: a site's cell clipped to a concave community can fall apart; the pieces away
//! from any of the grid's sites go to the neighbouring grid they share most boundary with,
//! so every grid is one polygon while the tiling stays exact.

use super::drawing::DrawnGrid;
use geo::{Area, BooleanOps, Contains, Distance, Euclidean};
use geo_types::{Coord, MultiPolygon, Point, Polygon};

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
    islands
}
