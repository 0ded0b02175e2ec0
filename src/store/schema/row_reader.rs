//! Reading one fetched row column by column, naming the table and key in errors.

use super::dialect::Dialect;
use super::sql_value::SqlValue;
use super::table::Table;
use crate::domain::CodeError;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use geo_types::{Geometry, LineString, MultiPolygon, Point};

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

    pub fn corrupt(&self, reason: impl Into<String>) -> StoreError {
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

    pub fn opt_parsed<T>(
        &mut self,
        parse: impl FnOnce(&str) -> Option<T>,
        what: &str,
    ) -> Result<Option<T>, StoreError> {
        match self.opt_text()? {
            None => Ok(None),
            Some(s) => parse(&s)
                .map(Some)
                .ok_or_else(|| self.corrupt(format!("invalid {what} {s:?}"))),
        }
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

    pub fn timestamp(&mut self) -> Result<DateTime<Utc>, StoreError> {
        self.opt_timestamp()?
            .ok_or_else(|| self.corrupt("missing timestamp"))
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
