//! Access tokens: only their SHA-256 is stored, with a role and a label.

use super::StoreError;
use crate::domain::Role;
use async_trait::async_trait;

/// Tokens as stored.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a token's hash with its role (the token itself is never stored).
    async fn create_token(
        &self,
        token_hash: &str,
        role: Role,
        label: &str,
    ) -> Result<(), StoreError>;

    /// The role and label of a token hash, if it exists.
    async fn token(&self, token_hash: &str) -> Result<Option<(Role, String)>, StoreError>;

    /// The role of a token hash, if it exists.
    async fn role_for_token(&self, token_hash: &str) -> Result<Option<Role>, StoreError> {
        Ok(self.token(token_hash).await?.map(|(role, _)| role))
    }
}
