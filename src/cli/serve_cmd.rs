//! `gridmap serve`: the API and web app; an empty store first gets the demo district.

use super::{CliResult, demo_load};
use crate::api::{AppState, ServerLimits, app, serve};
use crate::domain::{Taxonomy, WorkCalendar};
use crate::store;

/// The incident categories, counted on the work calendar: each the built-in one unless a
/// file is given.
pub fn taxonomy(
    categories: Option<&std::path::Path>,
    work_calendar: Option<&std::path::Path>,
) -> Result<Taxonomy, String> {
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let taxonomy = match categories {
        None => Taxonomy::default(),
        Some(path) => {
            Taxonomy::from_json(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    Ok(match work_calendar {
        None => taxonomy,
        Some(path) => taxonomy.with_calendar(
            WorkCalendar::from_json(&read(path)?)
                .map_err(|e| format!("{}: {e}", path.display()))?,
        ),
    })
}

pub async fn run(
    database: &str,
    addr: &str,
    demo: bool,
    taxonomy: Taxonomy,
    job_time_limit: std::time::Duration,
    limits: ServerLimits,
    client_limit_scale: f64,
) -> CliResult {
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
