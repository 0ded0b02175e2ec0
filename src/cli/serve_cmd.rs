//! `gridmap serve`: the API and web app; an empty store first gets the demo district.

use super::{CliResult, demo_load};
use crate::api::{AppState, ServerLimits, app, serve};
use crate::domain::Taxonomy;
use crate::store;

pub async fn run(
    database: &str,
    addr: &str,
    demo: bool,
    categories: Option<&std::path::Path>,
    job_time_limit: std::time::Duration,
    limits: ServerLimits,
    client_limit_scale: f64,
) -> CliResult {
    let taxonomy = match categories {
        None => Taxonomy::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Taxonomy::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    let store = store::open(database).await?;
    store.claim_serving()?;
    if demo {
        demo_load::load_demo_if_empty(store.as_ref()).await?;
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let state = AppState::with_taxonomy(store.clone(), taxonomy).await?;
    state.set_job_time_limit(job_time_limit);
    state.set_client_limit_scale(client_limit_scale);
    tracing::info!(store = ?store.kind(), %database, "serving on http://{local}/");
    println!("gridmap serving on http://{local}/ (store: {database})");
    serve(listener, app(state.clone()), limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    state.flush_positions().await?;
    store.close().await;
    Ok(())
}
