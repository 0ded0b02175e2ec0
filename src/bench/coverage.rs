//! `gridmap bench coverage`: life-circle coverage of every building for every station kind
//! and three tiers, beside what PostGIS and pgRouting take for parts of the same answer (the
//! straight-line households within each tier by `ST_DWithin`; each kind's nodes within the
//! longest tier by `pgr_drivingDistance` from all its stations at once); and new-site
//! suggestions among many candidates, with the bound on their gap and, on problems small
//! enough, the exact optimum.

use super::walking::{median, nearer_end, write_edges};
use crate::domain::StationKind;
use crate::engine::Engine;
use crate::service::coverage::{self, CoverageLevel, CoverageScope, Tiers};
use crate::service::site_suggestions::{
    self, CandidatePoint, CandidateSource, SuggestionRequest, Suggestions,
};
use geo_types::Point;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use sqlx::PgPool;
use std::time::Instant;

/// Sizes of the run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CoverageBenchOptions {
    pub rounds: usize,
    /// New sites to choose, and among how many candidates (random network nodes).
    pub k: usize,
    pub candidates: usize,
    /// The kind whose new sites are chosen, and the walk they must be within.
    pub kind: StationKind,
    pub within_m: u32,
    /// Streets on which the exact optimum is computed and compared.
    pub exact_streets: usize,
}

impl Default for CoverageBenchOptions {
    fn default() -> Self {
        Self {
            rounds: 3,
            k: 10,
            candidates: 10_000,
            kind: StationKind::ServiceCentre,
            within_m: 1_000,
            exact_streets: 12,
        }
    }
}

/// One street's suggestion beside its exact optimum.
#[derive(Debug, Clone, Serialize)]
pub struct ExactComparison {
    pub street: String,
    pub candidates: usize,
    pub suggested: u64,
    pub exact: f64,
    pub gap: f64,
    pub suggest_ms: u64,
}

/// The figures of one run.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageBenchReport {
    pub options: CoverageBenchOptions,
    pub buildings: usize,
    pub stations: usize,
    pub tiers_m: Vec<u32>,
    /// Our whole coverage (every kind, every tier, walking and straight, every community),
    /// per round, in ms.
    pub coverage_ms: Vec<f64>,
    /// PostGIS: straight-line households within each tier of each kind (`ST_DWithin`).
    pub postgis_straight_ms: f64,
    /// pgRouting: each kind's nodes within the longest tier from all its stations.
    pub pgrouting_reach_ms: f64,
    /// District-wide shares per kind at each tier: (kind, tier, walk, straight).
    pub shares: Vec<(StationKind, u32, f64, f64)>,
    /// The straight-line households per kind and tier by PostGIS equal ours.
    pub straight_matches_postgis: bool,
    /// Site suggestions among the candidates, per round, in ms.
    pub suggest_ms: Vec<f64>,
    pub suggestion: Suggestions,
    pub exact: Vec<ExactComparison>,
}

/// Random network nodes as candidate sites.
fn random_nodes(engine: &Engine, n: usize, seed: u64) -> Vec<CandidatePoint> {
    let network = engine.walking().network();
    let frame = network.frame();
    let nodes = network.nodes();
    if nodes.is_empty() {
        return Vec::new();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let c = nodes[rng.random_range(0..nodes.len())];
            CandidatePoint {
                label: format!("candidate {}", i + 1),
                at: Point::from(frame.to_lonlat(c.x, c.y)),
            }
        })
        .collect()
}

/// Households whose inner point lies within `metres` of a station of `kind` in a straight
/// line, by PostGIS, in ms and households.
async fn postgis_straight(
    pool: &PgPool,
    kind: StationKind,
    metres: u32,
    latitude: f64,
) -> Result<(f64, i64), sqlx::Error> {
    // A box in degrees holding the circle, then the metres on the spheroid.
    let degrees = f64::from(metres) / (111_320.0 * latitude.to_radians().cos());
    let started = Instant::now();
    let (households,): (Option<i64>,) = sqlx::query_as(
        "SELECT sum(b.households)::bigint FROM buildings b \
         WHERE EXISTS (SELECT 1 FROM stations s WHERE s.kind = $1 \
           AND ST_DWithin(s.geom, ST_PointOnSurface(b.geom), $2) \
           AND ST_DWithin(s.geom::geography, ST_PointOnSurface(b.geom)::geography, $3, false))",
    )
    .bind(kind.as_str())
    .bind(degrees)
    .bind(f64::from(metres))
    .fetch_one(pool)
    .await?;
    Ok((
        started.elapsed().as_secs_f64() * 1e3,
        households.unwrap_or(0),
    ))
}

/// Runs the comparison on a loaded engine whose store is the PostGIS behind `pool`.
pub async fn run(
    engine: &Engine,
    pool: &PgPool,
    options: CoverageBenchOptions,
    say: &impl Fn(&str),
) -> Result<CoverageBenchReport, Box<dyn std::error::Error + Send + Sync>> {
    let scope = CoverageScope {
        kinds: StationKind::ALL.to_vec(),
        tiers: Tiers::default(),
        level: CoverageLevel::Community,
        within: None,
    };
    let mut coverage_ms = Vec::new();
    let mut told = None;
    for round in 0..options.rounds.max(1) {
        let started = Instant::now();
        let c = coverage::coverage(engine, &scope)?;
        coverage_ms.push(started.elapsed().as_secs_f64() * 1e3);
        say(&format!(
            "coverage round {}: {:.0} ms ({} communities)",
            round + 1,
            coverage_ms[round],
            c.areas.len()
        ));
        told = Some(c);
    }
    let told = told.ok_or("no coverage round ran")?;
    let mut shares = Vec::new();
    for k in &told.total.kinds {
        for t in &k.tiers {
            shares.push((
                k.kind,
                t.within_m,
                t.walk_share.unwrap_or(0.0),
                t.straight_share.unwrap_or(0.0),
            ));
        }
    }

    // PostGIS: the straight-line figure per kind and tier.
    let latitude = engine.walking().network().frame().centre().y;
    let mut postgis_straight_ms = 0.0;
    let mut straight_matches_postgis = true;
    for k in &told.total.kinds {
        for t in &k.tiers {
            let (ms, households) = postgis_straight(pool, k.kind, t.within_m, latitude).await?;
            postgis_straight_ms += ms;
            // Our frame is flat, theirs the spheroid: a building right at the edge may differ.
            let ours = t.straight_households as f64;
            if (ours - households as f64).abs() > 0.002 * ours.max(1.0) {
                straight_matches_postgis = false;
                say(&format!(
                    "{} within {} m: ours {} households, PostGIS {households}",
                    k.kind.as_str(),
                    t.within_m,
                    t.straight_households
                ));
            }
        }
    }
    say(&format!(
        "PostGIS straight-line households: {postgis_straight_ms:.0} ms"
    ));

    // pgRouting: each kind's reach within the longest tier from all its stations.
    write_edges(pool, engine).await?;
    let walking = engine.walking();
    let network = walking.network();
    let longest = f64::from(*scope.tiers.metres().last().unwrap_or(&1_000));
    let mut pgrouting_reach_ms = 0.0;
    for kind in StationKind::ALL {
        let vids: Vec<i64> = engine
            .station_info()
            .values()
            .filter(|s| s.kind == kind)
            .filter_map(|s| walking.station(&s.id))
            .map(|snap| i64::from(nearer_end(network, snap).0.0) + 1)
            .collect();
        if vids.is_empty() {
            continue;
        }
        let started = Instant::now();
        let _: Vec<(i64,)> = sqlx::query_as(
            "SELECT node FROM pgr_drivingDistance(\
             'SELECT id, source, target, cost, reverse_cost FROM walk_edges', $1::bigint[], $2, \
             directed => false, equicost => true)",
        )
        .bind(&vids)
        .bind(longest)
        .fetch_all(pool)
        .await?;
        pgrouting_reach_ms += started.elapsed().as_secs_f64() * 1e3;
    }
    say(&format!(
        "pgRouting reach of every kind: {pgrouting_reach_ms:.0} ms"
    ));

    // Site suggestions among random network nodes.
    let request = SuggestionRequest {
        kind: options.kind,
        within_m: options.within_m,
        k: options.k,
        candidates: CandidateSource::Points(random_nodes(engine, options.candidates, 11)),
        within: None,
    };
    let mut suggest_ms = Vec::new();
    let mut suggestion = None;
    for round in 0..options.rounds.max(1) {
        let started = Instant::now();
        let s = site_suggestions::suggest(engine, &request)?;
        suggest_ms.push(started.elapsed().as_secs_f64() * 1e3);
        say(&format!(
            "suggestions round {}: {:.0} ms, {} candidates, gap at most {:.2}%",
            round + 1,
            suggest_ms[round],
            s.candidates,
            s.gap_at_most * 100.0
        ));
        suggestion = Some(s);
    }
    let suggestion = suggestion.ok_or("no suggestion round ran")?;
    let exact = exact_on_streets(engine, options, say)?;
    Ok(CoverageBenchReport {
        options,
        buildings: engine.building_info().len(),
        stations: engine.station_info().len(),
        tiers_m: scope.tiers.metres().to_vec(),
        coverage_ms,
        postgis_straight_ms,
        pgrouting_reach_ms,
        shares,
        straight_matches_postgis,
        suggest_ms,
        suggestion,
        exact,
    })
}

/// Suggestions on single streets (candidates: network nodes 150 m apart), each beside the
/// exact optimum where it is computed.
fn exact_on_streets(
    engine: &Engine,
    options: CoverageBenchOptions,
    say: &impl Fn(&str),
) -> Result<Vec<ExactComparison>, Box<dyn std::error::Error + Send + Sync>> {
    let mut streets: Vec<String> = engine
        .street_names()
        .keys()
        .map(|s| s.as_str().to_string())
        .collect();
    streets.sort();
    let step = (streets.len() / options.exact_streets.max(1)).max(1);
    let mut out = Vec::new();
    for street in streets.iter().step_by(step).take(options.exact_streets) {
        let request = SuggestionRequest {
            kind: options.kind,
            within_m: options.within_m,
            k: options.k.min(5),
            candidates: CandidateSource::Nodes { spacing_m: 150.0 },
            within: Some(street.clone()),
        };
        let s = match site_suggestions::suggest(engine, &request) {
            Ok(s) => s,
            Err(e) => {
                say(&format!("street {street}: {e}"));
                continue;
            }
        };
        let suggested = s.covered_after - s.covered_before;
        match &s.exact {
            Some(exact) => {
                say(&format!(
                    "street {street}: {} candidates, suggested {suggested} households, exact {:.0}, gap {:.2}% ({} ms)",
                    s.candidates,
                    exact.covered_households,
                    exact.gap * 100.0,
                    s.elapsed_ms
                ));
                out.push(ExactComparison {
                    street: street.clone(),
                    candidates: s.candidates,
                    suggested,
                    exact: exact.covered_households,
                    gap: exact.gap,
                    suggest_ms: s.elapsed_ms,
                });
            }
            None => say(&format!(
                "street {street}: exact not computed ({})",
                s.exact_skipped.unwrap_or_default()
            )),
        }
    }
    Ok(out)
}

/// The median of a run's rounds.
pub fn median_ms(rounds: &[f64]) -> f64 {
    median(rounds.to_vec())
}
