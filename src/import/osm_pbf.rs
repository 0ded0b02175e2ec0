//! OpenStreetMap PBF extracts: buildings (closed ways and multipolygon relations), roads,
//! rail and rivers, land cover (water, parks, woods, land use), service-station POIs and
//! admin boundaries (as communities).
//!
//! OSM's own ids are kept as `w<id>` / `r<id>` / `n<id>`. Elements whose geometry cannot be
//! built (broken rings, missing nodes, invalid polygons) are skipped and listed in the
//! report; OSM data is never perfect, and one bad way must not block a city.

use super::geometry_check::valid_oriented;
use super::mapping;
use super::properties::Properties;
use super::{ImportError, ImportKind, ImportOptions, number_communities};
use crate::domain::*;
use geo::{Contains, InteriorPoint};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use osmpbf::{Element, ElementReader, RelMemberType};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::path::Path;

struct RelationInfo {
    id: i64,
    tags: Map<String, Value>,
    /// (way id, is outer)
    members: Vec<(i64, bool)>,
}

fn tags_map<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Map<String, Value> {
    tags.map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect()
}

/// Whether a relation is wanted for this kind.
fn wanted_relation(kind: ImportKind, tags: &Map<String, Value>, admin_level: &str) -> bool {
    let tag = |k: &str| tags.get(k).and_then(Value::as_str);
    match kind {
        ImportKind::Buildings => {
            tag("type") == Some("multipolygon") && tag("building").is_some_and(|b| b != "no")
        }
        ImportKind::Communities | ImportKind::Districts => {
            tag("boundary") == Some("administrative") && tag("admin_level") == Some(admin_level)
        }
        ImportKind::Land => {
            tag("type") == Some("multipolygon") && LandClass::from_osm(tag).is_some()
        }
        _ => false,
    }
}

fn wanted_way(kind: ImportKind, tags: &Map<String, Value>) -> bool {
    let tag = |k: &str| tags.get(k).and_then(Value::as_str);
    match kind {
        ImportKind::Buildings => tag("building").is_some_and(|b| b != "no"),
        ImportKind::Roads => {
            tag("highway").is_some()
                || tag("railway").is_some()
                || tag("waterway").is_some()
                || tag("barrier").is_some_and(|b| WallKind::from_osm_barrier(b).is_some())
        }
        ImportKind::Stations => tag("amenity").is_some(),
        ImportKind::Land => tag("building").is_none() && LandClass::from_osm(tag).is_some(),
        _ => false,
    }
}

/// Reads a PBF file into a dataset of the requested kind.
pub fn read(path: &Path, options: &ImportOptions) -> Result<Dataset, ImportError> {
    let pbf_error = |e: osmpbf::Error| ImportError::Pbf {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let admin_level = options.admin_level.clone().unwrap_or_else(|| "10".into());
    let kind = options.kind;
    if matches!(kind, ImportKind::Rosters | ImportKind::Workers) {
        return Err(ImportError::Unsupported {
            path: path.to_path_buf(),
            reason: "rosters are tables (CSV or Excel), not OSM PBF".into(),
        });
    }

    // Pass 1: the relations we want and the ways they need.
    let mut relations = Vec::new();
    ElementReader::from_path(path)
        .map_err(pbf_error)?
        .for_each(|element| {
            if let Element::Relation(r) = element {
                let tags = tags_map(r.tags());
                if wanted_relation(kind, &tags, &admin_level) {
                    let members = r
                        .members()
                        .filter(|m| m.member_type == RelMemberType::Way)
                        .map(|m| {
                            (
                                m.member_id,
                                m.role().map(|role| role != "inner").unwrap_or(true),
                            )
                        })
                        .collect();
                    relations.push(RelationInfo {
                        id: r.id(),
                        tags,
                        members,
                    });
                }
            }
        })
        .map_err(pbf_error)?;
    let member_ways: HashSet<i64> = relations
        .iter()
        .flat_map(|r| r.members.iter().map(|m| m.0))
        .collect();

    // Pass 2: node coordinates, wanted ways and member ways, POI nodes.
    let mut nodes: HashMap<i64, Coord<f64>> = HashMap::new();
    let mut ways: Vec<(i64, Map<String, Value>, Vec<i64>)> = Vec::new();
    let mut way_refs: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut poi_nodes: Vec<(i64, Map<String, Value>)> = Vec::new();
    let crs = match options.crs {
        None => crate::crs::Crs::Wgs84,
        Some(crate::crs::SourceCrs::Geographic(crs)) => crs,
        Some(projected) => {
            return Err(ImportError::Unsupported {
                path: path.to_path_buf(),
                reason: format!("OpenStreetMap data is lon/lat (WGS84), not {projected}"),
            });
        }
    };
    let mut add_node = |id: i64, lon: f64, lat: f64, tags: Map<String, Value>| {
        let (x, y) = crs.to_wgs84(lon, lat);
        nodes.insert(id, Coord { x, y });
        let tag = |k: &str| tags.get(k).and_then(Value::as_str);
        let wanted = match kind {
            ImportKind::Stations => tags.contains_key("amenity"),
            ImportKind::Roads => GateKind::from_osm(tag).is_some(),
            _ => false,
        };
        if wanted {
            poi_nodes.push((id, tags));
        }
    };
    ElementReader::from_path(path)
        .map_err(pbf_error)?
        .for_each(|element| match element {
            Element::Node(n) => add_node(n.id(), n.lon(), n.lat(), tags_map(n.tags())),
            Element::DenseNode(n) => add_node(n.id(), n.lon(), n.lat(), tags_map(n.tags())),
            Element::Way(w) => {
                let tags = tags_map(w.tags());
                let refs: Vec<i64> = w.refs().collect();
                if member_ways.contains(&w.id()) {
                    way_refs.insert(w.id(), refs.clone());
                }
                if wanted_way(kind, &tags) {
                    ways.push((w.id(), tags, refs));
                }
            }
            Element::Relation(_) => {}
        })
        .map_err(pbf_error)?;

    let line_of = |refs: &[i64]| -> Option<Vec<Coord<f64>>> {
        refs.iter().map(|r| nodes.get(r).copied()).collect()
    };
    let mut data = Dataset::default();
    let mut skipped: Vec<String> = Vec::new();

    match kind {
        ImportKind::Buildings => {
            for (id, tags, refs) in &ways {
                let closed = refs.len() >= 4 && refs.first() == refs.last();
                let Some(coords) = line_of(refs).filter(|_| closed) else {
                    continue; // open ways tagged building are not footprints
                };
                let footprint =
                    MultiPolygon::new(vec![Polygon::new(LineString::new(coords), vec![])]);
                push_building(
                    &mut data,
                    &mut skipped,
                    format!("w{id}"),
                    tags,
                    footprint,
                    options,
                );
            }
            for r in &relations {
                match relation_polygons(r, &way_refs, &line_of) {
                    Ok(footprint) => push_building(
                        &mut data,
                        &mut skipped,
                        format!("r{}", r.id),
                        &r.tags,
                        footprint,
                        options,
                    ),
                    Err(reason) => skipped.push(format!("r{}: {reason}", r.id)),
                }
            }
        }
        ImportKind::Communities | ImportKind::Districts => {
            for r in &relations {
                let boundary = match relation_polygons(r, &way_refs, &line_of) {
                    Ok(b) => b,
                    Err(reason) => {
                        skipped.push(format!("r{}: {reason}", r.id));
                        continue;
                    }
                };
                let p = Properties(&r.tags);
                let built = if kind == ImportKind::Districts {
                    mapping::district(&p, boundary).map(|d| data.districts.push(d))
                } else {
                    mapping::community(&p, boundary, options.parent.is_none())
                        .map(|c| data.communities.extend(c))
                };
                built.map_err(|reason| ImportError::Feature {
                    path: path.to_path_buf(),
                    index: 0,
                    id: Some(format!("r{}", r.id)),
                    reason,
                })?;
            }
            if let Some(parent) = &options.parent {
                number_communities(&mut data.communities, parent).map_err(|reason| {
                    ImportError::Unsupported {
                        path: path.to_path_buf(),
                        reason,
                    }
                })?;
            }
        }
        ImportKind::Roads => {
            for (id, tags, refs) in &ways {
                let p = Properties(tags);
                let class = mapping::road_class(&p).ok().flatten();
                let wall = mapping::wall_kind(&p).ok().flatten();
                if class.is_none() && wall.is_none() {
                    continue;
                }
                let Some(coords) = line_of(refs).filter(|c| c.len() >= 2) else {
                    skipped.push(format!("w{id}: missing nodes"));
                    continue;
                };
                let line = LineString::new(coords);
                match (class, wall) {
                    (Some(class), _) => {
                        if let Ok(road) = mapping::road(&p, RoadId(format!("w{id}")), class, line) {
                            data.roads.push(road);
                        }
                    }
                    (None, Some(kind)) => data.walls.push(Wall {
                        id: WallId(format!("w{id}")),
                        kind,
                        geometry: line,
                    }),
                    (None, None) => {}
                }
            }
            for (id, tags) in &poi_nodes {
                if let (Some(kind), Some(c)) =
                    (mapping::gate_kind(&Properties(tags)), nodes.get(id))
                {
                    data.gates.push(Gate {
                        id: GateId(format!("n{id}")),
                        kind,
                        location: Point::from(*c),
                    });
                }
            }
        }
        ImportKind::Stations => {
            for (id, tags) in &poi_nodes {
                let p = Properties(tags);
                if let (Ok(Some(kind)), Some(c)) = (mapping::station_kind(&p), nodes.get(id)) {
                    match mapping::station(&p, StationId(format!("n{id}")), kind, Point::from(*c)) {
                        Ok(s) => data.stations.push(s),
                        Err(reason) => skipped.push(format!("n{id}: {reason}")),
                    }
                }
            }
            for (id, tags, refs) in &ways {
                let p = Properties(tags);
                let Ok(Some(kind)) = mapping::station_kind(&p) else {
                    continue;
                };
                let point = line_of(refs).and_then(|c| LineString::new(c).interior_point());
                match point.map(|pt| mapping::station(&p, StationId(format!("w{id}")), kind, pt)) {
                    Some(Ok(s)) => data.stations.push(s),
                    Some(Err(reason)) => skipped.push(format!("w{id}: {reason}")),
                    None => skipped.push(format!("w{id}: missing nodes")),
                }
            }
        }
        ImportKind::Land => {
            for (id, tags, refs) in &ways {
                let closed = refs.len() >= 4 && refs.first() == refs.last();
                let Some(coords) = line_of(refs).filter(|_| closed) else {
                    continue; // open ways (e.g. a riverbank's edge) are not areas
                };
                let area = MultiPolygon::new(vec![Polygon::new(LineString::new(coords), vec![])]);
                push_land(&mut data, &mut skipped, format!("w{id}"), tags, area);
            }
            for r in &relations {
                match relation_polygons(r, &way_refs, &line_of) {
                    Ok(area) => {
                        push_land(&mut data, &mut skipped, format!("r{}", r.id), &r.tags, area)
                    }
                    Err(reason) => skipped.push(format!("r{}: {reason}", r.id)),
                }
            }
        }
        ImportKind::Rosters | ImportKind::Workers => {}
    }
    if !skipped.is_empty() {
        tracing::warn!(
            file = %path.display(),
            count = skipped.len(),
            first = %skipped.iter().take(5).cloned().collect::<Vec<_>>().join("; "),
            "OSM elements skipped"
        );
    }
    Ok(data)
}

fn push_land(
    data: &mut Dataset,
    skipped: &mut Vec<String>,
    id: String,
    tags: &Map<String, Value>,
    area: MultiPolygon<f64>,
) {
    let area = match valid_oriented(area) {
        Ok(a) => a,
        Err(reason) => {
            skipped.push(format!("{id}: {reason}"));
            return;
        }
    };
    let p = Properties(tags);
    if let Ok(Some(class)) = mapping::land_class(&p) {
        match mapping::land_area(&p, LandAreaId(id.clone()), class, area) {
            Ok(a) => data.land_areas.push(a),
            Err(reason) => skipped.push(format!("{id}: {reason}")),
        }
    }
}

fn push_building(
    data: &mut Dataset,
    skipped: &mut Vec<String>,
    id: String,
    tags: &Map<String, Value>,
    footprint: MultiPolygon<f64>,
    options: &ImportOptions,
) {
    let footprint = match valid_oriented(footprint) {
        Ok(f) => f,
        Err(reason) => {
            skipped.push(format!("{id}: {reason}"));
            return;
        }
    };
    match mapping::building(
        &Properties(tags),
        BuildingId(id.clone()),
        footprint,
        &options.households,
    ) {
        Ok(b) => data.buildings.push(b),
        Err(reason) => skipped.push(format!("{id}: {reason}")),
    }
}

/// Looks up the coordinates of a way's nodes (`None` when any is missing).
type NodeLine<'a> = &'a dyn Fn(&[i64]) -> Option<Vec<Coord<f64>>>;

/// Assembles a multipolygon relation's member ways into polygons with holes.
fn relation_polygons(
    relation: &RelationInfo,
    way_refs: &HashMap<i64, Vec<i64>>,
    line_of: NodeLine<'_>,
) -> Result<MultiPolygon<f64>, String> {
    let mut outers = Vec::new();
    let mut inners = Vec::new();
    for (way, is_outer) in &relation.members {
        let refs = way_refs
            .get(way)
            .ok_or_else(|| format!("member way {way} missing"))?;
        let coords = line_of(refs).ok_or_else(|| format!("nodes of way {way} missing"))?;
        if *is_outer {
            outers.push(coords);
        } else {
            inners.push(coords);
        }
    }
    let outer_rings = crate::spatial::assemble_rings(outers)?;
    let inner_rings = crate::spatial::assemble_rings(inners)?;
    let mut polygons: Vec<(Polygon<f64>, Vec<LineString<f64>>)> = outer_rings
        .into_iter()
        .map(|r| (Polygon::new(r, vec![]), Vec::new()))
        .collect();
    for hole in inner_rings {
        let Some(first) = hole.0.first().copied() else {
            continue;
        };
        if let Some(entry) = polygons
            .iter_mut()
            .find(|(outer, _)| outer.contains(&Point::from(first)))
        {
            entry.1.push(hole);
        }
    }
    if polygons.is_empty() {
        return Err("no outer ring".into());
    }
    let mp = MultiPolygon::new(
        polygons
            .into_iter()
            .map(|(outer, holes)| Polygon::new(outer.into_inner().0, merge_touching_holes(holes)))
            .collect(),
    );
    Ok(mp)
}

/// Holes mapped as separate closed ways that share edges become one hole, as OGC validity
/// requires (their union).
fn merge_touching_holes(holes: Vec<LineString<f64>>) -> Vec<LineString<f64>> {
    if holes.len() < 2 {
        return holes;
    }
    let polygons: Vec<Polygon<f64>> = holes.into_iter().map(|h| Polygon::new(h, vec![])).collect();
    geo::unary_union(&polygons)
        .0
        .into_iter()
        .map(|p| p.into_inner().0)
        .collect()
}
