//! Values bound to and read from SQL statements, typed so that both backends bind and
//! read them alike, and the statements a transaction runs.

use chrono::{DateTime, Utc};

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
    /// The entities it writes, for progress (a multi-row upsert writes many).
    pub entities: u64,
}

impl Statement {
    pub fn new(sql: std::sync::Arc<str>, params: Vec<SqlValue>) -> Self {
        Self {
            sql,
            params,
            guard: RowGuard::Any,
            entities: 1,
        }
    }

    /// It writes `entities` entities (progress counts them, not statements).
    pub fn writing(mut self, entities: u64) -> Self {
        self.entities = entities;
        self
    }

    /// Rows this statement touches are not counted as written (notifications).
    pub fn uncounted(mut self) -> Self {
        self.guard = RowGuard::Uncounted;
        self
    }

    /// The transaction fails (and rolls back) unless this statement changes exactly one
    /// row: optimistic concurrency for state transitions.
    pub fn exactly_one_row(self) -> Self {
        self.exactly_rows(1)
    }

    /// The transaction fails (and rolls back) unless this statement changes exactly
    /// `rows` rows: a bulk update naming rows that must all exist.
    pub fn exactly_rows(mut self, rows: u64) -> Self {
        self.guard = RowGuard::Exactly(rows);
        self
    }
}

/// What a statement must affect for its transaction to commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowGuard {
    Any,
    /// This many rows, or the transaction rolls back with `RowNotFound`.
    Exactly(u64),
    /// Any count, left out of the rows written.
    Uncounted,
}

pub(crate) fn text(v: impl Into<String>) -> SqlValue {
    SqlValue::Text(Some(v.into()))
}

pub(crate) fn opt_text(v: Option<&str>) -> SqlValue {
    SqlValue::Text(v.map(str::to_string))
}

pub(crate) fn int(v: impl Into<i64>) -> SqlValue {
    SqlValue::Int(Some(v.into()))
}

/// How timestamps are written: RFC 3339, UTC, microseconds.
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(crate) fn timestamp(v: Option<&DateTime<Utc>>) -> SqlValue {
    SqlValue::Text(v.map(format_timestamp))
}

pub(crate) fn json_list<T: serde::Serialize>(items: &[T]) -> SqlValue {
    text(serde_json::to_string(items).unwrap_or_else(|_| "[]".into()))
}
