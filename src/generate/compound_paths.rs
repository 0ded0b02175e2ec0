//! The ways of a walled compound (小区) in the generated district: a wall on its outline,
//! one to four gates on the sides that face a lane, and from each gate a path out to the
//! lane and in to a ring path just inside the wall. Gates and lane ends sit on the lanes'
//! own vertices, so the paths join the lanes exactly.

use super::blocks::UvRect;
use super::lattice::{Cell, SAMPLES_PER_SIDE};
use crate::domain::{
    FootAccess, Gate, GateId, GateKind, Road, RoadClass, RoadId, Wall, WallId, WallKind, WayLevel,
};
use geo_types::{Coord, LineString, Point};

/// Points per side of the wall and the ring path (the district is warped: sides curve).
const POINTS_PER_SIDE: usize = 6;

/// How far inside the wall the ring path runs, in metres.
const RING_INSET_M: f64 = 2.0;

/// A compound's wall, gates and paths.
#[derive(Debug, Clone)]
pub struct CompoundPaths {
    pub wall: Wall,
    pub gates: Vec<Gate>,
    pub paths: Vec<Road>,
}

/// The sides of a compound, anticlockwise from the south.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    South,
    East,
    North,
    West,
}

/// A gate: its side, its place along it (u on south and north, v on east and west), and
/// where the lane it faces runs (v or u).
#[derive(Debug, Clone, Copy)]
struct GatePlan {
    side: Side,
    along: f64,
    lane: f64,
}

/// The compound on `part` (within block `block`, whose lanes run at multiples of
/// 1/`blocks_per_side` of the cell), with up to `gates_wanted` gates. `None` when no side
/// faces a lane.
pub fn compound_paths(
    cell: &Cell,
    block: &UvRect,
    part: &UvRect,
    blocks_per_side: usize,
    gates_wanted: usize,
    id: &str,
) -> Option<CompoundPaths> {
    let lane = |position: f64| (position * blocks_per_side as f64).round() / blocks_per_side as f64;
    let mut plans = Vec::new();
    for side in [Side::South, Side::North, Side::East, Side::West] {
        let (faces_lane, from, to, lane_at) = match side {
            Side::South => (part.v0 == block.v0, part.u0, part.u1, lane(block.v0)),
            Side::North => (part.v1 == block.v1, part.u0, part.u1, lane(block.v1)),
            Side::East => (part.u1 == block.u1, part.v0, part.v1, lane(block.u1)),
            Side::West => (part.u0 == block.u0, part.v0, part.v1, lane(block.u0)),
        };
        if !faces_lane {
            continue;
        }
        // A lane vertex near the middle of the side.
        let middle = (from + to) / 2.0;
        let vertex = (1..SAMPLES_PER_SIDE)
            .map(|s| s as f64 / SAMPLES_PER_SIDE as f64)
            .filter(|&t| t > from && t < to)
            .min_by(|a, b| (a - middle).abs().total_cmp(&(b - middle).abs()));
        if let Some(along) = vertex {
            plans.push(GatePlan {
                side,
                along,
                lane: lane_at,
            });
        }
    }
    if plans.is_empty() {
        return None;
    }
    plans.truncate(gates_wanted.max(1));
    let (width_m, height_m) = cell.size_m();
    let ring = UvRect {
        u0: part.u0 + RING_INSET_M / width_m,
        u1: part.u1 - RING_INSET_M / width_m,
        v0: part.v0 + RING_INSET_M / height_m,
        v1: part.v1 - RING_INSET_M / height_m,
    };
    let wall_line = outline(cell, part, &plans);
    let ring_line = outline(cell, &ring, &plans);
    let mut gates = Vec::new();
    let mut paths = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        let (on_lane, on_wall, on_ring) = match plan.side {
            Side::South => (
                (plan.along, plan.lane),
                (plan.along, part.v0),
                (plan.along, ring.v0),
            ),
            Side::North => (
                (plan.along, plan.lane),
                (plan.along, part.v1),
                (plan.along, ring.v1),
            ),
            Side::East => (
                (plan.lane, plan.along),
                (part.u1, plan.along),
                (ring.u1, plan.along),
            ),
            Side::West => (
                (plan.lane, plan.along),
                (part.u0, plan.along),
                (ring.u0, plan.along),
            ),
        };
        let at = |(u, v): (f64, f64)| cell.at(u, v);
        gates.push(Gate {
            id: GateId(format!("G{id}-{}", i + 1)),
            kind: GateKind::Gate,
            location: Point::from(at(on_wall)),
        });
        paths.push(Road {
            id: RoadId(format!("P{id}-{}", i + 1)),
            class: RoadClass::Service,
            name: None,
            geometry: LineString::new(vec![at(on_lane), at(on_wall), at(on_ring)]),
            foot: FootAccess::Allowed,
            level: WayLevel::Ground,
        });
    }
    paths.push(Road {
        id: RoadId(format!("R{id}")),
        class: RoadClass::Path,
        name: None,
        geometry: ring_line,
        foot: FootAccess::Allowed,
        level: WayLevel::Ground,
    });
    Some(CompoundPaths {
        wall: Wall {
            id: WallId(format!("W{id}")),
            kind: WallKind::Wall,
            geometry: wall_line,
        },
        gates,
        paths,
    })
}

/// The closed outline of `rect`, [`POINTS_PER_SIDE`] points a side, with a vertex where
/// each gate's path crosses it.
fn outline(cell: &Cell, rect: &UvRect, gates: &[GatePlan]) -> LineString<f64> {
    let t = |k: usize| k as f64 / POINTS_PER_SIDE as f64;
    let mix = |a: f64, b: f64, f: f64| a + (b - a) * f;
    let mut coords: Vec<Coord<f64>> = Vec::new();
    for side in [Side::South, Side::East, Side::North, Side::West] {
        // (u, v) of the side's points, in walking order round the outline.
        let mut points: Vec<(f64, f64)> = (0..POINTS_PER_SIDE)
            .map(|k| match side {
                Side::South => (mix(rect.u0, rect.u1, t(k)), rect.v0),
                Side::East => (rect.u1, mix(rect.v0, rect.v1, t(k))),
                Side::North => (mix(rect.u1, rect.u0, t(k)), rect.v1),
                Side::West => (rect.u0, mix(rect.v1, rect.v0, t(k))),
            })
            .collect();
        for g in gates.iter().filter(|g| g.side == side) {
            points.push(match side {
                Side::South | Side::North => (g.along, points[0].1),
                Side::East | Side::West => (points[0].0, g.along),
            });
        }
        let key = |p: &(f64, f64)| match side {
            Side::South => p.0,
            Side::East => p.1,
            Side::North => -p.0,
            Side::West => -p.1,
        };
        points.sort_by(|a, b| key(a).total_cmp(&key(b)));
        coords.extend(points.into_iter().map(|(u, v)| cell.at(u, v)));
    }
    if let Some(&first) = coords.first() {
        coords.push(first);
    }
    coords.dedup();
    LineString::new(coords)
}
