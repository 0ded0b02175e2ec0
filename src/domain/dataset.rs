//! A set of entities written to the store together, in one transaction.

use super::{
    Building, Community, District, Gate, Grid, Incident, IncidentEvent, LandArea, Road, Station,
    Street, Wall, Worker,
};

/// Entities to insert or replace (matched by code or id) in one all-or-nothing write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pub districts: Vec<District>,
    pub streets: Vec<Street>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    pub buildings: Vec<Building>,
    pub roads: Vec<Road>,
    /// Compound walls and fences: walking crosses them only at [`Self::gates`].
    pub walls: Vec<Wall>,
    pub gates: Vec<Gate>,
    pub land_areas: Vec<LandArea>,
    pub stations: Vec<Station>,
    pub workers: Vec<Worker>,
    pub incidents: Vec<Incident>,
    /// Steps of the incidents' histories, appended (steps have no key and are never
    /// replaced).
    pub incident_events: Vec<IncidentEvent>,
}

impl Dataset {
    /// Total number of entities.
    pub fn len(&self) -> usize {
        self.districts.len()
            + self.streets.len()
            + self.communities.len()
            + self.grids.len()
            + self.buildings.len()
            + self.roads.len()
            + self.walls.len()
            + self.gates.len()
            + self.land_areas.len()
            + self.stations.len()
            + self.workers.len()
            + self.incidents.len()
            + self.incident_events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One row of a household roster or building attribute table: which building, and what
/// changes (households, residents, floors, name, building head); blank cells change nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterEntry {
    /// 1-based line number in the source file, for error messages.
    pub line: usize,
    pub building: RosterKey,
    pub households: Option<u32>,
    pub residents: Option<u32>,
    pub floors: Option<u16>,
    pub name: Option<String>,
    /// 楼栋长
    pub building_head: Option<String>,
}

impl RosterEntry {
    /// A row naming a building and changing nothing yet.
    pub fn new(line: usize, building: RosterKey) -> Self {
        Self {
            line,
            building,
            households: None,
            residents: None,
            floors: None,
            name: None,
            building_head: None,
        }
    }
}

/// How a roster row names its building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterKey {
    Id(super::BuildingId),
    Address(String),
}
