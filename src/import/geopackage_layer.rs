//! Any feature layer of a GeoPackage (`--layer`, or the only one): its rows' attributes
//! as properties, its geometry column decoded, its spatial reference system (EPSG code or
//! WKT definition) converted to WGS84 once, then mapped by kind like every other source.

use super::properties::Properties;
use super::source_feature;
use super::{ImportError, ImportOptions};
use crate::crs::{SourceCrs, read_prj};
use crate::domain::Dataset;
use crate::store::geometry_codec::from_gpkg;
use serde_json::{Map, Number, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{Column, ConnectOptions, Row, TypeInfo, ValueRef};
use std::path::Path;
use std::str::FromStr;

fn unsupported(path: &Path, reason: impl Into<String>) -> ImportError {
    ImportError::Unsupported {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Whether a file is a GeoPackage (by its name).
pub fn is_geopackage(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
}

/// One column's value as a JSON property (NULL is absent).
fn cell(row: &SqliteRow, index: usize) -> Option<Value> {
    let raw = row.try_get_raw(index).ok()?;
    if raw.is_null() {
        return None;
    }
    match raw.type_info().name() {
        "INTEGER" | "BOOLEAN" => row.try_get::<i64, _>(index).ok().map(Value::from),
        "REAL" => row
            .try_get::<f64, _>(index)
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
        "TEXT" => row.try_get::<String, _>(index).ok().map(Value::String),
        _ => None,
    }
}

/// Reads one feature layer of a GeoPackage into a dataset of the requested kind.
pub async fn read(path: &Path, options: &ImportOptions) -> Result<Dataset, ImportError> {
    if !path.exists() {
        return Err(unsupported(path, "no such file"));
    }
    let sql_error = |e: sqlx::Error| unsupported(path, format!("not a readable GeoPackage: {e}"));
    let mut db = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .map_err(sql_error)?
        .read_only(true)
        .connect()
        .await
        .map_err(sql_error)?;
    let layers: Vec<String> = sqlx::query_scalar(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name",
    )
    .fetch_all(&mut db)
    .await
    .map_err(sql_error)?;
    let layer = match (&options.layer, layers.as_slice()) {
        (Some(wanted), _) if layers.contains(wanted) => wanted.clone(),
        (Some(wanted), _) => {
            return Err(unsupported(
                path,
                format!("no feature layer {wanted:?}; it has: {}", layers.join(", ")),
            ));
        }
        (None, [one]) => one.clone(),
        (None, []) => return Err(unsupported(path, "it has no feature layer")),
        (None, many) => {
            return Err(unsupported(
                path,
                format!(
                    "it has {} feature layers; name one with --layer: {}",
                    many.len(),
                    many.join(", ")
                ),
            ));
        }
    };
    let (geometry_column, srs_id): (String, i64) = sqlx::query_as(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
    )
    .bind(&layer)
    .fetch_one(&mut db)
    .await
    .map_err(sql_error)?;
    let crs = match options.crs {
        Some(crs) => crs,
        None => layer_crs(&mut db, srs_id, path).await?,
    };
    let converter = crs
        .converter()
        .map_err(|e| unsupported(path, e.to_string()))?;
    let quoted = format!("\"{}\"", layer.replace('"', "\"\""));
    // The name is one of the file's own layers (checked above), quoted as an identifier.
    let rows: Vec<SqliteRow> = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {quoted}")))
        .fetch_all(&mut db)
        .await
        .map_err(sql_error)?;
    let mut data = Dataset::default();
    for (index, row) in rows.iter().enumerate() {
        let mut properties = Map::new();
        let mut blob: Option<Vec<u8>> = None;
        for (i, column) in row.columns().iter().enumerate() {
            if column.name().eq_ignore_ascii_case(&geometry_column) {
                blob = row.try_get::<Option<Vec<u8>>, _>(i).ok().flatten();
            } else if let Some(v) = cell(row, i) {
                properties.insert(column.name().to_string(), v);
            }
        }
        let properties = source_feature::with_english_keys(properties);
        let p = Properties(&properties);
        let feature_error = |id: Option<String>, reason: String| ImportError::Feature {
            path: path.to_path_buf(),
            index,
            id,
            reason,
        };
        let id = p
            .first_text(&["id", "osm_id", "fid"])
            .map_err(|e| feature_error(None, e))?;
        let geometry = source_feature::to_wgs84(
            blob.ok_or_else(|| "missing geometry".to_string())
                .and_then(|b| from_gpkg(&b)),
            &converter,
        );
        source_feature::add(&p, id.clone(), index, geometry, options, &mut data)
            .map_err(|reason| feature_error(id, reason))?;
    }
    source_feature::finish(path, &mut data, options)?;
    Ok(data)
}

/// The layer's coordinate system from `gpkg_spatial_ref_sys`: its EPSG code, else its
/// WKT definition.
async fn layer_crs(
    db: &mut sqlx::SqliteConnection,
    srs_id: i64,
    path: &Path,
) -> Result<SourceCrs, ImportError> {
    let (organization, code, definition): (String, i64, String) = sqlx::query_as(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
    )
    .bind(srs_id)
    .fetch_one(db)
    .await
    .map_err(|e| unsupported(path, format!("its layer's SRS {srs_id} is not described: {e}")))?;
    if organization.eq_ignore_ascii_case("EPSG") {
        return format!("EPSG:{code}")
            .parse()
            .map_err(|e: String| unsupported(path, e));
    }
    read_prj(&definition).map_err(|e| unsupported(path, format!("its layer's SRS: {e}")))
}
