//! `gridmap rebalance adjust|split|merge` and `gridmap plan versions|diff|restore`.

use super::{CliResult, PlanAction, RebalanceAction, RebalanceArgs};
use crate::partition::PartitionOptions;
use crate::service::job_stop::JobStop;
use crate::service::rebalance::{self, Operation, Preview};
use crate::store::{self, LayerQuery, Store};
use std::sync::Arc;

/// Reads a split line: a GeoJSON geometry, a Feature, or a FeatureCollection of one.
fn read_line(path: &std::path::Path) -> Result<geo_types::Geometry<f64>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let geometry = match value["type"].as_str() {
        Some("FeatureCollection") => value["features"][0]["geometry"].clone(),
        Some("Feature") => value["geometry"].clone(),
        _ => value,
    };
    let geometry = geojson::Geometry::from_json_value(geometry)
        .map_err(|e| format!("{}: not a GeoJSON geometry: {e}", path.display()))?;
    geo_types::Geometry::<f64>::try_from(geometry).map_err(|e| format!("{}: {e}", path.display()))
}

fn print_preview(p: &Preview, json: bool, version: Option<u64>) -> CliResult {
    if json {
        let mut body = serde_json::to_value(p)?;
        body["committed"] = serde_json::json!(version.is_some());
        body["version"] = serde_json::json!(version);
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    println!(
        "{}: {} of {} buildings move, {} grids new or changed, {} retired, {} workers affected",
        p.summary,
        p.buildings_moved,
        p.buildings,
        p.grids.features.len(),
        p.retired.len(),
        p.affected_workers.len()
    );
    println!(
        "grids: {} ({:.1}% within ±10%), Polsby-Popper mean {:.3}",
        p.metrics.grids,
        p.metrics.within_10_percent * 100.0,
        p.metrics.polsby_popper_mean
    );
    match version {
        Some(v) => println!("committed as plan version {v}"),
        None => println!(
            "preview only (based on version {}); add --commit to write it",
            p.base_version
        ),
    }
    Ok(())
}

async fn execute(args: &RebalanceArgs, store: Arc<dyn Store>, op: Operation) -> CliResult {
    let options = PartitionOptions::default();
    let result = if args.commit {
        let base = match args.base_version {
            Some(v) => v,
            None => store.plan_head().await?,
        };
        rebalance::commit(
            store.as_ref(),
            &op,
            &options,
            base,
            &args.author,
            &JobStop::default(),
        )
        .await
        .map(|(p, v)| (p, Some(v)))
    } else {
        rebalance::preview(store.as_ref(), &op, &options, &JobStop::default())
            .await
            .map(|p| (p, None))
    };
    store.close().await;
    let (preview, version) = result?;
    print_preview(&preview, args.json, version)
}

pub async fn run(action: RebalanceAction) -> CliResult {
    match action {
        RebalanceAction::Adjust {
            args,
            mut communities,
            street,
        } => {
            let store = store::open(&args.db.database).await?;
            if let Some(street) = street {
                let q = LayerQuery {
                    code_prefix: Some(street.to_string()),
                    ..LayerQuery::default()
                };
                communities.extend(store.communities(&q).await?.into_iter().map(|c| c.code));
                if communities.is_empty() {
                    return Err(format!("no community in street {street}").into());
                }
            }
            execute(&args, store, Operation::Adjust { communities }).await
        }
        RebalanceAction::Split {
            args,
            community,
            line,
            codes,
            names,
        } => {
            let blade = read_line(&line)?;
            let store = store::open(&args.db.database).await?;
            let op = Operation::Split {
                community,
                blade,
                codes,
                names,
            };
            execute(&args, store, op).await
        }
        RebalanceAction::Merge {
            args,
            communities,
            code,
            name,
        } => {
            let store = store::open(&args.db.database).await?;
            let code = match code {
                Some(c) => c,
                None => communities
                    .first()
                    .cloned()
                    .ok_or("--communities needs at least two codes")?,
            };
            let op = Operation::Merge {
                communities,
                code,
                name,
            };
            execute(&args, store, op).await
        }
    }
}

pub async fn plan(action: PlanAction) -> CliResult {
    match action {
        PlanAction::Versions { db, limit } => {
            let store = store::open(&db.database).await?;
            let versions = store.plan_versions(limit).await?;
            store.close().await;
            for v in versions {
                println!(
                    "v{:<4} {}  {:<12} {}",
                    v.version,
                    v.created_at.format("%Y-%m-%d %H:%M:%S"),
                    v.author,
                    v.summary
                );
            }
            Ok(())
        }
        PlanAction::Diff { db, from, to } => {
            let store = store::open(&db.database).await?;
            let to = match to {
                Some(t) => t,
                None => store.plan_head().await?,
            };
            let changes = rebalance::diff(store.as_ref(), from, to).await;
            store.close().await;
            println!("{}", serde_json::to_string_pretty(&changes?)?);
            Ok(())
        }
        PlanAction::Restore {
            db,
            version,
            author,
        } => {
            let store = store::open(&db.database).await?;
            let head = store.plan_head().await?;
            if version == 0 || version > head {
                return Err(format!("no plan version {version} (the latest is {head})").into());
            }
            let new = rebalance::restore(store.as_ref(), version, head, &author).await;
            store.close().await;
            println!("restored version {version} as version {}", new?);
            Ok(())
        }
    }
}
