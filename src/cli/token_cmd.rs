//! `gridmap token create`: a new bearer token, printed once; only its SHA-256 is stored.

use super::CliResult;
use crate::auth::{hash_token, new_token};
use crate::domain::Role;
use crate::store;

pub async fn create(database: &str, role: Role, label: &str) -> CliResult {
    let store = store::open(database).await?;
    let token = new_token();
    store.create_token(&hash_token(&token), role, label).await?;
    store.close().await;
    println!("{token}");
    eprintln!(
        "token for role {} created; it is shown only this once",
        role.as_str()
    );
    Ok(())
}
