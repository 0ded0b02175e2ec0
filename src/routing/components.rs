//! Connected pieces of the walking network: how much of it hangs together, which pieces do
//! not, and which walled compounds no path leaves.

use super::walk_network::WalkNetwork;
use crate::domain::{RoadId, Wall, WallId};
use geo::{Contains, Intersects};
use geo_types::{Coord, LineString, Point, Polygon};
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// How many of a piece's ways are named in a report.
const WAYS_NAMED: usize = 5;

/// A connected piece of the network apart from the largest.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkPiece {
    pub nodes: usize,
    pub length_m: f64,
    /// A point of the piece (lon/lat), to find it on a map.
    pub at: Point<f64>,
    /// Some of its ways, by id.
    pub ways: Vec<RoadId>,
}

/// A closed wall with paths inside and no way out through a gate.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedCompound {
    pub wall: WallId,
    /// Network nodes inside.
    pub nodes: usize,
    /// A point inside (lon/lat).
    pub at: Point<f64>,
}

/// Connected component of every node (union-find over the edges).
pub(super) fn component_of_nodes(network: &WalkNetwork) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..network.node_count() as u32).collect();
    fn root(parent: &mut [u32], mut n: u32) -> u32 {
        while parent[n as usize] != n {
            let up = parent[parent[n as usize] as usize];
            parent[n as usize] = up;
            n = up;
        }
        n
    }
    for e in network.edges() {
        let (a, b) = (root(&mut parent, e.tail.0), root(&mut parent, e.head.0));
        if a != b {
            parent[a.max(b) as usize] = a.min(b);
        }
    }
    (0..parent.len() as u32)
        .map(|n| root(&mut parent, n))
        .collect()
}

/// Each node's piece and the size of each piece (by root), and the largest piece's root.
fn sized_components(network: &WalkNetwork) -> (Vec<u32>, Vec<usize>, usize) {
    let component = component_of_nodes(network);
    let mut size = vec![0usize; component.len()];
    for &c in &component {
        size[c as usize] += 1;
    }
    let largest = (0..size.len())
        .max_by_key(|&c| (size[c], std::cmp::Reverse(c)))
        .unwrap_or(0);
    (component, size, largest)
}

impl WalkNetwork {
    /// For each node: the number of nodes of its connected piece when that is not the
    /// largest (`None` in the largest piece).
    pub fn piece_apart(&self) -> Vec<Option<usize>> {
        let (component, size, largest) = sized_components(self);
        component
            .iter()
            .map(|&c| (c as usize != largest).then(|| size[c as usize]))
            .collect()
    }
}

/// The largest piece's share of the nodes, and every other piece, largest first.
pub(super) fn pieces(network: &WalkNetwork) -> (f64, Vec<NetworkPiece>) {
    if network.node_count() == 0 {
        return (1.0, Vec::new());
    }
    let (component, size, largest) = sized_components(network);
    let mut found: std::collections::BTreeMap<u32, NetworkPiece> = Default::default();
    for e in network.edges() {
        let c = component[e.tail.0 as usize];
        if c as usize == largest {
            continue;
        }
        let at = network.nodes()[e.tail.0 as usize];
        let piece = found.entry(c).or_insert_with(|| NetworkPiece {
            nodes: size[c as usize],
            length_m: 0.0,
            at: Point::from(network.frame().to_lonlat(at.x, at.y)),
            ways: Vec::new(),
        });
        piece.length_m += e.length_m;
        let way = network.way(e);
        if piece.ways.len() < WAYS_NAMED && !piece.ways.contains(way) {
            piece.ways.push(way.clone());
        }
    }
    let mut pieces: Vec<NetworkPiece> = found.into_values().collect();
    pieces.sort_by(|a, b| {
        b.nodes
            .cmp(&a.nodes)
            .then(b.length_m.total_cmp(&a.length_m))
    });
    (size[largest] as f64 / component.len() as f64, pieces)
}

/// Closed walls whose inside holds network nodes of which no piece reaches outside.
pub(super) fn sealed_compounds(network: &WalkNetwork, walls: &[Wall]) -> Vec<SealedCompound> {
    if network.node_count() == 0 {
        return Vec::new();
    }
    let component = component_of_nodes(network);
    let mut size = vec![0usize; component.len()];
    for &c in &component {
        size[c as usize] += 1;
    }
    let tree = RTree::bulk_load(
        network
            .nodes()
            .iter()
            .enumerate()
            .map(|(i, c)| GeomWithData::new([c.x, c.y], i))
            .collect(),
    );
    let frame = network.frame();
    walls
        .iter()
        .filter(|w| w.geometry.is_closed() && w.geometry.0.len() >= 4)
        .filter_map(|wall| {
            let ring: LineString<f64> = wall
                .geometry
                .0
                .iter()
                .map(|c| frame.to_metres(*c))
                .collect();
            let polygon = Polygon::new(ring, Vec::new());
            let rect = geo::BoundingRect::bounding_rect(&polygon)?;
            // Nodes inside, and those on the wall itself (where ways are cut).
            let mut inside = Vec::new();
            let mut within_per_component: std::collections::HashMap<u32, usize> =
                Default::default();
            for n in tree
                .locate_in_envelope(&rstar::AABB::from_corners(
                    [rect.min().x, rect.min().y],
                    [rect.max().x, rect.max().y],
                ))
                .map(|n| n.data)
            {
                let c = network.nodes()[n];
                let point = Point::new(c.x, c.y);
                if polygon.contains(&point) {
                    inside.push(n);
                } else if !polygon.intersects(&point) {
                    continue;
                }
                *within_per_component.entry(component[n]).or_default() += 1;
            }
            // A wall round the whole network seals nothing off.
            if inside.is_empty() || inside.len() == network.node_count() {
                return None;
            }
            let leaves = inside.iter().any(|&n| {
                let c = component[n];
                size[c as usize] > within_per_component.get(&c).copied().unwrap_or(0)
            });
            (!leaves).then(|| {
                let c: Coord<f64> = network.nodes()[inside[0]];
                SealedCompound {
                    wall: wall.id.clone(),
                    nodes: inside.len(),
                    at: Point::from(frame.to_lonlat(c.x, c.y)),
                }
            })
        })
        .collect()
}
