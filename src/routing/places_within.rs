//! Which kept places (buildings) lie within a walk of a start: the places are filed by the
//! ends of their edges, so one bounded search from the start finds them all.

use super::snap::{EdgePlace, Snap};
use super::walk_network::WalkNetwork;
use std::collections::HashMap;

/// Places filed by the nodes they are walked to from, and by their edge.
#[derive(Debug, Clone, Default)]
pub struct PlacesByNode {
    /// For each node: (place, metres from the node to the place).
    at_node: Vec<Vec<(u32, f32)>>,
    /// For each edge with places: (place, metres along, offset).
    on_edge: HashMap<u32, Vec<(u32, f32, f32)>>,
}

impl PlacesByNode {
    /// `places[i]` is place `i` (`None`: off the network, never found).
    pub fn new(network: &WalkNetwork, places: &[Option<EdgePlace>]) -> Self {
        let mut at_node = vec![Vec::new(); network.node_count()];
        let mut on_edge: HashMap<u32, Vec<(u32, f32, f32)>> = HashMap::new();
        for (i, place) in places.iter().enumerate() {
            let Some(place) = place else { continue };
            for (node, metres) in network.approaches_place(place) {
                at_node[node.0 as usize].push((i as u32, metres as f32));
            }
            on_edge.entry(place.edge.0).or_default().push((
                i as u32,
                place.along_m,
                place.offset_m,
            ));
        }
        Self { at_node, on_edge }
    }

    /// Every place within `limit_m` on foot of `start`, each once with its walk, in no
    /// particular order.
    ///
    /// ```
    /// use gridmap::domain::{FootAccess, Road, RoadClass, RoadId, WayLevel};
    /// use gridmap::routing::{PlacesByNode, build_network};
    /// use gridmap::spatial::LocalFrame;
    /// use geo_types::Point;
    /// let frame = LocalFrame::new(0.0, 0.0);
    /// let road = Road {
    ///     id: RoadId("a".into()), class: RoadClass::Path, name: None,
    ///     geometry: [frame.to_lonlat(0.0, 0.0), frame.to_lonlat(1000.0, 0.0)].into_iter().collect(),
    ///     foot: FootAccess::Allowed, level: WayLevel::Ground,
    /// };
    /// let (network, _) = build_network(frame, &[road], &[], &[]);
    /// let at = |x: f64| network.snap(Point::from(frame.to_lonlat(x, 10.0)), 50.0).unwrap();
    /// let places: Vec<_> = [100.0, 400.0, 900.0].map(|x| Some(at(x).place())).into();
    /// let by_node = PlacesByNode::new(&network, &places);
    /// let mut found = by_node.within(&network, &at(300.0), 300.0);
    /// found.sort_by_key(|f| f.0);
    /// assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [0, 1]);
    /// assert!((found[1].1 - 120.0).abs() < 0.01); // 10 m on, 100 m along, 10 m off
    /// ```
    pub fn within(&self, network: &WalkNetwork, start: &Snap, limit_m: f64) -> Vec<(u32, f64)> {
        let reach = network.reach_from(start, limit_m);
        let mut best: HashMap<u32, f64> = HashMap::new();
        let mut offer = |place: u32, d: f64| {
            if d <= limit_m {
                let slot = best.entry(place).or_insert(f64::INFINITY);
                *slot = slot.min(d);
            }
        };
        for (node, d) in reach.reached() {
            for &(place, metres) in &self.at_node[node.0 as usize] {
                offer(place, d + f64::from(metres));
            }
        }
        for &(place, along, offset) in self
            .on_edge
            .get(&start.edge.0)
            .map_or(&[][..], Vec::as_slice)
        {
            offer(
                place,
                start.walk_along_edge_m(f64::from(along), f64::from(offset)),
            );
        }
        best.into_iter().collect()
    }
}
