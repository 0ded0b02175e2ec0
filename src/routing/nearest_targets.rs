//! The nearest few of many targets on foot from one point: Dijkstra from the point that
//! stops as soon as no target still unseen could be nearer than the `k` found.

use super::shortest_paths::{Queued, Reach, reach_within_until};
use super::snap::Snap;
use super::walk_network::{EdgeId, WalkNetwork};
use std::collections::HashMap;

/// Targets snapped onto the network, found by the edge they join.
#[derive(Debug, Clone, Default)]
pub struct TargetsOnEdges {
    /// For each edge: (target, metres along the edge, offset from it).
    on_edge: HashMap<u32, Vec<(u32, f64, f64)>>,
}

impl TargetsOnEdges {
    /// `snaps[i]` is target `i`'s snap.
    pub fn new<'a>(snaps: impl IntoIterator<Item = &'a Snap>) -> Self {
        let mut on_edge: HashMap<u32, Vec<(u32, f64, f64)>> = HashMap::new();
        for (i, s) in snaps.into_iter().enumerate() {
            on_edge
                .entry(s.edge.0)
                .or_default()
                .push((i as u32, s.along_m, s.offset_m));
        }
        Self { on_edge }
    }

    /// The targets joining an edge: (target, metres along it, offset from it).
    pub fn on(&self, edge: EdgeId) -> &[(u32, f64, f64)] {
        self.on_edge.get(&edge.0).map_or(&[], Vec::as_slice)
    }

    /// The `k` nearest targets passing `keep`, with walking distances, nearest first, and
    /// the search that found them (for routes). Targets beyond `limit_m` are not found.
    pub fn nearest(
        &self,
        network: &WalkNetwork,
        start: &Snap,
        k: usize,
        limit_m: f64,
        keep: impl Fn(u32) -> bool,
    ) -> (Vec<(u32, f64)>, Reach) {
        // Asked for more than there are: the search ends once it has them all.
        let eligible = self
            .on_edge
            .values()
            .flatten()
            .filter(|(t, _, _)| keep(*t))
            .count();
        let k = k.min(eligible);
        if k == 0 {
            return (
                Vec::new(),
                Reach::empty(network, limit_m).beginning_at(*start),
            );
        }
        let mut best: HashMap<u32, f64> = HashMap::new();
        let offer = |target: u32, d: f64, best: &mut HashMap<u32, f64>| {
            if d <= limit_m && keep(target) {
                let slot = best.entry(target).or_insert(f64::INFINITY);
                *slot = slot.min(d);
            }
        };
        // Targets on the start's own edge, walked along it.
        for &(t, along, offset) in self.on(start.edge) {
            offer(t, start.walk_along_edge_m(along, offset), &mut best);
        }
        let kth = |best: &HashMap<u32, f64>| {
            if best.len() < k {
                return f64::INFINITY;
            }
            let mut d: Vec<f64> = best.values().copied().collect();
            d.sort_by(f64::total_cmp);
            d[k - 1]
        };
        let reach = reach_within_until(
            network,
            &network.seeds(start),
            limit_m,
            |popped: Queued, arcs| {
                for arc in arcs {
                    let edge = network.edge(EdgeId(arc.edge));
                    let from_tail = edge.tail.0 == popped.node;
                    for &(t, along, offset) in self.on(EdgeId(arc.edge)) {
                        let on_edge = if from_tail {
                            along
                        } else {
                            edge.length_m - along
                        };
                        offer(t, popped.distance_m + on_edge + offset, &mut best);
                    }
                }
                // Every target still unseen is at least this far.
                kth(&best) <= popped.distance_m
            },
        )
        .beginning_at(*start);
        let mut found: Vec<(u32, f64)> = best.into_iter().collect();
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        found.truncate(k);
        (found, reach)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FootAccess, Road, RoadClass, RoadId, WayLevel};
    use crate::routing::build_network;
    use crate::spatial::LocalFrame;
    use geo_types::Point;

    /// A straight way 1 km long, targets at 100, 400 and 900 m, a start at 300 m.
    #[test]
    fn the_nearest_come_in_order_and_asking_for_more_gives_all() {
        let frame = LocalFrame::new(110.0, 39.8);
        let at = |x: f64| Point::from(frame.to_lonlat(x, 0.0));
        let road = Road {
            id: RoadId("a".into()),
            class: RoadClass::Path,
            name: None,
            geometry: [0.0, 500.0, 1000.0]
                .iter()
                .map(|&x| frame.to_lonlat(x, 0.0))
                .collect(),
            foot: FootAccess::Allowed,
            level: WayLevel::Ground,
        };
        let cut = Road {
            id: RoadId("b".into()),
            geometry: [frame.to_lonlat(500.0, 0.0), frame.to_lonlat(500.0, 300.0)]
                .into_iter()
                .collect(),
            ..road.clone()
        };
        let (network, _) = build_network(frame, &[road, cut], &[], &[]);
        let snaps: Vec<Snap> = [100.0, 400.0, 900.0]
            .iter()
            .map(|&x| network.snap(at(x), 10.0).unwrap())
            .collect();
        let targets = TargetsOnEdges::new(&snaps);
        let start = network.snap(at(300.0), 10.0).unwrap();
        let (found, _) = targets.nearest(&network, &start, 2, 10_000.0, |_| true);
        let ids: Vec<u32> = found.iter().map(|f| f.0).collect();
        assert_eq!(ids, vec![1, 0]);
        assert!((found[0].1 - 100.0).abs() < 1e-6 && (found[1].1 - 200.0).abs() < 1e-6);
        let (all, _) = targets.nearest(&network, &start, 10, 10_000.0, |_| true);
        assert_eq!(all.len(), 3);
        assert!((all[2].1 - 600.0).abs() < 1e-6);
        let (only_far, _) = targets.nearest(&network, &start, 1, 10_000.0, |t| t == 2);
        assert_eq!(only_far.iter().map(|f| f.0).collect::<Vec<_>>(), vec![2]);
        let (none, _) = targets.nearest(&network, &start, 3, 150.0, |t| t == 2);
        assert!(none.is_empty(), "beyond the limit");
    }
}
