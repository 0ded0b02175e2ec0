//! Building the walking network from ways, walls and gates: junctions where ways share a
//! vertex (bridges and tunnels meet only where they share one), every way cut where it
//! passes through a wall away from a gate.

use super::components::{NetworkPiece, SealedCompound, pieces, sealed_compounds};
use super::walk_network::{EdgeDraft, WalkNetwork};
use super::wall_crossing::WallIndex;
use crate::domain::{Gate, Road, Wall, WayLevel};
use crate::spatial::LocalFrame;
use geo_types::Coord;
use std::collections::HashMap;

/// What the network is made of, and what in it cannot be reached from the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkReport {
    pub nodes: usize,
    pub edges: usize,
    pub length_m: f64,
    /// Share of nodes in the largest connected piece (1 when there are none).
    pub largest_share: f64,
    /// The other connected pieces, largest first.
    pub pieces: Vec<NetworkPiece>,
    /// Closed walls with paths inside and no gate out.
    pub sealed: Vec<SealedCompound>,
    /// Way segments left out because they pass through a wall away from a gate.
    pub cut_at_walls: usize,
}

/// A vertex's key: ways meet where they share a vertex exactly (as OSM ways share nodes).
type VertexKey = (u64, u64);

fn key(c: Coord<f64>) -> VertexKey {
    (c.x.to_bits(), c.y.to_bits())
}

/// Builds the network from the walkable ways among `roads`, cut by `walls` except at
/// `gates`, measured in a frame at `frame`.
///
/// ```
/// use gridmap::domain::{FootAccess, Road, RoadClass, RoadId, WayLevel};
/// use gridmap::routing::build_network;
/// use gridmap::spatial::LocalFrame;
/// use geo_types::line_string;
/// let road = |id: &str, line| Road {
///     id: RoadId(id.into()), class: RoadClass::Path, name: None, geometry: line,
///     foot: FootAccess::Allowed, level: WayLevel::Ground,
/// };
/// let roads = [
///     road("a", line_string![(x: 0.0, y: 0.0), (x: 0.001, y: 0.0), (x: 0.002, y: 0.0)]),
///     road("b", line_string![(x: 0.001, y: 0.0), (x: 0.001, y: 0.001)]),
/// ];
/// let (network, report) = build_network(LocalFrame::new(0.0, 0.0), &roads, &[], &[]);
/// assert_eq!((network.node_count(), network.edge_count()), (4, 3)); // a cut at the junction
/// assert_eq!(report.largest_share, 1.0);
/// ```
pub fn build_network(
    frame: LocalFrame,
    roads: &[Road],
    walls: &[Wall],
    gates: &[Gate],
) -> (WalkNetwork, NetworkReport) {
    let walkable: Vec<&Road> = roads
        .iter()
        .filter(|r| r.foot.is_allowed() && r.geometry.0.len() >= 2)
        .collect();
    let mut uses: HashMap<VertexKey, u32> = HashMap::new();
    for road in &walkable {
        let coords = &road.geometry.0;
        for (i, c) in coords.iter().enumerate() {
            // Ends count twice: a way end is always a node.
            let weight = if i == 0 || i == coords.len() - 1 {
                2
            } else {
                1
            };
            *uses.entry(key(*c)).or_default() += weight;
        }
    }
    let wall_index = WallIndex::new(frame, walls, gates);
    let mut builder = Builder {
        frame,
        node_of: HashMap::new(),
        nodes: Vec::new(),
        drafts: Vec::new(),
        cut_at_walls: 0,
    };
    for (way, road) in walkable.iter().enumerate() {
        builder.add_way(way as u32, road, &uses, &wall_index);
    }
    let ways = walkable.iter().map(|r| r.id.clone()).collect();
    let cut_at_walls = builder.cut_at_walls;
    let network = WalkNetwork::assemble(frame, builder.nodes, builder.drafts, ways, wall_index);
    let (largest_share, pieces) = pieces(&network);
    let sealed = sealed_compounds(&network, walls);
    let report = NetworkReport {
        nodes: network.node_count(),
        edges: network.edge_count(),
        length_m: network.length_m(),
        largest_share,
        pieces,
        sealed,
        cut_at_walls,
    };
    (network, report)
}

struct Builder {
    frame: LocalFrame,
    node_of: HashMap<VertexKey, u32>,
    nodes: Vec<Coord<f64>>,
    drafts: Vec<EdgeDraft>,
    cut_at_walls: usize,
}

impl Builder {
    fn node(&mut self, lonlat: Coord<f64>, metres: Coord<f64>) -> u32 {
        let next = self.nodes.len() as u32;
        let id = *self.node_of.entry(key(lonlat)).or_insert(next);
        if id == next {
            self.nodes.push(metres);
        }
        id
    }

    /// Splits one way into edges at junctions, and cuts it where it passes through a wall
    /// away from a gate (a ground-level way only): the two sides end apart.
    fn add_way(
        &mut self,
        way: u32,
        road: &Road,
        uses: &HashMap<VertexKey, u32>,
        walls: &WallIndex,
    ) {
        let lonlat = &road.geometry.0;
        let metres: Vec<Coord<f64>> = lonlat.iter().map(|c| self.frame.to_metres(*c)).collect();
        let walled = road.level == WayLevel::Ground && !walls.is_empty();
        let mut tail = self.node(lonlat[0], metres[0]);
        let mut shape = vec![metres[0]];
        for i in 1..lonlat.len() {
            let (a, b) = (metres[i - 1], metres[i]);
            if walled && i >= 2 && walls.crosses_at_vertex(metres[i - 2], a, b) {
                // The edge so far ends on the wall; the way resumes there, unjoined.
                self.cut_at_walls += 1;
                let head = self.node(lonlat[i - 1], a);
                self.push(tail, head, way, std::mem::replace(&mut shape, vec![a]));
                tail = self.fresh_node(a);
            }
            let crossings = if walled {
                walls.crossings(a, b)
            } else {
                Vec::new()
            };
            if let (Some(&first), Some(&last)) = (crossings.first(), crossings.last()) {
                // The edge so far ends at the first crossing; the way resumes at the last.
                self.cut_at_walls += 1;
                let (into, out_of) = (a + (b - a) * first, a + (b - a) * last);
                shape.push(into);
                let head = self.fresh_node(into);
                self.push(tail, head, way, std::mem::replace(&mut shape, vec![out_of]));
                tail = self.fresh_node(out_of);
            }
            shape.push(b);
            let last = i == lonlat.len() - 1;
            if last || uses.get(&key(lonlat[i])).copied().unwrap_or(0) >= 2 {
                let head = self.node(lonlat[i], b);
                self.push(tail, head, way, std::mem::replace(&mut shape, vec![b]));
                tail = head;
            }
        }
    }

    /// A node no other way joins (where a way meets a wall).
    fn fresh_node(&mut self, metres: Coord<f64>) -> u32 {
        self.nodes.push(metres);
        self.nodes.len() as u32 - 1
    }

    /// Adds an edge unless it has no length.
    fn push(&mut self, tail: u32, head: u32, way: u32, mut shape: Vec<Coord<f64>>) {
        shape.dedup();
        if shape.len() < 2 {
            return;
        }
        self.drafts.push(EdgeDraft {
            tail,
            head,
            way,
            shape,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FootAccess, GateId, GateKind, RoadClass, RoadId, WallId, WallKind};
    use geo_types::{LineString, Point};

    fn frame() -> LocalFrame {
        LocalFrame::new(110.0, 39.8)
    }

    fn line(points: &[(f64, f64)]) -> LineString<f64> {
        points
            .iter()
            .map(|&(x, y)| frame().to_lonlat(x, y))
            .collect()
    }

    fn way(id: &str, points: &[(f64, f64)], level: WayLevel) -> Road {
        Road {
            id: RoadId(id.into()),
            class: RoadClass::Path,
            name: None,
            geometry: line(points),
            foot: FootAccess::Allowed,
            level,
        }
    }

    fn at(x: f64, y: f64) -> Point<f64> {
        Point::from(frame().to_lonlat(x, y))
    }

    /// A walled 100 m square compound with its gate at (50, 0) on the south wall, a street
    /// 20 m south of it turning north at x = 150, and an inner path that runs east through
    /// the wall (no gate) to the street's end.
    fn compound(east_path: WayLevel) -> (Vec<Road>, Vec<Wall>) {
        let roads = vec![
            way(
                "inner",
                &[(50.0, 50.0), (50.0, 0.0), (50.0, -20.0)],
                WayLevel::Ground,
            ),
            way(
                "street",
                &[(-50.0, -20.0), (50.0, -20.0), (150.0, -20.0), (150.0, 50.0)],
                WayLevel::Ground,
            ),
            way("east", &[(50.0, 50.0), (150.0, 50.0)], east_path),
        ];
        let walls = vec![Wall {
            id: WallId("compound".into()),
            kind: WallKind::Wall,
            geometry: line(&[
                (0.0, 0.0),
                (50.0, 0.0),
                (100.0, 0.0),
                (100.0, 100.0),
                (0.0, 100.0),
                (0.0, 0.0),
            ]),
        }];
        (roads, walls)
    }

    fn gate() -> Gate {
        Gate {
            id: GateId("south".into()),
            kind: GateKind::Gate,
            location: at(50.0, 0.0),
        }
    }

    fn walk_m(network: &WalkNetwork, from: Point<f64>, to: Point<f64>) -> Option<f64> {
        let start = network.snap(from, 50.0).ok()?;
        let target = network.snap(to, 50.0).ok()?;
        network
            .reach_from(&start, 10_000.0)
            .distance_to(network, &target)
    }

    #[test]
    fn the_walk_out_of_a_compound_goes_through_its_gate() {
        let (roads, walls) = compound(WayLevel::Ground);
        let (network, report) = build_network(frame(), &roads, &walls, &[gate()]);
        assert_eq!(report.cut_at_walls, 1, "the east path is cut at the wall");
        assert!(report.sealed.is_empty());
        // Inside (50, 45) to the street's end at (150, 50): down to the gate and the street,
        // east along it and north: 45 + 20 + 100 + 70 = 235 m (100 m in a straight line).
        let walked = walk_m(&network, at(50.0, 45.0), at(150.0, 50.0)).expect("reachable");
        assert!((walked - 235.0).abs() < 0.01, "{walked}");
        // The cut path's outer part still joins the street.
        let outer = walk_m(&network, at(120.0, 50.0), at(150.0, 50.0)).expect("reachable");
        assert!((outer - 30.0).abs() < 0.01, "{outer}");
    }

    #[test]
    fn a_bridge_passes_over_the_wall() {
        let (roads, walls) = compound(WayLevel::Bridge);
        let (network, report) = build_network(frame(), &roads, &walls, &[gate()]);
        assert_eq!(report.cut_at_walls, 0);
        let walked = walk_m(&network, at(50.0, 45.0), at(150.0, 50.0)).expect("reachable");
        assert!((walked - 105.0).abs() < 0.01, "{walked}");
    }

    #[test]
    fn a_compound_without_a_gate_is_reported_sealed() {
        let (roads, walls) = compound(WayLevel::Ground);
        let (network, report) = build_network(frame(), &roads, &walls, &[]);
        assert_eq!(report.cut_at_walls, 2, "both inner paths are cut");
        assert_eq!(report.sealed.len(), 1);
        assert_eq!(report.sealed[0].wall.as_str(), "compound");
        assert!(report.largest_share < 1.0);
        assert!(walk_m(&network, at(50.0, 45.0), at(150.0, 50.0)).is_none());
    }

    #[test]
    fn a_point_does_not_snap_through_a_wall() {
        // Only the street outside: a point just inside the north wall is 120 m from it
        // through the wall, so it does not snap within 100 m... and the south street is
        // 25 m from a point inside near the south wall, through the wall.
        let roads = vec![way(
            "street",
            &[(-50.0, -20.0), (150.0, -20.0)],
            WayLevel::Ground,
        )];
        let (_, walls) = compound(WayLevel::Ground);
        let (network, _) = build_network(frame(), &roads, &walls, &[]);
        assert!(network.snap(at(50.0, 5.0), 100.0).is_err());
        let outside = network.snap(at(50.0, -5.0), 100.0).expect("outside snaps");
        assert!((outside.offset_m - 15.0).abs() < 1e-6);
    }

    #[test]
    fn forbidden_ways_are_left_out_and_pieces_are_named() {
        let mut roads = vec![
            way("a", &[(0.0, 0.0), (100.0, 0.0)], WayLevel::Ground),
            way("b", &[(100.0, 0.0), (200.0, 0.0)], WayLevel::Ground),
            way("island", &[(0.0, 500.0), (50.0, 500.0)], WayLevel::Ground),
        ];
        let mut motorway = way("m", &[(0.0, 0.0), (0.0, 500.0)], WayLevel::Ground);
        motorway.foot = FootAccess::Forbidden;
        roads.push(motorway);
        let (network, report) = build_network(frame(), &roads, &[], &[]);
        assert_eq!(network.edge_count(), 3);
        assert!((report.largest_share - 3.0 / 5.0).abs() < 1e-9);
        assert_eq!(report.pieces.len(), 1);
        assert_eq!(report.pieces[0].ways, vec![RoadId("island".into())]);
        assert!((report.pieces[0].length_m - 50.0).abs() < 1e-6);
    }
}
