//! Filling one block of a community with buildings: walled compounds (小区) of slab blocks
//! and towers, low-rise areas (平房区), or one institution (school, hospital, market…).

use super::lattice::Cell;
use crate::domain::BuildingKind;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rand::Rng;

/// A part of a cell in bilinear (u, v) coordinates.
#[derive(Debug, Clone, Copy)]
pub struct UvRect {
    pub u0: f64,
    pub u1: f64,
    pub v0: f64,
    pub v1: f64,
}

impl UvRect {
    /// Shrinks the rect by `margin_m` on every side.
    pub fn inset(&self, cell: &Cell, margin_m: f64) -> UvRect {
        let (w, h) = cell.size_m();
        let du = margin_m / w;
        let dv = margin_m / h;
        UvRect {
            u0: self.u0 + du,
            u1: self.u1 - du,
            v0: self.v0 + dv,
            v1: self.v1 - dv,
        }
    }

    /// Width and height in metres.
    pub fn size_m(&self, cell: &Cell) -> (f64, f64) {
        let (w, h) = cell.size_m();
        ((self.u1 - self.u0) * w, (self.v1 - self.v0) * h)
    }

    /// Splits into two halves along the longer side.
    pub fn halves(&self, cell: &Cell) -> [UvRect; 2] {
        let (w, h) = self.size_m(cell);
        if w >= h {
            let mid = (self.u0 + self.u1) / 2.0;
            [UvRect { u1: mid, ..*self }, UvRect { u0: mid, ..*self }]
        } else {
            let mid = (self.v0 + self.v1) / 2.0;
            [UvRect { v1: mid, ..*self }, UvRect { v0: mid, ..*self }]
        }
    }

    /// A footprint at metres offsets (x, y) from the south-west corner, size (w, h).
    /// The whole block, `inset_m` in from its edges (its land, off the roads around it).
    pub fn land(&self, cell: &Cell, inset_m: f64) -> MultiPolygon<f64> {
        let (w, h) = self.size_m(cell);
        let inset = inset_m.min(w / 4.0).min(h / 4.0);
        self.footprint(cell, inset, inset, w - 2.0 * inset, h - 2.0 * inset)
    }

    fn footprint(&self, cell: &Cell, x: f64, y: f64, w: f64, h: f64) -> MultiPolygon<f64> {
        let (cw, ch) = cell.size_m();
        let u = |m: f64| self.u0 + m / cw;
        let v = |m: f64| self.v0 + m / ch;
        let ring: Vec<Coord<f64>> = vec![
            cell.at(u(x), v(y)),
            cell.at(u(x + w), v(y)),
            cell.at(u(x + w), v(y + h)),
            cell.at(u(x), v(y + h)),
            cell.at(u(x), v(y)),
        ];
        MultiPolygon::new(vec![Polygon::new(LineString::new(ring), vec![])])
    }
}

/// A building to be created.
#[derive(Debug, Clone)]
pub struct BuildingPlan {
    pub footprint: MultiPolygon<f64>,
    pub kind: BuildingKind,
    pub floors: u16,
    pub households: u32,
}

/// A compound of slab blocks (mid-rise) or towers (high-rise) holding about `target` households.
pub fn compound(
    cell: &Cell,
    rect: UvRect,
    target: u32,
    high_rise: bool,
    rng: &mut impl Rng,
) -> Vec<BuildingPlan> {
    let (w, h) = rect.size_m(cell);
    let (len, depth, gap) = if high_rise {
        (
            rng.random_range(24.0..34.0),
            rng.random_range(16.0..22.0),
            rng.random_range(30.0..42.0),
        )
    } else {
        (
            rng.random_range(40.0..66.0),
            rng.random_range(11.0..14.0),
            rng.random_range(16.0..24.0),
        )
    };
    let per_row = ((w - 10.0) / (len + 10.0)).floor().max(1.0) as usize;
    let rows = ((h - 10.0) / (depth + gap)).floor().max(1.0) as usize;
    let slots = per_row * rows;
    let typical_households = if high_rise { 80 } else { 24 };
    let count = slots.min((target as usize / typical_households).max(1));
    let mut plans = Vec::with_capacity(count);
    let x_pitch = (w - 10.0) / per_row as f64;
    let y_pitch = (h - 10.0) / rows as f64;
    // Error diffusion: each building takes its share of what is still to place, so the
    // compound's total stays within one floor of the target.
    let mut remaining = i64::from(target);
    for slot in 0..count {
        let (r, c) = (slot / per_row, slot % per_row);
        let x = 5.0 + c as f64 * x_pitch + (x_pitch - len).max(0.0) / 2.0;
        let y = 5.0 + r as f64 * y_pitch + (y_pitch - depth).max(0.0) / 2.0;
        let units: u32 = if high_rise {
            2
        } else if len > 55.0 {
            3
        } else {
            2
        };
        let per_floor = units * 2;
        let share = remaining.max(0) as f64 / (count - slot) as f64;
        let (min_floors, max_floors) = if high_rise { (11.0, 33.0) } else { (2.0, 9.0) };
        let floors = (share / f64::from(per_floor))
            .round()
            .clamp(min_floors, max_floors) as u32;
        remaining -= i64::from(floors * per_floor);
        plans.push(BuildingPlan {
            footprint: rect.footprint(cell, x, y, len.min(x_pitch - 4.0), depth.min(y_pitch - 4.0)),
            kind: BuildingKind::Apartments,
            floors: floors as u16,
            households: floors * per_floor,
        });
    }
    plans
}

/// A low-rise area of small houses holding about `target` households.
pub fn low_rise(cell: &Cell, rect: UvRect, target: u32, rng: &mut impl Rng) -> Vec<BuildingPlan> {
    let (w, h) = rect.size_m(cell);
    let pitch = 15.0;
    let cols = (w / pitch).floor().max(1.0) as usize;
    let rows = (h / pitch).floor().max(1.0) as usize;
    let wanted = ((target as usize) / 2).clamp(1, cols * rows);
    let mut slots: Vec<usize> = (0..cols * rows).collect();
    // Keep a deterministic, scattered subset of slots.
    for k in (1..slots.len()).rev() {
        let m = rng.random_range(0..=k);
        slots.swap(k, m);
    }
    slots.truncate(wanted);
    slots.sort_unstable();
    let per_house = (f64::from(target) / wanted as f64).max(1.0);
    slots
        .into_iter()
        .map(|slot| {
            let (r, c) = (slot / cols, slot % cols);
            let size = rng.random_range(8.0..12.0);
            let x = c as f64 * pitch + rng.random_range(0.5..(pitch - size - 0.5).max(1.0));
            let y = r as f64 * pitch + rng.random_range(0.5..(pitch - size - 0.5).max(1.0));
            let households = (per_house + rng.random_range(-0.5..0.5))
                .round()
                .clamp(1.0, 8.0) as u32;
            BuildingPlan {
                footprint: rect.footprint(cell, x, y, size, size * rng.random_range(0.8..1.0)),
                kind: BuildingKind::House,
                floors: rng.random_range(1..=2),
                households,
            }
        })
        .collect()
}

/// An institution's buildings: `kind` is school, hospital, market, enterprise or park.
pub fn institution(
    cell: &Cell,
    rect: UvRect,
    kind: BuildingKind,
    rng: &mut impl Rng,
) -> Vec<BuildingPlan> {
    let (w, h) = rect.size_m(cell);
    let specs: Vec<(f64, f64, f64, f64, u16)> = match kind {
        // (x, y, width, height) as shares of the block, floors
        BuildingKind::School => vec![(0.1, 0.6, 0.6, 0.12, 5), (0.1, 0.35, 0.3, 0.12, 4)],
        BuildingKind::Hospital => vec![(0.15, 0.5, 0.5, 0.2, 12), (0.15, 0.15, 0.35, 0.2, 5)],
        BuildingKind::Market => vec![(0.15, 0.2, 0.6, 0.45, 2)],
        BuildingKind::Enterprise => vec![
            (0.1, 0.6, 0.3, 0.25, 8),
            (0.5, 0.6, 0.3, 0.25, 6),
            (0.1, 0.15, 0.7, 0.25, 3),
        ],
        _ => vec![(0.45, 0.45, 0.1, 0.08, 1)],
    };
    specs
        .into_iter()
        .map(|(x, y, bw, bh, floors)| {
            let jitter = rng.random_range(-0.03..0.03);
            BuildingPlan {
                footprint: rect.footprint(cell, (x + jitter) * w, (y + jitter) * h, bw * w, bh * h),
                kind,
                floors,
                households: 0,
            }
        })
        .collect()
}
