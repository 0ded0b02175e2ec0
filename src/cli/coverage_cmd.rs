//! `gridmap coverage` (each area's share of households within each tier's walk of a station
//! of each kind, beside the straight-line share) and `gridmap suggest-sites` (where new
//! stations would cover the most uncovered households), on the engine as the server builds
//! it.

use super::CliResult;
use super::progress::spinner;
use crate::domain::{BuildingKind, LandClass, StationKind};
use crate::engine::Engine;
use crate::service::coverage::{self, CoverageLevel, CoverageScope, Tiers};
use crate::service::office_workbooks::site_suggestions_workbook;
use crate::service::site_suggestions::{
    self, CandidateSource, DEFAULT_NODE_SPACING_M, SuggestionRequest, points_from_geojson,
};
use crate::store;
use std::path::{Path, PathBuf};

async fn load_engine(database: &str) -> Result<Engine, Box<dyn std::error::Error + Send + Sync>> {
    let store = store::open(database).await?;
    let loading = spinner("loading the district and its walking network");
    let engine = Engine::load(store.as_ref()).await;
    loading.finish_and_clear();
    store.close().await;
    Ok(engine?)
}

/// Station kinds from `service_station,red_outpost` (every kind when absent).
pub fn parse_kinds(text: Option<&str>) -> Result<Vec<StationKind>, String> {
    let Some(text) = text else {
        return Ok(StationKind::ALL.to_vec());
    };
    text.split(',')
        .map(|k| {
            StationKind::parse(k.trim()).ok_or_else(|| {
                format!("--kinds: {k:?} is not a station kind (service_centre, service_station, red_outpost, rider_rest_station)")
            })
        })
        .collect()
}

/// Prints (or writes as JSON) each area's coverage.
pub async fn coverage(
    database: &str,
    level: &str,
    tiers: &str,
    kinds: Option<&str>,
    within: Option<String>,
    json: bool,
) -> CliResult {
    let level =
        CoverageLevel::parse(level).ok_or("--level must be district, street, community or grid")?;
    let tiers = Tiers::parse(tiers).map_err(|e| format!("--{e}"))?;
    let scope = CoverageScope {
        kinds: parse_kinds(kinds)?,
        tiers,
        level,
        within,
    };
    coverage::check_scope(&scope).map_err(|e| format!("--{e}"))?;
    let engine = load_engine(database).await?;
    let started = std::time::Instant::now();
    let told = coverage::coverage(&engine, &scope).map_err(|e| format!("--{e}"))?;
    let took = started.elapsed();
    if json {
        println!("{}", serde_json::to_string_pretty(&told)?);
        return Ok(());
    }
    for (k, kind) in told.kinds.iter().enumerate() {
        println!(
            "\n{} ({}): households within a walk / in a straight line",
            kind.chinese(),
            kind.as_str()
        );
        let tiers: Vec<String> = told.tiers_m.iter().map(|m| format!("{m:>15} m")).collect();
        println!(
            "{:<15} {:<12} {:>10} {}",
            "code",
            "name",
            "households",
            tiers.join("")
        );
        for area in told.areas.iter().chain([&told.total]) {
            let cells: Vec<String> = area.kinds[k]
                .tiers
                .iter()
                .map(|t| {
                    let pct = |s: Option<f64>| {
                        s.map_or("–".to_string(), |s| format!("{:.1}%", s * 100.0))
                    };
                    format!(
                        "{:>17}",
                        format!("{} / {}", pct(t.walk_share), pct(t.straight_share))
                    )
                })
                .collect();
            let code = if area.code.is_empty() {
                "total"
            } else {
                area.code.as_str()
            };
            println!(
                "{:<15} {:<12} {:>10} {}",
                code,
                area.name.as_deref().unwrap_or(""),
                area.households,
                cells.join("")
            );
        }
    }
    println!(
        "\n{} areas; {} stations off the walking network, {} buildings with no walkable way within 500 m; computed in {} ms",
        told.areas.len(),
        told.stations_off_network.len(),
        told.buildings_off_network,
        took.as_millis()
    );
    Ok(())
}

/// `nodes[:SPACING]`, `buildings:KIND,…`, `land:CLASS,…` or a GeoJSON file of points.
pub fn parse_candidates(text: &str) -> Result<CandidateSource, String> {
    let (source, rest) = text.split_once(':').unwrap_or((text, ""));
    let list: Vec<&str> = rest
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    match source {
        "nodes" => Ok(CandidateSource::Nodes {
            spacing_m: if rest.is_empty() {
                DEFAULT_NODE_SPACING_M
            } else {
                rest.parse()
                    .map_err(|_| format!("--candidates: {rest:?} is not a spacing in metres"))?
            },
        }),
        "buildings" => list
            .iter()
            .map(|k| {
                BuildingKind::ALL
                    .into_iter()
                    .find(|b| b.as_str() == *k)
                    .ok_or_else(|| format!("--candidates: {k:?} is not a building kind"))
            })
            .collect::<Result<_, _>>()
            .map(CandidateSource::Buildings),
        "land" => list
            .iter()
            .map(|c| {
                LandClass::parse(c)
                    .ok_or_else(|| format!("--candidates: {c:?} is not a land class"))
            })
            .collect::<Result<_, _>>()
            .map(CandidateSource::Land),
        _ => {
            let path = Path::new(text);
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let value: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| format!("{}: line {}: {e}", path.display(), e.line()))?;
            points_from_geojson(&value)
                .map(CandidateSource::Points)
                .map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

/// The options of `suggest-sites`.
pub struct SuggestArgs {
    pub kind: String,
    pub within_m: u32,
    pub k: usize,
    pub candidates: String,
    pub within: Option<String>,
    pub output: Option<PathBuf>,
    pub json: bool,
}

/// Suggests new sites, prints them and writes them as GeoJSON or XLSX when asked.
pub async fn suggest_sites(database: &str, args: SuggestArgs) -> CliResult {
    let kind = StationKind::parse(&args.kind).ok_or_else(|| {
        format!("--kind: {:?} is not a station kind (service_centre, service_station, red_outpost, rider_rest_station)", args.kind)
    })?;
    let request = SuggestionRequest {
        kind,
        within_m: args.within_m,
        k: args.k,
        candidates: parse_candidates(&args.candidates)?,
        within: args.within,
    };
    site_suggestions::check(&request).map_err(|e| format!("--{e}"))?;
    let engine = load_engine(database).await?;
    let choosing = spinner("choosing sites");
    let suggested = site_suggestions::suggest(&engine, &request);
    choosing.finish_and_clear();
    let s = suggested.map_err(|e| format!("--{e}"))?;
    if let Some(output) = &args.output {
        let bytes = match output.extension().and_then(|e| e.to_str()) {
            Some("xlsx") => site_suggestions_workbook(&s)?,
            Some("geojson" | "json") => serde_json::to_vec(&s.sites_geojson())?,
            _ => {
                return Err(format!(
                    "--output {}: name a .geojson or .xlsx file",
                    output.display()
                )
                .into());
            }
        };
        std::fs::write(output, bytes)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    for site in &s.sites {
        println!(
            "{:>2}. {} ({:.6}, {:.6}): +{} households, +{} residents",
            site.rank,
            site.label,
            site.at.x(),
            site.at.y(),
            site.adds_households,
            site.adds_residents
        );
    }
    let pct = |v: Option<f64>| v.map_or("–".into(), |v| format!("{:.1}%", v * 100.0));
    println!(
        "{} of {} candidates ({} off the network): households within {} m of a {} from {} to {} ({} → {} of {}); at most {:.2}% from the optimum{}; {} ms",
        s.sites.len(),
        s.candidates,
        s.candidates_off_network,
        s.within_m,
        s.kind.chinese(),
        pct(s.share_before),
        pct(s.share_after),
        s.covered_before,
        s.covered_after,
        s.households,
        s.gap_at_most * 100.0,
        s.exact.as_ref().map_or_else(
            || format!(
                " (exact optimum not computed: {})",
                s.exact_skipped.clone().unwrap_or_default()
            ),
            |e| format!(", {:.2}% from the exact optimum", e.gap * 100.0)
        ),
        s.elapsed_ms
    );
    if let Some(output) = &args.output {
        println!("written to {}", output.display());
    }
    Ok(())
}
