//! `gridmap import`: read a file, check all of it, then write it in one transaction.

use super::{CliResult, progress};
use crate::domain::Dataset;
use crate::import::{ImportOptions, Imported, read_any};
use crate::service::worker_roster::{self, GridDirectory, RosterError, check_worker};
use crate::store::{self, LayerQuery, Store};
use crate::{routing, spatial};
use std::path::Path;

pub async fn run(database: &str, file: &Path, options: &ImportOptions) -> CliResult {
    let store = store::open(database).await?;
    let spinner = progress::spinner(&format!("reading {}", file.display()));
    let imported = read_any(file, options).await;
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
            let directory = GridDirectory::load(store.as_ref()).await?;
            for row in &rows {
                check_worker(&row.worker, &directory).map_err(|e| match e {
                    RosterError::Invalid { field, reason }
                    | RosterError::Unfit { field, reason } => {
                        let column = match field {
                            "grids" => row.grids_column,
                            "community" => row.community_column,
                            _ => None,
                        };
                        match column {
                            Some(c) => table.cell_error(row.row, c, reason),
                            None => table.row_error(row.row, format!("{field}: {reason}")),
                        }
                    }
                    other => table.row_error(row.row, other.to_string()),
                })?;
            }
            let actor = super::cli_actor(&format!("import {}", file.display()));
            let workers: Vec<_> = rows.into_iter().map(|r| r.worker).collect();
            let total = workers.len();
            let report = worker_roster::import(store.as_ref(), &directory, &actor, workers).await?;
            println!(
                "imported {total} workers into {database}: {} added, {} updated",
                report.added, report.updated
            );
            if !report.without_grids.is_empty() {
                println!(
                    "{} workers serve no grid yet: their community is not partitioned ({}{})",
                    report.without_grids.len(),
                    report
                        .without_grids
                        .iter()
                        .take(5)
                        .map(|w| w.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if report.without_grids.len() > 5 {
                        ", …"
                    } else {
                        ""
                    }
                );
            }
        }
        Imported::Features(mut data) => {
            let outside = assign_communities(store.as_ref(), &mut data).await?;
            let written = write_with_progress(store.as_ref(), &data).await?;
            let households: u64 = data.buildings.iter().map(|b| u64::from(b.households)).sum();
            println!(
                "imported {} features into {database}: {} buildings ({households} households), {} communities, {} districts, {} roads, {} walls, {} gates, {} land areas, {} stations ({written} rows)",
                data.len(),
                data.buildings.len(),
                data.communities.len(),
                data.districts.len(),
                data.roads.len(),
                data.walls.len(),
                data.gates.len(),
                data.land_areas.len(),
                data.stations.len(),
            );
            if outside > 0 {
                println!("note: {outside} buildings lie outside every stored community");
            }
            if data.roads.iter().any(|r| r.foot.is_allowed()) {
                print_walking_network(&data);
            }
        }
    }
    store.close().await;
    Ok(())
}

/// How many disconnected pieces and sealed compounds an import report names.
const PIECES_NAMED: usize = 5;

/// What the imported ways make as a walking network: its size, the share of nodes in the
/// largest connected piece, the pieces apart from it (with some of their ways) and the
/// walled compounds no gate leads out of.
fn print_walking_network(data: &Dataset) {
    let frame =
        spatial::LocalFrame::at_mean(data.roads.iter().flat_map(|r| r.geometry.0.iter().copied()));
    let (_, report) = routing::build_network(frame, &data.roads, &data.walls, &data.gates);
    println!(
        "walking network: {} nodes, {} edges, {:.1} km; {:.1}% of nodes in the largest piece; {} walls, {} gates, {} ways cut at walls",
        report.nodes,
        report.edges,
        report.length_m / 1000.0,
        report.largest_share * 100.0,
        data.walls.len(),
        data.gates.len(),
        report.cut_at_walls
    );
    for piece in report.pieces.iter().take(PIECES_NAMED) {
        let ways: Vec<&str> = piece.ways.iter().map(|w| w.as_str()).collect();
        println!(
            "  apart: {} nodes, {:.0} m of ways near {:.5},{:.5} ({})",
            piece.nodes,
            piece.length_m,
            piece.at.x(),
            piece.at.y(),
            ways.join(", ")
        );
    }
    if report.pieces.len() > PIECES_NAMED {
        println!(
            "  … and {} more pieces apart",
            report.pieces.len() - PIECES_NAMED
        );
    }
    for sealed in report.sealed.iter().take(PIECES_NAMED) {
        println!(
            "  sealed: wall {} closes in {} path nodes with no gate out, near {:.5},{:.5}",
            sealed.wall,
            sealed.nodes,
            sealed.at.x(),
            sealed.at.y()
        );
    }
    if report.sealed.len() > PIECES_NAMED {
        println!(
            "  … and {} more sealed compounds",
            report.sealed.len() - PIECES_NAMED
        );
    }
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
