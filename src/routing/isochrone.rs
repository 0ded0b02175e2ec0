//! The area reached on foot within a distance, as polygons along the network: every reached
//! stretch of way widened by a band and filled on a grid, its outline traced into rings,
//! with holes where nothing is reached (blocks between streets, walled compounds without a
//! way in) — not a convex hull.

use super::shortest_paths::Reach;
use super::walk_network::{EdgeId, WalkNetwork, bounds};
use geo::Contains;
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};

/// How an area is drawn: the band each side of a reached way and the grid it is filled on,
/// in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaStyle {
    pub band_m: f64,
    pub cell_m: f64,
}

impl Default for AreaStyle {
    /// 40 m each side of a way (the buildings along it), on a 10 m grid.
    fn default() -> Self {
        Self {
            band_m: 40.0,
            cell_m: 10.0,
        }
    }
}

/// The stretches of edges a search reached within its limit, in metres: each as a shape.
pub fn reached_stretches(network: &WalkNetwork, reach: &Reach) -> Vec<Vec<Coord<f64>>> {
    let limit = reach.limit_m();
    let mut out = Vec::new();
    for (i, e) in network.edges().iter().enumerate() {
        let edge = EdgeId(i as u32);
        let left = |d: Option<f64>| d.map_or(0.0, |d| (limit - d).max(0.0));
        let (from_tail, from_head) = (
            left(reach.distance_m(e.tail)),
            left(reach.distance_m(e.head)),
        );
        if from_tail <= 0.0 && from_head <= 0.0 {
            continue;
        }
        if from_tail + from_head >= e.length_m {
            out.push(network.shape_m(e).to_vec());
            continue;
        }
        if from_tail > 0.0 {
            out.push(network.shape_between(edge, 0.0, from_tail));
        }
        if from_head > 0.0 {
            out.push(network.shape_between(edge, e.length_m - from_head, e.length_m));
        }
    }
    if let Some(start) = reach.start() {
        let along = (limit - start.offset_m).max(0.0);
        let e = network.edge(start.edge);
        out.push(network.shape_between(
            start.edge,
            (start.along_m - along).max(0.0),
            (start.along_m + along).min(e.length_m),
        ));
        out.push(vec![start.from, start.at]);
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The reached area of a search as lon/lat polygons (empty when nothing was reached).
pub fn reached_area(network: &WalkNetwork, reach: &Reach, style: AreaStyle) -> MultiPolygon<f64> {
    let stretches = reached_stretches(network, reach);
    let Some(grid) = Grid::around(&stretches, style) else {
        return MultiPolygon::new(Vec::new());
    };
    let mut grid = grid;
    for shape in &stretches {
        for pair in shape.windows(2) {
            grid.paint_band(pair[0], pair[1], style.band_m);
        }
        if shape.len() == 1 {
            grid.paint_band(shape[0], shape[0], style.band_m);
        }
    }
    let frame = network.frame();
    let rings = grid.outline();
    assemble(rings, |c| frame.to_lonlat(c.x, c.y))
}

/// A grid of cells over the reached area, each filled or not.
struct Grid {
    origin: Coord<f64>,
    cell_m: f64,
    columns: usize,
    rows: usize,
    filled: Vec<bool>,
}

impl Grid {
    fn around(shapes: &[Vec<Coord<f64>>], style: AreaStyle) -> Option<Self> {
        let (min, max) = bounds(shapes.iter().flatten())?;
        if style.cell_m <= 0.0 {
            return None;
        }
        // One empty cell beyond the band all round, so that every outline closes.
        let margin = style.band_m + 2.0 * style.cell_m;
        let origin = Coord {
            x: min.x - margin,
            y: min.y - margin,
        };
        let columns = ((max.x - min.x + 2.0 * margin) / style.cell_m).ceil() as usize + 1;
        let rows = ((max.y - min.y + 2.0 * margin) / style.cell_m).ceil() as usize + 1;
        Some(Self {
            origin,
            cell_m: style.cell_m,
            columns,
            rows,
            filled: vec![false; columns * rows],
        })
    }

    /// Fills every cell whose centre lies within `band_m` of segment `a`–`b`.
    fn paint_band(&mut self, a: Coord<f64>, b: Coord<f64>, band_m: f64) {
        let cell = self.cell_m;
        let column_of = |x: f64| ((x - self.origin.x) / cell).floor().max(0.0) as usize;
        let row_of = |y: f64| ((y - self.origin.y) / cell).floor().max(0.0) as usize;
        let (c0, c1) = (
            column_of(a.x.min(b.x) - band_m),
            column_of(a.x.max(b.x) + band_m),
        );
        let (r0, r1) = (row_of(a.y.min(b.y) - band_m), row_of(a.y.max(b.y) + band_m));
        let d = b - a;
        let length_2 = d.x * d.x + d.y * d.y;
        let band_2 = band_m * band_m;
        for row in r0..=r1.min(self.rows - 1) {
            for column in c0..=c1.min(self.columns - 1) {
                let centre = Coord {
                    x: self.origin.x + (column as f64 + 0.5) * cell,
                    y: self.origin.y + (row as f64 + 0.5) * cell,
                };
                let t = if length_2 == 0.0 {
                    0.0
                } else {
                    (((centre - a).x * d.x + (centre - a).y * d.y) / length_2).clamp(0.0, 1.0)
                };
                let off = centre - (a + d * t);
                if off.x * off.x + off.y * off.y <= band_2 {
                    self.filled[row * self.columns + column] = true;
                }
            }
        }
    }

    fn is_filled(&self, column: isize, row: isize) -> bool {
        column >= 0
            && row >= 0
            && (column as usize) < self.columns
            && (row as usize) < self.rows
            && self.filled[row as usize * self.columns + column as usize]
    }

    /// The outline of the filled cells as closed rings in metres: exteriors anticlockwise,
    /// holes clockwise. Where two filled cells touch only at a corner, the rings keep them
    /// apart.
    fn outline(&self) -> Vec<Vec<Coord<f64>>> {
        // Boundary edges with the filled cell on their left, from corner to corner; a corner
        // has at most two leaving edges.
        let corners = (self.columns + 1) * (self.rows + 1);
        let corner = |x: usize, y: usize| y * (self.columns + 1) + x;
        let mut leaving: Vec<[u32; 2]> = vec![[u32::MAX; 2]; corners];
        let mut ends: Vec<u32> = Vec::new();
        let mut add = |from: usize, to: usize, leaving: &mut Vec<[u32; 2]>| {
            let slot = &mut leaving[from];
            let i = usize::from(slot[0] != u32::MAX);
            slot[i] = ends.len() as u32;
            ends.push(to as u32);
        };
        for row in 0..self.rows {
            for column in 0..self.columns {
                if !self.filled[row * self.columns + column] {
                    continue;
                }
                let (c, r) = (column as isize, row as isize);
                let (x, y) = (column, row);
                if !self.is_filled(c, r - 1) {
                    add(corner(x, y), corner(x + 1, y), &mut leaving);
                }
                if !self.is_filled(c + 1, r) {
                    add(corner(x + 1, y), corner(x + 1, y + 1), &mut leaving);
                }
                if !self.is_filled(c, r + 1) {
                    add(corner(x + 1, y + 1), corner(x, y + 1), &mut leaving);
                }
                if !self.is_filled(c - 1, r) {
                    add(corner(x, y + 1), corner(x, y), &mut leaving);
                }
            }
        }
        let mut used = vec![false; ends.len()];
        let position = |k: usize| {
            let (x, y) = (k % (self.columns + 1), k / (self.columns + 1));
            Coord {
                x: self.origin.x + x as f64 * self.cell_m,
                y: self.origin.y + y as f64 * self.cell_m,
            }
        };
        let mut rings = Vec::new();
        for from in 0..corners {
            for slot in 0..2 {
                let first = leaving[from][slot];
                if first == u32::MAX || used[first as usize] {
                    continue;
                }
                let mut ring = vec![position(from)];
                let (mut at, mut edge) = (from, first as usize);
                loop {
                    used[edge] = true;
                    let next = ends[edge] as usize;
                    ring.push(position(next));
                    // At a corner with two ways on, turn left (the ring keeps to its own
                    // cells); back at the start, the first edge closes the ring.
                    let incoming = position(next) - position(at);
                    let candidates = leaving[next].iter().filter(|&&e| {
                        e != u32::MAX && (!used[e as usize] || (next == from && e == first))
                    });
                    let Some(&chosen) = candidates.max_by(|&&p, &&q| {
                        let turn = |e: u32| {
                            let out = position(ends[e as usize] as usize) - position(next);
                            incoming.x * out.y - incoming.y * out.x
                        };
                        turn(p).total_cmp(&turn(q))
                    }) else {
                        break;
                    };
                    if chosen == first {
                        break;
                    }
                    at = next;
                    edge = chosen as usize;
                }
                rings.push(straighten(ring));
            }
        }
        rings
    }
}

/// Drops the vertices where a ring runs straight on.
fn straighten(ring: Vec<Coord<f64>>) -> Vec<Coord<f64>> {
    let n = ring.len();
    if n < 4 {
        return ring;
    }
    let open = &ring[..n - 1];
    let m = open.len();
    let mut out: Vec<Coord<f64>> = (0..m)
        .filter(|&i| {
            let (p, c, q) = (open[(i + m - 1) % m], open[i], open[(i + 1) % m]);
            let (u, v) = (c - p, q - c);
            (u.x * v.y - u.y * v.x).abs() > 1e-9
        })
        .map(|i| open[i])
        .collect();
    if let Some(&first) = out.first() {
        out.push(first);
    }
    out
}

/// Polygons from rings in metres: anticlockwise rings are exteriors, clockwise ones holes
/// of the smallest exterior around them; `to_lonlat` converts each point.
fn assemble(
    rings: Vec<Vec<Coord<f64>>>,
    to_lonlat: impl Fn(Coord<f64>) -> Coord<f64>,
) -> MultiPolygon<f64> {
    let signed_area = |r: &[Coord<f64>]| {
        r.windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum::<f64>()
            / 2.0
    };
    let (mut exteriors, mut holes) = (Vec::new(), Vec::new());
    for ring in rings.into_iter().filter(|r| r.len() >= 4) {
        let area = signed_area(&ring);
        if area > 0.0 {
            exteriors.push((area, Polygon::new(LineString::new(ring), Vec::new())));
        } else if area < 0.0 {
            holes.push(LineString::new(ring));
        }
    }
    exteriors.sort_by(|a, b| a.0.total_cmp(&b.0));
    for hole in holes {
        let inside = Point::from(hole.0[0]);
        // Hole vertices lie on grid corners shared with the exterior's cells: test the
        // middle of its first edge nudged inwards instead.
        let probe = match hole.0.get(1) {
            Some(&next) => {
                let mid = (hole.0[0] + next) * 0.5;
                let d = next - hole.0[0];
                let length = d.x.hypot(d.y).max(f64::EPSILON);
                // Clockwise hole: its outside (the filled side) is on the left.
                Point::from(mid + Coord { x: -d.y, y: d.x } * (1e-3 / length))
            }
            None => inside,
        };
        if let Some((_, polygon)) = exteriors.iter_mut().find(|(_, p)| p.contains(&probe)) {
            polygon.interiors_push(hole);
        }
    }
    MultiPolygon::new(
        exteriors
            .into_iter()
            .map(|(_, p)| {
                let (exterior, interiors) = p.into_inner();
                let convert = |r: LineString<f64>| {
                    r.0.into_iter().map(&to_lonlat).collect::<LineString<f64>>()
                };
                Polygon::new(
                    convert(exterior),
                    interiors.into_iter().map(convert).collect(),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FootAccess, Road, RoadClass, RoadId, WayLevel};
    use crate::routing::build_network;
    use crate::spatial::LocalFrame;

    fn frame() -> LocalFrame {
        LocalFrame::new(110.0, 39.8)
    }

    fn at(x: f64, y: f64) -> Point<f64> {
        Point::from(frame().to_lonlat(x, y))
    }

    fn way(id: &str, points: &[(f64, f64)]) -> Road {
        Road {
            id: RoadId(id.into()),
            class: RoadClass::Path,
            name: None,
            geometry: points
                .iter()
                .map(|&(x, y)| frame().to_lonlat(x, y))
                .collect(),
            foot: FootAccess::Allowed,
            level: WayLevel::Ground,
        }
    }

    /// A 400 m square loop with a spur 1 km long to the east.
    fn loop_and_spur() -> WalkNetwork {
        let roads = [
            way(
                "loop",
                &[
                    (0.0, 0.0),
                    (400.0, 0.0),
                    (400.0, 400.0),
                    (0.0, 400.0),
                    (0.0, 0.0),
                ],
            ),
            way("spur", &[(400.0, 0.0), (1400.0, 0.0)]),
        ];
        build_network(frame(), &roads, &[], &[]).0
    }

    #[test]
    fn the_area_follows_the_ways_and_leaves_a_hole_inside_the_loop() {
        let network = loop_and_spur();
        let start = network.snap(at(0.0, 0.0), 50.0).unwrap();
        let reach = network.reach_from(&start, 2_000.0);
        let area = reached_area(&network, &reach, AreaStyle::default());
        assert_eq!(area.0.len(), 1, "one piece");
        assert_eq!(
            area.0[0].interiors().len(),
            1,
            "the inside of the loop is a hole"
        );
        for (x, y) in [
            (0.0, 0.0),
            (200.0, 0.0),
            (400.0, 200.0),
            (200.0, 430.0),
            (1000.0, 20.0),
        ] {
            assert!(area.contains(&at(x, y)), "({x}, {y}) reached");
        }
        for (x, y) in [(200.0, 200.0), (1000.0, 200.0), (-200.0, 0.0)] {
            assert!(!area.contains(&at(x, y)), "({x}, {y}) not reached");
        }
    }

    #[test]
    fn the_area_ends_where_the_distance_runs_out() {
        let network = loop_and_spur();
        let start = network.snap(at(400.0, 0.0), 50.0).unwrap();
        let reach = network.reach_from(&start, 500.0);
        let area = reached_area(&network, &reach, AreaStyle::default());
        // Along the spur: 500 m reached, 700 m not (the band adds 40 m and a cell).
        assert!(area.contains(&at(880.0, 0.0)));
        assert!(!area.contains(&at(970.0, 0.0)));
        // Round the loop both ways: 400 m up the east side, 100 m along the north side.
        assert!(area.contains(&at(400.0, 390.0)) && area.contains(&at(320.0, 400.0)));
        assert!(!area.contains(&at(200.0, 400.0)));
    }

    #[test]
    fn nothing_reached_is_no_area() {
        let network = loop_and_spur();
        let reach = crate::routing::reach_within(&network, &[], 500.0);
        assert!(
            reached_area(&network, &reach, AreaStyle::default())
                .0
                .is_empty()
        );
    }
}
