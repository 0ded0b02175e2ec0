//! The arterial lattice of a generated city: jittered nodes, square-ish cells (one
//! community each), and bilinear positions inside a cell.

use crate::spatial::LocalFrame;
use geo::Contains;
use geo_types::{Coord, MultiPolygon, Point};

/// Lattice spacing and jitter.
#[derive(Debug, Clone, Copy)]
pub struct Lattice {
    pub spacing_m: f64,
    pub jitter_m: f64,
    pub seed: u64,
    pub frame: LocalFrame,
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

    pub fn node(&self, i: i32, j: i32) -> Coord<f64> {
        let (x, y) = self.node_m(i, j);
        self.frame.to_lonlat(x, y)
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
                .filter(|c| {
                    c.corners()
                        .iter()
                        .all(|p| boundary.contains(&Point::from(*p)))
                })
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

    /// Bilinear position at (u, v) as lon/lat.
    pub fn at(&self, u: f64, v: f64) -> Coord<f64> {
        let (x, y) = self.at_m(u, v);
        self.frame.to_lonlat(x, y)
    }

    pub fn corners(&self) -> [Coord<f64>; 4] {
        [
            self.at(0.0, 0.0),
            self.at(1.0, 0.0),
            self.at(1.0, 1.0),
            self.at(0.0, 1.0),
        ]
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
