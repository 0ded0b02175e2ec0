//! The engine's data as vector tile layers: which features each layer holds at a zoom and
//! which properties they carry. Tiles are made from memory, so an edit shows in the next
//! tile.

use super::{Engine, Source};
use crate::domain::{Audience, DutyStatus, LandClass, RoadClass};
use crate::mvt::{LayerBuilder, TileFrame, TileGeometry, TileId, Value};
use crate::partition::PartitionOptions;
use crate::spatial::LocalFrame;
use geo::InteriorPoint;
use geo_types::{LineString, MultiPolygon, Polygon};
use h3o::{LatLng, Resolution};
use std::collections::BTreeMap;

/// A tile layer (or, for the basemap, a set of layers in one tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileLayer {
    Communities,
    Grids,
    Buildings,
    Incidents,
    Workers,
    Stations,
    /// Roads, rail, rivers and place labels in one tile.
    Basemap,
    /// The walking network within 15 minutes of a station, each way with the minutes
    /// walked from the nearest station: the stations' 5-, 10- and 15-minute areas.
    Walking,
}

/// Why a layer name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "tile layer `{0}` (known: communities, grids, buildings, incidents, workers, stations, basemap, walking)"
)]
pub struct TileLayerError(pub String);

impl TileLayer {
    pub const ALL: [TileLayer; 8] = [
        Self::Communities,
        Self::Grids,
        Self::Buildings,
        Self::Incidents,
        Self::Workers,
        Self::Stations,
        Self::Basemap,
        Self::Walking,
    ];

    pub fn parse(name: &str) -> Result<Self, TileLayerError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == name)
            .ok_or_else(|| TileLayerError(name.to_string()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Communities => "communities",
            Self::Grids => "grids",
            Self::Buildings => "buildings",
            Self::Incidents => "incidents",
            Self::Workers => "workers",
            Self::Stations => "stations",
            Self::Basemap => "basemap",
            Self::Walking => "walking",
        }
    }

    pub fn audience(self) -> Audience {
        match self {
            Self::Communities | Self::Stations | Self::Basemap | Self::Walking => Audience::Public,
            Self::Grids | Self::Buildings | Self::Incidents | Self::Workers => Audience::Internal,
        }
    }

    /// The engine sources a tile of this layer is made from.
    pub fn sources(self) -> &'static [Source] {
        match self {
            Self::Communities => &[Source::Communities, Source::Grids],
            Self::Grids => &[Source::Grids, Source::Workers, Source::Buildings],
            Self::Buildings => &[Source::Buildings],
            Self::Incidents => &[Source::Incidents],
            Self::Workers => &[Source::Workers, Source::WorkerPositions],
            Self::Stations => &[Source::Stations],
            Self::Basemap => &[Source::Basemap, Source::Communities],
            Self::Walking => &[Source::Basemap, Source::Stations],
        }
    }

    /// The shallowest zoom with features (tiles above it are empty).
    pub fn min_zoom(self) -> u8 {
        match self {
            Self::Buildings => 13,
            Self::Walking => 12,
            Self::Grids | Self::Workers => 10,
            _ => 0,
        }
    }

    /// The deepest zoom with its own detail (clients overzoom beyond).
    pub fn max_zoom(self) -> u8 {
        18
    }

    /// The MVT layers in a tile of this layer, with their fields (for TileJSON).
    pub fn vector_layers(self) -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
        match self {
            Self::Communities => vec![(
                "communities",
                vec![("code", "String"), ("name", "String"), ("grids", "Number")],
            )],
            Self::Grids => vec![(
                "grids",
                vec![
                    ("code", "String"),
                    ("kind", "String"),
                    ("community", "String"),
                    ("households", "Number"),
                    ("residents", "Number"),
                    ("buildings", "Number"),
                    ("workers", "Number"),
                    ("deviation", "Number"),
                ],
            )],
            Self::Buildings => vec![(
                "buildings",
                vec![
                    ("id", "String"),
                    ("households", "Number"),
                    ("kind", "String"),
                    ("name", "String"),
                ],
            )],
            Self::Incidents => vec![
                (
                    "incidents",
                    vec![
                        ("id", "String"),
                        ("status", "String"),
                        ("category", "String"),
                        ("grid", "String"),
                        ("assignee", "String"),
                        ("reported_at", "String"),
                    ],
                ),
                (
                    "incident_cells",
                    vec![("h3", "String"), ("count", "Number")],
                ),
            ],
            Self::Workers => vec![(
                "workers",
                vec![
                    ("id", "String"),
                    ("name", "String"),
                    ("role", "String"),
                    ("grids", "String"),
                ],
            )],
            Self::Stations => vec![(
                "stations",
                vec![
                    ("id", "String"),
                    ("name", "String"),
                    ("kind", "String"),
                    ("services", "String"),
                    ("opening_hours", "String"),
                    ("address", "String"),
                ],
            )],
            Self::Walking => vec![("walking", vec![("minutes", "Number"), ("band", "Number")])],
            Self::Basemap => vec![
                ("landuse", vec![("class", "String"), ("name", "String")]),
                ("water", vec![("class", "String"), ("name", "String")]),
                ("waterway", vec![("class", "String"), ("name", "String")]),
                ("roads", vec![("class", "String"), ("name", "String")]),
                (
                    "labels",
                    vec![("name", "String"), ("class", "String"), ("code", "String")],
                ),
            ],
        }
    }
}

/// The zoom from which a road class is drawn.
fn road_min_zoom(class: RoadClass) -> u8 {
    match class {
        RoadClass::Motorway | RoadClass::Trunk | RoadClass::Primary | RoadClass::River => 0,
        RoadClass::Secondary | RoadClass::Rail => 10,
        RoadClass::Tertiary => 11,
        RoadClass::Residential => 13,
        RoadClass::Service | RoadClass::Path => 14,
    }
}

/// Incidents are drawn one by one from this zoom; above it, as counts per H3 cell.
pub const INCIDENT_POINTS_FROM_ZOOM: u8 = 14;

/// The H3 resolution of incident counts at a zoom (cells a few pixels across or more).
fn incident_resolution(z: u8) -> Resolution {
    match z {
        0..=8 => Resolution::Six,
        9..=10 => Resolution::Seven,
        11..=12 => Resolution::Eight,
        _ => Resolution::Nine,
    }
}

impl Engine {
    /// The revision of a layer: tiles made at another revision are stale.
    pub fn layer_revision(&self, layer: TileLayer) -> u64 {
        self.revisions().sum(layer.sources())
    }

    /// One tile of a layer as MVT bytes (empty when nothing is in it).
    pub fn render_tile(&self, layer: TileLayer, tile: TileId) -> Vec<u8> {
        let mut out = Vec::new();
        if tile.z() < layer.min_zoom() {
            return out;
        }
        let frame = TileFrame::for_zoom(tile);
        let (min, max) = frame.query_box();
        match layer {
            TileLayer::Communities => self.communities_layer(&frame, min, max).write_to(&mut out),
            TileLayer::Grids => self.grids_layer(&frame, min, max).write_to(&mut out),
            TileLayer::Buildings => self.buildings_layer(&frame, min, max).write_to(&mut out),
            TileLayer::Incidents if tile.z() >= INCIDENT_POINTS_FROM_ZOOM => {
                self.incidents_layer(&frame, min, max).write_to(&mut out)
            }
            TileLayer::Incidents => self.incident_cells_layer(&frame).write_to(&mut out),
            TileLayer::Workers => self.workers_layer(&frame, min, max).write_to(&mut out),
            TileLayer::Stations => self.stations_layer(&frame, min, max).write_to(&mut out),
            TileLayer::Walking => self.walking_layer(&frame, min, max).write_to(&mut out),
            TileLayer::Basemap => {
                let (landuse, water) = self.area_layers(&frame, min, max);
                landuse.write_to(&mut out);
                water.write_to(&mut out);
                let (roads, waterway) = self.line_layers(&frame, min, max);
                waterway.write_to(&mut out);
                roads.write_to(&mut out);
                self.labels_layer(&frame, min, max).write_to(&mut out);
            }
        }
        out
    }

    fn communities_layer(&self, frame: &TileFrame, min: [f64; 2], max: [f64; 2]) -> LayerBuilder {
        // A public layer: how many grids, never household figures.
        let mut grid_counts: BTreeMap<&crate::domain::CommunityCode, u32> = BTreeMap::new();
        for info in self.grid_info.values() {
            *grid_counts.entry(&info.community).or_default() += 1;
        }
        let mut layer = LayerBuilder::new("communities");
        for (i, (code, boundary)) in self
            .communities
            .entries_in_box(min, max)
            .into_iter()
            .enumerate()
        {
            let grids = grid_counts.get(code).copied().unwrap_or_default();
            layer.add(
                Some(i as u64 + 1),
                &frame.polygons(boundary),
                &[
                    ("code", code.as_str().into()),
                    (
                        "name",
                        self.community_names
                            .get(code)
                            .map_or("", String::as_str)
                            .into(),
                    ),
                    ("grids", grids.into()),
                ],
            );
        }
        layer
    }

    fn grids_layer(&self, frame: &TileFrame, min: [f64; 2], max: [f64; 2]) -> LayerBuilder {
        let target = f64::from(PartitionOptions::default().target);
        let mut layer = LayerBuilder::new("grids");
        for (i, (code, boundary)) in self.grids.entries_in_box(min, max).into_iter().enumerate() {
            let Some(info) = self.grid_info.get(code) else {
                continue;
            };
            let workers = self.workers.serving(code).count() as u32;
            let deviation = (f64::from(info.households) / target - 1.0) * 1000.0;
            layer.add(
                Some(i as u64 + 1),
                &frame.polygons(boundary),
                &[
                    ("code", code.as_str().into()),
                    ("kind", info.kind.as_str().into()),
                    ("community", info.community.as_str().into()),
                    ("households", info.households.into()),
                    ("residents", info.residents.into()),
                    ("buildings", info.buildings.into()),
                    ("workers", workers.into()),
                    ("deviation", (deviation.round() / 1000.0).into()),
                ],
            );
        }
        layer
    }

    fn buildings_layer(&self, frame: &TileFrame, min: [f64; 2], max: [f64; 2]) -> LayerBuilder {
        let mut layer = LayerBuilder::new("buildings");
        for (i, (id, footprint)) in self
            .buildings
            .footprints()
            .entries_in_box(min, max)
            .into_iter()
            .enumerate()
        {
            let geometry = frame.polygons(footprint);
            let mut properties: Vec<(&str, Value<'_>)> = vec![("id", id.0.as_str().into())];
            if let Some(info) = self.buildings.get(id) {
                properties.push(("households", info.households.into()));
                properties.push(("kind", info.kind.as_str().into()));
                if let Some(n) = &info.name {
                    properties.push(("name", n.as_str().into()));
                }
            }
            layer.add(Some(i as u64 + 1), &geometry, &properties);
        }
        layer
    }

    fn incidents_layer(&self, frame: &TileFrame, min: [f64; 2], max: [f64; 2]) -> LayerBuilder {
        let mut layer = LayerBuilder::new("incidents");
        for (i, id) in self.incidents.open_in_box(min, max).into_iter().enumerate() {
            let Some(incident) = self.incidents.get(&id) else {
                continue;
            };
            let reported_at = incident.reported_at.to_rfc3339();
            let mut properties: Vec<(&str, Value<'_>)> = vec![
                ("id", id.0.as_str().into()),
                ("status", incident.status.as_str().into()),
                ("category", incident.category.as_str().into()),
                ("reported_at", reported_at.as_str().into()),
            ];
            if let Some(g) = &incident.grid {
                properties.push(("grid", g.as_str().into()));
            }
            if let Some(w) = &incident.assignee {
                properties.push(("assignee", w.0.as_str().into()));
            }
            layer.add(
                Some(i as u64 + 1),
                &frame.points([&incident.location]),
                &properties,
            );
        }
        layer
    }

    /// Open incidents counted per H3 cell, drawn as the cells' hexagons.
    fn incident_cells_layer(&self, frame: &TileFrame) -> LayerBuilder {
        let resolution = incident_resolution(frame.tile().z());
        // Every cell meeting the tile lies within two edge lengths of it: count over that
        // wider box so that a cell cut by the tile's edge has the same count in every tile.
        let (min, max) = frame.query_box();
        // Degrees of two edge lengths, at the tile's poleward latitude (the widest in lon).
        let poleward = min[1].abs().max(max[1].abs()).min(85.0);
        let reach_m = 2.0 * resolution.edge_length_m();
        let reach = LocalFrame::new(0.0, poleward).to_lonlat(reach_m, reach_m);
        let (reach_lon, reach_lat) = (reach.x, reach.y - poleward);
        let (min, max) = (
            [min[0] - reach_lon, min[1] - reach_lat],
            [max[0] + reach_lon, max[1] + reach_lat],
        );
        let mut counts: BTreeMap<h3o::CellIndex, u32> = BTreeMap::new();
        for id in self.incidents.open_in_box(min, max) {
            if let Some(i) = self.incidents.get(&id)
                && let Ok(ll) = LatLng::new(i.location.y(), i.location.x())
            {
                *counts.entry(ll.to_cell(resolution)).or_default() += 1;
            }
        }
        let mut layer = LayerBuilder::new("incident_cells");
        for (i, (cell, count)) in counts.into_iter().enumerate() {
            let ring: LineString<f64> = cell
                .boundary()
                .iter()
                .map(|ll| (ll.lng(), ll.lat()))
                .collect();
            let hexagon = MultiPolygon::new(vec![Polygon::new(ring, vec![])]);
            layer.add(
                Some(i as u64 + 1),
                &frame.polygons(&hexagon),
                &[
                    ("h3", cell.to_string().as_str().into()),
                    ("count", count.into()),
                ],
            );
        }
        layer
    }

    fn workers_layer(&self, frame: &TileFrame, min: [f64; 2], max: [f64; 2]) -> LayerBuilder {
        let mut layer = LayerBuilder::new("workers");
        for (i, w) in self.workers.all().iter().enumerate() {
            let Some(p) = w.position.filter(|_| w.duty == DutyStatus::OnDuty) else {
                continue;
            };
            if p.x() < min[0] || p.x() > max[0] || p.y() < min[1] || p.y() > max[1] {
                continue;
            }
            let grids: Vec<&str> = w.grids.iter().map(|g| g.as_str()).collect();
            let grids = grids.join(",");
            layer.add(
                Some(i as u64 + 1),
                &frame.points([&p]),
                &[
                    ("id", w.id.0.as_str().into()),
                    ("name", w.name.as_str().into()),
                    ("role", w.role.as_str().into()),
                    ("grids", grids.as_str().into()),
                ],
            );
        }
        layer
    }

    /// Ways within 15 minutes of a station: `minutes` walked from the nearest station to
    /// the way's nearer end (whole minutes, rounded up), `band` 5, 10 or 15.
    fn walking_layer(&self, frame: &TileFrame, min: [f64; 2], max: [f64; 2]) -> LayerBuilder {
        let mut layer = LayerBuilder::new("walking");
        let walking = self.walking();
        let network = walking.network();
        let box_min = geo_types::Coord {
            x: min[0],
            y: min[1],
        };
        let box_max = geo_types::Coord {
            x: max[0],
            y: max[1],
        };
        for id in network.edges_in_box(box_min, box_max) {
            let e = network.edge(id);
            let nearer = [e.tail, e.head]
                .into_iter()
                .filter_map(|n| walking.station_walk_m(n))
                .fold(f64::INFINITY, f64::min);
            if !nearer.is_finite() {
                continue;
            }
            let minutes = (nearer / super::WALK_M_PER_MIN).ceil().max(1.0);
            let band = if minutes <= 5.0 {
                5
            } else if minutes <= 10.0 {
                10
            } else {
                15
            };
            let line = network.shape_lonlat(e);
            layer.add(
                Some(u64::from(id.0) + 1),
                &frame.lines([&line]),
                &[
                    ("minutes", Value::from(minutes as u32)),
                    ("band", Value::from(band as u32)),
                ],
            );
        }
        layer
    }

    fn stations_layer(&self, frame: &TileFrame, min: [f64; 2], max: [f64; 2]) -> LayerBuilder {
        let mut layer = LayerBuilder::new("stations");
        for (i, id) in self.stations.in_box(min, max).into_iter().enumerate() {
            let Some(s) = self.station_info.get(id) else {
                continue;
            };
            let services = s.services.join("、");
            let mut properties: Vec<(&str, Value<'_>)> = vec![
                ("id", s.id.0.as_str().into()),
                ("name", s.name.as_str().into()),
                ("kind", s.kind.as_str().into()),
                ("services", services.as_str().into()),
            ];
            if let Some(h) = &s.opening_hours {
                properties.push(("opening_hours", h.as_str().into()));
            }
            if let Some(a) = &s.address {
                properties.push(("address", a.as_str().into()));
            }
            layer.add(
                Some(i as u64 + 1),
                &frame.points([&s.location]),
                &properties,
            );
        }
        layer
    }

    /// Water bodies in `water`, every other land area in `landuse`; areas under a pixel
    /// vanish with simplification.
    fn area_layers(
        &self,
        frame: &TileFrame,
        min: [f64; 2],
        max: [f64; 2],
    ) -> (LayerBuilder, LayerBuilder) {
        let (mut landuse, mut water) = (LayerBuilder::new("landuse"), LayerBuilder::new("water"));
        for (i, (id, boundary)) in self.land.entries_in_box(min, max).into_iter().enumerate() {
            let Some((class, name)) = self.land_info.get(id) else {
                continue;
            };
            let mut properties: Vec<(&str, Value<'_>)> = vec![("class", class.as_str().into())];
            if let Some(n) = name {
                properties.push(("name", n.as_str().into()));
            }
            let layer = if *class == LandClass::Water {
                &mut water
            } else {
                &mut landuse
            };
            layer.add(Some(i as u64 + 1), &frame.polygons(boundary), &properties);
        }
        (landuse, water)
    }

    /// Roads and rail in `roads`, rivers in `waterway`, each class from its zoom.
    fn line_layers(
        &self,
        frame: &TileFrame,
        min: [f64; 2],
        max: [f64; 2],
    ) -> (LayerBuilder, LayerBuilder) {
        let (mut roads, mut water) = (LayerBuilder::new("roads"), LayerBuilder::new("waterway"));
        let z = frame.tile().z();
        for (i, road) in self.roads.in_box(min, max).into_iter().enumerate() {
            if z < road_min_zoom(road.class) {
                continue;
            }
            let geometry = frame.lines([&road.geometry]);
            let mut properties: Vec<(&str, Value<'_>)> =
                vec![("class", road.class.as_str().into())];
            if let Some(n) = &road.name {
                properties.push(("name", n.as_str().into()));
            }
            let layer = if road.class == RoadClass::River {
                &mut water
            } else {
                &mut roads
            };
            layer.add(Some(i as u64 + 1), &geometry, &properties);
        }
        (roads, water)
    }

    /// Community names at a point inside each community (from zoom 11).
    fn labels_layer(&self, frame: &TileFrame, min: [f64; 2], max: [f64; 2]) -> LayerBuilder {
        let mut layer = LayerBuilder::new("labels");
        if frame.tile().z() < 11 {
            return layer;
        }
        for (i, (code, boundary)) in self
            .communities
            .entries_in_box(min, max)
            .into_iter()
            .enumerate()
        {
            let (Some(name), Some(at)) =
                (self.community_names.get(code), boundary.interior_point())
            else {
                continue;
            };
            let geometry = frame.points([&at]);
            if matches!(&geometry, TileGeometry::Points(p) if p.is_empty()) {
                continue;
            }
            layer.add(
                Some(i as u64 + 1),
                &geometry,
                &[
                    ("name", name.as_str().into()),
                    ("class", "community".into()),
                    ("code", code.as_str().into()),
                ],
            );
        }
        layer
    }
}
