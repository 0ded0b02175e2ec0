//! Upserts: one `INSERT … ON CONFLICT DO UPDATE` per entity, columns as its table declares.

use crate::store::StoreError;
use crate::store::schema::{Dialect, Statement, ToRow};
use std::sync::Arc;

/// Appends one upsert statement per item.
pub(super) fn push_rows<T: ToRow>(
    dialect: Dialect,
    items: &[T],
    out: &mut Vec<Statement>,
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let sql: Arc<str> = Arc::from(dialect.upsert_sql(T::TABLE).as_str());
    for item in items {
        out.push(dialect.row_statement(T::TABLE, &sql, item.values(), item.geometry().as_ref())?);
    }
    Ok(())
}
