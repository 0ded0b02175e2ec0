//! GeoJSON (RFC 7946) feature collections to datasets, checked feature by feature.

use super::geometry_check::{check_value, valid_oriented};
use super::mapping;
use super::properties::Properties;
use super::{ImportError, ImportKind, ImportOptions, number_communities};
use crate::domain::*;
use geo_types::{Geometry, LineString, MultiPolygon, Point};
use serde_json::{Map, Value};
use std::path::Path;

/// Parses GeoJSON text into a dataset of the requested kind.
pub fn parse(path: &Path, text: &str, options: &ImportOptions) -> Result<Dataset, ImportError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ImportError::NotGeoJson {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let features = match (&root["type"], &root["features"]) {
        (Value::String(t), Value::Array(features)) if t == "FeatureCollection" => features,
        (Value::String(t), _) if t == "Feature" => std::slice::from_ref(&root),
        _ => {
            return Err(ImportError::NotGeoJson {
                path: path.to_path_buf(),
                reason: "expected a FeatureCollection with a `features` array".into(),
            });
        }
    };
    let empty = Map::new();
    let mut data = Dataset::default();
    for (index, raw) in features.iter().enumerate() {
        let feature_id = match &raw["id"] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let props_value = &raw["properties"];
        let props = match props_value {
            Value::Object(map) => map,
            Value::Null => &empty,
            other => {
                return Err(feature_error(
                    path,
                    index,
                    feature_id,
                    format!("`properties` must be an object, found {other}"),
                ));
            }
        };
        let p = Properties(props);
        let id = match p.first_text(&["id", "osm_id"]) {
            Ok(Some(id)) => Some(id),
            Ok(None) => feature_id.clone(),
            Err(e) => return Err(feature_error(path, index, feature_id, e)),
        };
        let result = parse_feature(raw, &p, id.clone(), index, options, &mut data);
        result.map_err(|reason| feature_error(path, index, id, reason))?;
    }
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
    Ok(data)
}

fn feature_error(path: &Path, index: usize, id: Option<String>, reason: String) -> ImportError {
    ImportError::Feature {
        path: path.to_path_buf(),
        index,
        id,
        reason,
    }
}

/// The feature's geometry, checked and converted to WGS84.
fn geometry(raw: &Value, options: &ImportOptions) -> Result<Geometry<f64>, String> {
    let value = match &raw["geometry"] {
        Value::Null => return Err("missing geometry".into()),
        v => geojson::Geometry::from_json_value(v.clone())
            .map_err(|e| format!("malformed geometry: {e}"))?,
    };
    check_value(&value.value)?;
    let geometry: Geometry<f64> = value
        .value
        .try_into()
        .map_err(|e: geojson::Error| format!("malformed geometry: {e}"))?;
    Ok(options.crs.geometry_to_wgs84(&geometry))
}

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

fn parse_feature(
    raw: &Value,
    p: &Properties<'_>,
    id: Option<String>,
    index: usize,
    options: &ImportOptions,
    data: &mut Dataset,
) -> Result<(), String> {
    let fallback_id = || id.clone().unwrap_or_else(|| format!("feature-{index}"));
    match options.kind {
        ImportKind::Buildings => {
            let footprint = polygonal(geometry(raw, options)?)?;
            data.buildings.push(mapping::building(
                p,
                BuildingId(fallback_id()),
                footprint,
                &options.households,
            )?);
        }
        ImportKind::Communities => {
            let boundary = polygonal(geometry(raw, options)?)?;
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
            let boundary = polygonal(geometry(raw, options)?)?;
            data.districts.push(mapping::district(p, boundary)?);
        }
        ImportKind::Roads => {
            let lines: Vec<LineString<f64>> = match geometry(raw, options)? {
                Geometry::LineString(l) => vec![l],
                Geometry::MultiLineString(ml) => ml.0,
                other => {
                    return Err(format!(
                        "expected a LineString or MultiLineString, found a {}",
                        type_name(&other)
                    ));
                }
            };
            let Some(class) = mapping::road_class(p)? else {
                return Ok(());
            };
            let base = fallback_id();
            let many = lines.len() > 1;
            for (part, line) in lines.into_iter().enumerate() {
                let id = if many {
                    format!("{base}-{part}")
                } else {
                    base.clone()
                };
                data.roads.push(mapping::road(p, RoadId(id), class, line)?);
            }
        }
        ImportKind::Stations => {
            let geometry = geometry(raw, options)?;
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
            let boundary = polygonal(geometry(raw, options)?)?;
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
            return Err("rosters are tables (CSV or Excel), not GeoJSON".into());
        }
    }
    Ok(())
}

/// A point for a non-point POI (e.g. a building mapped as a community centre).
fn representative_point(g: &Geometry<f64>) -> Option<Point<f64>> {
    use geo::InteriorPoint;
    g.interior_point()
}
