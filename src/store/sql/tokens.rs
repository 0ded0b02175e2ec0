//! Tokens on SQL: hashes with role and label.

use super::{SqlBackend, SqlStore};
use crate::domain::{Role, WorkerId};
use crate::store::schema::{ColumnType, Dialect, SqlValue, Statement};
use crate::store::{StoreError, TOKEN_ID_DIGITS, TokenListing, TokenRecord, TokenStore};
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
                "SELECT role, label, worker_id FROM tokens WHERE hash = $1 AND revoked_at IS NULL",
                &[SqlValue::Text(Some(token_hash.to_string()))],
                &[ColumnType::Text; 3],
            )
            .await
            .map_err(StoreError::query("tokens"))?;
        let record = rows.first().and_then(|r| match r.as_slice() {
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
        });
        if record.is_some() {
            let touch = Statement::new(
                Arc::from(format!(
                    "UPDATE tokens SET last_used_at = {} WHERE hash = $1 AND revoked_at IS NULL",
                    now_sql(B::DIALECT)
                )),
                vec![SqlValue::Text(Some(token_hash.to_string()))],
            )
            .uncounted();
            // A failed note of use must not refuse the caller.
            if let Err(e) = self.backend.execute_in_transaction(&[touch], None).await {
                tracing::warn!(error = %e, "noting a token's use failed");
            }
        }
        Ok(record)
    }

    async fn tokens(&self) -> Result<Vec<TokenListing>, StoreError> {
        let time = |name: &str| B::DIALECT.select_column(name, ColumnType::Timestamp);
        let sql = format!(
            "SELECT hash, role, label, worker_id, {}, {}, {} FROM tokens ORDER BY created_at DESC, hash",
            time("created_at"),
            time("last_used_at"),
            time("revoked_at")
        );
        let rows = self
            .backend
            .fetch(
                &sql,
                &[],
                &[
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Timestamp,
                    ColumnType::Timestamp,
                    ColumnType::Timestamp,
                ],
            )
            .await
            .map_err(StoreError::query("tokens"))?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match row.as_slice() {
                [
                    SqlValue::Text(Some(hash)),
                    SqlValue::Text(Some(role)),
                    SqlValue::Text(label),
                    SqlValue::Text(worker),
                    SqlValue::Text(created),
                    SqlValue::Text(used),
                    SqlValue::Text(revoked),
                ] => Role::parse(role).map(|role| TokenListing {
                    id: hash.chars().take(TOKEN_ID_DIGITS).collect(),
                    role,
                    label: label.clone().unwrap_or_default(),
                    worker: worker.clone().map(WorkerId),
                    created_at: created.clone().unwrap_or_default(),
                    last_used_at: used.clone(),
                    revoked_at: revoked.clone(),
                }),
                _ => None,
            })
            .collect())
    }

    async fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        if id.len() != TOKEN_ID_DIGITS || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let statement = Statement::new(
            Arc::from(format!(
                "UPDATE tokens SET revoked_at = {} WHERE substr(hash, 1, {TOKEN_ID_DIGITS}) = $1 AND revoked_at IS NULL",
                now_sql(B::DIALECT)
            )),
            vec![SqlValue::Text(Some(id.to_ascii_lowercase()))],
        );
        self.backend
            .execute_in_transaction(&[statement], None)
            .await
            .map(|revoked| revoked > 0)
            .map_err(|source| StoreError::Write {
                what: "token".into(),
                source,
            })
    }
}

/// The current time as each dialect writes it into a timestamp column.
fn now_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::GeoPackage => "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        Dialect::Postgis => "now()",
    }
}
