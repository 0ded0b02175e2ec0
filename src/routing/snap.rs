//! Snapping a point onto the network: the nearest point of a walkable edge that can be
//! walked to in a straight line without passing through a wall. The snap splits its edge.

use super::error::RoutingError;
use super::shortest_paths::Seed;
use super::walk_network::{EdgeId, NodeId, WalkNetwork};
use geo_types::{Coord, Point};

/// How many nearest edges are tried before a point is taken to be walled off.
const CANDIDATES: usize = 64;

/// Where a point joins the network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    pub edge: EdgeId,
    /// Metres along the edge from its tail.
    pub along_m: f64,
    /// Metres from the point to the edge (walked in a straight line).
    pub offset_m: f64,
    /// The joining point, in metres of the network's frame.
    pub at: Coord<f64>,
    /// The point that was snapped, in metres of the network's frame.
    pub from: Coord<f64>,
}

/// Where a point joins the network, without the points themselves: 12 bytes for places
/// kept by the hundred thousand (every building's), centimetres apart from its snap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgePlace {
    pub edge: EdgeId,
    /// Metres along the edge from its tail.
    pub along_m: f32,
    /// Metres from the point to the edge.
    pub offset_m: f32,
}

impl WalkNetwork {
    /// The snap of a lon/lat point within `max_m`.
    ///
    /// ```
    /// use gridmap::domain::{FootAccess, Road, RoadClass, RoadId, WayLevel};
    /// use gridmap::routing::{RoutingError, build_network};
    /// use gridmap::spatial::LocalFrame;
    /// use geo_types::{Point, line_string};
    /// let frame = LocalFrame::new(0.0, 0.0);
    /// let road = Road {
    ///     id: RoadId("a".into()), class: RoadClass::Path, name: None,
    ///     geometry: [frame.to_lonlat(0.0, 0.0), frame.to_lonlat(100.0, 0.0)].into_iter().collect(),
    ///     foot: FootAccess::Allowed, level: WayLevel::Ground,
    /// };
    /// let (network, _) = build_network(frame, &[road], &[], &[]);
    /// let snap = network.snap(Point::from(frame.to_lonlat(30.0, 20.0)), 500.0).unwrap();
    /// assert!((snap.along_m - 30.0).abs() < 1e-6 && (snap.offset_m - 20.0).abs() < 1e-6);
    /// let far = network.snap(Point::from(frame.to_lonlat(30.0, 800.0)), 500.0);
    /// assert!(matches!(far, Err(RoutingError::TooFar { .. })));
    /// ```
    pub fn snap(&self, point: Point<f64>, max_m: f64) -> Result<Snap, RoutingError> {
        if self.is_empty() {
            return Err(RoutingError::EmptyNetwork);
        }
        let p = self.frame().to_metres(point.0);
        let mut nearest_m: Option<f64> = None;
        let mut best: Option<Snap> = None;
        for (entry, box_distance_2) in self
            .edge_boxes
            .nearest_neighbor_iter_with_distance_2(&[p.x as f32, p.y as f32])
            .take(CANDIDATES)
        {
            // Boxes come nearest first and no point of an edge is nearer than its box.
            let box_m = f64::from(box_distance_2).sqrt();
            if box_m > max_m || best.is_some_and(|b| box_m > b.offset_m) {
                break;
            }
            let edge = EdgeId(entry.data);
            let mut options = self.closest_points(edge, p);
            options.sort_by(|a, b| a.offset_m.total_cmp(&b.offset_m));
            if let Some(first) = options.first() {
                nearest_m = Some(nearest_m.map_or(first.offset_m, |n| n.min(first.offset_m)));
            }
            // The nearest point of each segment that is reached without passing a wall.
            if let Some(found) = options
                .into_iter()
                .take_while(|o| o.offset_m <= max_m && best.is_none_or(|b| o.offset_m < b.offset_m))
                .find(|o| !self.walls.blocks(p, o.at))
            {
                best = Some(found);
            }
        }
        best.ok_or(RoutingError::TooFar {
            max_m,
            nearest_m: nearest_m.filter(|&d| d > max_m),
        })
    }

    /// The point of each segment of an edge nearest to `p` (metres), as snaps.
    fn closest_points(&self, edge: EdgeId, p: Coord<f64>) -> Vec<Snap> {
        let shape = self.shape_m(self.edge(edge));
        let mut along_m = 0.0;
        let mut out = Vec::with_capacity(shape.len().saturating_sub(1));
        for pair in shape.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let at = closest_on_segment(from, to, p);
            out.push(Snap {
                edge,
                along_m: along_m + (at - from).x.hypot((at - from).y),
                offset_m: (p - at).x.hypot((p - at).y),
                at,
                from: p,
            });
            along_m += (to - from).x.hypot((to - from).y);
        }
        out
    }

    /// The two ways into the network from a snap: to the edge's tail and to its head, each
    /// with the metres already walked.
    pub fn seeds(&self, snap: &Snap) -> [Seed; 2] {
        self.seeds_at(snap.edge, snap.along_m, snap.offset_m)
    }

    fn seeds_at(&self, edge: EdgeId, along_m: f64, offset_m: f64) -> [Seed; 2] {
        let edge = self.edge(edge);
        [
            Seed {
                node: edge.tail,
                start_m: offset_m + along_m,
            },
            Seed {
                node: edge.head,
                start_m: offset_m + (edge.length_m - along_m).max(0.0),
            },
        ]
    }

    /// The ends of a snap's edge with the metres from each to the snapped point (walked
    /// along the edge, then the offset).
    pub fn approaches(&self, snap: &Snap) -> [(NodeId, f64); 2] {
        self.seeds(snap).map(|s| (s.node, s.start_m))
    }

    /// [`Self::approaches`] of a kept place.
    pub fn approaches_place(&self, place: &EdgePlace) -> [(NodeId, f64); 2] {
        self.seeds_at(
            place.edge,
            f64::from(place.along_m),
            f64::from(place.offset_m),
        )
        .map(|s| (s.node, s.start_m))
    }
}

impl Snap {
    /// Where this snap joins, kept small.
    pub fn place(&self) -> EdgePlace {
        EdgePlace {
            edge: self.edge,
            along_m: self.along_m as f32,
            offset_m: self.offset_m as f32,
        }
    }

    /// The walk from this snapped point to another point joining the same edge `along_m`
    /// from its tail and `offset_m` off it: onto the edge, along it, off it.
    pub fn walk_along_edge_m(&self, along_m: f64, offset_m: f64) -> f64 {
        self.offset_m + (self.along_m - along_m).abs() + offset_m
    }
}

/// The point of segment `from`–`to` nearest to `p`.
fn closest_on_segment(from: Coord<f64>, to: Coord<f64>, p: Coord<f64>) -> Coord<f64> {
    let d = to - from;
    let length_2 = d.x * d.x + d.y * d.y;
    if length_2 == 0.0 {
        return from;
    }
    let t = (((p - from).x * d.x + (p - from).y * d.y) / length_2).clamp(0.0, 1.0);
    from + d * t
}
