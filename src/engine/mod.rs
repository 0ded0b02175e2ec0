//! The in-memory spatial engine: R-trees over grids, communities, stations, on-duty workers
//! and incidents, H3 aggregation; built from the store at start and kept in step with every
//! write. It does no I/O of its own: it is loaded from the store, and the API and services
//! apply their changes to it.

mod building_table;
mod buildings_within;
mod catchment;
pub mod change_log;
mod incident_book;
mod incident_facts;
mod incident_queue;
mod line_index;
pub mod middle_buckets;
mod point_index;
mod revisions;
mod tile_layers;
mod track_passage;
mod walking;
mod worker_index;

use crate::spatial::{LocalFrame, PolygonIndex};
pub use building_table::BuildingTable;
pub use catchment::{BuildingReach, Catchments};
pub use incident_book::{AreaLevel, AreaStats, DEFAULT_H3_RESOLUTION, IncidentBook};
pub use incident_facts::{Fact, IncidentFacts, Tallies, Tally, micros_since_epoch};
pub use incident_queue::{DeadlineFilter, IncidentFilter, QueuePage};
pub use line_index::LineIndex;
pub use point_index::PointIndex;
pub use revisions::{Revisions, Source};
pub use tile_layers::{INCIDENT_POINTS_FROM_ZOOM, TileLayer, TileLayerError};
pub use track_passage::{PASSING_DISTANCE_M, TrackPassage};
pub use walking::{
    POINT_SNAP_M, STATION_REACH_M, STATION_SEARCH_M, STATION_SNAP_M, StationWalk, WALK_M_PER_MIN,
    Walking,
};
pub use worker_index::{NearestWorker, PositionError, WorkerIndex};

use crate::domain::*;
use crate::store::{LayerQuery, Store, StoreError};
use geo::Centroid;
use geo_types::Point;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::RwLock;

/// Where a point is: its building, grid, community and street (each absent outside every
/// one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    pub building: Option<BuildingId>,
    pub grid: Option<GridCode>,
    pub grid_kind: Option<GridKind>,
    pub community: Option<CommunityCode>,
    pub community_name: Option<String>,
    pub street: Option<StreetCode>,
    pub street_name: Option<String>,
}

/// The features in a box, by layer (keys in order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoxContents {
    pub communities: Vec<CommunityCode>,
    pub grids: Vec<GridCode>,
    pub buildings: Vec<BuildingId>,
    pub stations: Vec<StationId>,
    pub open_incidents: Vec<IncidentId>,
}

/// What a grid is, without its polygon.
#[derive(Debug, Clone, PartialEq)]
pub struct GridInfo {
    pub kind: GridKind,
    pub community: CommunityCode,
    pub households: u32,
    pub residents: u32,
    /// Buildings whose inner point lies in the grid.
    pub buildings: u32,
}

/// What tiles show of a building besides its footprint.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildingInfo {
    pub households: u32,
    pub residents: u32,
    pub kind: BuildingKind,
    /// The building's grid, else its community, when assigned.
    pub area: Option<AreaNumber>,
    pub name: Option<String>,
    /// A point inside the footprint (which grid holds the building).
    pub anchor: Point<f64>,
}

/// The engine: indexes and the state dispatch needs. Every change goes through a method that
/// bumps the [`Revisions`] of what it changed, so that tiles made before it are not served.
#[derive(Debug, Clone)]
pub struct Engine {
    grids: PolygonIndex<GridCode>,
    grid_info: HashMap<GridCode, GridInfo>,
    communities: PolygonIndex<CommunityCode>,
    community_names: HashMap<CommunityCode, String>,
    street_names: HashMap<StreetCode, String>,
    workers: WorkerIndex,
    incidents: IncidentBook,
    /// Building footprints (which building a point is in) and figures.
    buildings: BuildingTable,
    stations: PointIndex<StationId>,
    station_info: HashMap<StationId, Station>,
    /// Roads, rail and rivers (the basemap's lines).
    roads: LineIndex,
    /// Water, parks, woods and land use (the basemap's areas), with class and name.
    land: PolygonIndex<LandAreaId>,
    land_info: HashMap<LandAreaId, (LandClass, Option<String>)>,
    /// The walking network and where stations join it.
    walking: Walking,
    revisions: Revisions,
}

/// The basemap's layers, replaced together after an import.
#[derive(Debug, Clone, Default)]
pub struct Basemap {
    pub roads: Vec<Road>,
    pub walls: Vec<Wall>,
    pub gates: Vec<Gate>,
    pub land_areas: Vec<LandArea>,
}

/// Everything the engine is built from.
#[derive(Debug, Clone, Default)]
pub struct EngineData {
    pub streets: Vec<Street>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    pub workers: Vec<Worker>,
    pub incidents: Vec<Incident>,
    pub stations: Vec<Station>,
    pub buildings: Vec<Building>,
    pub roads: Vec<Road>,
    pub walls: Vec<Wall>,
    pub gates: Vec<Gate>,
    pub land_areas: Vec<LandArea>,
}

impl EngineData {
    /// Reads what the engine needs from the store.
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        let all = LayerQuery::default();
        Ok(Self {
            streets: store.streets(&all).await?,
            communities: store.communities(&all).await?,
            grids: store.grids(&all).await?,
            workers: store.workers(&all).await?,
            incidents: store.incidents(&all).await?,
            stations: store.stations(&all).await?,
            buildings: store.buildings(&all).await?,
            roads: store.roads(&all).await?,
            walls: store.walls(&all).await?,
            gates: store.gates(&all).await?,
            land_areas: store.land_areas(&all).await?,
        })
    }
}

/// The metric frame the engine measures in: at the communities' mean centre (any city is a
/// few tens of kilometres across).
pub fn metric_frame(communities: &[Community]) -> LocalFrame {
    LocalFrame::at_mean(
        communities
            .iter()
            .filter_map(|c| c.boundary.centroid().map(|p| p.0)),
    )
}

impl Engine {
    pub fn new(data: EngineData) -> Self {
        let frame = metric_frame(&data.communities);
        let latitude = frame.centre().y;
        let walking = Walking::new(frame, &data.roads, &data.walls, &data.gates, &data.stations);
        let (grids, grid_info) = grid_indexes(data.grids);
        let (communities, community_names) = community_indexes(data.communities);
        let buildings = BuildingTable::new(data.buildings);
        let (land, land_info) = land_indexes(data.land_areas);
        let mut engine = Self {
            grids,
            grid_info,
            communities,
            community_names,
            street_names: data.streets.into_iter().map(|s| (s.code, s.name)).collect(),
            workers: WorkerIndex::new(LocalFrame::new(0.0, latitude), data.workers),
            incidents: IncidentBook::new(data.incidents),
            buildings,
            stations: station_index(LocalFrame::new(0.0, latitude), &data.stations),
            station_info: data
                .stations
                .into_iter()
                .map(|s| (s.id.clone(), s))
                .collect(),
            roads: LineIndex::new(data.roads),
            land,
            land_info,
            walking,
            revisions: Revisions::default(),
        };
        engine.count_grid_buildings();
        engine.rehome_buildings();
        engine
    }

    /// Snaps every building onto the walking network anew.
    fn rehome_buildings(&mut self) {
        let anchors: Vec<_> = self.buildings.values().map(|b| b.anchor).collect();
        self.walking.rehome(&anchors);
    }

    /// Counts each grid's buildings (by their inner points).
    fn count_grid_buildings(&mut self) {
        for info in self.grid_info.values_mut() {
            info.buildings = 0;
        }
        for b in self.buildings.values() {
            if let Some(code) = self.grids.locate(b.anchor)
                && let Some(info) = self.grid_info.get_mut(code)
            {
                info.buildings += 1;
            }
        }
    }

    /// Builds the engine from the store.
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        Ok(Self::new(EngineData::load(store).await?))
    }

    /// The grid, community and street holding `point` (lon/lat, WGS84).
    pub fn locate(&self, point: Point<f64>) -> Location {
        let grid = self.grids.locate(point).cloned();
        let community = match &grid {
            Some(g) => Some(g.community()),
            None => self.communities.locate(point).cloned(),
        };
        let street = community.as_ref().map(CommunityCode::street);
        Location {
            building: self.buildings.footprints().locate(point).cloned(),
            grid_kind: grid
                .as_ref()
                .and_then(|g| self.grid_info.get(g))
                .map(|i| i.kind),
            grid,
            community_name: community
                .as_ref()
                .and_then(|c| self.community_names.get(c).cloned()),
            street_name: street
                .as_ref()
                .and_then(|s| self.street_names.get(s).cloned()),
            community,
            street,
        }
    }

    /// The `k` nearest on-duty workers to `point`, the workers of its grid first.
    pub fn nearest_workers(&self, point: Point<f64>, k: usize) -> Vec<NearestWorker> {
        let grid = self.grids.locate(point);
        self.workers.nearest(point, grid, k)
    }

    /// The `k` nearest on-duty workers to `point` along the walking network (within
    /// `limit_m`), the workers of its grid first, each with the walk in metres and the
    /// route; workers off the network are left out. Candidates are taken nearest in a
    /// straight line first, more until none left out could be nearer on foot (a walk is
    /// never shorter than the line).
    pub fn nearest_workers_on_network(
        &self,
        point: Point<f64>,
        k: usize,
        limit_m: f64,
    ) -> Result<Vec<(NearestWorker, f64, geo_types::LineString<f64>)>, crate::routing::RoutingError>
    {
        let grid = self.grids.locate(point);
        let mut asked = (4 * k).max(20);
        loop {
            let candidates = self.workers.nearest(point, grid, asked);
            let points: Vec<Point<f64>> = candidates
                .iter()
                .map(|w| Point::new(w.position[0], w.position[1]))
                .collect();
            let walks = self
                .walking
                .nearest_points(point, &points, candidates.len(), limit_m)?;
            let mut found: Vec<(NearestWorker, f64, geo_types::LineString<f64>)> = walks
                .into_iter()
                .filter_map(|(i, m, route)| Some((candidates.get(i)?.clone(), m, route)))
                .collect();
            found.sort_by(|a, b| {
                b.0.serves_grid
                    .cmp(&a.0.serves_grid)
                    .then(a.1.total_cmp(&b.1))
            });
            found.truncate(k);
            // Another worker beyond the farthest candidate by line cannot walk in shorter.
            let farthest_line = candidates
                .iter()
                .filter(|w| !w.serves_grid)
                .map(|w| w.distance_m)
                .fold(0.0, f64::max);
            let kth_walk = found.last().map_or(f64::INFINITY, |f| f.1);
            if candidates.len() < asked || found.len() == k && kth_walk <= farthest_line {
                return Ok(found);
            }
            asked *= 4;
        }
    }

    /// The `k` stations nearest to `point` (of one kind, if given), with distances (m).
    pub fn nearest_stations(
        &self,
        point: Point<f64>,
        k: usize,
        kind: Option<StationKind>,
    ) -> Vec<(&Station, f64)> {
        self.stations
            .nearest(point, k, |id| {
                kind.is_none_or(|k| self.station_info.get(id).is_some_and(|s| s.kind == k))
            })
            .into_iter()
            .filter_map(|(id, d)| self.station_info.get(&id).map(|s| (s, d)))
            .collect()
    }

    /// Keys of the features of each layer whose extent meets a lon/lat box.
    pub fn in_box(&self, min: [f64; 2], max: [f64; 2]) -> BoxContents {
        BoxContents {
            communities: self
                .communities
                .in_box(min, max)
                .into_iter()
                .cloned()
                .collect(),
            grids: self.grids.in_box(min, max).into_iter().cloned().collect(),
            buildings: self
                .buildings
                .footprints()
                .in_box(min, max)
                .into_iter()
                .cloned()
                .collect(),
            stations: self
                .stations
                .in_box(min, max)
                .into_iter()
                .cloned()
                .collect(),
            open_incidents: self.incidents.open_in_box(min, max),
        }
    }

    // Read access to the indexes; every change goes through the methods below.

    pub fn grids(&self) -> &PolygonIndex<GridCode> {
        &self.grids
    }

    pub fn grid_info(&self) -> &HashMap<GridCode, GridInfo> {
        &self.grid_info
    }

    pub fn communities(&self) -> &PolygonIndex<CommunityCode> {
        &self.communities
    }

    pub fn community_names(&self) -> &HashMap<CommunityCode, String> {
        &self.community_names
    }

    /// The name of a street (9 digits) or community (12 digits) by its code.
    pub fn area_name(&self, code: &str) -> Option<String> {
        match code.len() {
            9 => code
                .parse::<StreetCode>()
                .ok()
                .and_then(|c| self.street_names.get(&c).cloned()),
            12 => code
                .parse::<CommunityCode>()
                .ok()
                .and_then(|c| self.community_names.get(&c).cloned()),
            _ => None,
        }
    }

    pub fn street_names(&self) -> &HashMap<StreetCode, String> {
        &self.street_names
    }

    /// Whether `worker` works on `incident`: it is assigned to it, or it is open in one of
    /// the worker's grids (who may step it, see its photos and hear of it).
    pub fn worker_works_on(&self, worker: &WorkerId, incident: &Incident) -> bool {
        incident.assignee.as_ref() == Some(worker)
            || (incident.status.is_open()
                && incident.grid.as_ref().is_some_and(|g| {
                    self.workers
                        .get(worker)
                        .is_some_and(|w| w.grids.contains(g))
                }))
    }

    pub fn workers(&self) -> &WorkerIndex {
        &self.workers
    }

    pub fn incidents(&self) -> &IncidentBook {
        &self.incidents
    }

    /// Building footprints: which building a point is in.
    pub fn buildings(&self) -> &PolygonIndex<BuildingId> {
        self.buildings.footprints()
    }

    /// Each building's figures by id.
    pub fn building_info(&self) -> &BuildingTable {
        &self.buildings
    }

    pub fn stations(&self) -> &PointIndex<StationId> {
        &self.stations
    }

    pub fn station_info(&self) -> &HashMap<StationId, Station> {
        &self.station_info
    }

    /// The walking network and where stations join it.
    pub fn walking(&self) -> &Walking {
        &self.walking
    }

    /// Roads, rail and rivers (the basemap's lines).
    pub fn roads(&self) -> &LineIndex {
        &self.roads
    }

    /// Water, parks, woods and land use (the basemap's areas), with class and name.
    pub fn land(&self) -> &PolygonIndex<LandAreaId> {
        &self.land
    }

    pub fn land_info(&self) -> &HashMap<LandAreaId, (LandClass, Option<String>)> {
        &self.land_info
    }

    /// How many times each source has changed (tiles are keyed by these).
    pub fn revisions(&self) -> Revisions {
        self.revisions
    }

    /// Replaces the street names (after an import of streets).
    pub fn replace_street_names(&mut self, streets: Vec<Street>) {
        self.street_names = streets.into_iter().map(|s| (s.code, s.name)).collect();
        self.revisions.bump(Source::Communities);
    }

    /// Replaces the communities (after a split or merge).
    pub fn replace_communities(&mut self, communities: Vec<Community>) {
        (self.communities, self.community_names) = community_indexes(communities);
        self.revisions.bump(Source::Communities);
    }

    /// Replaces the stations (after an import).
    pub fn replace_stations(&mut self, stations: Vec<Station>) {
        self.stations = station_index(self.workers.frame(), &stations);
        self.walking.restation(&stations);
        self.station_info = stations.into_iter().map(|s| (s.id.clone(), s)).collect();
        self.revisions.bump(Source::Stations);
    }

    /// Replaces the grids (after a partition or rebalancing commit).
    pub fn replace_grids(&mut self, grids: Vec<Grid>) {
        (self.grids, self.grid_info) = grid_indexes(grids);
        self.count_grid_buildings();
        self.revisions.bump(Source::Grids);
    }

    /// Replaces the buildings (after an import or a roster).
    pub fn replace_buildings(&mut self, buildings: Vec<Building>) {
        self.buildings = BuildingTable::new(buildings);
        self.count_grid_buildings();
        self.rehome_buildings();
        self.revisions.bump(Source::Buildings);
    }

    /// Updates some buildings (a roster): figures in place; the footprint index is rebuilt
    /// only when a footprint changed or a building is new.
    pub fn update_buildings(&mut self, buildings: Vec<Building>) {
        if self.buildings.update(buildings) {
            self.count_grid_buildings();
            self.rehome_buildings();
        }
        self.revisions.bump(Source::Buildings);
    }

    /// Replaces the basemap: roads, walls, gates and land areas (after an import); the
    /// walking network is built anew.
    pub fn replace_basemap(&mut self, basemap: Basemap) {
        let Basemap {
            roads,
            walls,
            gates,
            land_areas,
        } = basemap;
        self.walking = Walking::new(
            self.walking.network().frame(),
            &roads,
            &walls,
            &gates,
            self.station_info.values(),
        );
        self.rehome_buildings();
        self.roads = LineIndex::new(roads);
        (self.land, self.land_info) = land_indexes(land_areas);
        self.revisions.bump(Source::Basemap);
    }

    /// Replaces every worker.
    pub fn replace_workers(&mut self, workers: Vec<Worker>) {
        self.workers = WorkerIndex::new(self.workers.frame(), workers);
        self.revisions.bump(Source::Workers);
    }

    /// `stored`, a worker read back from the store (another process changed it), with the
    /// position this engine took later than the stored one: a position answered here and
    /// not yet written behind must not be undone. A retired worker stays off duty.
    pub fn with_newer_position(&self, mut stored: Worker) -> Worker {
        if let Some(mine) = self.workers.get(&stored.id)
            && mine.position_at > stored.position_at
        {
            stored.position = mine.position;
            stored.position_at = mine.position_at;
            if !stored.is_retired() {
                stored.duty = mine.duty;
            }
        }
        stored
    }

    /// Adds or replaces a worker (grids, duty and position).
    pub fn upsert_worker(&mut self, worker: Worker) {
        self.workers.upsert(worker);
        self.revisions.bump(Source::Workers);
    }

    /// Moves a worker (a position report).
    pub fn set_worker_position(
        &mut self,
        id: &WorkerId,
        position: Point<f64>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), PositionError> {
        self.workers.set_position(id, position, at)?;
        self.revisions.bump(Source::WorkerPositions);
        Ok(())
    }

    /// Adds or replaces an incident.
    pub fn upsert_incident(&mut self, incident: Incident) {
        self.incidents.upsert(incident);
        self.revisions.bump(Source::Incidents);
    }
}

/// The land areas' polygon index and their classes and names.
#[expect(
    clippy::type_complexity,
    reason = "a pair of an index and its lookup table, named once here"
)]
fn land_indexes(
    areas: Vec<LandArea>,
) -> (
    PolygonIndex<LandAreaId>,
    HashMap<LandAreaId, (LandClass, Option<String>)>,
) {
    let mut info = HashMap::with_capacity(areas.len());
    let mut polygons = Vec::with_capacity(areas.len());
    for a in areas {
        info.insert(a.id.clone(), (a.class, a.name));
        polygons.push((a.id, a.boundary));
    }
    (PolygonIndex::new(polygons), info)
}

/// The communities' polygon index and their names by code.
fn community_indexes(
    communities: Vec<Community>,
) -> (PolygonIndex<CommunityCode>, HashMap<CommunityCode, String>) {
    let names = communities
        .iter()
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect();
    let index = PolygonIndex::new(
        communities
            .into_iter()
            .map(|c| (c.code, c.boundary))
            .collect(),
    );
    (index, names)
}

/// The grids' polygon index and their figures by code.
fn grid_indexes(grids: Vec<Grid>) -> (PolygonIndex<GridCode>, HashMap<GridCode, GridInfo>) {
    let info = grids
        .iter()
        .map(|g| {
            (
                g.code.clone(),
                GridInfo {
                    kind: g.kind,
                    community: g.community.clone(),
                    households: g.households,
                    residents: g.residents,
                    buildings: 0,
                },
            )
        })
        .collect();
    let index = PolygonIndex::new(grids.into_iter().map(|g| (g.code, g.boundary)).collect());
    (index, info)
}

fn station_index(frame: LocalFrame, stations: &[Station]) -> PointIndex<StationId> {
    PointIndex::new(
        frame,
        stations
            .iter()
            .map(|s| (s.id.clone(), s.location))
            .collect(),
    )
}

/// The engine for reading; a poisoned lock (a panic elsewhere) still holds consistent data,
/// as every change is applied in one assignment.
pub fn read(engine: &RwLock<Engine>) -> std::sync::RwLockReadGuard<'_, Engine> {
    engine.read().unwrap_or_else(|e| e.into_inner())
}

/// The engine for writing.
pub fn write(engine: &RwLock<Engine>) -> std::sync::RwLockWriteGuard<'_, Engine> {
    engine.write().unwrap_or_else(|e| e.into_inner())
}
