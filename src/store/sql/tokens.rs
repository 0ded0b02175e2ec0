//! Tokens on SQL: hashes with role and label.

use super::{SqlBackend, SqlStore};
use crate::domain::Role;
use crate::store::schema::{ColumnType, SqlValue, Statement};
use crate::store::{StoreError, TokenStore};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
impl<B: SqlBackend> TokenStore for SqlStore<B> {
    async fn create_token(
        &self,
        token_hash: &str,
        role: Role,
        label: &str,
    ) -> Result<(), StoreError> {
        let statement = Statement::new(
            Arc::from("INSERT INTO tokens (hash, role, label) VALUES ($1, $2, $3)"),
            vec![
                SqlValue::Text(Some(token_hash.to_string())),
                SqlValue::Text(Some(role.as_str().to_string())),
                SqlValue::Text(Some(label.to_string())),
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

    async fn token(&self, token_hash: &str) -> Result<Option<(Role, String)>, StoreError> {
        let rows = self
            .backend
            .fetch(
                "SELECT role, label FROM tokens WHERE hash = $1",
                &[SqlValue::Text(Some(token_hash.to_string()))],
                &[ColumnType::Text, ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("tokens"))?;
        Ok(rows.first().and_then(|r| match (r.first(), r.get(1)) {
            (Some(SqlValue::Text(Some(role))), Some(SqlValue::Text(label))) => {
                Role::parse(role).map(|role| (role, label.clone().unwrap_or_default()))
            }
            _ => None,
        }))
    }
}
