//! Keeps an engine in step with the store: after this process commits a plan (partition,
//! rebalance, restore), and when other gridmap processes announce changes to the same
//! database. Each change is read back from the store and applied; nothing else writes to
//! the engine's plan.

use crate::domain::{Incident, Worker};
use crate::engine::write;
use crate::engine::{Basemap, Engine};
use crate::store::{Change, ChangedLayer, LayerQuery, Store, StoreError};
use std::sync::{Arc, RwLock};
use tokio::sync::mpsc::Receiver;

/// Applies one change: the rows it names (or the whole layer) are read and put in place.
pub async fn apply(
    store: &dyn Store,
    engine: &RwLock<Engine>,
    change: &Change,
) -> Result<(), StoreError> {
    let query = LayerQuery {
        ids: change.ids.clone(),
        ..LayerQuery::default()
    };
    match change.layer {
        ChangedLayer::Grids => reload_plan(store, engine, &[]).await?,
        ChangedLayer::Workers => {
            let stored = store.workers(&query).await?;
            let mut engine = write(engine);
            let workers: Vec<_> = stored
                .into_iter()
                .map(|w| engine.with_newer_position(w))
                .collect();
            if change.ids.is_none() {
                engine.replace_workers(workers);
            } else {
                for w in workers {
                    engine.upsert_worker(w);
                }
            }
        }
        ChangedLayer::Buildings if change.ids.is_some() => {
            let buildings = store.buildings(&query).await?;
            write(engine).update_buildings(buildings);
        }
        ChangedLayer::Buildings => {
            let buildings = store.buildings(&LayerQuery::default()).await?;
            write(engine).replace_buildings(buildings);
        }
        ChangedLayer::Roads => {
            let all = LayerQuery::default();
            let basemap = Basemap {
                roads: store.roads(&all).await?,
                walls: store.walls(&all).await?,
                gates: store.gates(&all).await?,
                land_areas: store.land_areas(&all).await?,
            };
            write(engine).replace_basemap(basemap);
        }
        ChangedLayer::Communities => {
            let communities = store.communities(&LayerQuery::default()).await?;
            let streets = store.streets(&LayerQuery::default()).await?;
            let mut engine = write(engine);
            engine.replace_communities(communities);
            engine.replace_street_names(streets);
        }
        ChangedLayer::Stations => {
            let stations = store.stations(&LayerQuery::default()).await?;
            write(engine).replace_stations(stations);
        }
        ChangedLayer::Incidents => {
            let incidents = store.incidents(&query).await?;
            let mut engine = write(engine);
            for i in incidents {
                engine.upsert_incident(i);
            }
        }
    }
    Ok(())
}

/// Reloads the grids and communities after a plan was committed (a partition, rebalance or
/// restore may move community boundaries too), and puts in the workers whose grid lists
/// the commit changed.
pub async fn reload_plan(
    store: &dyn Store,
    engine: &RwLock<Engine>,
    workers: &[Worker],
) -> Result<(), StoreError> {
    let grids = store.grids(&LayerQuery::default()).await?;
    let communities = store.communities(&LayerQuery::default()).await?;
    let mut engine = write(engine);
    engine.replace_grids(grids);
    engine.replace_communities(communities);
    for w in workers {
        engine.upsert_worker(w.clone());
    }
    Ok(())
}

/// Puts in an incident this process has just committed (a report or a step).
pub fn incident_committed(engine: &RwLock<Engine>, incident: Incident) {
    write(engine).upsert_incident(incident);
}

/// Follows the changes until the store closes.
pub fn follow(store: Arc<dyn Store>, engine: Arc<RwLock<Engine>>, mut changes: Receiver<Change>) {
    tokio::spawn(async move {
        while let Some(change) = changes.recv().await {
            if let Err(e) = apply(store.as_ref(), &engine, &change).await {
                tracing::error!(error = %e, layer = ?change.layer, "applying a change of another process failed");
            }
        }
    });
}
