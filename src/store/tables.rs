//! The shared schema: table layouts, the SQL dialects of the two backends, and the mapping
//! between domain entities and rows.

use super::StoreError;
use super::geometry_codec;
use crate::domain::*;
use chrono::{DateTime, Utc};
use geo::BoundingRect;
use geo_types::{Geometry, LineString, MultiPolygon, Point};

/// A column's value type, as bound and as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Int,
    Real,
    /// RFC 3339 text in GeoPackage, `timestamptz` in PostGIS.
    Timestamp,
    Blob,
}

/// A bound or read value; nulls are typed so PostgreSQL can infer parameter types.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
    Blob(Option<Vec<u8>>),
}

/// One statement with its parameters.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: std::sync::Arc<str>,
    pub params: Vec<SqlValue>,
    pub guard: RowGuard,
}

impl Statement {
    pub fn new(sql: std::sync::Arc<str>, params: Vec<SqlValue>) -> Self {
        Self {
            sql,
            params,
            guard: RowGuard::Any,
        }
    }

    /// Rows this statement touches are not counted as written (notifications).
    pub fn uncounted(mut self) -> Self {
        self.guard = RowGuard::Uncounted;
        self
    }

    /// The transaction fails (and rolls back) unless this statement changes exactly one
    /// row: optimistic concurrency for state transitions.
    pub fn exactly_one_row(mut self) -> Self {
        self.guard = RowGuard::ExactlyOne;
        self
    }
}

/// What a statement must affect for its transaction to commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowGuard {
    Any,
    ExactlyOne,
    /// Any count, left out of the rows written.
    Uncounted,
}

/// One feature table: key column first, then attributes; geometry in column `geom`.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
    /// The column `LayerQuery::code_prefix` filters on.
    pub prefix_column: Option<&'static str>,
}

impl Table {
    pub fn key(&self) -> &'static str {
        self.columns[0].0
    }
}

use ColumnType::{Int, Text, Timestamp};

pub const DISTRICTS: Table = Table {
    name: "districts",
    columns: &[("code", Text), ("name", Text)],
    prefix_column: Some("code"),
};
pub const STREETS: Table = Table {
    name: "streets",
    columns: &[("code", Text), ("name", Text), ("district_code", Text)],
    prefix_column: Some("code"),
};
pub const COMMUNITIES: Table = Table {
    name: "communities",
    columns: &[("code", Text), ("name", Text), ("street_code", Text)],
    prefix_column: Some("code"),
};
pub const GRIDS: Table = Table {
    name: "grids",
    columns: &[
        ("code", Text),
        ("kind", Text),
        ("community_code", Text),
        ("households", Int),
        ("residents", Int),
    ],
    prefix_column: Some("code"),
};
pub const BUILDINGS: Table = Table {
    name: "buildings",
    columns: &[
        ("id", Text),
        ("kind", Text),
        ("households", Int),
        ("residents", Int),
        ("floors", Int),
        ("name", Text),
        ("address", Text),
        ("building_head", Text),
        ("community_code", Text),
        ("grid_code", Text),
    ],
    prefix_column: Some("community_code"),
};
pub const ROADS: Table = Table {
    name: "roads",
    columns: &[("id", Text), ("class", Text), ("name", Text)],
    prefix_column: None,
};
pub const LAND_AREAS: Table = Table {
    name: "land_areas",
    columns: &[("id", Text), ("class", Text), ("name", Text)],
    prefix_column: None,
};
pub const STATIONS: Table = Table {
    name: "stations",
    columns: &[
        ("id", Text),
        ("name", Text),
        ("kind", Text),
        ("services", Text),
        ("opening_hours", Text),
        ("address", Text),
        ("community_code", Text),
    ],
    prefix_column: Some("community_code"),
};
pub const WORKERS: Table = Table {
    name: "workers",
    columns: &[
        ("id", Text),
        ("name", Text),
        ("phone", Text),
        ("role", Text),
        ("grids", Text),
        ("duty", Text),
        ("position_at", Timestamp),
    ],
    prefix_column: None,
};
pub const INCIDENTS: Table = Table {
    name: "incidents",
    columns: &[
        ("id", Text),
        ("category", Text),
        ("description", Text),
        ("source", Text),
        ("status", Text),
        ("reported_at", Timestamp),
        ("grid_code", Text),
        ("assignee", Text),
        ("deadline_at", Timestamp),
        ("closed_at", Timestamp),
    ],
    prefix_column: Some("grid_code"),
};

/// All feature tables, in write order (parents first).
pub const ALL_TABLES: [&Table; 10] = [
    &DISTRICTS,
    &STREETS,
    &COMMUNITIES,
    &GRIDS,
    &BUILDINGS,
    &ROADS,
    &LAND_AREAS,
    &STATIONS,
    &WORKERS,
    &INCIDENTS,
];

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
    fn geometry_values(
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

    /// `INSERT … ON CONFLICT (key) DO UPDATE` for one row of `table`.
    pub fn upsert_sql(self, table: &Table) -> String {
        let mut names: Vec<String> = table.columns.iter().map(|c| c.0.to_string()).collect();
        let mut exprs: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| self.param(*ty, i + 1))
            .collect();
        let n = table.columns.len();
        match self {
            Self::GeoPackage => {
                for (i, col) in ["geom", "bbox_minx", "bbox_miny", "bbox_maxx", "bbox_maxy"]
                    .iter()
                    .enumerate()
                {
                    names.push(col.to_string());
                    exprs.push(format!("${}", n + i + 1));
                }
            }
            Self::Postgis => {
                names.push("geom".into());
                exprs.push(format!("ST_GeomFromWKB(${}, 4326)", n + 1));
            }
        }
        let updates: Vec<String> = names[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
            table.name,
            names.join(", "),
            exprs.join(", "),
            table.key(),
            updates.join(", ")
        )
    }

    /// A filtered, ordered, paginated `SELECT` of `table` (columns in table order, then geometry).
    pub fn select_sql(
        self,
        table: &Table,
        query: &super::LayerQuery,
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

    /// Builds the statement writing one row.
    pub fn row_statement(
        self,
        table: &Table,
        sql: &std::sync::Arc<str>,
        mut values: Vec<SqlValue>,
        geometry: Option<&Geometry<f64>>,
    ) -> Result<Statement, StoreError> {
        values.extend(self.geometry_values(table, geometry)?);
        Ok(Statement::new(sql.clone(), values))
    }
}

fn text(v: impl Into<String>) -> SqlValue {
    SqlValue::Text(Some(v.into()))
}

fn opt_text(v: Option<&str>) -> SqlValue {
    SqlValue::Text(v.map(str::to_string))
}

fn int(v: impl Into<i64>) -> SqlValue {
    SqlValue::Int(Some(v.into()))
}

/// How timestamps are written: RFC 3339, UTC, microseconds.
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn timestamp(v: Option<&DateTime<Utc>>) -> SqlValue {
    SqlValue::Text(v.map(format_timestamp))
}

fn json_list<T: serde::Serialize>(items: &[T]) -> SqlValue {
    text(serde_json::to_string(items).unwrap_or_else(|_| "[]".into()))
}

/// Attribute values (without geometry) and the geometry of one entity.
pub trait ToRow {
    const TABLE: &'static Table;
    fn values(&self) -> Vec<SqlValue>;
    fn geometry(&self) -> Option<Geometry<f64>>;
}

impl ToRow for District {
    const TABLE: &'static Table = &DISTRICTS;
    fn values(&self) -> Vec<SqlValue> {
        vec![text(self.code.as_str()), text(&self.name)]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        Some(self.boundary.clone().into())
    }
}

impl ToRow for Street {
    const TABLE: &'static Table = &STREETS;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.code.as_str()),
            text(&self.name),
            text(self.code.district().as_str()),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        self.boundary.clone().map(Into::into)
    }
}

impl ToRow for Community {
    const TABLE: &'static Table = &COMMUNITIES;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.code.as_str()),
            text(&self.name),
            text(self.code.street().as_str()),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        Some(self.boundary.clone().into())
    }
}

impl ToRow for Grid {
    const TABLE: &'static Table = &GRIDS;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.code.as_str()),
            text(self.kind.as_str()),
            text(self.community.as_str()),
            int(self.households),
            int(self.residents),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        Some(self.boundary.clone().into())
    }
}

impl ToRow for Building {
    const TABLE: &'static Table = &BUILDINGS;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.id.as_str()),
            text(self.kind.as_str()),
            int(self.households),
            int(self.residents),
            SqlValue::Int(self.floors.map(i64::from)),
            opt_text(self.name.as_deref()),
            opt_text(self.address.as_deref()),
            opt_text(self.building_head.as_deref()),
            opt_text(self.community.as_ref().map(CommunityCode::as_str)),
            opt_text(self.grid.as_ref().map(GridCode::as_str)),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        Some(self.footprint.clone().into())
    }
}

impl ToRow for Road {
    const TABLE: &'static Table = &ROADS;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.id.as_str()),
            text(self.class.as_str()),
            opt_text(self.name.as_deref()),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        Some(self.geometry.clone().into())
    }
}

impl ToRow for LandArea {
    const TABLE: &'static Table = &LAND_AREAS;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.id.as_str()),
            text(self.class.as_str()),
            opt_text(self.name.as_deref()),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        Some(self.boundary.clone().into())
    }
}

impl ToRow for Station {
    const TABLE: &'static Table = &STATIONS;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.id.as_str()),
            text(&self.name),
            text(self.kind.as_str()),
            json_list(&self.services),
            opt_text(self.opening_hours.as_deref()),
            opt_text(self.address.as_deref()),
            opt_text(self.community.as_ref().map(CommunityCode::as_str)),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        Some(self.location.into())
    }
}

impl ToRow for Worker {
    const TABLE: &'static Table = &WORKERS;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.id.as_str()),
            text(&self.name),
            opt_text(self.phone.as_deref()),
            text(self.role.as_str()),
            json_list(&self.grids),
            text(self.duty.as_str()),
            timestamp(self.position_at.as_ref()),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        self.position.map(Into::into)
    }
}

impl ToRow for Incident {
    const TABLE: &'static Table = &INCIDENTS;
    fn values(&self) -> Vec<SqlValue> {
        vec![
            text(self.id.as_str()),
            text(&self.category),
            text(&self.description),
            text(self.source.as_str()),
            text(self.status.as_str()),
            timestamp(Some(&self.reported_at)),
            opt_text(self.grid.as_ref().map(GridCode::as_str)),
            opt_text(self.assignee.as_ref().map(WorkerId::as_str)),
            timestamp(self.deadline_at.as_ref()),
            timestamp(self.closed_at.as_ref()),
        ]
    }
    fn geometry(&self) -> Option<Geometry<f64>> {
        Some(self.location.into())
    }
}

/// Reads the columns of one fetched row in order, naming the row in errors.
pub struct RowReader {
    table: &'static str,
    values: std::vec::IntoIter<SqlValue>,
    key: String,
    dialect: Dialect,
}

impl RowReader {
    pub fn new(table: &'static Table, values: Vec<SqlValue>, dialect: Dialect) -> Self {
        let key = match values.first() {
            Some(SqlValue::Text(Some(k))) => k.clone(),
            _ => "?".into(),
        };
        Self {
            table: table.name,
            values: values.into_iter(),
            key,
            dialect,
        }
    }

    fn corrupt(&self, reason: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            table: self.table,
            key: self.key.clone(),
            reason: reason.into(),
        }
    }

    pub fn opt_text(&mut self) -> Result<Option<String>, StoreError> {
        match self.values.next() {
            Some(SqlValue::Text(v)) => Ok(v),
            other => Err(self.corrupt(format!("expected text, found {other:?}"))),
        }
    }

    pub fn text(&mut self) -> Result<String, StoreError> {
        self.opt_text()?
            .ok_or_else(|| self.corrupt("unexpected NULL"))
    }

    pub fn opt_int(&mut self) -> Result<Option<i64>, StoreError> {
        match self.values.next() {
            Some(SqlValue::Int(v)) => Ok(v),
            other => Err(self.corrupt(format!("expected integer, found {other:?}"))),
        }
    }

    pub fn count(&mut self) -> Result<u32, StoreError> {
        let v = self.opt_int()?.unwrap_or(0);
        u32::try_from(v).map_err(|_| self.corrupt(format!("count {v} out of range")))
    }

    pub fn parsed<T>(
        &mut self,
        parse: impl FnOnce(&str) -> Option<T>,
        what: &str,
    ) -> Result<T, StoreError> {
        let s = self.text()?;
        parse(&s).ok_or_else(|| self.corrupt(format!("invalid {what} {s:?}")))
    }

    pub fn code<T: std::str::FromStr<Err = CodeError>>(&mut self) -> Result<T, StoreError> {
        let s = self.text()?;
        s.parse()
            .map_err(|e: CodeError| self.corrupt(e.to_string()))
    }

    pub fn opt_code<T: std::str::FromStr<Err = CodeError>>(
        &mut self,
    ) -> Result<Option<T>, StoreError> {
        match self.opt_text()? {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|e: CodeError| self.corrupt(e.to_string())),
        }
    }

    pub fn opt_timestamp(&mut self) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self.opt_text()? {
            None => Ok(None),
            Some(s) => DateTime::parse_from_rfc3339(&s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|e| self.corrupt(format!("timestamp {s:?}: {e}"))),
        }
    }

    pub fn json_list<T: serde::de::DeserializeOwned>(&mut self) -> Result<Vec<T>, StoreError> {
        let s = self.opt_text()?.unwrap_or_else(|| "[]".into());
        serde_json::from_str(&s).map_err(|e| self.corrupt(format!("list {s:?}: {e}")))
    }

    pub fn opt_geometry(&mut self) -> Result<Option<Geometry<f64>>, StoreError> {
        match self.values.next() {
            Some(SqlValue::Blob(None)) => Ok(None),
            Some(SqlValue::Blob(Some(bytes))) => self
                .dialect
                .decode_geometry(&bytes)
                .map(Some)
                .map_err(|e| self.corrupt(e)),
            other => Err(self.corrupt(format!("expected geometry, found {other:?}"))),
        }
    }

    pub fn multipolygon(&mut self) -> Result<MultiPolygon<f64>, StoreError> {
        match self.opt_geometry()? {
            Some(Geometry::MultiPolygon(mp)) => Ok(mp),
            Some(Geometry::Polygon(p)) => Ok(MultiPolygon::new(vec![p])),
            other => Err(self.corrupt(format!("expected a multipolygon, found {other:?}"))),
        }
    }

    pub fn opt_multipolygon(&mut self) -> Result<Option<MultiPolygon<f64>>, StoreError> {
        match self.opt_geometry()? {
            None => Ok(None),
            Some(Geometry::MultiPolygon(mp)) => Ok(Some(mp)),
            Some(Geometry::Polygon(p)) => Ok(Some(MultiPolygon::new(vec![p]))),
            Some(other) => Err(self.corrupt(format!("expected a multipolygon, found {other:?}"))),
        }
    }

    pub fn point(&mut self) -> Result<Point<f64>, StoreError> {
        self.opt_point()?
            .ok_or_else(|| self.corrupt("missing point"))
    }

    pub fn opt_point(&mut self) -> Result<Option<Point<f64>>, StoreError> {
        match self.opt_geometry()? {
            None => Ok(None),
            Some(Geometry::Point(p)) => Ok(Some(p)),
            Some(other) => Err(self.corrupt(format!("expected a point, found {other:?}"))),
        }
    }

    pub fn line(&mut self) -> Result<LineString<f64>, StoreError> {
        match self.opt_geometry()? {
            Some(Geometry::LineString(l)) => Ok(l),
            other => Err(self.corrupt(format!("expected a linestring, found {other:?}"))),
        }
    }
}

/// Builds an entity from a fetched row (columns in table order, then geometry).
pub trait FromRow: Sized {
    const TABLE: &'static Table;
    fn from_row(row: &mut RowReader) -> Result<Self, StoreError>;
}

impl FromRow for District {
    const TABLE: &'static Table = &DISTRICTS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        Ok(Self {
            code: r.code()?,
            name: r.text()?,
            boundary: r.multipolygon()?,
        })
    }
}

impl FromRow for Street {
    const TABLE: &'static Table = &STREETS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        let code = r.code()?;
        let name = r.text()?;
        let _district = r.text()?;
        Ok(Self {
            code,
            name,
            boundary: r.opt_multipolygon()?,
        })
    }
}

impl FromRow for Community {
    const TABLE: &'static Table = &COMMUNITIES;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        let code = r.code()?;
        let name = r.text()?;
        let _street = r.text()?;
        Ok(Self {
            code,
            name,
            boundary: r.multipolygon()?,
        })
    }
}

impl FromRow for Grid {
    const TABLE: &'static Table = &GRIDS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        Ok(Self {
            code: r.code()?,
            kind: r.parsed(GridKind::parse, "grid kind")?,
            community: r.code()?,
            households: r.count()?,
            residents: r.count()?,
            boundary: r.multipolygon()?,
        })
    }
}

impl FromRow for Building {
    const TABLE: &'static Table = &BUILDINGS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        Ok(Self {
            id: BuildingId(r.text()?),
            kind: r.parsed(|s| s.parse().ok(), "building kind")?,
            households: r.count()?,
            residents: r.count()?,
            floors: r.opt_int()?.and_then(|f| u16::try_from(f).ok()),
            name: r.opt_text()?,
            address: r.opt_text()?,
            building_head: r.opt_text()?,
            community: r.opt_code()?,
            grid: r.opt_code()?,
            footprint: r.multipolygon()?,
        })
    }
}

impl FromRow for Road {
    const TABLE: &'static Table = &ROADS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        Ok(Self {
            id: RoadId(r.text()?),
            class: r.parsed(RoadClass::parse, "road class")?,
            name: r.opt_text()?,
            geometry: r.line()?,
        })
    }
}

impl FromRow for LandArea {
    const TABLE: &'static Table = &LAND_AREAS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        Ok(Self {
            id: LandAreaId(r.text()?),
            class: r.parsed(LandClass::parse, "land class")?,
            name: r.opt_text()?,
            boundary: r.multipolygon()?,
        })
    }
}

impl FromRow for Station {
    const TABLE: &'static Table = &STATIONS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        Ok(Self {
            id: StationId(r.text()?),
            name: r.text()?,
            kind: r.parsed(StationKind::parse, "station kind")?,
            services: r.json_list()?,
            opening_hours: r.opt_text()?,
            address: r.opt_text()?,
            community: r.opt_code()?,
            location: r.point()?,
        })
    }
}

impl FromRow for Worker {
    const TABLE: &'static Table = &WORKERS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        Ok(Self {
            id: WorkerId(r.text()?),
            name: r.text()?,
            phone: r.opt_text()?,
            role: r.parsed(WorkerRole::parse, "worker role")?,
            grids: r.json_list()?,
            duty: r.parsed(DutyStatus::parse, "duty status")?,
            position_at: r.opt_timestamp()?,
            position: r.opt_point()?,
        })
    }
}

impl FromRow for Incident {
    const TABLE: &'static Table = &INCIDENTS;
    fn from_row(r: &mut RowReader) -> Result<Self, StoreError> {
        Ok(Self {
            id: IncidentId(r.text()?),
            category: r.text()?,
            description: r.text()?,
            source: r.parsed(IncidentSource::parse, "incident source")?,
            status: r.parsed(IncidentStatus::parse, "incident status")?,
            reported_at: r
                .opt_timestamp()?
                .ok_or_else(|| r.corrupt("missing reported_at"))?,
            grid: r.opt_code()?,
            assignee: r.opt_text()?.map(WorkerId),
            deadline_at: r.opt_timestamp()?,
            closed_at: r.opt_timestamp()?,
            location: r.point()?,
        })
    }
}
