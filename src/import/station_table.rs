//! Service stations (党群服务中心, 党群服务站, 红色驿站, 骑手驿站) from a table, as offices
//! list them: 编号, 名称, 类型, 经度, 纬度 (or x/y in a projected `--crs`), 地址, 开放时间,
//! 服务内容, 所属社区. Positions from web maps are usually GCJ-02 (`--crs gcj02`); every
//! row is converted once and checked, errors name the sheet, row and column.

use super::properties::Properties;
use super::source_feature;
use super::table::Table;
use super::{ImportError, ImportOptions};
use crate::domain::Dataset;
use geo_types::{Geometry, Point};
use serde_json::{Map, Value};

/// Header names offices use, and the property each becomes.
const COLUMNS: [(&[&str], &str); 9] = [
    (&["id", "编号"], "id"),
    (&["name", "名称", "站点名称"], "name"),
    (&["kind", "类型", "类别"], "kind"),
    (&["address", "地址"], "address"),
    (&["opening_hours", "开放时间"], "opening_hours"),
    (&["services", "服务内容", "服务项目"], "services"),
    (&["community", "所属社区", "社区代码"], "community"),
    (&["lon", "lng", "longitude", "经度", "x"], "lon"),
    (&["lat", "latitude", "纬度", "y"], "lat"),
];

/// Reads a stations table into a dataset of stations.
pub fn parse(table: &Table, options: &ImportOptions) -> Result<Dataset, ImportError> {
    let crs = options.crs.unwrap_or_default();
    let converter = crs.converter().map_err(|e| ImportError::Unsupported {
        path: table.path.clone(),
        reason: e.to_string(),
    })?;
    let columns: Vec<(usize, &str)> = COLUMNS
        .iter()
        .filter_map(|(names, key)| table.column(names).map(|c| (c, *key)))
        .collect();
    let column_of = |key: &str| columns.iter().find(|(_, k)| *k == key).map(|(c, _)| *c);
    let (Some(lon_col), Some(lat_col)) = (column_of("lon"), column_of("lat")) else {
        return Err(table.row_error(
            1,
            "the header needs `lon` (经度) and `lat` (纬度) columns (x and y for projected coordinates)",
        ));
    };
    for key in ["name", "kind"] {
        if column_of(key).is_none() {
            return Err(table.row_error(
                1,
                format!(
                    "the header has no `{key}` column ({})",
                    if key == "name" { "名称" } else { "类型" }
                ),
            ));
        }
    }
    let mut data = Dataset::default();
    for (index, row) in table.rows.iter().enumerate() {
        let cell = |c: usize| row.cells.get(c).map(|s| s.trim()).unwrap_or_default();
        let coordinate = |c: usize| -> Result<f64, ImportError> {
            cell(c)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    table.cell_error(row.number, c, format!("{:?} is not a number", cell(c)))
                })
        };
        let (x, y) = (coordinate(lon_col)?, coordinate(lat_col)?);
        let (lon, lat) = converter
            .position(x, y)
            .map_err(|e| table.row_error(row.number, e.to_string()))?;
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(table.cell_error(
                row.number,
                lon_col,
                format!("({x}, {y}) is not a position in {crs}; projected coordinates need --crs EPSG:NNNN"),
            ));
        }
        let properties: Map<String, Value> = columns
            .iter()
            .filter(|(_, key)| !matches!(*key, "lon" | "lat"))
            .filter(|(c, _)| !cell(*c).is_empty())
            .map(|(c, key)| (key.to_string(), Value::String(cell(*c).to_string())))
            .collect();
        let p = Properties(&properties);
        let id = properties
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| Some(format!("row-{}", row.number)));
        let before = data.stations.len();
        source_feature::add(
            &p,
            id,
            index,
            Ok(Geometry::Point(Point::new(lon, lat))),
            options,
            &mut data,
        )
        .map_err(|reason| table.row_error(row.number, reason))?;
        if data.stations.len() == before {
            return Err(table.row_error(row.number, "not a station: give its `kind` (类型)"));
        }
    }
    Ok(data)
}
