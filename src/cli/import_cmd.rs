//! `gridmap import`: read a file, check all of it, then write it in one transaction.

use super::{CliResult, progress};
use crate::domain::Dataset;
use crate::import::{ImportOptions, Imported, read_file};
use crate::spatial;
use crate::store::{self, LayerQuery, Store};
use std::path::Path;

pub async fn run(database: &str, file: &Path, options: &ImportOptions) -> CliResult {
    let store = store::open(database).await?;
    let spinner = progress::spinner(&format!("reading {}", file.display()));
    let imported = read_file(file, options);
    spinner.finish_and_clear();
    match imported? {
        Imported::Roster(entries) => {
            let updated = store.apply_roster(&entries).await?;
            println!(
                "updated households of {updated} buildings from {} roster lines",
                entries.len()
            );
        }
        Imported::Workers(table, rows) => {
            let known: std::collections::HashSet<_> = store
                .grids(&LayerQuery::default())
                .await?
                .into_iter()
                .map(|g| g.code)
                .collect();
            crate::import::workers::check_grids_exist(&table, &rows, &known)?;
            let data = Dataset {
                workers: rows.into_iter().map(|r| r.worker).collect(),
                ..Dataset::default()
            };
            store.write(&data, None).await?;
            let serving = data.workers.iter().filter(|w| !w.grids.is_empty()).count();
            println!(
                "imported {} workers into {database} ({serving} serving grids)",
                data.workers.len()
            );
        }
        Imported::Features(mut data) => {
            let outside = assign_communities(store.as_ref(), &mut data).await?;
            let written = write_with_progress(store.as_ref(), &data).await?;
            let households: u64 = data.buildings.iter().map(|b| u64::from(b.households)).sum();
            println!(
                "imported {} features into {database}: {} buildings ({households} households), {} communities, {} districts, {} roads, {} land areas, {} stations ({written} rows)",
                data.len(),
                data.buildings.len(),
                data.communities.len(),
                data.districts.len(),
                data.roads.len(),
                data.land_areas.len(),
                data.stations.len(),
            );
            if outside > 0 {
                println!("note: {outside} buildings lie outside every stored community");
            }
        }
    }
    store.close().await;
    Ok(())
}

/// Places buildings in the stored communities (by an interior point of each footprint).
pub async fn assign_communities(
    store: &dyn Store,
    data: &mut Dataset,
) -> Result<usize, store::StoreError> {
    if data.buildings.is_empty() {
        return Ok(0);
    }
    let communities = store.communities(&LayerQuery::default()).await?;
    Ok(spatial::assign_communities(
        &spatial::community_index(&communities),
        &mut data.buildings,
    ))
}

/// Writes a dataset in one transaction with a progress bar.
pub async fn write_with_progress(
    store: &dyn Store,
    data: &Dataset,
) -> Result<u64, store::StoreError> {
    let bar = progress::bar(data.len() as u64, "writing");
    let report = |n: u64| bar.set_position(n);
    let written = store.write(data, Some(&report)).await;
    bar.finish_and_clear();
    written
}
