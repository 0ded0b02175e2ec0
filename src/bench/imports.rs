//! `gridmap bench import`: a district's own files into the store, timed through the real
//! command line, side by side with GDAL in the same run.
//!
//! - A generated city's building footprints (305,608 for 2,000,000 households) written by
//!   `ogr2ogr` as a Shapefile in CGCS2000 3° Gauss–Krüger zone 37 (EPSG:4525) with GBK
//!   attributes, imported (read, projected to WGS84, validated, placed in communities,
//!   written) against `ogr2ogr -f GPKG` copying the same file.
//! - An XLSX workers roster of 20,000 rows and a household roster of 300,000 rows, each
//!   imported into the partitioned city.

use crate::domain::{Audience, Dataset, GridKind};
use crate::features::collection;
use crate::generate::{GenerateOptions, generate_dongsheng};
use crate::store::geopackage::GeoPackageStore;
use crate::store::{DatasetStore, LayerQuery, LayerStore, Store};
use serde::Serialize;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// What the import benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct ImportBenchReport {
    pub buildings: usize,
    pub shapefile_mb: f64,
    /// Each run of `gridmap import` of the Shapefile, seconds.
    pub gridmap_s: Vec<f64>,
    /// Each run of `ogr2ogr -f GPKG` of the same Shapefile, seconds.
    pub ogr2ogr_s: Vec<f64>,
    /// Median gridmap time over median ogr2ogr time (goal ≤ 2, floor ≤ 4).
    pub ratio: f64,
    pub workers_rows: usize,
    pub workers_roster_s: f64,
    pub household_rows: usize,
    pub household_roster_s: f64,
}

type BenchError = Box<dyn std::error::Error + Send + Sync>;

fn run(program: &Path, args: &[&str]) -> Result<f64, BenchError> {
    let started = Instant::now();
    let out = Command::new(program).args(args).output()?;
    let seconds = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{} {}: {}{}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(seconds)
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn path_str(p: &Path) -> Result<&str, BenchError> {
    p.to_str()
        .ok_or_else(|| "a temporary path is not UTF-8".into())
}

/// Runs the benchmark in a temporary directory; `runs` timed runs of each importer.
pub async fn run_bench(
    households: u32,
    runs: usize,
    say: &impl Fn(&str),
) -> Result<ImportBenchReport, BenchError> {
    let dir = tempfile::tempdir()?;
    let gridmap = std::env::current_exe()?;
    let ogr2ogr = Path::new("ogr2ogr");
    say(&format!(
        "generating a city of {households} households (seed 1)…"
    ));
    let data = generate_dongsheng(&GenerateOptions {
        households,
        seed: 1,
    })?;
    let template = dir.path().join("template.gpkg");
    {
        let store = GeoPackageStore::open(&template).await?;
        let areas = Dataset {
            districts: data.districts.clone(),
            streets: data.streets.clone(),
            communities: data.communities.clone(),
            ..Dataset::default()
        };
        store.write(&areas, None).await?;
        store.close().await;
    }
    let geojson = dir.path().join("buildings.geojson");
    std::fs::write(
        &geojson,
        serde_json::to_vec(&collection(&data.buildings, Audience::Internal))?,
    )?;
    let shp = dir.path().join("房屋.shp");
    say("writing the footprints as a Shapefile in EPSG:4525 (GBK) with ogr2ogr…");
    run(
        ogr2ogr,
        &[
            "-f",
            "ESRI Shapefile",
            "-t_srs",
            "EPSG:4525",
            "-lco",
            "ENCODING=CP936",
            path_str(&shp)?,
            path_str(&geojson)?,
        ],
    )?;
    let shapefile_mb = ["shp", "shx", "dbf", "prj", "cpg"]
        .iter()
        .filter_map(|e| std::fs::metadata(shp.with_extension(e)).ok())
        .map(|m| m.len() as f64)
        .sum::<f64>()
        / 1e6;
    let store_path = dir.path().join("city.gpkg");
    let copy = dir.path().join("copy.gpkg");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..runs {
        std::fs::copy(&template, &store_path)?;
        let s = run(
            &gridmap,
            &[
                "import",
                "--database",
                path_str(&store_path)?,
                "--kind",
                "buildings",
                path_str(&shp)?,
            ],
        )?;
        ours.push(s);
        let _ = std::fs::remove_file(&copy);
        let t = run(ogr2ogr, &["-f", "GPKG", path_str(&copy)?, path_str(&shp)?])?;
        theirs.push(t);
        say(&format!(
            "run {}: gridmap import {s:.2} s, ogr2ogr -f GPKG {t:.2} s",
            i + 1
        ));
    }
    let store = GeoPackageStore::open(&store_path).await?;
    let imported = store.counts().await?.buildings;
    if imported != data.buildings.len() as u64 {
        store.close().await;
        return Err(format!("{imported} buildings imported of {}", data.buildings.len()).into());
    }
    say("partitioning the city for the rosters…");
    store.close().await;
    run(
        &gridmap,
        &["partition", "--database", path_str(&store_path)?, "--all"],
    )?;
    let store = GeoPackageStore::open(&store_path).await?;
    let grids: Vec<String> = store
        .grids(&LayerQuery::default())
        .await?
        .into_iter()
        .filter(|g| g.kind == GridKind::Base)
        .map(|g| g.code.to_string())
        .collect();
    store.close().await;

    let workers_rows = 20_000;
    let workers = dir.path().join("网格员花名册.xlsx");
    write_workers_roster(&workers, workers_rows, &grids)?;
    let workers_roster_s = run(
        &gridmap,
        &[
            "import",
            "--database",
            path_str(&store_path)?,
            "--kind",
            "workers",
            path_str(&workers)?,
        ],
    )?;
    say(&format!(
        "workers roster of {workers_rows} rows: {workers_roster_s:.2} s"
    ));
    let household_rows = data.buildings.len().min(300_000);
    let households_path = dir.path().join("住户花名册.xlsx");
    write_household_roster(&households_path, &data, household_rows)?;
    let household_roster_s = run(
        &gridmap,
        &[
            "import",
            "--database",
            path_str(&store_path)?,
            "--kind",
            "rosters",
            path_str(&households_path)?,
        ],
    )?;
    say(&format!(
        "household roster of {household_rows} rows: {household_roster_s:.2} s"
    ));
    Ok(ImportBenchReport {
        buildings: data.buildings.len(),
        shapefile_mb,
        ratio: median(&ours) / median(&theirs),
        gridmap_s: ours,
        ogr2ogr_s: theirs,
        workers_rows,
        workers_roster_s,
        household_rows,
        household_roster_s,
    })
}

fn write_workers_roster(path: &Path, rows: usize, grids: &[String]) -> Result<(), BenchError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["编号", "姓名", "电话", "角色", "所属网格", "在岗"]
        .iter()
        .enumerate()
    {
        sheet.write(0, u16::try_from(c)?, *h)?;
    }
    for i in 0..rows {
        let r = u32::try_from(i + 1)?;
        sheet.write(r, 0, format!("B{i:06}"))?;
        sheet.write(r, 1, format!("网格员{i}"))?;
        sheet.write(r, 2, format!("139{:08}", i))?;
        sheet.write(
            r,
            3,
            if i % 10 == 0 {
                "网格长"
            } else {
                "网格员"
            },
        )?;
        if !grids.is_empty() {
            sheet.write(r, 4, grids[i % grids.len()].as_str())?;
        }
        sheet.write(r, 5, if i % 4 == 0 { "离岗" } else { "在岗" })?;
    }
    book.save(path)?;
    Ok(())
}

fn write_household_roster(path: &Path, data: &Dataset, rows: usize) -> Result<(), BenchError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["楼栋编号", "户数", "人数"].iter().enumerate() {
        sheet.write(0, u16::try_from(c)?, *h)?;
    }
    for (i, b) in data.buildings.iter().take(rows).enumerate() {
        let r = u32::try_from(i + 1)?;
        sheet.write(r, 0, b.id.as_str())?;
        sheet.write(r, 1, b.households + 1)?;
        sheet.write(r, 2, (b.households + 1) * 3)?;
    }
    book.save(path)?;
    Ok(())
}
