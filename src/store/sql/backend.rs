//! What a SQL backend (GeoPackage, PostGIS) must provide: typed row fetches and
//! transactional batches; everything else is [`SqlStore`](super::SqlStore)'s.

use crate::store::schema::{self, ColumnType, SqlValue, Statement};
use crate::store::{Change, Progress, StoreError, StoreKind};
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

    /// Claims the database for this process's server (see [`Store::claim_serving`]).
    ///
    /// [`Store::claim_serving`]: crate::store::Store::claim_serving
    fn claim_serving(&self) -> Result<(), StoreError> {
        Ok(())
    }

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
