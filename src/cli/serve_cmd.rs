//! `gridmap serve`: the API and web app; an empty store first gets the demo district.

use super::{CliResult, generate_cmd, import_cmd, progress};
use crate::api::{AppState, app};
use crate::domain::Taxonomy;
use crate::generate::{DistrictProfile, GenerateOptions, generate};
use crate::service::partition_job::{self, Commit, Scope};
use crate::service::staffing;
use crate::store::{self, Store};

pub async fn run(
    database: &str,
    addr: &str,
    demo: bool,
    categories: Option<&std::path::Path>,
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
    if demo {
        load_demo_if_empty(store.as_ref()).await?;
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let state = AppState::with_taxonomy(store.clone(), taxonomy).await?;
    tracing::info!(store = ?store.kind(), %database, "serving on http://{local}/");
    println!("gridmap serving on http://{local}/ (store: {database})");
    axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    state.flush_positions().await?;
    store.close().await;
    Ok(())
}

/// Generates and writes the default Dongsheng district when the store has no communities.
pub async fn load_demo_if_empty(store: &dyn Store) -> CliResult {
    if store.counts().await?.communities > 0 {
        return Ok(());
    }
    println!("empty store: loading the demo district 东胜区 (generated, seed 1)…");
    let spinner = progress::spinner("generating");
    let options = GenerateOptions {
        households: generate_cmd::DONGSHENG_HOUSEHOLDS,
        seed: 1,
    };
    let data = DistrictProfile::dongsheng().and_then(|p| generate(&p, &options));
    spinner.finish_and_clear();
    import_cmd::write_with_progress(store, &data?).await?;
    let options = crate::partition::PartitionOptions::default();
    let report =
        partition_job::run(store, &Scope::All, &options, Commit::Write, &|_, _| {}).await?;
    println!(
        "demo district partitioned: {} grids, {:.1}% within ±10% of {} households",
        report.metrics.grids,
        report.metrics.within_10_percent * 100.0,
        options.target
    );
    staffing::settle(store).await?;
    Ok(())
}
