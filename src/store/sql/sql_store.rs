//! [`SqlStore`]: the store over any [`SqlBackend`]; list and count helpers shared by the
//! concerns, and what makes it a [`Store`].

use super::SqlBackend;
use crate::store::schema::{ColumnType, FromRow, RowReader, SqlValue, Table};
use crate::store::{Change, LayerQuery, Store, StoreError, StoreKind};
use async_trait::async_trait;

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
    pub(super) async fn list<T: FromRow>(&self, query: &LayerQuery) -> Result<Vec<T>, StoreError> {
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

    pub(super) async fn count(&self, table: &'static Table) -> Result<u64, StoreError> {
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

    fn claim_serving(&self) -> Result<(), StoreError> {
        self.backend.claim_serving()
    }

    async fn close(&self) {
        self.backend.close().await;
    }

    async fn subscribe(&self) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        self.backend.subscribe(self.origin.clone()).await
    }
}
