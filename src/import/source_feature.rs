//! One feature of any vector source (GeoJSON, Shapefile, a GeoPackage layer), its geometry
//! already in WGS84, mapped to the entity its import kind asks for.

use super::geometry_check::valid_oriented;
use super::mapping;
use super::properties::Properties;
use super::{ImportError, ImportKind, ImportOptions, number_communities};
use crate::domain::*;
use geo_types::{Geometry, LineString, MultiPolygon, Point};
use std::path::Path;

fn type_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) | Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
    }
}

/// A valid (multi)polygon, or an error naming what was found instead.
fn polygonal(g: Geometry<f64>) -> Result<MultiPolygon<f64>, String> {
    let mp = match g {
        Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        Geometry::MultiPolygon(mp) => mp,
        other => {
            return Err(format!(
                "expected a Polygon or MultiPolygon, found a {}",
                type_name(&other)
            ));
        }
    };
    valid_oriented(mp)
}

/// Adds one feature's entity to `data`; features of another kind (a road class gridmap
/// does not draw, a POI that is not a station) are skipped.
pub fn add(
    p: &Properties<'_>,
    id: Option<String>,
    index: usize,
    geometry: Result<Geometry<f64>, String>,
    options: &ImportOptions,
    data: &mut Dataset,
) -> Result<(), String> {
    let geometry = geometry?;
    let fallback_id = || id.clone().unwrap_or_else(|| format!("feature-{index}"));
    match options.kind {
        ImportKind::Buildings => {
            let footprint = polygonal(geometry.clone())?;
            data.buildings.push(mapping::building(
                p,
                BuildingId(fallback_id()),
                footprint,
                &options.households,
            )?);
        }
        ImportKind::Communities => {
            let boundary = polygonal(geometry.clone())?;
            if let Some(level) = &options.admin_level
                && p.text("admin_level")?.as_deref() != Some(level.as_str())
            {
                return Ok(());
            }
            if let Some(c) = mapping::community(p, boundary, options.parent.is_none())? {
                data.communities.push(c);
            }
        }
        ImportKind::Districts => {
            let boundary = polygonal(geometry.clone())?;
            data.districts.push(mapping::district(p, boundary)?);
        }
        ImportKind::Roads => add_network_feature(p, fallback_id(), geometry, data)?,
        ImportKind::Stations => {
            let Some(kind) = mapping::station_kind(p)? else {
                return Ok(());
            };
            let location = match geometry {
                Geometry::Point(pt) => pt,
                other => {
                    representative_point(&other).ok_or("geometry has no representative point")?
                }
            };
            data.stations.push(mapping::station(
                p,
                StationId(fallback_id()),
                kind,
                location,
            )?);
        }
        ImportKind::Land => {
            let boundary = polygonal(geometry.clone())?;
            if let Some(class) = mapping::land_class(p)? {
                data.land_areas.push(mapping::land_area(
                    p,
                    LandAreaId(fallback_id()),
                    class,
                    boundary,
                )?);
            }
        }
        ImportKind::Rosters | ImportKind::Workers => {
            return Err("rosters are tables (CSV or Excel), not map features".into());
        }
    }
    Ok(())
}

/// Adds a feature of a roads file: a way (LineString or MultiLineString with `highway`,
/// `railway` or `waterway`), a wall (a line or area with `barrier=wall|fence`, an area's
/// rings becoming wall lines), or a gate (a Point with `barrier=gate|entrance` or
/// `entrance`). Other lines are skipped.
fn add_network_feature(
    p: &Properties<'_>,
    id: String,
    geometry: Geometry<f64>,
    data: &mut Dataset,
) -> Result<(), String> {
    if let Geometry::Point(location) = geometry {
        let kind = mapping::gate_kind(p).ok_or(
            "a Point in a roads file must be a gate (`barrier=gate|entrance` or `entrance`)",
        )?;
        data.gates.push(Gate {
            id: GateId(id),
            kind,
            location,
        });
        return Ok(());
    }
    let lines: Vec<LineString<f64>> = match geometry {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(ml) => ml.0,
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) if mapping::wall_kind(p)?.is_some() => {
            polygonal(geometry)?
                .0
                .into_iter()
                .flat_map(|polygon| {
                    let (exterior, interiors) = polygon.into_inner();
                    std::iter::once(exterior).chain(interiors)
                })
                .collect()
        }
        other => {
            return Err(format!(
                "expected a LineString or MultiLineString (or a walled area, or a gate Point), found a {}",
                type_name(&other)
            ));
        }
    };
    let part_id = |part: usize| {
        if lines.len() > 1 {
            format!("{id}-{part}")
        } else {
            id.clone()
        }
    };
    if let Some(class) = mapping::road_class(p)? {
        for (part, line) in lines.iter().enumerate() {
            data.roads.push(mapping::road(
                p,
                RoadId(part_id(part)),
                class,
                line.clone(),
            )?);
        }
    } else if let Some(kind) = mapping::wall_kind(p)? {
        for (part, line) in lines.iter().enumerate() {
            data.walls.push(Wall {
                id: WallId(part_id(part)),
                kind,
                geometry: line.clone(),
            });
        }
    }
    Ok(())
}

/// A point for a non-point POI (e.g. a building mapped as a community centre).
fn representative_point(g: &Geometry<f64>) -> Option<Point<f64>> {
    use geo::InteriorPoint;
    g.interior_point()
}

/// A geometry read in the source's coordinates, converted to WGS84 and checked (lon/lat
/// ranges, ring lengths and closure).
pub fn to_wgs84(
    geometry: Result<Geometry<f64>, String>,
    converter: &crate::crs::ToWgs84,
) -> Result<Geometry<f64>, String> {
    let g = converter.geometry(&geometry?).map_err(|e| e.to_string())?;
    super::geometry_check::check_value(
        &geojson::Value::from(&g),
        super::geometry_check::Ranges::LonLat,
    )?;
    Ok(g)
}

/// Numbers communities without codes under `--parent`, once all are read.
pub fn finish(path: &Path, data: &mut Dataset, options: &ImportOptions) -> Result<(), ImportError> {
    if options.kind == ImportKind::Communities
        && let Some(parent) = &options.parent
    {
        number_communities(&mut data.communities, parent).map_err(|reason| {
            ImportError::Unsupported {
                path: path.to_path_buf(),
                reason,
            }
        })?;
    }
    Ok(())
}

/// Attribute names surveying offices use in Chinese, and the keys gridmap reads.
const CHINESE_KEYS: [(&str, &str); 16] = [
    ("编号", "id"),
    ("名称", "name"),
    ("建筑名称", "name"),
    ("社区名称", "name"),
    ("层数", "floors"),
    ("楼层数", "floors"),
    ("地上层数", "floors"),
    ("户数", "households"),
    ("人数", "residents"),
    ("人口", "residents"),
    ("地址", "address"),
    ("代码", "code"),
    ("编码", "code"),
    ("社区代码", "code"),
    ("楼栋长", "building_head"),
    ("类型", "kind"),
];

/// Adds the English key for every Chinese attribute name gridmap knows (层数 → floors),
/// unless the English key is there already.
pub fn with_english_keys(
    mut properties: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    for (chinese, english) in CHINESE_KEYS {
        if !properties.contains_key(english)
            && let Some(v) = properties.get(chinese).cloned()
        {
            properties.insert(english.to_string(), v);
        }
    }
    properties
}
