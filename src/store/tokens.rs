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

/// A token as listed: never the token itself, nor its whole hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenListing {
    /// The first 12 hex digits of the token's SHA-256: names it for `token revoke`.
    pub id: String,
    pub role: Role,
    pub label: String,
    pub worker: Option<WorkerId>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; `None` when never used (updated at most every half minute).
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// How many hex digits of a token's hash name it in listings.
pub const TOKEN_ID_DIGITS: usize = 12;

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

    /// What a token hash stands for, if it exists and is not revoked; notes that it was used.
    async fn token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// Every token, newest first.
    async fn tokens(&self) -> Result<Vec<TokenListing>, StoreError>;

    /// Revokes the token whose listing id is `id`: `Ok(false)` when none is (or it already
    /// was revoked).
    async fn revoke_token(&self, id: &str) -> Result<bool, StoreError>;

    /// The role of a token hash, if it exists.
    async fn role_for_token(&self, token_hash: &str) -> Result<Option<Role>, StoreError> {
        Ok(self.token(token_hash).await?.map(|t| t.role))
    }
}
