//! Idempotency keys of reports: scoped to the caller that sent them and bound to what was
//! sent, so a replay returns the first answer only to its own caller and only for the same
//! request.

use sha2::{Digest, Sha256};

/// An `Idempotency-Key` as stored: the caller's scope with the key, and the request's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// `<caller scope>:<key as sent>`: the same key from two callers is two keys.
    pub scoped: String,
    /// SHA-256 (hex) of the request it was sent with.
    pub request_sha256: String,
}

impl IdempotencyKey {
    /// The key `key` sent by the caller `scope` (e.g. its token's hash) with `request`.
    ///
    /// ```
    /// use gridmap::domain::IdempotencyKey;
    /// let a = IdempotencyKey::new("caller-a", "k1", b"{\"x\":1}");
    /// assert_eq!(a, IdempotencyKey::new("caller-a", "k1", b"{\"x\":1}"));
    /// assert_ne!(a.scoped, IdempotencyKey::new("caller-b", "k1", b"{\"x\":1}").scoped);
    /// assert_ne!(a.request_sha256, IdempotencyKey::new("caller-a", "k1", b"{\"x\":2}").request_sha256);
    /// ```
    pub fn new(scope: &str, key: &str, request: &[u8]) -> Self {
        Self {
            scoped: format!("{scope}:{key}"),
            request_sha256: hex::encode(Sha256::digest(request)),
        }
    }
}
