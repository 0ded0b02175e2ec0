//! The buildings near a point: those whose footprint comes within a distance of it, nearest
//! first (a point inside a footprint is 0 m from it).

use super::Engine;
use crate::domain::BuildingId;
use crate::spatial::LocalFrame;
use geo::{Closest, ClosestPoint};
use geo_types::Point;

impl Engine {
    /// Buildings whose footprint is within `radius_m` of `p`, nearest first, with the distance
    /// in metres (ties by id).
    pub fn buildings_within(&self, p: Point<f64>, radius_m: f64) -> Vec<(BuildingId, f64)> {
        let frame = LocalFrame::new(p.x(), p.y());
        let m = frame.to_metres(p.0);
        let corner = |d: f64| {
            let c = frame.to_lonlat(m.x + d, m.y + d);
            [c.x, c.y]
        };
        let mut near: Vec<(BuildingId, f64)> = self
            .buildings()
            .entries_in_box(corner(-radius_m), corner(radius_m))
            .into_iter()
            .filter_map(|(id, footprint)| {
                let distance_m = match footprint.closest_point(&p) {
                    Closest::Intersection(_) => 0.0,
                    Closest::SinglePoint(q) => frame.distance_m(p, q),
                    Closest::Indeterminate => return None,
                };
                (distance_m <= radius_m).then(|| (id.clone(), distance_m))
            })
            .collect();
        near.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        near
    }
}
