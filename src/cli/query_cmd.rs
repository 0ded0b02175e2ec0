//! `gridmap locate | nearest | bbox | staffing`: the engine's answers from the command line, as
//! JSON.

use super::{CliResult, PointArgs};
use crate::engine::Engine;
use crate::service::staffing::{self, StaffingOptions};
use crate::store;
use geo_types::Point;

async fn engine(database: &str) -> Result<Engine, Box<dyn std::error::Error + Send + Sync>> {
    let store = store::open(database).await?;
    let engine = Engine::load(store.as_ref()).await?;
    store.close().await;
    Ok(engine)
}

fn point(args: &PointArgs) -> Result<Point<f64>, String> {
    let (lon, lat, crs) = (args.lon, args.lat, args.crs);
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "--lon {lon} --lat {lat}: out of range (-180..180, -90..90)"
        ));
    }
    let (x, y) = crs.to_wgs84(lon, lat);
    Ok(Point::new(x, y))
}

pub async fn locate(database: &str, at: &PointArgs) -> CliResult {
    let p = point(at)?;
    let location = engine(database).await?.locate(p);
    println!("{}", serde_json::to_string_pretty(&location)?);
    Ok(())
}

pub async fn nearest(database: &str, at: &PointArgs, k: usize) -> CliResult {
    if !(1..=100).contains(&k) {
        return Err("--k must be 1..=100".into());
    }
    let p = point(at)?;
    let workers = engine(database).await?.nearest_workers(p, k);
    println!("{}", serde_json::to_string_pretty(&workers)?);
    Ok(())
}

pub async fn staffing(database: &str, ratio: f64) -> CliResult {
    if !(ratio > 0.0 && ratio.is_finite()) {
        return Err("--ratio must be a positive number".into());
    }
    let options = StaffingOptions {
        workers_per_10k_residents: ratio,
        ..StaffingOptions::default()
    };
    let report = staffing::check(&engine(database).await?, &options);
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

pub async fn in_box(database: &str, bbox: &str) -> CliResult {
    let v: Vec<f64> = bbox
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("--bbox {bbox:?}: four numbers minLon,minLat,maxLon,maxLat"))?;
    let [a, b, c, d] = v[..] else {
        return Err(format!("--bbox {bbox:?}: four numbers minLon,minLat,maxLon,maxLat").into());
    };
    if a > c || b > d {
        return Err(format!("--bbox {bbox:?}: minimum above maximum").into());
    }
    let contents = engine(database).await?.in_box([a, b], [c, d]);
    println!("{}", serde_json::to_string_pretty(&contents)?);
    Ok(())
}
