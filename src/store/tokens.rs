//! Access tokens: only their SHA-256 is stored, with a role and a label.

use super::StoreError;
use crate::domain::{Role, WorkerId};
use async_trait::async_trait;

/// What a token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub role: Role,
    /// Whose token it is (named in incident histories).
    pub label: String,
    /// The worker a worker token belongs to.
    pub worker: Option<WorkerId>,
}

/// Tokens as stored.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a token's hash with its role, label and (for a worker token) its worker;
    /// the token itself is never stored.
    async fn create_token(
        &self,
        token_hash: &str,
        role: Role,
        label: &str,
        worker: Option<&WorkerId>,
    ) -> Result<(), StoreError>;

    /// What a token hash stands for, if it exists.
    async fn token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// The role of a token hash, if it exists.
    async fn role_for_token(&self, token_hash: &str) -> Result<Option<Role>, StoreError> {
        Ok(self.token(token_hash).await?.map(|t| t.role))
    }
}
