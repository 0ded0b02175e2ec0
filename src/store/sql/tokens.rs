//! Tokens on SQL: hashes with role and label.

use super::{SqlBackend, SqlStore};
use crate::domain::{Role, WorkerId};
use crate::store::schema::{ColumnType, SqlValue, Statement};
use crate::store::{StoreError, TokenRecord, TokenStore};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
impl<B: SqlBackend> TokenStore for SqlStore<B> {
    async fn create_token(
        &self,
        token_hash: &str,
        role: Role,
        label: &str,
        worker: Option<&WorkerId>,
    ) -> Result<(), StoreError> {
        let statement = Statement::new(
            Arc::from("INSERT INTO tokens (hash, role, label, worker_id) VALUES ($1, $2, $3, $4)"),
            vec![
                SqlValue::Text(Some(token_hash.to_string())),
                SqlValue::Text(Some(role.as_str().to_string())),
                SqlValue::Text(Some(label.to_string())),
                SqlValue::Text(worker.map(|w| w.as_str().to_string())),
            ],
        );
        self.backend
            .execute_in_transaction(&[statement], None)
            .await
            .map(|_| ())
            .map_err(|source| StoreError::Write {
                what: "token".into(),
                source,
            })
    }

    async fn token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let rows = self
            .backend
            .fetch(
                "SELECT role, label, worker_id FROM tokens WHERE hash = $1",
                &[SqlValue::Text(Some(token_hash.to_string()))],
                &[ColumnType::Text; 3],
            )
            .await
            .map_err(StoreError::query("tokens"))?;
        Ok(rows.first().and_then(|r| match r.as_slice() {
            [
                SqlValue::Text(Some(role)),
                SqlValue::Text(label),
                SqlValue::Text(worker),
            ] => Role::parse(role).map(|role| TokenRecord {
                role,
                label: label.clone().unwrap_or_default(),
                worker: worker.clone().map(WorkerId),
            }),
            _ => None,
        }))
    }
}
