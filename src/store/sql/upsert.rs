//! Upserts: `INSERT … ON CONFLICT DO UPDATE` of many entities a statement, columns as their
//! table declares.

use crate::store::StoreError;
use crate::store::schema::{Dialect, SqlValue, Statement, ToRow};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Parameters a multi-row upsert binds at most: far below SQLite's 32,766 and PostgreSQL's
/// 65,535, and one statement per entity cost a round trip to the database thread each
/// (310,000 buildings spent most of a 24 s import in thread switches).
const PARAMETERS_PER_STATEMENT: usize = 2_000;

/// Appends upserts of `items`, in order, many a statement. A statement never names a key
/// twice (PostgreSQL refuses to change a row twice in one statement): a repeated key starts
/// the next statement, so the last item with a key wins as if written one by one.
pub(super) fn push_rows<T: ToRow>(
    dialect: Dialect,
    items: &[T],
    out: &mut Vec<Statement>,
) -> Result<(), StoreError> {
    let table = T::TABLE;
    let per_statement = (PARAMETERS_PER_STATEMENT / dialect.upsert_width(table)).max(1);
    let mut sql_for: HashMap<usize, Arc<str>> = HashMap::new();
    let mut chunk = Chunk::default();
    for item in items {
        let mut values = item.values();
        let key = values.first().and_then(key_text);
        if chunk.rows == per_statement || key.as_ref().is_some_and(|k| chunk.keys.contains(k)) {
            chunk.flush(dialect, table, &mut sql_for, out);
        }
        values.extend(dialect.geometry_values(table, item.geometry().as_ref())?);
        chunk.params.extend(values);
        chunk.rows += 1;
        chunk.keys.extend(key);
    }
    chunk.flush(dialect, table, &mut sql_for, out);
    Ok(())
}

/// The rows of the statement being built.
#[derive(Default)]
struct Chunk {
    rows: usize,
    params: Vec<SqlValue>,
    keys: HashSet<String>,
}

impl Chunk {
    fn flush(
        &mut self,
        dialect: Dialect,
        table: &crate::store::schema::Table,
        sql_for: &mut HashMap<usize, Arc<str>>,
        out: &mut Vec<Statement>,
    ) {
        if self.rows == 0 {
            return;
        }
        let sql = sql_for
            .entry(self.rows)
            .or_insert_with(|| Arc::from(dialect.upsert_sql(table, self.rows)))
            .clone();
        out.push(Statement::new(sql, std::mem::take(&mut self.params)).writing(self.rows as u64));
        self.rows = 0;
        self.keys.clear();
    }
}

/// A key value as text, to find a key repeated within a statement.
fn key_text(value: &SqlValue) -> Option<String> {
    match value {
        SqlValue::Text(Some(text)) => Some(text.clone()),
        SqlValue::Int(Some(n)) => Some(n.to_string()),
        _ => None,
    }
}
