//! The arterial lattice of a generated city: jittered nodes, square-ish cells (one
//! community each), bilinear positions inside a cell, and a smooth warp of the whole plane
//! that bends arterials into curves and cells into irregular quadrilaterals.

use crate::spatial::LocalFrame;
use geo::Contains;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

/// Points per side of a cell's outline (and per arterial segment): ~60 m apart, so that
/// the warp's curves show and neighbouring cells share every point of their common side.
pub const SAMPLES_PER_SIDE: usize = 12;

/// A smooth displacement of the plane: two long waves (arterials curve over a few
/// kilometres) and two short ones (blocks and compounds lose their right angles). Its
/// derivatives stay below 0.25, so it is one-to-one: what does not overlap before does
/// not overlap after.
#[derive(Debug, Clone, Copy)]
pub struct Warp {
    phases: [f64; 4],
}

impl Warp {
    pub fn new(seed: u64) -> Self {
        let h = mix(seed ^ 0x5741_5250);
        let phase = |k: u64| unit(mix(h ^ k)) * std::f64::consts::TAU;
        Self {
            phases: [phase(1), phase(2), phase(3), phase(4)],
        }
    }

    /// The warped position of (x, y) metres.
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d] = self.phases;
        let dx = 75.0 * (y / 760.0 + a).sin() + 20.0 * ((x + y) / 240.0 + b).sin();
        let dy = 75.0 * (x / 820.0 + c).sin() + 20.0 * ((x - y) / 260.0 + d).sin();
        (x + dx, y + dy)
    }
}

/// Lattice spacing and jitter.
#[derive(Debug, Clone, Copy)]
pub struct Lattice {
    pub spacing_m: f64,
    pub jitter_m: f64,
    pub seed: u64,
    pub frame: LocalFrame,
    pub warp: Warp,
}

/// A SplitMix64 hash: deterministic noise from integers, independent of draw order.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

impl Lattice {
    /// Metres east/north of lattice node (i, j).
    pub fn node_m(&self, i: i32, j: i32) -> (f64, f64) {
        let h = mix(self.seed ^ mix((i as u32 as u64) << 32 | j as u32 as u64));
        let jx = (unit(h) * 2.0 - 1.0) * self.jitter_m;
        let jy = (unit(mix(h)) * 2.0 - 1.0) * self.jitter_m;
        (
            f64::from(i) * self.spacing_m + jx,
            f64::from(j) * self.spacing_m + jy,
        )
    }

    /// Points from node `from` to node `to` (neighbours), warped, both ends included:
    /// the same points as the side the two cells on either side of it share.
    pub fn side(&self, from: (i32, i32), to: (i32, i32)) -> Vec<Coord<f64>> {
        let (i, j) = (from.0.min(to.0), from.1.min(to.1));
        let cell = self.cell(i, j);
        let east = to.0 != from.0;
        let forwards = (to.0, to.1) > (from.0, from.1);
        (0..=SAMPLES_PER_SIDE)
            .map(|k| {
                let k = if forwards { k } else { SAMPLES_PER_SIDE - k };
                let t = k as f64 / SAMPLES_PER_SIDE as f64;
                if east {
                    cell.at(t, 0.0)
                } else {
                    cell.at(0.0, t)
                }
            })
            .collect()
    }

    /// The cell whose south-west node is (i, j).
    pub fn cell(&self, i: i32, j: i32) -> Cell {
        Cell {
            i,
            j,
            corners_m: [
                self.node_m(i, j),
                self.node_m(i + 1, j),
                self.node_m(i + 1, j + 1),
                self.node_m(i, j + 1),
            ],
            frame: self.frame,
            warp: self.warp,
        }
    }

    /// The `count` cells nearest the centre whose corners all lie inside `boundary`.
    pub fn select_cells(&self, boundary: &MultiPolygon<f64>, count: usize) -> Vec<Cell> {
        let mut radius = ((count as f64).sqrt() as i32 / 2 + 2).max(2);
        loop {
            let mut candidates: Vec<(f64, i32, i32)> = Vec::new();
            for i in -radius..radius {
                for j in -radius..radius {
                    let cx = (f64::from(i) + 0.5) * self.spacing_m;
                    let cy = (f64::from(j) + 0.5) * self.spacing_m;
                    candidates.push((cx.hypot(cy), i, j));
                }
            }
            candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let cells: Vec<Cell> = candidates
                .into_iter()
                .map(|(_, i, j)| self.cell(i, j))
                .filter(|c| boundary.contains(&c.outline()))
                .take(count)
                .collect();
            if cells.len() == count || radius > 400 {
                return cells;
            }
            radius *= 2;
        }
    }
}

/// One lattice cell: a jittered quadrilateral, SW, SE, NE, NW corners.
#[derive(Debug, Clone)]
pub struct Cell {
    pub i: i32,
    pub j: i32,
    corners_m: [(f64, f64); 4],
    frame: LocalFrame,
    warp: Warp,
}

impl Cell {
    /// Bilinear position at (u, v) ∈ [0,1]², u eastwards, v northwards, in metres.
    pub fn at_m(&self, u: f64, v: f64) -> (f64, f64) {
        let [sw, se, ne, nw] = self.corners_m;
        let x = sw.0 * (1.0 - u) * (1.0 - v)
            + se.0 * u * (1.0 - v)
            + ne.0 * u * v
            + nw.0 * (1.0 - u) * v;
        let y = sw.1 * (1.0 - u) * (1.0 - v)
            + se.1 * u * (1.0 - v)
            + ne.1 * u * v
            + nw.1 * (1.0 - u) * v;
        (x, y)
    }

    /// Bilinear position at (u, v), warped, as lon/lat.
    pub fn at(&self, u: f64, v: f64) -> Coord<f64> {
        let (x, y) = self.at_m(u, v);
        let (x, y) = self.warp.apply(x, y);
        self.frame.to_lonlat(x, y)
    }

    /// The warped outline, SW → SE → NE → NW, [`SAMPLES_PER_SIDE`] points a side; a
    /// neighbour's outline has the very same points along the side they share.
    pub fn outline(&self) -> Polygon<f64> {
        let n = SAMPLES_PER_SIDE;
        let t = |k: usize| k as f64 / n as f64;
        let mut ring: Vec<Coord<f64>> = Vec::with_capacity(4 * n + 1);
        ring.extend((0..n).map(|k| self.at(t(k), 0.0)));
        ring.extend((0..n).map(|k| self.at(1.0, t(k))));
        ring.extend((0..n).map(|k| self.at(t(n - k), 1.0)));
        ring.extend((0..n).map(|k| self.at(0.0, t(n - k))));
        ring.push(ring[0]);
        Polygon::new(LineString::new(ring), vec![])
    }

    /// Centre in metres.
    pub fn centre_m(&self) -> (f64, f64) {
        self.at_m(0.5, 0.5)
    }

    /// Approximate side lengths in metres (east-west, north-south).
    pub fn size_m(&self) -> (f64, f64) {
        let (a, b) = (self.at_m(0.0, 0.5), self.at_m(1.0, 0.5));
        let (c, d) = (self.at_m(0.5, 0.0), self.at_m(0.5, 1.0));
        ((b.0 - a.0).hypot(b.1 - a.1), (d.0 - c.0).hypot(d.1 - c.1))
    }
}
