//! Shortest walks over the network (Dijkstra): everything within a distance of one start,
//! and every node's nearest of many sources in one pass.

use super::nearest_targets::TargetsOnEdges;
use super::snap::{EdgePlace, Snap};
use super::walk_network::{Arc, EdgeId, NodeId, WalkNetwork};
use geo_types::{Coord, LineString, Point};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Where a search starts: a node and the metres already walked to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub node: NodeId,
    pub start_m: f64,
}

/// No edge led to this node (a seed, or not reached).
const NO_EDGE: u32 = u32::MAX;

/// A queue entry: a node at a distance (the nearest first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Queued {
    pub distance_m: f64,
    pub node: u32,
}

impl Eq for Queued {}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .distance_m
            .total_cmp(&self.distance_m)
            .then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What one search reached within its limit: each node's walking distance and the edge it
/// was reached by.
#[derive(Debug, Clone)]
pub struct Reach {
    distance_m: Vec<f64>,
    via_edge: Vec<u32>,
    reached: Vec<u32>,
    limit_m: f64,
    /// The snapped start, when the search began at a point.
    start: Option<Snap>,
}

/// Every node within `limit_m` of the seeds, by Dijkstra's algorithm.
pub fn reach_within(network: &WalkNetwork, seeds: &[Seed], limit_m: f64) -> Reach {
    reach_within_until(network, seeds, limit_m, |_, _| false)
}

/// What one labelled search found: each node's distance, the edge it was reached by and the
/// label of the seed it came from, and the nodes in the order they were settled.
struct Search<L> {
    distance_m: Vec<f64>,
    via_edge: Vec<u32>,
    label: Vec<L>,
    reached: Vec<u32>,
}

/// Dijkstra's algorithm from labelled seeds within `limit_m`, each node taking the label of
/// the seed it is nearest to; `settled` sees each node as it is settled (with the edges
/// leaving it) and stops the search by answering true.
fn search<L: Copy>(
    network: &WalkNetwork,
    seeds: impl IntoIterator<Item = (Seed, L)>,
    unlabelled: L,
    limit_m: f64,
    mut settled: impl FnMut(Queued, &[Arc]) -> bool,
) -> Search<L> {
    let n = network.node_count();
    let mut found = Search {
        distance_m: vec![f64::INFINITY; n],
        via_edge: vec![NO_EDGE; n],
        label: vec![unlabelled; n],
        reached: Vec::new(),
    };
    let mut queue = BinaryHeap::new();
    for (s, label) in seeds {
        let i = s.node.0 as usize;
        if s.start_m <= limit_m && s.start_m < found.distance_m[i] {
            found.distance_m[i] = s.start_m;
            found.label[i] = label;
            queue.push(Queued {
                distance_m: s.start_m,
                node: s.node.0,
            });
        }
    }
    while let Some(popped) = queue.pop() {
        let (d, node) = (popped.distance_m, popped.node);
        if d > found.distance_m[node as usize] {
            continue;
        }
        found.reached.push(node);
        if settled(popped, network.arcs(node)) {
            break;
        }
        let label = found.label[node as usize];
        for arc in network.arcs(node) {
            let next = d + arc.length_m;
            let h = arc.head as usize;
            if next <= limit_m && next < found.distance_m[h] {
                found.distance_m[h] = next;
                found.via_edge[h] = arc.edge;
                found.label[h] = label;
                queue.push(Queued {
                    distance_m: next,
                    node: arc.head,
                });
            }
        }
    }
    found
}

/// [`reach_within`], calling `settled` with each node as it is settled and the edges leaving
/// it; the search stops when `settled` says so.
pub(super) fn reach_within_until(
    network: &WalkNetwork,
    seeds: &[Seed],
    limit_m: f64,
    settled: impl FnMut(Queued, &[Arc]) -> bool,
) -> Reach {
    let Search {
        distance_m,
        via_edge,
        reached,
        ..
    } = search(
        network,
        seeds.iter().map(|&s| (s, ())),
        (),
        limit_m,
        settled,
    );
    Reach {
        distance_m,
        via_edge,
        reached,
        limit_m,
        start: None,
    }
}

impl WalkNetwork {
    /// Everything within `limit_m` of a snapped point.
    pub fn reach_from(&self, start: &Snap, limit_m: f64) -> Reach {
        reach_within(self, &self.seeds(start), limit_m).beginning_at(*start)
    }

    /// The part of an edge's shape between two distances along it (either order), in
    /// metres.
    pub fn shape_between(&self, edge: EdgeId, from_m: f64, to_m: f64) -> Vec<Coord<f64>> {
        let e = self.edge(edge);
        let shape = self.shape_m(e);
        let (low, high) = (from_m.min(to_m), from_m.max(to_m));
        let mut out = Vec::new();
        let mut along = 0.0;
        for pair in shape.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let length = (b - a).x.hypot((b - a).y);
            let at = |m: f64| {
                if length == 0.0 {
                    a
                } else {
                    a + (b - a) * ((m - along) / length).clamp(0.0, 1.0)
                }
            };
            if along + length >= low && along <= high {
                if out.is_empty() {
                    out.push(at(low));
                }
                if along + length <= high {
                    out.push(b);
                } else {
                    out.push(at(high));
                }
            }
            along += length;
        }
        if from_m > to_m {
            out.reverse();
        }
        out
    }
}

impl Reach {
    /// A node's walking distance, when reached within the limit.
    pub fn distance_m(&self, node: NodeId) -> Option<f64> {
        let d = self.distance_m[node.0 as usize];
        d.is_finite().then_some(d)
    }

    /// Every reached node with its distance, nearest first.
    pub fn reached(&self) -> impl Iterator<Item = (NodeId, f64)> + '_ {
        self.reached
            .iter()
            .map(|&n| (NodeId(n), self.distance_m[n as usize]))
    }

    pub fn limit_m(&self) -> f64 {
        self.limit_m
    }

    /// A search that reached nothing.
    pub(super) fn empty(network: &WalkNetwork, limit_m: f64) -> Self {
        reach_within(network, &[], limit_m)
    }

    /// Where the search began, when it began at a point.
    pub fn start(&self) -> Option<&Snap> {
        self.start.as_ref()
    }

    /// This search as one from `start` (its seeds were `start`'s).
    pub(super) fn beginning_at(mut self, start: Snap) -> Self {
        self.start = Some(start);
        self
    }

    /// The walking distance to a snapped point: through either end of its edge, or along
    /// the edge itself when the search began on the same edge. `None` beyond the limit.
    pub fn distance_to(&self, network: &WalkNetwork, target: &Snap) -> Option<f64> {
        self.best_approach(network, target)
            .map(|(d, _)| d)
            .filter(|&d| d <= self.limit_m)
    }

    /// The best way to a target: its distance and the end of the target's edge it comes
    /// through (`None`: along the start's own edge).
    fn best_approach(&self, network: &WalkNetwork, target: &Snap) -> Option<(f64, Option<NodeId>)> {
        let mut best: Option<(f64, Option<NodeId>)> = None;
        let mut consider = |d: f64, via| {
            if d.is_finite() && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, via));
            }
        };
        for (node, to_target) in network.approaches(target) {
            consider(self.distance_m[node.0 as usize] + to_target, Some(node));
        }
        if let Some(start) = self.start.filter(|s| s.edge == target.edge) {
            consider(
                start.walk_along_edge_m(target.along_m, target.offset_m),
                None,
            );
        }
        best
    }

    /// The walk to a target as a lon/lat line: from the start point onto the network, along
    /// the edges, and off to the target point `to`. `None` when not reached.
    pub fn route_to(
        &self,
        network: &WalkNetwork,
        target: &Snap,
        to: Point<f64>,
    ) -> Option<LineString<f64>> {
        let (distance, via) = self.best_approach(network, target)?;
        if distance > self.limit_m {
            return None;
        }
        let frame = network.frame();
        let mut metres: Vec<Coord<f64>> = Vec::new();
        match via {
            None => {
                let start = self.start?;
                metres.extend([start.from, start.at]);
                metres.extend(network.shape_between(target.edge, start.along_m, target.along_m));
            }
            Some(end) => {
                // Back from the target's edge end to a seed, then forward.
                let mut nodes_back = vec![end];
                let mut edges_back = Vec::new();
                let mut node = end;
                while self.via_edge[node.0 as usize] != NO_EDGE {
                    let edge = EdgeId(self.via_edge[node.0 as usize]);
                    let e = network.edge(edge);
                    node = if e.head == node { e.tail } else { e.head };
                    edges_back.push(edge);
                    nodes_back.push(node);
                }
                let seed = node;
                if let Some(start) = self.start {
                    let e = network.edge(start.edge);
                    let seed_along = if e.tail == seed { 0.0 } else { e.length_m };
                    metres.extend([start.from, start.at]);
                    metres.extend(network.shape_between(start.edge, start.along_m, seed_along));
                }
                for (edge, from) in edges_back.iter().rev().zip(nodes_back.iter().rev()) {
                    let e = network.edge(*edge);
                    let mut shape = network.shape_m(e).to_vec();
                    if e.tail != *from {
                        shape.reverse();
                    }
                    metres.extend(shape);
                }
                let e = network.edge(target.edge);
                let end_along = if e.tail == end { 0.0 } else { e.length_m };
                metres.extend(network.shape_between(target.edge, end_along, target.along_m));
            }
        }
        let mut line: Vec<Coord<f64>> = metres.iter().map(|c| frame.to_lonlat(c.x, c.y)).collect();
        line.push(to.0);
        line.dedup();
        Some(LineString::new(line))
    }
}

/// Every node's nearest source and its distance, from one multi-source search.
#[derive(Debug, Clone)]
pub struct NearestSources {
    distance_m: Vec<f64>,
    source: Vec<u32>,
    /// Sources by the edge they join, for targets on that edge.
    on_edge: TargetsOnEdges,
    limit_m: f64,
}

/// The nearest of many sources for every node within `limit_m` (one Dijkstra pass from all
/// of them at once). `sources[i]` is source `i`'s snap.
pub fn nearest_sources(network: &WalkNetwork, sources: &[Snap], limit_m: f64) -> NearestSources {
    let on_edge = TargetsOnEdges::new(sources);
    let seeds = sources
        .iter()
        .enumerate()
        .flat_map(|(i, snap)| network.seeds(snap).map(|seed| (seed, i as u32)));
    let Search {
        distance_m,
        label: source,
        ..
    } = search(network, seeds, u32::MAX, limit_m, |_, _| false);
    NearestSources {
        distance_m,
        source,
        on_edge,
        limit_m,
    }
}

impl NearestSources {
    /// A node's nearest source and distance.
    pub fn of_node(&self, node: NodeId) -> Option<(u32, f64)> {
        let i = node.0 as usize;
        self.distance_m[i]
            .is_finite()
            .then(|| (self.source[i], self.distance_m[i]))
    }

    /// A kept place's nearest source and walking distance, within the limit.
    pub fn of_place(&self, network: &WalkNetwork, target: &EdgePlace) -> Option<(u32, f64)> {
        let mut best: Option<(u32, f64)> = None;
        let mut consider = |s: u32, d: f64| {
            if d.is_finite() && d <= self.limit_m && best.is_none_or(|(_, b)| d < b) {
                best = Some((s, d));
            }
        };
        for (node, to_target) in network.approaches_place(target) {
            if let Some((s, d)) = self.of_node(node) {
                consider(s, d + to_target);
            }
        }
        let (along_m, offset_m) = (f64::from(target.along_m), f64::from(target.offset_m));
        for &(s, along, offset) in self.on_edge.on(target.edge) {
            consider(s, offset_m + (along_m - along).abs() + offset);
        }
        best
    }
}
