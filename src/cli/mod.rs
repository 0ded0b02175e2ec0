//! The `gridmap` command line: argument parsing and the subcommands.

mod bench_cmd;
mod coverage_cmd;
mod demo_load;
mod export_cmd;
mod generate_cmd;
mod import_cmd;
mod partition_cmd;
mod progress;
mod query_cmd;
mod rebalance_cmd;
mod serve_cmd;
mod token_cmd;
mod workers_cmd;

use crate::crs::Crs;
use crate::domain::{CommunityCode, Role, StreetCode};
use crate::features::Layer;
use crate::import::ImportKind;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The default embedded store: a GeoPackage file in the working directory.
pub const DEFAULT_DATABASE: &str = "gridmap.gpkg";

#[derive(Debug, Parser)]
#[command(
    name = "gridmap",
    version,
    about = "City grid governance (网格化服务管理): grids, maps, dispatch"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArg {
    /// GeoPackage file path or postgres:// URL.
    #[arg(long, env = "GRIDMAP_DATABASE", default_value = DEFAULT_DATABASE)]
    pub database: String,
}

/// A point given on the command line, in any supported CRS.
#[derive(Debug, Clone, clap::Args)]
pub struct PointArgs {
    #[arg(long, allow_hyphen_values = true)]
    pub lon: f64,
    #[arg(long, allow_hyphen_values = true)]
    pub lat: f64,
    #[arg(long, default_value = "wgs84")]
    pub crs: Crs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and the API (loads the demo district into an empty store).
    Serve {
        #[command(flatten)]
        db: DatabaseArg,
        /// Address to listen on.
        #[arg(long, env = "GRIDMAP_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Do not load the demo district into an empty store.
        #[arg(long)]
        no_demo: bool,
        /// Incident categories and deadlines (JSON array of {name, en, deadline_hours |
        /// deadline_working_hours | deadline_working_days, public?}); default:
        /// config/incident_categories.json, built in.
        #[arg(long, env = "GRIDMAP_CATEGORIES")]
        categories: Option<PathBuf>,
        /// The work calendar working hours and days are counted on (timezone, hours,
        /// weekend, holidays, working_days); default: config/work_calendar.json, built in.
        #[arg(long, env = "GRIDMAP_WORK_CALENDAR")]
        work_calendar: Option<PathBuf>,
        /// Seconds an expensive job (a partition) may run for one request before it stops
        /// and the request gets a problem, nothing written.
        #[arg(long, env = "GRIDMAP_JOB_TIME_LIMIT_S", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        job_time_limit_s: u64,
        /// Connections served at once (more wait in the listen queue); default: three
        /// quarters of the open-file limit.
        #[arg(long, env = "GRIDMAP_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        max_connections: Option<u64>,
        /// Seconds a connection has to send a request's headers before it is closed.
        #[arg(long, env = "GRIDMAP_HEADER_TIMEOUT_S", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3_600))]
        header_timeout_s: u64,
        /// Multiplies what one address may do without signing in (5 resident reports at
        /// once then one per 2 minutes; 20 tracking-code lookups then one per 3 s): raise it
        /// where many residents share one address; 0 turns the limits off.
        #[arg(long, env = "GRIDMAP_CLIENT_LIMIT_SCALE", default_value_t = 1.0)]
        client_limit_scale: f64,
    },
    /// Import a GeoJSON, OSM PBF or CSV roster file, all or nothing.
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// The file: .geojson/.json, .osm.pbf, a Shapefile (.shp with its .dbf, .prj, .cpg;
        /// or a .zip of them), a GeoPackage (.gpkg, with --layer), or a table (.csv, .xlsx,
        /// .xls, .ods) of rosters, workers, stations or building attributes.
        file: PathBuf,
        /// What the file holds.
        #[arg(long, value_enum)]
        kind: ImportKind,
        /// Coordinate system of the file: wgs84, cgcs2000, gcj02, bd09 or EPSG:NNNN (4326,
        /// 4490, 3857, CGCS2000 Gauss–Krüger 4491–4554). Default: the Shapefile's .prj or the
        /// GeoPackage layer's SRS; WGS84 for GeoJSON. GCJ-02, BD-09 and projected
        /// coordinates are converted to WGS84 once.
        #[arg(long)]
        crs: Option<crate::crs::SourceCrs>,
        /// GeoPackage: the layer (table) to read (default: the only feature layer).
        #[arg(long)]
        layer: Option<String>,
        /// Number communities without a `code` under this 9-digit street code.
        #[arg(long)]
        parent: Option<StreetCode>,
        /// Only admin boundaries of this admin_level become communities.
        #[arg(long)]
        admin_level: Option<String>,
        /// Household estimate: mean dwelling floor area, m².
        #[arg(long, default_value_t = 90.0)]
        dwelling_m2: f64,
        /// Household estimate: share of floor area that is dwellings.
        #[arg(long, default_value_t = 0.75)]
        usable_ratio: f64,
        /// Household estimate: storey height to turn `height` into floors, m.
        #[arg(long, default_value_t = 3.0)]
        floor_height_m: f64,
        /// Household estimate: floors when unknown (default by kind: 6 apartments, 3 residential, 1 house).
        #[arg(long)]
        default_floors: Option<u16>,
        /// Residents per household when `residents` is not given.
        #[arg(long, default_value_t = 2.62)]
        persons_per_household: f64,
        /// Workbooks: the sheet to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// CSV: the text encoding (default: UTF-8 when the bytes are UTF-8, else GBK/GB18030).
        #[arg(long, value_enum)]
        encoding: Option<crate::import::table::Encoding>,
    },
    /// Generate a deterministic synthetic district (demo and benchmarks) into the store.
    Generate {
        #[command(flatten)]
        db: DatabaseArg,
        /// The district profile.
        #[arg(long, value_enum, default_value = "dongsheng")]
        profile: Profile,
        /// Total households (default: the profile's field figure).
        #[arg(long)]
        households: Option<u32>,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Partition communities into base grids of about `target` households (划网).
    #[command(group(clap::ArgGroup::new("scope").required(true).args(["community", "street", "all"])))]
    Partition {
        #[command(flatten)]
        db: DatabaseArg,
        /// One community (12-digit code).
        #[arg(long)]
        community: Option<crate::domain::CommunityCode>,
        /// Every community of a street (9-digit code).
        #[arg(long)]
        street: Option<StreetCode>,
        /// Every community in the store.
        #[arg(long)]
        all: bool,
        /// Households per base grid.
        #[arg(long, default_value_t = 300)]
        target: u32,
        /// Accepted relative deviation from the target.
        #[arg(long, default_value_t = 0.1)]
        tolerance: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Compute and report, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the metrics as JSON.
        #[arg(long)]
        json: bool,
        /// Start from the current grids: those within tolerance keep their buildings and
        /// codes, the others are fixed with the fewest building moves.
        #[arg(long)]
        keep_existing: bool,
    },
    /// Life-circle coverage (生活圈覆盖): each area's share of households within a walk of
    /// each tier of a station of each kind, beside the straight-line share.
    Coverage {
        #[command(flatten)]
        db: DatabaseArg,
        /// district, street, community or grid.
        #[arg(long, default_value = "community")]
        level: String,
        /// Walks in metres.
        #[arg(long, default_value = "300,500,1000")]
        tiers: String,
        /// Station kinds, comma-separated (every kind when absent).
        #[arg(long)]
        kinds: Option<String>,
        /// Only areas inside this district, street, community or grid code.
        #[arg(long)]
        within: Option<String>,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// New-site suggestions (选址建议): where `k` new stations of a kind would bring the most
    /// uncovered households within a walk (existing stations kept).
    SuggestSites {
        #[command(flatten)]
        db: DatabaseArg,
        /// The station kind (service_centre, service_station, red_outpost,
        /// rider_rest_station).
        #[arg(long)]
        kind: String,
        /// The walk a household must be within, in metres.
        #[arg(long, default_value_t = 1000)]
        within_m: u32,
        /// New sites to choose.
        #[arg(long, default_value_t = 3)]
        k: usize,
        /// Candidates: nodes[:SPACING_M], buildings:KIND,…, land:CLASS,… or a GeoJSON file
        /// of points.
        #[arg(long, default_value = "nodes")]
        candidates: String,
        /// Only households inside this district, street, community or grid code count.
        #[arg(long)]
        within: Option<String>,
        /// Write the sites to a .geojson or .xlsx file.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export a layer as GeoJSON or GeoPackage.
    Export {
        #[command(flatten)]
        db: DatabaseArg,
        layer: Layer,
        #[arg(long, value_enum, default_value = "geojson")]
        format: ExportFormat,
        /// Output file (overwritten).
        #[arg(long)]
        output: PathBuf,
        /// Buildings only: those outside every community (what a partition of all left out).
        #[arg(long)]
        outside_communities: bool,
        /// Incident statistics: incidents reported from this day (2026-11-01, Beijing time,
        /// or an RFC 3339 time).
        #[arg(long, value_parser = parse_day)]
        from: Option<chrono::DateTime<chrono::Utc>>,
        /// Incident statistics: up to the end of this day (or an RFC 3339 time).
        #[arg(long, value_parser = parse_day_end)]
        to: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// The workers list (网格员): list, add, edit, retire one worker, and the record of
    /// changes; each change is recorded with who made it and when.
    Workers {
        #[command(subcommand)]
        action: WorkersAction,
    },
    /// Which grid, community and street hold a point.
    Locate {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        point: PointArgs,
    },
    /// The k nearest on-duty workers to a point, the workers of its grid first.
    Nearest {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        point: PointArgs,
        #[arg(long, default_value_t = 5)]
        k: usize,
    },
    /// The features of each layer in a box (keys), from the engine.
    Bbox {
        #[command(flatten)]
        db: DatabaseArg,
        /// minLon,minLat,maxLon,maxLat (WGS84).
        #[arg(long, allow_hyphen_values = true)]
        bbox: String,
    },
    /// Staffing checks: grids without a worker, communities below the worker ratio, grids
    /// far above the household target.
    Staffing {
        #[command(flatten)]
        db: DatabaseArg,
        /// Community workers per 10,000 residents.
        #[arg(long, default_value_t = 18.0)]
        ratio: f64,
    },
    /// Rebalance: split or merge communities, or absorb household changes (preview by
    /// default; --commit writes a plan version).
    Rebalance {
        #[command(subcommand)]
        action: RebalanceAction,
    },
    /// Plan history: versions, one version, differences, restore.
    Plan {
        #[command(subcommand)]
        action: PlanAction,
    },
    /// End-to-end benchmarks against the real alternative, side by side.
    Bench {
        #[command(subcommand)]
        action: BenchAction,
    },
}

/// What every rebalance command shares.
#[derive(Debug, clap::Args)]
pub struct RebalanceArgs {
    #[command(flatten)]
    pub db: DatabaseArg,
    /// Write the change as a new plan version (default: preview only).
    #[arg(long)]
    pub commit: bool,
    /// The plan version the change was previewed against (default: the current one).
    #[arg(long)]
    pub base_version: Option<u64>,
    /// Who commits (recorded with the version).
    #[arg(long, default_value = "cli")]
    pub author: String,
    /// Print the preview as JSON (moved, code_map, grids, …).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RebalanceAction {
    /// Rebalance communities after household or building changes.
    Adjust {
        #[command(flatten)]
        args: RebalanceArgs,
        /// A community (repeat for several).
        #[arg(long = "community", required_unless_present = "street")]
        communities: Vec<CommunityCode>,
        /// Every community of a street.
        #[arg(long)]
        street: Option<StreetCode>,
    },
    /// Split a community along a line (or around a polygon) into new communities.
    Split {
        #[command(flatten)]
        args: RebalanceArgs,
        #[arg(long)]
        community: CommunityCode,
        /// A GeoJSON file (geometry, Feature or FeatureCollection of one) with the line.
        #[arg(long)]
        line: PathBuf,
        /// The new communities' codes, for the pieces in reading order (comma-separated).
        #[arg(long, value_delimiter = ',', required = true)]
        codes: Vec<CommunityCode>,
        #[arg(long, value_delimiter = ',')]
        names: Vec<String>,
    },
    /// Merge adjacent communities into one.
    Merge {
        #[command(flatten)]
        args: RebalanceArgs,
        #[arg(long, value_delimiter = ',', required = true)]
        communities: Vec<CommunityCode>,
        /// The merged community's code (default: the first).
        #[arg(long)]
        code: Option<CommunityCode>,
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanAction {
    /// Versions, newest first.
    Versions {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Grids added, removed or changed between two versions (GeoJSON).
    Diff {
        #[command(flatten)]
        db: DatabaseArg,
        from: u64,
        /// Default: the current version.
        to: Option<u64>,
    },
    /// Restore a version's plan as a new version.
    Restore {
        #[command(flatten)]
        db: DatabaseArg,
        version: u64,
        #[arg(long, default_value = "cli")]
        author: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchAction {
    /// A city's footprints as a Shapefile in CGCS2000 Gauss–Krüger (GBK attributes)
    /// through `gridmap import` against `ogr2ogr -f GPKG` of the same file; then XLSX
    /// rosters of 20,000 workers and 300,000 households into the partitioned city. Needs
    /// GDAL's ogr2ogr; works in a temporary directory.
    Import {
        /// Households of the generated city (2,000,000 gives 305,608 buildings).
        #[arg(long, default_value_t = 2_000_000)]
        households: u32,
        /// Timed runs of each importer.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        #[arg(long)]
        json: bool,
    },
    /// A district's field load sustained over HTTP: every worker's phone sending its
    /// position every few seconds plus a steady stream of reports, sent on schedule (open
    /// loop), p50/p99 per route (target p99 under 100 ms on PostGIS), then every
    /// acknowledged report and last position looked up in the store. Workers beyond the
    /// store's are made up (`LOAD…`, on duty); an empty store gets the demo district.
    Load {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long, default_value_t = 600)]
        duration_s: u64,
        #[arg(long, default_value_t = 2_000)]
        workers: usize,
        #[arg(long, default_value_t = 10.0)]
        position_every_s: f64,
        #[arg(long, default_value_t = 50.0)]
        reports_per_s: f64,
        #[arg(long)]
        json: bool,
    },
    /// 2 MB phone photos uploaded one after another over HTTP (`POST /api/photos`), each
    /// answer timed (target under 300 ms on PostGIS), beside the preparation alone and the
    /// same bytes written straight into the store.
    Photos {
        #[command(flatten)]
        db: DatabaseArg,
        /// How many photos.
        #[arg(long, default_value_t = 30)]
        uploads: usize,
        #[arg(long)]
        json: bool,
    },
    /// Split and merge previews (time) and ±15% household changes (buildings moved) on a
    /// partitioned district (an empty store gets the demo district).
    Rebalance {
        #[command(flatten)]
        db: DatabaseArg,
        /// How many communities to try.
        #[arg(long, default_value_t = 20)]
        communities: usize,
        #[arg(long)]
        json: bool,
    },
    /// Every z14–z16 building tile over HTTP, uncached and warm, against the same tiles
    /// from PostGIS ST_AsMVT (needs a postgres:// database; an empty one gets a generated
    /// city of `--households`, about 300,000 buildings for 2,000,000).
    Tiles {
        /// A PostGIS database URL.
        #[arg(long, env = "GRIDMAP_DATABASE")]
        database: String,
        #[arg(long, default_value_t = 2_000_000)]
        households: u32,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// How many times the tile list is requested warm.
        #[arg(long, default_value_t = 10)]
        warm_rounds: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The leaders' dashboard at a city's scale: a year of incidents at Xi'an's rate with
    /// their steps written into PostGIS (kept for the next run), every dashboard query over
    /// HTTP beside the same figures by a SQL GROUP BY (needs a postgres:// database; an empty
    /// one gets the demo district first).
    Dashboard {
        /// A PostGIS database URL.
        #[arg(long, env = "GRIDMAP_DATABASE")]
        database: String,
        /// Incidents over the year (Xi'an: 20,000 a day).
        #[arg(long, default_value_t = 7_300_000)]
        incidents: u64,
        /// Timed runs of each query.
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// What serving costs in memory on each store side by side: `gridmap serve` started on
    /// each database in turn (a GeoPackage file or a postgres:// URL, `--no-demo`) and its
    /// resident, anonymous and peak memory read from /proc once it answers (Linux).
    Memory {
        /// A store to serve; give one per store to compare (e.g. the same city in a
        /// GeoPackage and in PostGIS).
        #[arg(long = "database", required = true)]
        databases: Vec<String>,
        /// Seconds to wait before the second reading.
        #[arg(long, default_value_t = 5)]
        settle_s: u64,
        #[arg(long)]
        json: bool,
    },
    /// The walking network beside pgRouting on the same graph in the same PostGIS: nearest
    /// stations on foot and 15-minute areas, answers compared; walking against straight
    /// lines (needs a postgres:// database with the pgrouting extension available; an empty
    /// one gets the demo district).
    Walking {
        /// A PostGIS database URL.
        #[arg(long, env = "GRIDMAP_DATABASE")]
        database: String,
        /// Query points (interiors of random buildings).
        #[arg(long, default_value_t = 200)]
        points: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Life-circle coverage of every building (every kind, three tiers) beside PostGIS's
    /// straight-line count and pgRouting's reach, then new-site suggestions among many
    /// candidates with their gap bound and, street by street, the exact optimum (needs a
    /// postgres:// database with pgrouting available; an empty one gets the demo district).
    Coverage {
        /// A PostGIS database URL.
        #[arg(long, env = "GRIDMAP_DATABASE")]
        database: String,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// New sites to choose.
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// Candidate sites (random network nodes).
        #[arg(long, default_value_t = 10_000)]
        candidates: usize,
        /// Streets on which the exact optimum is compared.
        #[arg(long, default_value_t = 12)]
        exact_streets: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Point-in-grid and nearest-worker queries in the engine, over HTTP and in PostGIS,
    /// then incident intake and position updates over HTTP (needs a postgres:// database;
    /// an empty one gets the demo district).
    Queries {
        /// A PostGIS database URL.
        #[arg(long, env = "GRIDMAP_DATABASE")]
        database: String,
        #[arg(long, default_value_t = 20_000)]
        points: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 10_000)]
        incidents: usize,
        #[arg(long, default_value_t = 50_000)]
        positions: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a bearer token; it is printed once, only its hash is stored.
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A note saying whose token this is.
        #[arg(long, default_value = "")]
        label: String,
        /// The worker a worker token belongs to (required with --role worker).
        #[arg(long)]
        worker: Option<String>,
    },
    /// List tokens: id, role, label, worker, created, last used, revoked (never the token).
    List {
        #[command(flatten)]
        db: DatabaseArg,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by the id `token list` shows; it is refused from then on (within
    /// half a minute by a running server).
    Revoke {
        #[command(flatten)]
        db: DatabaseArg,
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum WorkersAction {
    /// Every worker: id, name, phone, role, community, grids, duty, retired.
    List {
        #[command(flatten)]
        db: DatabaseArg,
        /// Only the workers of this community (12 digits) or serving grids in it.
        #[arg(long)]
        community: Option<String>,
        /// Include retired workers.
        #[arg(long)]
        retired: bool,
        #[arg(long)]
        json: bool,
    },
    /// Add one worker; grids by code, or a community whose grids are given by the rule
    /// (leaders and community workers all, the others the least served one).
    Add {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        fields: WorkerFields,
        #[arg(long)]
        id: String,
    },
    /// Change one worker's fields; the others stay.
    Edit {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        fields: WorkerFields,
        id: String,
    },
    /// Retire one worker: kept for the record, off duty, serving no grid.
    Retire {
        #[command(flatten)]
        db: DatabaseArg,
        id: String,
    },
    /// The record of changes, newest first: of one worker, or of all.
    History {
        #[command(flatten)]
        db: DatabaseArg,
        id: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

/// A worker's fields on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerFields {
    /// 姓名
    #[arg(long)]
    pub name: Option<String>,
    /// A mobile (11 digits) or a landline with its area code; empty to clear.
    #[arg(long)]
    pub phone: Option<String>,
    /// 网格长, 网格员, 巡查员, 楼栋长, 社区工作者 (or grid_leader, grid_worker, …).
    #[arg(long)]
    pub role: Option<String>,
    /// Grid codes separated by `,`, `;` or `、`.
    #[arg(long)]
    pub grids: Option<String>,
    /// The community (12 digits); empty to clear.
    #[arg(long)]
    pub community: Option<String>,
    /// 在岗 (on_duty) or 离岗 (off_duty).
    #[arg(long)]
    pub duty: Option<String>,
}

/// A day (Beijing time) or an RFC 3339 time; a day means its start.
fn parse_day(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    day_or_time(s, chrono::NaiveTime::MIN)
}

/// A day (Beijing time) or an RFC 3339 time; a day means its end.
fn parse_day_end(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    day_or_time(
        s,
        chrono::NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(chrono::NaiveTime::MIN),
    )
}

fn day_or_time(s: &str, at: chrono::NaiveTime) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?}: give a day (2026-11-01) or an RFC 3339 time"))?;
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).ok_or("time zone")?;
    day.and_time(at)
        .and_local_timezone(beijing)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("{s:?}: not a time in Beijing"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "use public, worker, dispatcher, planner or admin".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// 东胜区 (Ordos): the field figures, ~56万 residents.
    Dongsheng,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Geojson,
    Gpkg,
    /// Excel: the grid ledger (grids) or the incident statistics (incidents).
    Xlsx,
}

/// Who a command-line change is recorded as: the operating-system user, with what ran.
pub fn cli_actor(what: &str) -> crate::domain::Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown user".into());
    crate::domain::Actor {
        label: format!("{user} (command line: {what})"),
        role: Role::Admin,
    }
}

/// A CLI failure, printed as one message.
pub type CliResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs the CLI.
pub async fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Serve {
            db,
            addr,
            no_demo,
            categories,
            work_calendar,
            job_time_limit_s,
            max_connections,
            header_timeout_s,
            client_limit_scale,
        } => {
            let defaults = crate::api::ServerLimits::default();
            let limits = crate::api::ServerLimits {
                max_connections: max_connections
                    .and_then(|m| usize::try_from(m).ok())
                    .unwrap_or(defaults.max_connections),
                header_read_timeout: std::time::Duration::from_secs(header_timeout_s),
                ..defaults
            };
            let taxonomy = serve_cmd::taxonomy(categories.as_deref(), work_calendar.as_deref())?;
            serve_cmd::run(
                &db.database,
                &addr,
                !no_demo,
                taxonomy,
                std::time::Duration::from_secs(job_time_limit_s),
                limits,
                client_limit_scale,
            )
            .await
        }
        Command::Import {
            db,
            file,
            kind,
            crs,
            parent,
            admin_level,
            dwelling_m2,
            usable_ratio,
            floor_height_m,
            default_floors,
            persons_per_household,
            sheet,
            encoding,
            layer,
        } => {
            let model = crate::import::HouseholdModel {
                dwelling_m2,
                usable_ratio,
                floor_height_m,
                default_floors,
                persons_per_household,
            };
            let mut options = crate::import::ImportOptions::new(kind);
            options.crs = crs;
            options.layer = layer;
            options.households = model;
            options.parent = parent;
            options.admin_level = admin_level;
            options.table = crate::import::table::TableOptions { sheet, encoding };
            import_cmd::run(&db.database, &file, &options).await
        }
        Command::Generate {
            db,
            profile,
            households,
            seed,
        } => generate_cmd::run(&db.database, profile, households, seed).await,
        Command::Partition {
            db,
            community,
            street,
            all: _,
            target,
            tolerance,
            seed,
            dry_run,
            json,
            keep_existing,
        } => {
            let scope = match (community, street) {
                (Some(c), _) => crate::service::partition_job::Scope::Community(c),
                (None, Some(s)) => crate::service::partition_job::Scope::Street(s),
                (None, None) => crate::service::partition_job::Scope::All,
            };
            let options = crate::partition::PartitionOptions {
                target,
                tolerance,
                seed,
                start: if keep_existing {
                    crate::partition::Start::KeepExisting
                } else {
                    crate::partition::Start::Fresh
                },
                ..Default::default()
            };
            partition_cmd::run(&db.database, &scope, &options, dry_run, json).await
        }
        Command::Coverage {
            db,
            level,
            tiers,
            kinds,
            within,
            json,
        } => {
            coverage_cmd::coverage(&db.database, &level, &tiers, kinds.as_deref(), within, json)
                .await
        }
        Command::SuggestSites {
            db,
            kind,
            within_m,
            k,
            candidates,
            within,
            output,
            json,
        } => {
            let args = coverage_cmd::SuggestArgs {
                kind,
                within_m,
                k,
                candidates,
                within,
                output,
                json,
            };
            coverage_cmd::suggest_sites(&db.database, args).await
        }
        Command::Export {
            db,
            layer,
            format,
            output,
            outside_communities,
            from,
            to,
        } => {
            let only = if outside_communities {
                export_cmd::Only::OutsideCommunities
            } else {
                export_cmd::Only::All
            };
            export_cmd::run(
                &db.database,
                layer,
                only,
                format,
                &output,
                export_cmd::Period { from, to },
            )
            .await
        }
        Command::Token {
            action:
                TokenAction::Create {
                    db,
                    role,
                    label,
                    worker,
                },
        } => token_cmd::create(&db.database, role, &label, worker.as_deref()).await,
        Command::Token {
            action: TokenAction::List { db, json },
        } => token_cmd::list(&db.database, json).await,
        Command::Token {
            action: TokenAction::Revoke { db, id },
        } => token_cmd::revoke(&db.database, &id).await,
        Command::Workers { action } => workers_cmd::run(action).await,
        Command::Locate { db, point } => query_cmd::locate(&db.database, &point).await,
        Command::Nearest { db, point, k } => query_cmd::nearest(&db.database, &point, k).await,
        Command::Bbox { db, bbox } => query_cmd::in_box(&db.database, &bbox).await,
        Command::Staffing { db, ratio } => query_cmd::staffing(&db.database, ratio).await,
        Command::Rebalance { action } => rebalance_cmd::run(action).await,
        Command::Plan { action } => rebalance_cmd::plan(action).await,
        Command::Bench {
            action:
                BenchAction::Import {
                    households,
                    runs,
                    json,
                },
        } => bench_cmd::import(households, runs, json).await,
        Command::Bench {
            action:
                BenchAction::Load {
                    db,
                    duration_s,
                    workers,
                    position_every_s,
                    reports_per_s,
                    json,
                },
        } => {
            let options = crate::bench::sustained_load::LoadOptions {
                duration_s,
                workers,
                position_every_s,
                reports_per_s,
            };
            bench_cmd::load(&db.database, &options, json).await
        }
        Command::Bench {
            action:
                BenchAction::Dashboard {
                    database,
                    incidents,
                    runs,
                    json,
                },
        } => {
            let options = crate::bench::dashboard::DashboardBenchOptions {
                incidents,
                runs: runs.max(1),
            };
            bench_cmd::dashboard(&database, options, json).await
        }
        Command::Bench {
            action: BenchAction::Photos { db, uploads, json },
        } => bench_cmd::photos(&db.database, uploads, json).await,
        Command::Bench {
            action:
                BenchAction::Memory {
                    databases,
                    settle_s,
                    json,
                },
        } => bench_cmd::memory(databases, settle_s, json).await,
        Command::Bench {
            action:
                BenchAction::Rebalance {
                    db,
                    communities,
                    json,
                },
        } => bench_cmd::rebalance(&db.database, communities, json).await,
        Command::Bench {
            action:
                BenchAction::Tiles {
                    database,
                    households,
                    concurrency,
                    warm_rounds,
                    json,
                },
        } => {
            let options = crate::bench::tiles::TileBenchOptions {
                concurrency,
                warm_rounds,
                ..Default::default()
            };
            bench_cmd::tiles(&database, households, options, json).await
        }
        Command::Bench {
            action:
                BenchAction::Walking {
                    database,
                    points,
                    json,
                },
        } => {
            let options = crate::bench::walking::WalkingBenchOptions {
                points,
                ..Default::default()
            };
            bench_cmd::walking(&database, options, json).await
        }
        Command::Bench {
            action:
                BenchAction::Coverage {
                    database,
                    rounds,
                    k,
                    candidates,
                    exact_streets,
                    json,
                },
        } => {
            let options = crate::bench::coverage::CoverageBenchOptions {
                rounds,
                k,
                candidates,
                exact_streets,
                ..Default::default()
            };
            bench_cmd::coverage(&database, options, json).await
        }
        Command::Bench {
            action:
                BenchAction::Queries {
                    database,
                    points,
                    concurrency,
                    incidents,
                    positions,
                    json,
                },
        } => {
            let options = crate::bench::queries::QueryBenchOptions {
                points,
                concurrency,
                incidents,
                positions,
                ..Default::default()
            };
            bench_cmd::queries(&database, options, json).await
        }
    }
}
