//! Workers on SQL: one upsert each (their table's declared columns), announced by id, in
//! one transaction.

use super::upsert::push_rows;
use super::{SqlBackend, SqlStore};
use crate::domain::Worker;
use crate::store::{ChangedLayer, StoreError, WorkerStore};
use async_trait::async_trait;

#[async_trait]
impl<B: SqlBackend> WorkerStore for SqlStore<B> {
    async fn save_workers(&self, workers: &[Worker]) -> Result<u64, StoreError> {
        let mut statements = Vec::with_capacity(workers.len() + 1);
        push_rows(B::DIALECT, workers, &mut statements)?;
        if !workers.is_empty() {
            let ids = workers.iter().map(|w| w.id.to_string()).collect();
            statements.extend(self.announce(ChangedLayer::Workers, Some(ids)));
        }
        self.backend
            .execute_in_transaction(&statements, None)
            .await
            .map_err(|source| StoreError::Write {
                what: format!("{} features", workers.len()),
                source,
            })
    }
}
