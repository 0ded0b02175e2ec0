//! A feature table's layout, and the mapping of an entity to and from its rows — both
//! declared once per table by [`entity_table!`](crate::store::schema::entity_table).

use super::row_reader::RowReader;
use super::sql_value::{ColumnType, SqlValue};
use crate::store::StoreError;
use geo_types::Geometry;

/// One feature table: key column first, then attributes; geometry in column `geom`.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
    /// The column `LayerQuery::code_prefix` filters on.
    pub prefix_column: Option<&'static str>,
    /// The columns `LayerQuery::text` is looked for in (none: the table is not searched).
    pub search_columns: &'static [&'static str],
}

impl Table {
    pub fn key(&self) -> &'static str {
        self.columns[0].0
    }
}

/// Attribute values (without geometry) and the geometry of one entity.
pub trait ToRow {
    const TABLE: &'static Table;
    fn values(&self) -> Vec<SqlValue>;
    fn geometry(&self) -> Option<Geometry<f64>>;
}

/// Builds an entity from a fetched row (columns in table order, then geometry).
pub trait FromRow: Sized {
    const TABLE: &'static Table;
    fn from_row(row: &mut RowReader) -> Result<Self, StoreError>;
}

/// Declares a feature table once: each column's name, type, how it is written from the
/// entity and how it is read back (in one line), the geometry both ways, and how the read
/// columns build the entity. Generates the [`Table`] constant and the [`ToRow`] and
/// [`FromRow`] implementations, so the column order cannot differ between insert, select
/// and row reading.
macro_rules! entity_table {
    (
        $(#[$doc:meta])*
        $table:ident: $entity:ty = $name:literal, prefix $prefix:expr
            $(, search [$($search:literal),+])?;
        |$e:ident, $r:ident| {
            $($col:ident: $ty:ident = $write:expr => $read:expr;)+
        }
        geometry $geom:ident = $gwrite:expr => $gread:expr;
        build $build:expr
    ) => {
        $(#[$doc])*
        pub const $table: Table = Table {
            name: $name,
            columns: &[$((stringify!($col), ColumnType::$ty)),+],
            prefix_column: $prefix,
            search_columns: &[$($($search),+)?],
        };

        impl ToRow for $entity {
            const TABLE: &'static Table = &$table;
            fn values(&self) -> Vec<SqlValue> {
                let $e = self;
                vec![$($write),+]
            }
            fn geometry(&self) -> Option<Geometry<f64>> {
                let $e = self;
                $gwrite
            }
        }

        impl FromRow for $entity {
            const TABLE: &'static Table = &$table;
            fn from_row($r: &mut RowReader) -> Result<Self, StoreError> {
                // A column may be read only to check it (a street's district code).
                $(let $col = $read; let _ = &$col;)+
                let $geom = $gread;
                Ok($build)
            }
        }
    };
}

pub(crate) use entity_table;
