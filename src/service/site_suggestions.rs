//! New-site suggestions (选址建议): where `k` new stations of a kind would bring the most
//! households that no station of the kind reaches within a walk into reach (maximal
//! covering location, existing stations kept), with a bound on how far the choice can be
//! from the best and, for small problems, the exact best.

use super::coverage::MAX_TIER_M;
use crate::domain::{AreaNumber, BuildingKind, LandClass, StationKind};
use crate::engine::{Engine, POINT_SNAP_M};
use crate::routing::PlacesByNode;
use crate::siting::CoverProblem;
use geo::InteriorPoint;
use geo_types::Point;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::time::Instant;

/// The most candidate sites one request weighs.
pub const MAX_CANDIDATES: usize = 20_000;

/// The most sites one request chooses.
pub const MAX_K: usize = 100;

/// How long the exact optimum is sought before it is given up.
pub const EXACT_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Spacing of network nodes taken as candidates when none is asked, in metres.
pub const DEFAULT_NODE_SPACING_M: f64 = 150.0;

/// Where candidate sites come from.
#[derive(Debug, Clone, PartialEq)]
pub enum CandidateSource {
    /// Buildings of these kinds (a point inside each).
    Buildings(Vec<BuildingKind>),
    /// Land areas of these classes (a point inside each).
    Land(Vec<LandClass>),
    /// Nodes of the walking network, at most one per square of this side.
    Nodes { spacing_m: f64 },
    /// Points given by the caller.
    Points(Vec<CandidatePoint>),
}

/// A candidate site: what to call it and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidatePoint {
    pub label: String,
    #[serde(skip)]
    pub at: Point<f64>,
}

/// Candidate points from a GeoJSON FeatureCollection of Points (label: `name`, else the
/// feature's `id`, else its number from 1); the error names the feature.
pub fn points_from_geojson(collection: &serde_json::Value) -> Result<Vec<CandidatePoint>, String> {
    let features = collection["features"]
        .as_array()
        .filter(|_| collection["type"] == "FeatureCollection")
        .ok_or("must be a GeoJSON FeatureCollection of points")?;
    if features.len() > MAX_CANDIDATES {
        return Err(format!("at most {MAX_CANDIDATES} points"));
    }
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            // Longitude, latitude and perhaps a height, all numbers.
            let c = f["geometry"]["coordinates"]
                .as_array()
                .filter(|c| {
                    (2..=3).contains(&c.len()) && c.iter().all(serde_json::Value::is_number)
                })
                .ok_or_else(|| format!("feature {} is not a point", i + 1))?;
            let lonlat = (c[0].as_f64(), c[1].as_f64());
            let (Some(lon), Some(lat)) = lonlat else {
                return Err(format!("feature {} is not a point", i + 1));
            };
            if f["type"] != "Feature"
                || f["geometry"]["type"] != "Point"
                || !(-180.0..=180.0).contains(&lon)
                || !(-90.0..=90.0).contains(&lat)
            {
                return Err(format!("feature {} is not a lon/lat point", i + 1));
            }
            let label = f["properties"]["name"]
                .as_str()
                .map(str::to_string)
                .or_else(|| f["id"].as_str().map(str::to_string))
                .unwrap_or_else(|| format!("{}", i + 1));
            Ok(CandidatePoint {
                label,
                at: Point::new(lon, lat),
            })
        })
        .collect()
}

/// What to suggest.
#[derive(Debug, Clone)]
pub struct SuggestionRequest {
    pub kind: StationKind,
    pub within_m: u32,
    pub k: usize,
    pub candidates: CandidateSource,
    /// Only households inside this area count (a district, street, community or grid code).
    pub within: Option<String>,
}

/// Why suggestions were refused (before any work, or once the candidates were known).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SuggestionError {
    #[error("k: {0}")]
    K(String),
    #[error("within_m: must be whole metres 1..={MAX_TIER_M}")]
    WithinM,
    #[error("within: {0:?} is not a district, street, community or grid code")]
    Within(String),
    #[error("candidates: {0}")]
    Candidates(String),
}

/// One suggested site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteSuggestion {
    /// 1 for the site that adds the most, and so on.
    pub rank: usize,
    pub label: String,
    #[serde(skip)]
    pub at: Point<f64>,
    /// Households and residents this site brings into reach beyond those ranked before it.
    pub adds_households: u64,
    pub adds_residents: u64,
    /// Uncovered households within the walk of this site alone.
    pub reaches_households: u64,
}

/// The exact best, when computed, and how far the suggestion is from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactBest {
    pub covered_households: f64,
    /// (best − suggested) / best, 0 when the suggestion is the best.
    pub gap: f64,
}

/// Suggested sites and what they change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestions {
    pub kind: StationKind,
    pub within_m: u32,
    pub k: usize,
    /// Candidates weighed (on the network, near the households in scope).
    pub candidates: usize,
    /// Candidates with no walkable way within reach (left out).
    pub candidates_off_network: usize,
    pub households: u64,
    pub covered_before: u64,
    pub covered_after: u64,
    pub share_before: Option<f64>,
    pub share_after: Option<f64>,
    pub sites: Vec<SiteSuggestion>,
    /// No `k` candidates bring more households into reach than this.
    pub upper_bound_households: f64,
    /// (bound − suggested) / bound: the suggestion is at most this far from the best.
    pub gap_at_most: f64,
    pub exact: Option<ExactBest>,
    /// Why the exact best was not computed, when it was not.
    pub exact_skipped: Option<String>,
    pub elapsed_ms: u64,
}

impl Suggestions {
    /// The sites as a GeoJSON FeatureCollection of points with their figures.
    pub fn sites_geojson(&self) -> serde_json::Value {
        serde_json::json!({
            "type": "FeatureCollection",
            "features": self.sites.iter().map(|site| serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [site.at.x(), site.at.y()]},
                "properties": site,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Checks a request before any work.
pub fn check(request: &SuggestionRequest) -> Result<(), SuggestionError> {
    if request.k == 0 || request.k > MAX_K {
        return Err(SuggestionError::K(format!("must be 1..={MAX_K}")));
    }
    if request.within_m == 0 || request.within_m > MAX_TIER_M {
        return Err(SuggestionError::WithinM);
    }
    if let Some(w) = &request.within
        && AreaNumber::parse(w).is_none()
    {
        return Err(SuggestionError::Within(w.clone()));
    }
    match &request.candidates {
        CandidateSource::Buildings(k) if k.is_empty() => Err(SuggestionError::Candidates(
            "name at least one building kind".into(),
        )),
        CandidateSource::Land(c) if c.is_empty() => Err(SuggestionError::Candidates(
            "name at least one land class".into(),
        )),
        CandidateSource::Nodes { spacing_m } if !(10.0..=5_000.0).contains(spacing_m) => Err(
            SuggestionError::Candidates("spacing_m must be 10..=5000".into()),
        ),
        CandidateSource::Points(p) if p.len() > MAX_CANDIDATES => Err(SuggestionError::Candidates(
            format!("at most {MAX_CANDIDATES} points"),
        )),
        _ => Ok(()),
    }
}

/// The households in scope, as demand: building index, households, residents, covered now.
struct Demand {
    buildings: Vec<usize>,
    households: Vec<u64>,
    residents: Vec<u64>,
    covered_before: u64,
    total: u64,
    /// The box around the uncovered households, in lon/lat.
    extent: Option<([f64; 2], [f64; 2])>,
}

fn demand(engine: &Engine, request: &SuggestionRequest) -> Demand {
    let within = request.within.as_deref().and_then(AreaNumber::parse);
    let catchments = engine.catchments(request.kind, f64::from(request.within_m));
    let homes = engine.walking().homes();
    let mut d = Demand {
        buildings: Vec::new(),
        households: Vec::new(),
        residents: Vec::new(),
        covered_before: 0,
        total: 0,
        extent: None,
    };
    for (i, (info, reach)) in engine
        .building_info()
        .values()
        .zip(&catchments.buildings)
        .enumerate()
    {
        if info.households == 0
            || within.is_some_and(|w| info.area.and_then(|a| a.within(w.digits())) != Some(w))
        {
            continue;
        }
        d.total += u64::from(info.households);
        if reach.walk.is_some() {
            d.covered_before += u64::from(info.households);
        } else if homes.get(i).copied().flatten().is_some() {
            d.buildings.push(i);
            d.households.push(u64::from(info.households));
            d.residents.push(u64::from(info.residents));
            let p = [info.anchor.x(), info.anchor.y()];
            d.extent = Some(d.extent.map_or((p, p), |(min, max)| {
                (
                    [min[0].min(p[0]), min[1].min(p[1])],
                    [max[0].max(p[0]), max[1].max(p[1])],
                )
            }));
        }
    }
    d
}

/// The candidate points of a source near the demand (within the walk of its box).
fn candidate_points(
    engine: &Engine,
    source: &CandidateSource,
    near: ([f64; 2], [f64; 2]),
    margin_m: f64,
) -> Vec<CandidatePoint> {
    let frame = engine.walking().network().frame();
    let (low, high) = (
        frame.to_metres(near.0.into()),
        frame.to_metres(near.1.into()),
    );
    let near_enough = |p: Point<f64>| {
        let m = frame.to_metres(p.0);
        m.x >= low.x - margin_m
            && m.x <= high.x + margin_m
            && m.y >= low.y - margin_m
            && m.y <= high.y + margin_m
    };
    let points: Vec<CandidatePoint> = match source {
        CandidateSource::Buildings(kinds) => engine
            .building_info()
            .iter()
            .filter(|(_, info)| kinds.contains(&info.kind))
            .map(|(id, info)| CandidatePoint {
                label: id.0.clone(),
                at: info.anchor,
            })
            .collect(),
        CandidateSource::Land(classes) => engine
            .land()
            .entries()
            .iter()
            .filter(|(id, _)| {
                engine
                    .land_info()
                    .get(id)
                    .is_some_and(|(class, _)| classes.contains(class))
            })
            .filter_map(|(id, polygon)| {
                Some(CandidatePoint {
                    label: engine
                        .land_info()
                        .get(id)
                        .and_then(|(_, name)| name.clone())
                        .unwrap_or_else(|| id.0.clone()),
                    at: polygon.interior_point()?,
                })
            })
            .collect(),
        CandidateSource::Nodes { spacing_m } => {
            let mut seen = HashSet::new();
            engine
                .walking()
                .network()
                .nodes()
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    seen.insert((
                        (c.x / spacing_m).floor() as i64,
                        (c.y / spacing_m).floor() as i64,
                    ))
                })
                .map(|(i, c)| CandidatePoint {
                    label: format!("node {i}"),
                    at: Point::from(frame.to_lonlat(c.x, c.y)),
                })
                .collect()
        }
        CandidateSource::Points(points) => points.clone(),
    };
    points.into_iter().filter(|p| near_enough(p.at)).collect()
}

/// Suggests where `k` new stations would reach the most uncovered households.
pub fn suggest(
    engine: &Engine,
    request: &SuggestionRequest,
) -> Result<Suggestions, SuggestionError> {
    check(request)?;
    let started = Instant::now();
    let within_m = f64::from(request.within_m);
    let demand = demand(engine, request);
    let candidates = demand.extent.map_or_else(Vec::new, |near| {
        candidate_points(engine, &request.candidates, near, within_m)
    });
    if candidates.len() > MAX_CANDIDATES {
        return Err(SuggestionError::Candidates(format!(
            "{} candidates near the households; at most {MAX_CANDIDATES} (name fewer kinds or a larger spacing)",
            candidates.len()
        )));
    }
    let network = engine.walking().network();
    let homes = engine.walking().homes();
    let places: Vec<_> = demand
        .buildings
        .iter()
        .map(|&i| homes.get(i).copied().flatten())
        .collect();
    let by_node = PlacesByNode::new(network, &places);
    let snapped: Vec<_> = candidates
        .par_iter()
        .map(|c| {
            network.snap(c.at, POINT_SNAP_M).ok().map(|snap| {
                let mut covers: Vec<u32> = by_node
                    .within(network, &snap, within_m)
                    .into_iter()
                    .map(|(place, _)| place)
                    .collect();
                covers.sort_unstable();
                covers
            })
        })
        .collect();
    let candidates_off_network = snapped.iter().filter(|s| s.is_none()).count();
    let (kept, covers): (Vec<CandidatePoint>, Vec<Vec<u32>>) = candidates
        .into_iter()
        .zip(snapped)
        .filter_map(|(c, s)| Some((c, s?)))
        .unzip();
    if !demand.buildings.is_empty() && kept.is_empty() {
        return Err(SuggestionError::Candidates(
            "none of them is on the walking network near the uncovered households".into(),
        ));
    }
    if !demand.buildings.is_empty() && request.k > kept.len() {
        return Err(SuggestionError::K(format!(
            "{} is more than the {} candidates on the network",
            request.k,
            kept.len()
        )));
    }
    let problem = CoverProblem {
        weights: demand.households.iter().map(|&h| h as f64).collect(),
        covers,
    };
    let choice = problem.choose(request.k);
    let bound = problem.upper_bound(request.k, choice.covered);
    let (exact, exact_skipped) = match problem.exact(request.k, EXACT_TIME_LIMIT, Some(&choice)) {
        Ok(best) => (
            Some(ExactBest {
                covered_households: best.covered,
                gap: gap(best.covered, choice.covered),
            }),
            None,
        ),
        Err(e) => (None, Some(e.to_string())),
    };
    let sites = ranked(&problem, &choice.sites, &kept, &demand.residents);
    let added: u64 = sites.iter().map(|s| s.adds_households).sum();
    let share = |covered: u64| (demand.total > 0).then(|| covered as f64 / demand.total as f64);
    Ok(Suggestions {
        kind: request.kind,
        within_m: request.within_m,
        k: request.k,
        candidates: kept.len(),
        candidates_off_network,
        households: demand.total,
        covered_before: demand.covered_before,
        covered_after: demand.covered_before + added,
        share_before: share(demand.covered_before),
        share_after: share(demand.covered_before + added),
        sites,
        upper_bound_households: bound.upper,
        gap_at_most: gap(bound.upper, choice.covered),
        exact,
        exact_skipped,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// (best − found) / best.
fn gap(best: f64, found: f64) -> f64 {
    if best <= 0.0 {
        0.0
    } else {
        ((best - found) / best).max(0.0)
    }
}

/// The chosen sites ranked by what each adds after those before it.
fn ranked(
    problem: &CoverProblem,
    sites: &[u32],
    candidates: &[CandidatePoint],
    residents: &[u64],
) -> Vec<SiteSuggestion> {
    let mut covered = vec![false; problem.weights.len()];
    let mut left: Vec<u32> = sites.to_vec();
    let mut out = Vec::new();
    let adds = |s: u32, covered: &[bool]| -> u64 {
        problem.covers[s as usize]
            .iter()
            .filter(|&&d| !covered[d as usize])
            .map(|&d| problem.weights[d as usize] as u64)
            .sum()
    };
    while !left.is_empty() {
        let (slot, _) = left
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| adds(**s, &covered))
            .unwrap_or((0, &0));
        let site = left.swap_remove(slot);
        let mut adds_households = 0;
        let mut adds_residents = 0;
        for &d in &problem.covers[site as usize] {
            if !std::mem::replace(&mut covered[d as usize], true) {
                adds_households += problem.weights[d as usize] as u64;
                adds_residents += residents[d as usize];
            }
        }
        let candidate = &candidates[site as usize];
        out.push(SiteSuggestion {
            rank: out.len() + 1,
            label: candidate.label.clone(),
            at: candidate.at,
            adds_households,
            adds_residents,
            reaches_households: problem.covers[site as usize]
                .iter()
                .map(|&d| problem.weights[d as usize] as u64)
                .sum(),
        });
    }
    out
}
