//! The walking network the engine routes on, what it is made of, and where each station
//! joins it.

use crate::domain::{Gate, Road, Station, StationId, Wall};
use crate::routing::{
    AreaStyle, EdgePlace, NetworkReport, RoutingError, Snap, TargetsOnEdges, WalkNetwork,
    build_network, nearest_sources, reached_area,
};
use crate::spatial::LocalFrame;
use geo_types::{LineString, MultiPolygon, Point};
use rayon::prelude::*;
use std::collections::HashMap;

/// A station farther than this from every walkable way (without crossing a wall) is not
/// reached on foot, in metres.
pub const STATION_SNAP_M: f64 = 500.0;

/// A point farther than this from every walkable way is not routed from, in metres.
pub const POINT_SNAP_M: f64 = 500.0;

/// How far a search for the nearest stations walks at most, in metres.
pub const STATION_SEARCH_M: f64 = 10_000.0;

/// Walking speed: 72 m a minute (4.3 km/h), as the life-circle standard counts minutes.
pub const WALK_M_PER_MIN: f64 = 72.0;

/// How far from the stations each node's walk is kept (for the walking tiles), in metres:
/// 15 minutes at 72 m a minute.
pub const STATION_REACH_M: f64 = 1_080.0;

/// A station reached on foot: its id, the walk in metres and the route (lon/lat).
#[derive(Debug, Clone, PartialEq)]
pub struct StationWalk {
    pub station: StationId,
    pub walking_m: f64,
    pub route: LineString<f64>,
}

/// The walking network with its stations snapped onto it.
#[derive(Debug, Clone)]
pub struct Walking {
    network: WalkNetwork,
    report: NetworkReport,
    stations: HashMap<StationId, Snap>,
    /// Snapped stations in target order, with their locations, and the targets by edge.
    targets: Vec<(StationId, Point<f64>)>,
    targets_on_edges: TargetsOnEdges,
    /// Stations with no walkable way within [`STATION_SNAP_M`].
    stranded: Vec<(StationId, RoutingError)>,
    /// Stations joining a piece of the network apart from the largest, with that piece's
    /// node count: most of the network cannot reach them.
    apart: Vec<(StationId, usize)>,
    /// Each node's walk from the nearest station (any kind), infinite beyond
    /// [`STATION_REACH_M`].
    station_walk_m: Vec<f32>,
    /// Where each building joins the network (within [`POINT_SNAP_M`]), in the building
    /// table's order.
    homes: Vec<Option<EdgePlace>>,
}

impl Walking {
    pub fn new<'a>(
        frame: LocalFrame,
        roads: &[Road],
        walls: &[Wall],
        gates: &[Gate],
        stations: impl IntoIterator<Item = &'a Station>,
    ) -> Self {
        let (network, report) = build_network(frame, roads, walls, gates);
        let mut walking = Self {
            network,
            report,
            stations: HashMap::new(),
            targets: Vec::new(),
            targets_on_edges: TargetsOnEdges::default(),
            stranded: Vec::new(),
            apart: Vec::new(),
            station_walk_m: Vec::new(),
            homes: Vec::new(),
        };
        walking.restation(stations);
        walking
    }

    /// Snaps the stations anew (after they changed).
    pub fn restation<'a>(&mut self, stations: impl IntoIterator<Item = &'a Station>) {
        self.stations.clear();
        self.stranded.clear();
        self.apart.clear();
        self.targets.clear();
        let piece_apart = self.network.piece_apart();
        let mut snaps = Vec::new();
        for s in stations {
            match self.network.snap(s.location, STATION_SNAP_M) {
                Ok(snap) => {
                    let tail = self.network.edge(snap.edge).tail;
                    if let Some(Some(nodes)) = piece_apart.get(tail.0 as usize) {
                        self.apart.push((s.id.clone(), *nodes));
                    }
                    self.stations.insert(s.id.clone(), snap);
                    self.targets.push((s.id.clone(), s.location));
                    snaps.push(snap);
                }
                Err(e) => self.stranded.push((s.id.clone(), e)),
            }
        }
        self.targets_on_edges = TargetsOnEdges::new(&snaps);
        let nearest = nearest_sources(&self.network, &snaps, STATION_REACH_M);
        self.station_walk_m = (0..self.network.node_count() as u32)
            .map(|n| {
                nearest
                    .of_node(crate::routing::NodeId(n))
                    .map_or(f32::INFINITY, |(_, d)| d as f32)
            })
            .collect();
        self.stranded.sort_by(|a, b| a.0.cmp(&b.0));
        self.apart.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// Snaps the buildings anew (after they or the network changed), from a point inside
    /// each, in the building table's order.
    pub fn rehome(&mut self, anchors: &[Point<f64>]) {
        self.homes = anchors
            .par_iter()
            .map(|&p| self.network.snap(p, POINT_SNAP_M).ok().map(|s| s.place()))
            .collect();
    }

    /// A node's walk from the nearest station, in metres, when within [`STATION_REACH_M`].
    pub fn station_walk_m(&self, node: crate::routing::NodeId) -> Option<f64> {
        self.station_walk_m
            .get(node.0 as usize)
            .copied()
            .filter(|d| d.is_finite())
            .map(f64::from)
    }

    /// Where each building joins the network, in the building table's order (`None`: no
    /// walkable way within [`POINT_SNAP_M`]).
    pub fn homes(&self) -> &[Option<EdgePlace>] {
        &self.homes
    }

    /// The `k` stations nearest to `point` on foot among those `keep` accepts, nearest
    /// first, each with its route.
    pub fn nearest_stations(
        &self,
        point: Point<f64>,
        k: usize,
        keep: impl Fn(&StationId) -> bool,
    ) -> Result<Vec<StationWalk>, RoutingError> {
        let start = self.network.snap(point, POINT_SNAP_M)?;
        let (found, reach) =
            self.targets_on_edges
                .nearest(&self.network, &start, k, STATION_SEARCH_M, |t| {
                    self.targets.get(t as usize).is_some_and(|(id, _)| keep(id))
                });
        Ok(found
            .into_iter()
            .filter_map(|(t, walking_m)| {
                let (id, location) = self.targets.get(t as usize)?;
                let snap = self.stations.get(id)?;
                Some(StationWalk {
                    station: id.clone(),
                    walking_m,
                    route: reach.route_to(&self.network, snap, *location)?,
                })
            })
            .collect())
    }

    /// The `k` of `candidates` (lon/lat points) nearest to `point` along the network, each
    /// as (index into `candidates`, metres, route), nearest first; candidates farther than
    /// [`POINT_SNAP_M`] from every walkable way or beyond `limit_m` are left out.
    pub fn nearest_points(
        &self,
        point: Point<f64>,
        candidates: &[Point<f64>],
        k: usize,
        limit_m: f64,
    ) -> Result<Vec<(usize, f64, LineString<f64>)>, RoutingError> {
        let start = self.network.snap(point, POINT_SNAP_M)?;
        let snapped: Vec<(usize, Snap)> = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((i, self.network.snap(*p, POINT_SNAP_M).ok()?)))
            .collect();
        let on_edges = TargetsOnEdges::new(snapped.iter().map(|(_, s)| s));
        let (found, reach) = on_edges.nearest(&self.network, &start, k, limit_m, |_| true);
        Ok(found
            .into_iter()
            .filter_map(|(t, metres)| {
                let (i, snap) = snapped.get(t as usize)?;
                let route = reach.route_to(&self.network, snap, *candidates.get(*i)?)?;
                Some((*i, metres, route))
            })
            .collect())
    }

    /// The area within `metres` on foot of a point, as lon/lat polygons.
    pub fn area_from_point(
        &self,
        point: Point<f64>,
        metres: f64,
    ) -> Result<MultiPolygon<f64>, RoutingError> {
        let start = self.network.snap(point, POINT_SNAP_M)?;
        Ok(self.area_from(&start, metres))
    }

    /// The area within `metres` on foot of a snapped point.
    pub fn area_from(&self, start: &Snap, metres: f64) -> MultiPolygon<f64> {
        let reach = self.network.reach_from(start, metres);
        reached_area(&self.network, &reach, AreaStyle::default())
    }

    pub fn network(&self) -> &WalkNetwork {
        &self.network
    }

    /// What the network is made of and which pieces hang apart.
    pub fn report(&self) -> &NetworkReport {
        &self.report
    }

    /// Where a station joins the network.
    pub fn station(&self, id: &StationId) -> Option<&Snap> {
        self.stations.get(id)
    }

    /// Stations that join no walkable way, with why.
    pub fn stranded(&self) -> &[(StationId, RoutingError)] {
        &self.stranded
    }

    /// Stations on a piece of the network apart from the largest (most of the network
    /// cannot walk to them), with the nodes of their piece.
    pub fn apart(&self) -> &[(StationId, usize)] {
        &self.apart
    }
}
