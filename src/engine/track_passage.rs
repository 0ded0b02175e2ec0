//! What a patrol track passed: its length, the grids it went through and the buildings it
//! came within [`PASSING_DISTANCE_M`] of. Jumps no walker or cyclist makes (GPS glitches)
//! are left out of the length and of what was passed.

use super::Engine;
use crate::domain::{BuildingId, GridCode};
use crate::spatial::LocalFrame;
use geo_types::Point;
use serde::Serialize;
use std::collections::HashSet;

/// How near a building the track must come to have passed it, in metres.
pub const PASSING_DISTANCE_M: f64 = 20.0;

/// Spacing of the points sampled along each segment, in metres.
const SAMPLE_SPACING_M: f64 = 10.0;

/// Faster than this between two fixes is a glitch, not a patrol (m/s; an e-bike is 7).
const MAX_SPEED_M_PER_S: f64 = 15.0;

/// What a track passed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TrackPassage {
    pub length_m: f64,
    /// In the order first entered.
    pub grids: Vec<GridCode>,
    /// In the order first passed.
    pub buildings: Vec<BuildingId>,
}

impl Engine {
    /// Buildings within [`PASSING_DISTANCE_M`] of `p`, by id.
    fn buildings_passed(&self, p: Point<f64>) -> Vec<BuildingId> {
        let mut ids: Vec<BuildingId> = self
            .buildings_within(p, PASSING_DISTANCE_M)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        ids.sort();
        ids
    }

    /// What a track of `(point, seconds since start)` fixes, in time order, passed.
    pub fn track_passage(&self, fixes: &[(Point<f64>, f64)]) -> TrackPassage {
        let Some((first, _)) = fixes.first() else {
            return TrackPassage::default();
        };
        let frame = LocalFrame::new(first.x(), first.y());
        let mut passage = TrackPassage::default();
        let (mut grids_seen, mut buildings_seen) = (HashSet::new(), HashSet::new());
        let mut visit = |p: Point<f64>, passage: &mut TrackPassage| {
            if let Some(g) = self.grids().locate(p)
                && grids_seen.insert(g.clone())
            {
                passage.grids.push(g.clone());
            }
            for b in self.buildings_passed(p) {
                if buildings_seen.insert(b.clone()) {
                    passage.buildings.push(b);
                }
            }
        };
        visit(*first, &mut passage);
        for pair in fixes.windows(2) {
            let [(a, ta), (b, tb)] = [pair[0], pair[1]];
            let metres = frame.distance_m(a, b);
            if metres > MAX_SPEED_M_PER_S * (tb - ta).max(1.0) {
                continue;
            }
            passage.length_m += metres;
            let steps = (metres / SAMPLE_SPACING_M).ceil().max(1.0);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a small positive count"
            )]
            for i in 1..=steps as u32 {
                let t = f64::from(i) / steps;
                visit(
                    Point::new(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t),
                    &mut passage,
                );
            }
        }
        passage
    }
}
