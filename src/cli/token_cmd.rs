//! `gridmap token create`: a new bearer token, printed once; only its SHA-256 is stored. A
//! worker token belongs to one worker (`--worker`), who must exist.

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
