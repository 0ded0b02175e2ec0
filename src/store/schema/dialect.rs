//! The SQL differences between GeoPackage and PostGIS: placeholders, timestamps, geometry
//! encoding, upserts and filtered selects.

use super::sql_value::{ColumnType, SqlValue};
use super::table::Table;
use crate::store::{LayerQuery, StoreError, geometry_codec};
use geo::BoundingRect;
use geo_types::Geometry;

/// The SQL differences between the backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// GeoPackage blobs plus `bbox_*` columns for bounding-box filters.
    GeoPackage,
    /// WKB through `ST_GeomFromWKB` / `ST_AsBinary`, GiST-indexed `&&` filters.
    Postgis,
}

impl Dialect {
    /// The placeholder for parameter `n` of type `ty`.
    pub fn param(self, ty: ColumnType, n: usize) -> String {
        match (self, ty) {
            (Self::Postgis, ColumnType::Timestamp) => format!("${n}::timestamptz"),
            _ => format!("${n}"),
        }
    }

    /// How column `name` of type `ty` is selected (timestamps as RFC 3339 text).
    pub fn select_column(self, name: &str, ty: ColumnType) -> String {
        match (self, ty) {
            (Self::Postgis, ColumnType::Timestamp) => {
                format!("to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            _ => name.to_string(),
        }
    }

    /// Geometry columns and the values bound to them.
    pub(crate) fn geometry_values(
        self,
        table: &Table,
        geometry: Option<&Geometry<f64>>,
    ) -> Result<Vec<SqlValue>, StoreError> {
        let encode_error = |reason: String| StoreError::Corrupt {
            table: table.name,
            key: "(new row)".into(),
            reason,
        };
        match self {
            Self::GeoPackage => {
                let blob = geometry
                    .map(geometry_codec::to_gpkg)
                    .transpose()
                    .map_err(encode_error)?;
                let rect = geometry.and_then(|g| g.bounding_rect());
                let mut values = vec![SqlValue::Blob(blob)];
                for v in [
                    rect.map(|r| r.min().x),
                    rect.map(|r| r.min().y),
                    rect.map(|r| r.max().x),
                    rect.map(|r| r.max().y),
                ] {
                    values.push(SqlValue::Real(v));
                }
                Ok(values)
            }
            Self::Postgis => {
                let wkb = geometry
                    .map(geometry_codec::to_wkb)
                    .transpose()
                    .map_err(encode_error)?;
                Ok(vec![SqlValue::Blob(wkb)])
            }
        }
    }

    pub fn decode_geometry(self, bytes: &[u8]) -> Result<Geometry<f64>, String> {
        match self {
            Self::GeoPackage => geometry_codec::from_gpkg(bytes),
            Self::Postgis => geometry_codec::from_wkb(bytes),
        }
    }

    /// Parameters one row of `table` binds in an upsert: its columns, then its geometry
    /// (GeoPackage: the blob and four `bbox_*` values; PostGIS: WKB).
    pub fn upsert_width(self, table: &Table) -> usize {
        table.columns.len()
            + match self {
                Self::GeoPackage => 5,
                Self::Postgis => 1,
            }
    }

    /// `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE` for `rows` rows of `table`,
    /// parameters bound row after row. GeoPackage placeholders are anonymous `?` (sqlx
    /// looks a numbered SQLite parameter up by name: quadratic in a statement's thousands).
    pub fn upsert_sql(self, table: &Table, rows: usize) -> String {
        let mut names: Vec<&str> = table.columns.iter().map(|c| c.0).collect();
        match self {
            Self::GeoPackage => {
                names.extend(["geom", "bbox_minx", "bbox_miny", "bbox_maxx", "bbox_maxy"]);
            }
            Self::Postgis => names.push("geom"),
        }
        let width = self.upsert_width(table);
        let row_values = |row: usize| -> String {
            let first = row * width;
            let exprs: Vec<String> = match self {
                Self::GeoPackage => vec!["?".to_string(); width],
                Self::Postgis => table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, ty))| self.param(*ty, first + i + 1))
                    .chain(std::iter::once(format!(
                        "ST_GeomFromWKB(${}, 4326)",
                        first + width
                    )))
                    .collect(),
            };
            format!("({})", exprs.join(", "))
        };
        let values: Vec<String> = (0..rows).map(row_values).collect();
        let updates: Vec<String> = names[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!(
            "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
            table.name,
            names.join(", "),
            values.join(", "),
            table.key(),
            updates.join(", ")
        )
    }

    /// A filtered, ordered, paginated `SELECT` of `table` (columns in table order, then geometry).
    pub fn select_sql(
        self,
        table: &Table,
        query: &LayerQuery,
    ) -> (String, Vec<SqlValue>, Vec<ColumnType>) {
        let mut columns: Vec<String> = table
            .columns
            .iter()
            .map(|(name, ty)| self.select_column(name, *ty))
            .collect();
        columns.push(match self {
            Self::GeoPackage => "geom".into(),
            Self::Postgis => "ST_AsBinary(geom)".into(),
        });
        let mut types: Vec<ColumnType> = table.columns.iter().map(|c| c.1).collect();
        types.push(ColumnType::Blob);
        let mut params = Vec::new();
        let mut conditions = Vec::new();
        if let Some(rect) = query.bbox {
            let n = params.len();
            for v in [rect.min().x, rect.min().y, rect.max().x, rect.max().y] {
                params.push(SqlValue::Real(Some(v)));
            }
            conditions.push(match self {
                Self::GeoPackage => format!(
                    "bbox_maxx >= ${} AND bbox_minx <= ${} AND bbox_maxy >= ${} AND bbox_miny <= ${}",
                    n + 1,
                    n + 3,
                    n + 2,
                    n + 4
                ),
                Self::Postgis => format!(
                    "geom && ST_MakeEnvelope(${}, ${}, ${}, ${}, 4326)",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4
                ),
            });
        }
        if let (Some(prefix), Some(column)) = (&query.code_prefix, table.prefix_column) {
            params.push(SqlValue::Text(Some(prefix.clone())));
            conditions.push(format!("{column} LIKE ${} || '%'", params.len()));
        }
        if let Some(text) = &query.text
            && !table.search_columns.is_empty()
        {
            params.push(SqlValue::Text(Some(like_pattern(text))));
            let n = params.len();
            let like = match self {
                Self::GeoPackage => "LIKE",
                Self::Postgis => "ILIKE",
            };
            let each: Vec<String> = table
                .search_columns
                .iter()
                .map(|c| format!("{c} {like} ${n} ESCAPE '\\'"))
                .collect();
            conditions.push(format!("({})", each.join(" OR ")));
        }
        if let Some(ids) = &query.ids {
            let first = params.len() + 1;
            params.extend(ids.iter().map(|id| SqlValue::Text(Some(id.clone()))));
            let placeholders: Vec<String> = (first..first + ids.len())
                .map(|n| format!("${n}"))
                .collect();
            conditions.push(if ids.is_empty() {
                "1 = 0".to_string()
            } else {
                format!("{} IN ({})", table.key(), placeholders.join(", "))
            });
        }
        let mut sql = format!("SELECT {} FROM {}", columns.join(", "), table.name);
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(&format!(" ORDER BY {}", table.key()));
        if let Some(limit) = query.limit {
            params.push(SqlValue::Int(Some(i64::from(limit))));
            sql.push_str(&format!(" LIMIT ${}", params.len()));
        }
        if query.offset > 0 {
            if query.limit.is_none() && self == Self::GeoPackage {
                sql.push_str(" LIMIT -1"); // SQLite takes OFFSET only after a LIMIT
            }
            params.push(SqlValue::Int(Some(query.offset as i64)));
            sql.push_str(&format!(" OFFSET ${}", params.len()));
        }
        (sql, params, types)
    }
}

/// `%text%` with the pattern characters of `text` escaped by a backslash, so that it
/// matches literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
