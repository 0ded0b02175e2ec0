//! The walking network the engine routes on, what it is made of, and where each station
//! joins it.

use crate::domain::{Gate, Road, Station, StationId, Wall};
use crate::routing::{NetworkReport, RoutingError, Snap, WalkNetwork, build_network};
use crate::spatial::LocalFrame;
use std::collections::HashMap;

/// A station farther than this from every walkable way (without crossing a wall) is not
/// reached on foot, in metres.
pub const STATION_SNAP_M: f64 = 500.0;

/// The walking network with its stations snapped onto it.
#[derive(Debug, Clone)]
pub struct Walking {
    network: WalkNetwork,
    report: NetworkReport,
    stations: HashMap<StationId, Snap>,
    /// Stations with no walkable way within [`STATION_SNAP_M`].
    stranded: Vec<(StationId, RoutingError)>,
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
            stranded: Vec::new(),
        };
        walking.restation(stations);
        walking
    }

    /// Snaps the stations anew (after they changed).
    pub fn restation<'a>(&mut self, stations: impl IntoIterator<Item = &'a Station>) {
        self.stations.clear();
        self.stranded.clear();
        for s in stations {
            match self.network.snap(s.location, STATION_SNAP_M) {
                Ok(snap) => {
                    self.stations.insert(s.id.clone(), snap);
                }
                Err(e) => self.stranded.push((s.id.clone(), e)),
            }
        }
        self.stranded.sort_by(|a, b| a.0.cmp(&b.0));
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
}
