//! Bearer tokens: random, shown once, stored as SHA-256 hashes.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token: `gm_` and 64 hex digits (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("gm_{}", hex::encode(bytes))
}

/// The stored form of a token.
///
/// ```
/// let h = gridmap::auth::hash_token("gm_abc");
/// assert_eq!(h.len(), 64);
/// assert_ne!(h, gridmap::auth::hash_token("gm_abd"));
/// ```
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
