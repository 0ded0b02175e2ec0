//! GeoJSON (RFC 7946) feature collections to datasets, checked feature by feature.

use super::geometry_check::{Ranges, check_value};
use super::properties::Properties;
use super::source_feature;
use super::{ImportError, ImportOptions};
use crate::crs::ToWgs84;
use crate::domain::*;
use geo_types::Geometry;
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
    // RFC 7946: WGS84 unless the import names another.
    let crs = options.crs.unwrap_or_default();
    let converter = crs.converter().map_err(|e| ImportError::Unsupported {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
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
        let geometry = geometry(raw, crs.is_geographic(), &converter);
        source_feature::add(&p, id.clone(), index, geometry, options, &mut data)
            .map_err(|reason| feature_error(path, index, id, reason))?;
    }
    source_feature::finish(path, &mut data, options)?;
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

/// The feature's geometry, checked (lon/lat ranges before conversion for geographic
/// coordinates, after it for projected ones) and converted to WGS84.
fn geometry(raw: &Value, geographic: bool, converter: &ToWgs84) -> Result<Geometry<f64>, String> {
    let value = match &raw["geometry"] {
        Value::Null => return Err("missing geometry".into()),
        v => geojson::Geometry::from_json_value(v.clone())
            .map_err(|e| format!("malformed geometry: {e}"))?,
    };
    check_value(
        &value.value,
        if geographic {
            Ranges::LonLat
        } else {
            Ranges::Finite
        },
    )?;
    let geometry: Geometry<f64> = value
        .value
        .try_into()
        .map_err(|e: geojson::Error| format!("malformed geometry: {e}"))?;
    let converted = converter.geometry(&geometry).map_err(|e| e.to_string())?;
    if !geographic {
        check_value(&geojson::Value::from(&converted), Ranges::LonLat)?;
    }
    Ok(converted)
}
