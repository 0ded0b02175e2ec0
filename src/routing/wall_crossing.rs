//! Where walls stop walking: a straight step crosses a wall when it passes through it away
//! from a gate, either across a wall segment or through a point the way shares with the wall.

use super::walk_network::{BoxTree, padded_box};
use crate::domain::{Gate, Wall};
use crate::spatial::LocalFrame;
use geo::line_intersection::{LineIntersection, line_intersection};
use geo_types::Coord;
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

/// How near a crossing must be to a gate to pass through it, in metres (OSM puts the gate on
/// the shared node; drawn data may be a little off).
pub const GATE_REACH_M: f64 = 1.5;

/// A point this close to a wall is on it, in metres.
const ON_WALL_M: f64 = 1e-6;

/// Walls (by their boxes) and gates, in metres of the network's frame.
#[derive(Debug, Clone, Default)]
pub struct WallIndex {
    boxes: BoxTree,
    walls_m: Vec<Vec<Coord<f64>>>,
    gates: RTree<[f64; 2]>,
}

impl WallIndex {
    pub fn new(frame: LocalFrame, walls: &[Wall], gates: &[Gate]) -> Self {
        let walls_m: Vec<Vec<Coord<f64>>> = walls
            .iter()
            .map(|w| w.geometry.0.iter().map(|c| frame.to_metres(*c)).collect())
            .collect();
        let boxes = walls_m
            .iter()
            .enumerate()
            .filter_map(|(w, coords)| Some(GeomWithData::new(padded_box(coords)?, w as u32)))
            .collect();
        Self {
            boxes: RTree::bulk_load(boxes),
            walls_m,
            gates: RTree::bulk_load(
                gates
                    .iter()
                    .map(|g| frame.point_metres(g.location))
                    .collect(),
            ),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.walls_m.is_empty()
    }

    /// Each segment (wall, index of its first vertex, ends) of the walls whose box meets the
    /// box of `a` and `b`.
    fn segments_near(
        &self,
        a: Coord<f64>,
        b: Coord<f64>,
    ) -> impl Iterator<Item = (usize, usize, Coord<f64>, Coord<f64>)> + '_ {
        let pad = 0.01;
        let envelope = AABB::from_corners(
            [(a.x.min(b.x) - pad) as f32, (a.y.min(b.y) - pad) as f32],
            [(a.x.max(b.x) + pad) as f32, (a.y.max(b.y) + pad) as f32],
        );
        self.boxes
            .locate_in_envelope_intersecting(&envelope)
            .flat_map(move |entry| {
                let w = entry.data as usize;
                let coords = &self.walls_m[w];
                coords
                    .windows(2)
                    .enumerate()
                    .map(move |(k, pair)| (w, k, pair[0], pair[1]))
            })
    }

    /// Whether a gate is within [`GATE_REACH_M`] of `c`.
    pub fn at_gate(&self, c: Coord<f64>) -> bool {
        self.gates
            .nearest_neighbor(&[c.x, c.y])
            .is_some_and(|g| (g[0] - c.x).hypot(g[1] - c.y) <= GATE_REACH_M)
    }

    /// Whether walking straight from `a` to `b` passes through a wall (across a segment or
    /// through a corner), away from a gate. Touching a wall at `a` or `b`, walking along it
    /// or past its end is not crossing; see [`Self::crosses_at_vertex`] for a way's own
    /// vertex on a wall.
    pub fn blocks(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        !self.crossings(a, b).is_empty()
    }

    /// Where walking straight from `a` to `b` passes through a wall away from a gate, as
    /// fractions of the way from `a` (in order).
    pub fn crossings(&self, a: Coord<f64>, b: Coord<f64>) -> Vec<f64> {
        if self.walls_m.is_empty() {
            return Vec::new();
        }
        let step = geo_types::Line::new(a, b);
        let length_2 = (b - a).x.powi(2) + (b - a).y.powi(2);
        let mut found: Vec<f64> = self
            .segments_near(a, b)
            .filter_map(|(w, k, from, to)| {
                let Some(LineIntersection::SinglePoint {
                    intersection: x,
                    is_proper,
                }) = line_intersection(step, geo_types::Line::new(from, to))
                else {
                    return None;
                };
                let off_ends = |c: Coord<f64>| (c - x).x.hypot((c - x).y) > ON_WALL_M;
                // Through a wall corner: crossing only if the step changes sides there.
                let through = is_proper
                    || (off_ends(a) && off_ends(b) && self.separates(&self.walls_m[w], k, a, x, b));
                (through && !self.at_gate(x)).then(|| {
                    let d = x - a;
                    ((d.x * (b - a).x + d.y * (b - a).y) / length_2).clamp(0.0, 1.0)
                })
            })
            .collect();
        found.sort_by(f64::total_cmp);
        found
    }

    /// Whether a way going `previous` → `vertex` → `next` passes through a wall at `vertex`
    /// (the vertex lies on a wall and the two steps leave on opposite sides of it), away from
    /// a gate. A wall that ends at the vertex does not stop the way.
    pub fn crosses_at_vertex(
        &self,
        previous: Coord<f64>,
        vertex: Coord<f64>,
        next: Coord<f64>,
    ) -> bool {
        if self.walls_m.is_empty() {
            return false;
        }
        let crossed = self
            .segments_near(vertex, vertex)
            .filter(|&(_, _, from, to)| distance_to_segment(from, to, vertex) <= ON_WALL_M)
            .any(|(w, k, _, _)| self.separates(&self.walls_m[w], k, previous, vertex, next));
        crossed && !self.at_gate(vertex)
    }

    /// Whether wall `coords`' segment `k` (holding `vertex`) puts `previous` and `next` on
    /// opposite sides near `vertex`.
    fn separates(
        &self,
        coords: &[Coord<f64>],
        k: usize,
        previous: Coord<f64>,
        vertex: Coord<f64>,
        next: Coord<f64>,
    ) -> bool {
        let (from, to) = (coords[k], coords[k + 1]);
        let near = |c: Coord<f64>| (c - vertex).x.hypot((c - vertex).y) <= ON_WALL_M;
        // The vertex is a wall corner when it is one of the segment's ends.
        let corner = if near(from) {
            Some(k)
        } else if near(to) {
            Some(k + 1)
        } else {
            None
        };
        match corner {
            None => {
                let side = |c: Coord<f64>| cross(to - from, c - from);
                let (p, n) = (side(previous), side(next));
                p * n < 0.0
            }
            Some(j) => {
                let closed = coords.len() > 3 && coords[0] == coords[coords.len() - 1];
                let last = coords.len() - 1;
                let before = match j {
                    0 if closed => Some(coords[last - 1]),
                    0 => None,
                    j => Some(coords[j - 1]),
                };
                let after = match j {
                    j if j == last && closed => Some(coords[1]),
                    j if j == last => None,
                    j => Some(coords[j + 1]),
                };
                match (before, after) {
                    (Some(b), Some(a)) => {
                        let inside = |c: Coord<f64>| in_sector(b - vertex, a - vertex, c - vertex);
                        inside(previous) != inside(next)
                    }
                    _ => false, // the wall ends here
                }
            }
        }
    }
}

/// Metres from `p` to segment `from`–`to`.
fn distance_to_segment(from: Coord<f64>, to: Coord<f64>, p: Coord<f64>) -> f64 {
    let d = to - from;
    let length_2 = d.x * d.x + d.y * d.y;
    let t = if length_2 == 0.0 {
        0.0
    } else {
        (((p - from).x * d.x + (p - from).y * d.y) / length_2).clamp(0.0, 1.0)
    };
    let off = p - (from + d * t);
    off.x.hypot(off.y)
}

fn cross(u: Coord<f64>, v: Coord<f64>) -> f64 {
    u.x * v.y - u.y * v.x
}

/// Whether direction `d` lies in the sector turning anticlockwise from `from` to `to`.
fn in_sector(from: Coord<f64>, to: Coord<f64>, d: Coord<f64>) -> bool {
    let angle = |c: Coord<f64>| c.y.atan2(c.x);
    let turn = |a: f64| (a - angle(from)).rem_euclid(std::f64::consts::TAU);
    turn(angle(d)) < turn(angle(to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{GateId, GateKind, WallId, WallKind};
    use geo_types::{LineString, Point};

    /// A frame at the equator's origin, where 1e-5° is about 1.1 m; tests work in metres
    /// by converting back.
    fn frame() -> LocalFrame {
        LocalFrame::new(0.0, 0.0)
    }

    fn wall(coords: &[(f64, f64)]) -> Wall {
        let f = frame();
        Wall {
            id: WallId("w".into()),
            kind: WallKind::Wall,
            geometry: LineString::new(coords.iter().map(|&(x, y)| f.to_lonlat(x, y)).collect()),
        }
    }

    fn gate(x: f64, y: f64) -> Gate {
        Gate {
            id: GateId("g".into()),
            kind: GateKind::Gate,
            location: Point::from(frame().to_lonlat(x, y)),
        }
    }

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn a_step_across_a_wall_is_blocked_except_at_a_gate() {
        let walls = [wall(&[(0.0, -50.0), (0.0, 50.0)])];
        let closed = WallIndex::new(frame(), &walls, &[]);
        assert!(closed.blocks(c(-5.0, 0.0), c(5.0, 0.0)));
        assert!(
            !closed.blocks(c(-5.0, 60.0), c(5.0, 60.0)),
            "beyond the wall's end"
        );
        assert!(
            !closed.blocks(c(-5.0, 0.0), c(-1.0, 0.0)),
            "short of the wall"
        );
        let gated = WallIndex::new(frame(), &walls, &[gate(0.0, 0.5)]);
        assert!(!gated.blocks(c(-5.0, 0.0), c(5.0, 0.0)));
        assert!(
            gated.blocks(c(-5.0, 10.0), c(5.0, 10.0)),
            "the gate is elsewhere"
        );
    }

    #[test]
    fn a_way_through_a_shared_vertex_crosses_only_when_it_changes_sides() {
        // A square compound wall; the way passes through its corner-free side at (0, 0)
        // and through its corner at (10, 10).
        let walls = [wall(&[
            (-10.0, -10.0),
            (10.0, -10.0),
            (10.0, 10.0),
            (-10.0, 10.0),
            (-10.0, -10.0),
        ])];
        let index = WallIndex::new(frame(), &walls, &[]);
        // Through the side x = 10 at (10, 0): from inside to outside.
        assert!(index.crosses_at_vertex(c(5.0, 0.0), c(10.0, 0.0), c(15.0, 0.0)));
        // Touching the side and going back inside.
        assert!(!index.crosses_at_vertex(c(5.0, 0.0), c(10.0, 0.0), c(5.0, 5.0)));
        // Through the corner (10, 10) from inside to outside, and along the outside.
        assert!(index.crosses_at_vertex(c(5.0, 5.0), c(10.0, 10.0), c(15.0, 15.0)));
        assert!(!index.crosses_at_vertex(c(15.0, 5.0), c(10.0, 10.0), c(5.0, 15.0)));
        // A corner where the ring closes.
        assert!(index.crosses_at_vertex(c(-5.0, -5.0), c(-10.0, -10.0), c(-15.0, -15.0)));
        let gated = WallIndex::new(frame(), &walls, &[gate(10.0, 0.0)]);
        assert!(!gated.crosses_at_vertex(c(5.0, 0.0), c(10.0, 0.0), c(15.0, 0.0)));
    }

    #[test]
    fn a_wall_that_ends_at_a_vertex_lets_the_way_pass() {
        let walls = [wall(&[(0.0, 0.0), (0.0, 50.0)])];
        let index = WallIndex::new(frame(), &walls, &[]);
        assert!(!index.crosses_at_vertex(c(-5.0, 0.0), c(0.0, 0.0), c(5.0, 0.0)));
    }
}
