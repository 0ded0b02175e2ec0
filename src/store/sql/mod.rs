//! The store logic shared by both backends: a [`SqlStore`] over any [`SqlBackend`], which
//! only has to fetch rows and run statements in one transaction. Each concern's
//! implementation lives in the file named for it.

mod changes;
mod datasets;
mod incidents;
mod layers;
mod macros;
mod plan_snapshots;
mod plans;
mod tokens;
mod upsert;
mod workers;

pub(crate) use changes::CHANGES_CHANNEL;
pub(crate) use macros::{bind_values, execute_all, fetch_values, read_values};

use super::schema::{self, ColumnType, FromRow, RowReader, SqlValue, Statement, Table};
use super::{Change, LayerQuery, Progress, Store, StoreError, StoreKind};
use async_trait::async_trait;

/// What a backend must provide: typed row fetches and transactional batches.
#[async_trait]
pub trait SqlBackend: Send + Sync + 'static {
    const KIND: StoreKind;
    const DIALECT: schema::Dialect;

    /// Runs a query and reads each row's columns with the given types.
    async fn fetch(
        &self,
        sql: &str,
        params: &[SqlValue],
        columns: &[ColumnType],
    ) -> Result<Vec<Vec<SqlValue>>, sqlx::Error>;

    /// Flushes and closes the connections.
    async fn close(&self);

    /// Changes other store instances announce on this database (see [`Store::subscribe`]);
    /// those from `origin` (this instance) are left out.
    async fn subscribe(&self, _origin: String) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        None
    }

    /// Runs all statements in one transaction: all land or none. Returns rows affected.
    async fn execute_in_transaction(
        &self,
        statements: &[Statement],
        progress: Option<Progress<'_>>,
    ) -> Result<u64, sqlx::Error>;
}

/// A [`Store`] over a SQL backend.
pub struct SqlStore<B> {
    pub(crate) backend: B,
    /// This store instance, named in the changes it announces.
    pub(crate) origin: String,
}

impl<B> SqlStore<B> {
    pub(crate) fn new(backend: B) -> Self {
        Self {
            backend,
            origin: format!("{:016x}", rand::random::<u64>()),
        }
    }
}

impl<B: SqlBackend> SqlStore<B> {
    async fn list<T: FromRow>(&self, query: &LayerQuery) -> Result<Vec<T>, StoreError> {
        let (sql, params, types) = B::DIALECT.select_sql(T::TABLE, query);
        let rows = self
            .backend
            .fetch(&sql, &params, &types)
            .await
            .map_err(StoreError::query(T::TABLE.name))?;
        rows.into_iter()
            .map(|row| T::from_row(&mut RowReader::new(T::TABLE, row, B::DIALECT)))
            .collect()
    }

    async fn count(&self, table: &'static Table) -> Result<u64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name);
        let rows = self
            .backend
            .fetch(&sql, &[], &[ColumnType::Int])
            .await
            .map_err(StoreError::query(table.name))?;
        match rows.first().and_then(|r| r.first()) {
            Some(SqlValue::Int(Some(n))) => Ok(u64::try_from(*n).unwrap_or(0)),
            _ => Ok(0),
        }
    }
}

#[async_trait]
impl<B: SqlBackend> Store for SqlStore<B> {
    fn kind(&self) -> StoreKind {
        B::KIND
    }

    async fn close(&self) {
        self.backend.close().await;
    }

    async fn subscribe(&self) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        self.backend.subscribe(self.origin.clone()).await
    }
}
