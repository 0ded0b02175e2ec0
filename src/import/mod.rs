//! Reading GeoJSON, OSM PBF and CSV rosters into datasets, all-or-nothing: any bad feature
//! or line refuses the whole file with its index or line number.

mod error;
pub mod formula_scan;
mod geojson_file;
mod geometry_check;
mod geopackage_layer;
pub mod households;
mod mapping;
mod osm_pbf;
mod properties;
mod roster;
mod shapefile_file;
mod source_feature;
mod station_table;
pub mod table;
pub mod workers;

pub use error::ImportError;
pub use households::HouseholdModel;

use crate::crs::SourceCrs;
use crate::domain::{Community, Dataset, RosterEntry, StreetCode};
use crate::spatial::reading_order;
use geo::Centroid;
use std::path::Path;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    Buildings,
    Communities,
    Districts,
    Roads,
    Stations,
    /// Water, parks, woods and land use areas (the basemap).
    Land,
    Rosters,
    /// Worker rosters (网格员花名册): id, name, phone, role, grids, duty.
    Workers,
}

/// How to read a file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: ImportKind,
    /// The CRS of the file's coordinates, converted to WGS84 on the way in; `None` for the
    /// file's own (a Shapefile's `.prj`, a GeoPackage layer's SRS) or WGS84.
    pub crs: Option<SourceCrs>,
    pub households: HouseholdModel,
    /// Number communities without a `code` under this street, west→east, north→south.
    pub parent: Option<StreetCode>,
    /// Only admin boundaries of this `admin_level` are communities (OSM data).
    pub admin_level: Option<String>,
    /// Tables (rosters): the workbook's sheet and the CSV encoding.
    pub table: table::TableOptions,
    /// A GeoPackage's layer to read.
    pub layer: Option<String>,
}

impl ImportOptions {
    pub fn new(kind: ImportKind) -> Self {
        Self {
            kind,
            crs: None,
            households: HouseholdModel::default(),
            parent: None,
            admin_level: None,
            table: table::TableOptions::default(),
            layer: None,
        }
    }
}

/// What a file became.
#[derive(Debug)]
pub enum Imported {
    Features(Dataset),
    Roster(Vec<RosterEntry>),
    /// A worker roster and the table it came from (to name cells in later checks).
    Workers(table::Table, Vec<workers::WorkerRow>),
}

/// Reads a file by its extension: `.geojson`/`.json`, `.pbf`, `.csv` or a workbook
/// (`.xlsx`, `.xls`, `.ods`).
pub fn read_file(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let read_error = |source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    };
    if name.ends_with(".pbf") {
        return osm_pbf::read(path, options).map(Imported::Features);
    }
    if name.ends_with(".shp") || name.ends_with(".zip") {
        return shapefile_file::read(path, options).map(Imported::Features);
    }
    if options.kind == ImportKind::Workers {
        let table = table::read_table(path, &options.table)?;
        let rows = workers::parse(&table)?;
        return Ok(Imported::Workers(table, rows));
    }
    let tabular = name.ends_with(".csv") || table::is_workbook(path);
    if options.kind == ImportKind::Stations && tabular {
        let table = table::read_table(path, &options.table)?;
        return station_table::parse(&table, options).map(Imported::Features);
    }
    if options.kind == ImportKind::Rosters || tabular {
        if options.kind != ImportKind::Rosters {
            return Err(ImportError::Unsupported {
                path: path.to_path_buf(),
                reason: "CSV files and workbooks hold rosters, building attributes, workers or stations: use --kind rosters, workers or stations".into(),
            });
        }
        let table = table::read_table(path, &options.table)?;
        return roster::parse(&table).map(Imported::Roster);
    }
    let text = std::fs::read_to_string(path).map_err(read_error)?;
    geojson_file::parse(path, &text, options).map(Imported::Features)
}

/// Reads any input file: [`read_file`], and GeoPackage layers (read through SQLite).
pub async fn read_any(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    if geopackage_layer::is_geopackage(path) {
        return geopackage_layer::read(path, options)
            .await
            .map(Imported::Features);
    }
    let (path, options) = (path.to_path_buf(), options.clone());
    tokio::task::spawn_blocking(move || read_file(&path, &options))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Parses GeoJSON text (for the API and tests); `source` names it in errors.
pub fn parse_geojson(
    source: &str,
    text: &str,
    options: &ImportOptions,
) -> Result<Dataset, ImportError> {
    geojson_file::parse(Path::new(source), text, options)
}

/// Gives communities codes under `parent`, numbered west→east, north→south.
fn number_communities(communities: &mut [Community], parent: &StreetCode) -> Result<(), String> {
    if communities.len() > 999 {
        return Err(format!(
            "{} communities do not fit 3-digit sequence numbers",
            communities.len()
        ));
    }
    let centroids: Vec<geo::Point<f64>> = communities
        .iter()
        .map(|c| {
            c.boundary
                .centroid()
                .unwrap_or_else(|| geo::Point::new(0.0, 0.0))
        })
        .collect();
    for (sequence, index) in reading_order(&centroids).into_iter().enumerate() {
        let code = format!("{}{:03}", parent.as_str(), sequence + 1);
        communities[index].code = code
            .parse()
            .map_err(|e: crate::domain::CodeError| e.to_string())?;
    }
    Ok(())
}
