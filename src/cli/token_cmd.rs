//! `gridmap token create`: a new bearer token, printed once; only its SHA-256 is stored. A
//! worker token belongs to one worker (`--worker`), who must exist. `token list` shows
//! them (never the token), `token revoke` refuses one from then on.

use super::CliResult;
use crate::auth::{hash_token, new_token};
use crate::domain::{Role, WorkerId};
use crate::store::{self, LayerQuery};

pub async fn create(database: &str, role: Role, label: &str, worker: Option<&str>) -> CliResult {
    let worker = match (role, worker) {
        (Role::Worker, None) => {
            return Err("a worker token belongs to one worker: give --worker ID".into());
        }
        (Role::Worker, Some(id)) => Some(WorkerId(id.to_string())),
        (_, Some(_)) => {
            return Err("--worker goes with --role worker only".into());
        }
        (_, None) => None,
    };
    let store = store::open(database).await?;
    if let Some(w) = &worker {
        let found = store
            .workers(&LayerQuery {
                ids: Some(vec![w.to_string()]),
                ..LayerQuery::default()
            })
            .await?;
        if found.is_empty() {
            store.close().await;
            return Err(format!("no worker {w} in {database}").into());
        }
    }
    let token = new_token();
    store
        .create_token(&hash_token(&token), role, label, worker.as_ref())
        .await?;
    store.close().await;
    println!("{token}");
    eprintln!(
        "token for role {}{} created; it is shown only this once",
        role.as_str(),
        worker.map(|w| format!(" (worker {w})")).unwrap_or_default()
    );
    Ok(())
}

pub async fn list(database: &str, json: bool) -> CliResult {
    let store = store::open(database).await?;
    let tokens = store.tokens().await;
    store.close().await;
    let tokens = tokens?;
    if json {
        println!("{}", serde_json::to_string_pretty(&tokens)?);
        return Ok(());
    }
    println!(
        "id            role        label         worker    created               last used             revoked"
    );
    for t in &tokens {
        println!(
            "{:<13} {:<11} {:<13} {:<9} {:<21} {:<21} {}",
            t.id,
            t.role.as_str(),
            t.label,
            t.worker.as_ref().map_or("-", |w| w.as_str()),
            t.created_at,
            t.last_used_at.as_deref().unwrap_or("never"),
            t.revoked_at.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

pub async fn revoke(database: &str, id: &str) -> CliResult {
    let store = store::open(database).await?;
    let revoked = store.revoke_token(id).await;
    store.close().await;
    if revoked? {
        println!("token {id} revoked");
        Ok(())
    } else {
        Err(format!(
            "no live token {id} in {database} (ids are the 12 hex digits `token list` shows)"
        )
        .into())
    }
}
