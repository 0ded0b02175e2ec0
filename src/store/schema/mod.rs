//! The shared schema of both backends: typed SQL values, the SQL dialects, each feature
//! table declared once, and row reading.

pub mod dialect;
pub mod entity_tables;
pub mod row_reader;
pub mod sql_value;
pub mod table;

pub use dialect::Dialect;
pub use entity_tables::*;
pub use row_reader::RowReader;
pub use sql_value::{ColumnType, RowGuard, SqlValue, Statement, format_timestamp};
pub use table::{FromRow, Table, ToRow};
