//! The walking network: junctions and the ways between them in metres of a local frame,
//! held as an adjacency array (CSR) for shortest paths and an R-tree of edge boxes for
//! snapping.

use super::wall_crossing::WallIndex;
use crate::domain::RoadId;
use crate::spatial::LocalFrame;
use geo_types::{Coord, LineString};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// A junction or way end, by its place in [`WalkNetwork::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A way between two junctions, by its place in [`WalkNetwork::edges`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeId(pub u32);

/// A walkable stretch between two nodes, walked either way.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkEdge {
    pub tail: NodeId,
    pub head: NodeId,
    pub length_m: f64,
    /// The way it is part of (see [`WalkNetwork::way`]).
    pub way: u32,
    /// Its shape from tail to head: `shape_points[shape.0..shape.1]`.
    shape: (u32, u32),
}

/// One direction of an edge, as the adjacency array holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Arc {
    pub head: u32,
    pub edge: u32,
    pub length_m: f64,
}

/// Boxes (f32 metres, padded to hold the f64 shapes) with the index of what they bound:
/// a tenth of the memory of an R-tree of f64 segments.
pub(super) type BoxTree = RTree<GeomWithData<Rectangle<[f32; 2]>, u32>>;

/// How far an f32 box is padded beyond the f64 points it bounds, in metres (f32 steps are
/// under 4 mm within 50 km of the frame's centre).
const BOX_PAD_M: f32 = 0.01;

/// The smallest and largest x and y of some points (`None` for none).
pub(super) fn bounds<'a>(
    points: impl IntoIterator<Item = &'a Coord<f64>>,
) -> Option<(Coord<f64>, Coord<f64>)> {
    points.into_iter().fold(None, |found, c| {
        let (min, max) = found.unwrap_or((*c, *c));
        Some((
            Coord {
                x: min.x.min(c.x),
                y: min.y.min(c.y),
            },
            Coord {
                x: max.x.max(c.x),
                y: max.y.max(c.y),
            },
        ))
    })
}

/// The padded f32 box of some points (`None` for none).
pub(super) fn padded_box(points: &[Coord<f64>]) -> Option<Rectangle<[f32; 2]>> {
    let (min, max) = bounds(points)?;
    Some(Rectangle::from_corners(
        [min.x as f32 - BOX_PAD_M, min.y as f32 - BOX_PAD_M],
        [max.x as f32 + BOX_PAD_M, max.y as f32 + BOX_PAD_M],
    ))
}

/// The walking network.
#[derive(Debug, Clone)]
pub struct WalkNetwork {
    frame: LocalFrame,
    nodes: Vec<Coord<f64>>,
    edges: Vec<WalkEdge>,
    shape_points: Vec<Coord<f64>>,
    first_arc: Vec<u32>,
    arcs: Vec<Arc>,
    ways: Vec<RoadId>,
    /// Each edge's box, by edge index.
    pub(super) edge_boxes: BoxTree,
    pub(super) walls: WallIndex,
}

/// An edge being assembled: its end nodes and its shape in metres.
pub(super) struct EdgeDraft {
    pub tail: u32,
    pub head: u32,
    pub way: u32,
    pub shape: Vec<Coord<f64>>,
}

impl WalkNetwork {
    /// Assembles the network from its nodes (metres) and edge drafts.
    pub(super) fn assemble(
        frame: LocalFrame,
        nodes: Vec<Coord<f64>>,
        drafts: Vec<EdgeDraft>,
        ways: Vec<RoadId>,
        walls: WallIndex,
    ) -> Self {
        let mut edges = Vec::with_capacity(drafts.len());
        let mut shape_points = Vec::new();
        let mut boxes = Vec::with_capacity(drafts.len());
        for (i, draft) in drafts.into_iter().enumerate() {
            let start = shape_points.len() as u32;
            let along_m: f64 = draft
                .shape
                .windows(2)
                .map(|pair| (pair[1] - pair[0]).x.hypot((pair[1] - pair[0]).y))
                .sum();
            if let Some(b) = padded_box(&draft.shape) {
                boxes.push(GeomWithData::new(b, i as u32));
            }
            shape_points.extend_from_slice(&draft.shape);
            edges.push(WalkEdge {
                tail: NodeId(draft.tail),
                head: NodeId(draft.head),
                length_m: along_m,
                way: draft.way,
                shape: (start, shape_points.len() as u32),
            });
        }
        let (first_arc, arcs) = adjacency(nodes.len(), &edges);
        Self {
            frame,
            nodes,
            edges,
            shape_points,
            first_arc,
            arcs,
            ways,
            edge_boxes: RTree::bulk_load(boxes),
            walls,
        }
    }

    /// The metric frame the network is measured in.
    pub fn frame(&self) -> LocalFrame {
        self.frame
    }

    /// Node positions in metres of [`Self::frame`].
    pub fn nodes(&self) -> &[Coord<f64>] {
        &self.nodes
    }

    pub fn edges(&self) -> &[WalkEdge] {
        &self.edges
    }

    pub fn edge(&self, id: EdgeId) -> &WalkEdge {
        &self.edges[id.0 as usize]
    }

    /// The id of the way an edge is part of.
    pub fn way(&self, edge: &WalkEdge) -> &RoadId {
        &self.ways[edge.way as usize]
    }

    /// An edge's shape from tail to head, in metres.
    pub fn shape_m(&self, edge: &WalkEdge) -> &[Coord<f64>] {
        &self.shape_points[edge.shape.0 as usize..edge.shape.1 as usize]
    }

    /// An edge's shape from tail to head, in lon/lat.
    pub fn shape_lonlat(&self, edge: &WalkEdge) -> LineString<f64> {
        self.shape_m(edge)
            .iter()
            .map(|c| self.frame.to_lonlat(c.x, c.y))
            .collect()
    }

    /// The edges leaving a node, each with the node at its other end.
    pub(super) fn arcs(&self, node: u32) -> &[Arc] {
        &self.arcs
            [self.first_arc[node as usize] as usize..self.first_arc[node as usize + 1] as usize]
    }

    /// The edges whose boxes meet a lon/lat box, in edge order.
    pub fn edges_in_box(&self, min: Coord<f64>, max: Coord<f64>) -> Vec<EdgeId> {
        let (low, high) = (self.frame.to_metres(min), self.frame.to_metres(max));
        let envelope = rstar::AABB::from_corners(
            [low.x.min(high.x) as f32, low.y.min(high.y) as f32],
            [low.x.max(high.x) as f32, low.y.max(high.y) as f32],
        );
        let mut found: Vec<EdgeId> = self
            .edge_boxes
            .locate_in_envelope_intersecting(&envelope)
            .map(|e| EdgeId(e.data))
            .collect();
        found.sort_unstable();
        found
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Total length of every edge, in metres.
    pub fn length_m(&self) -> f64 {
        self.edges.iter().map(|e| e.length_m).sum()
    }
}

/// The adjacency array: for node `n`, arcs `first_arc[n]..first_arc[n + 1]`, both directions
/// of every edge.
fn adjacency(node_count: usize, edges: &[WalkEdge]) -> (Vec<u32>, Vec<Arc>) {
    let mut degree = vec![0u32; node_count + 1];
    for e in edges {
        degree[e.tail.0 as usize] += 1;
        degree[e.head.0 as usize] += 1;
    }
    let mut first_arc = vec![0u32; node_count + 1];
    for n in 0..node_count {
        first_arc[n + 1] = first_arc[n] + degree[n];
    }
    let mut next = first_arc.clone();
    let mut arcs = vec![
        Arc {
            head: 0,
            edge: 0,
            length_m: 0.0
        };
        first_arc[node_count] as usize
    ];
    for (i, e) in edges.iter().enumerate() {
        for (from, to) in [(e.tail.0, e.head.0), (e.head.0, e.tail.0)] {
            arcs[next[from as usize] as usize] = Arc {
                head: to,
                edge: i as u32,
                length_m: e.length_m,
            };
            next[from as usize] += 1;
        }
    }
    (first_arc, arcs)
}
