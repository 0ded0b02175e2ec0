//! Life-circle coverage (生活圈覆盖): the share of households and residents within a walk of
//! each tier (300 / 500 / 1,000 m by default) of a station of each kind, per district,
//! street, community or grid, beside the straight-line share that official indicators use;
//! and the buildings a kind's stations leave uncovered, each with its catchment station.

use crate::domain::{AreaNumber, BuildingId, StationId, StationKind};
use crate::engine::{BuildingReach, Catchments, Engine};
use geo_types::Point;
use serde::Serialize;
use std::collections::BTreeMap;

/// The walks of the 5-, 10- and 15-minute life circles (GB 50180-2018), in metres.
pub const DEFAULT_TIERS_M: [u32; 3] = [300, 500, 1_000];

/// The longest tier asked for, in metres.
pub const MAX_TIER_M: u32 = 5_000;

/// The most tiers in one request.
pub const MAX_TIERS: usize = 8;

/// Why a coverage request was refused (before any work).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoverageError {
    #[error("tiers: {0}")]
    Tiers(String),
    #[error("within: {0:?} is not a district, street, community or grid code")]
    Within(String),
}

/// The areas coverage is told for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageLevel {
    District,
    Street,
    Community,
    Grid,
}

impl CoverageLevel {
    pub const ALL: [Self; 4] = [Self::District, Self::Street, Self::Community, Self::Grid];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Street => "street",
            Self::Community => "community",
            Self::Grid => "grid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    fn digits(self) -> usize {
        match self {
            Self::District => 6,
            Self::Street => 9,
            Self::Community => 12,
            Self::Grid => 15,
        }
    }
}

/// Tier distances in metres, ascending, each 1..=[`MAX_TIER_M`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tiers(Vec<u32>);

impl Tiers {
    /// Tiers from `300,500,1000`.
    ///
    /// ```
    /// use gridmap::service::coverage::Tiers;
    /// assert_eq!(Tiers::parse("1000,300").unwrap().metres(), &[300, 1000]);
    /// assert!(Tiers::parse("-5").is_err() && Tiers::parse("").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, CoverageError> {
        let mut tiers = text
            .split(',')
            .map(|t| {
                t.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|m| (1..=MAX_TIER_M).contains(m))
                    .ok_or_else(|| {
                        CoverageError::Tiers(format!(
                            "{t:?} is not a whole number of metres 1..={MAX_TIER_M}"
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        tiers.sort_unstable();
        tiers.dedup();
        if tiers.len() > MAX_TIERS {
            return Err(CoverageError::Tiers(format!("at most {MAX_TIERS} tiers")));
        }
        Ok(Self(tiers))
    }

    pub fn metres(&self) -> &[u32] {
        &self.0
    }

    fn longest_m(&self) -> f64 {
        f64::from(self.0.last().copied().unwrap_or(0))
    }
}

impl Default for Tiers {
    fn default() -> Self {
        Self(DEFAULT_TIERS_M.to_vec())
    }
}

/// What coverage to tell.
#[derive(Debug, Clone)]
pub struct CoverageScope {
    pub kinds: Vec<StationKind>,
    pub tiers: Tiers,
    pub level: CoverageLevel,
    /// Only areas inside this one (a district, street, community or grid code).
    pub within: Option<String>,
}

/// Households and residents within one tier of a kind's stations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TierCoverage {
    pub within_m: u32,
    pub walk_households: u64,
    pub walk_residents: u64,
    pub straight_households: u64,
    pub straight_residents: u64,
    /// Shares of households (0–1); `None` when the area has none.
    pub walk_share: Option<f64>,
    pub straight_share: Option<f64>,
}

/// One kind's coverage of an area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindCoverage {
    pub kind: StationKind,
    pub tiers: Vec<TierCoverage>,
}

/// One area's coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaCoverage {
    pub code: String,
    pub name: Option<String>,
    pub buildings: u64,
    pub households: u64,
    pub residents: u64,
    pub kinds: Vec<KindCoverage>,
}

/// Coverage of every area of a level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub level: CoverageLevel,
    pub tiers_m: Vec<u32>,
    pub kinds: Vec<StationKind>,
    /// Every building in scope together (assigned to an area or not).
    pub total: AreaCoverage,
    pub areas: Vec<AreaCoverage>,
    /// Stations of the kinds that join no walkable way (they cover nobody on foot).
    pub stations_off_network: Vec<StationId>,
    /// Buildings with no walkable way within reach (covered by nobody on foot).
    pub buildings_off_network: u64,
}

/// Checks a scope before any work.
pub fn check_scope(scope: &CoverageScope) -> Result<(), CoverageError> {
    if let Some(w) = &scope.within
        && AreaNumber::parse(w).is_none()
    {
        return Err(CoverageError::Within(w.clone()));
    }
    if scope.tiers.metres().is_empty() {
        return Err(CoverageError::Tiers("at least one tier".into()));
    }
    Ok(())
}

/// Coverage of every area of the scope's level, from what the engine holds.
pub fn coverage(engine: &Engine, scope: &CoverageScope) -> Result<Coverage, CoverageError> {
    check_scope(scope)?;
    let within = scope.within.as_deref().and_then(AreaNumber::parse);
    let catchments: Vec<Catchments> = scope
        .kinds
        .iter()
        .map(|&k| engine.catchments(k, scope.tiers.longest_m()))
        .collect();
    let blank = Tally::new(scope.kinds.len(), scope.tiers.metres().len());
    let mut total = blank.clone();
    let mut areas: BTreeMap<AreaNumber, Tally> = BTreeMap::new();
    let homes = engine.walking().homes();
    let mut buildings_off_network = 0;
    for (i, info) in engine.building_info().values().enumerate() {
        let inside = |digits: usize| info.area.and_then(|a| a.within(digits));
        if let Some(w) = within
            && inside(w.digits()) != Some(w)
        {
            continue;
        }
        if homes.get(i).copied().flatten().is_none() {
            buildings_off_network += 1;
        }
        let reaches = catchments.iter().map(|c| c.buildings[i]);
        let figures = (u64::from(info.households), u64::from(info.residents));
        let tiers = scope.tiers.metres();
        total.add(figures, reaches.clone(), tiers);
        if let Some(area) = inside(scope.level.digits()) {
            areas
                .entry(area)
                .or_insert_with(|| blank.clone())
                .add(figures, reaches, tiers);
        }
    }
    let told = |code: String, tally: &Tally| tally.told(code, engine, scope);
    let total_code = scope.within.clone().unwrap_or_default();
    let mut off: Vec<StationId> = engine
        .walking()
        .stranded()
        .iter()
        .filter(|(id, _)| {
            engine
                .station_info()
                .get(id)
                .is_some_and(|s| scope.kinds.contains(&s.kind))
        })
        .map(|(id, _)| id.clone())
        .collect();
    off.sort();
    Ok(Coverage {
        level: scope.level,
        tiers_m: scope.tiers.metres().to_vec(),
        kinds: scope.kinds.clone(),
        total: told(total_code, &total),
        areas: areas
            .iter()
            .map(|(code, t)| told(code.to_string(), t))
            .collect(),
        stations_off_network: off,
        buildings_off_network,
    })
}

/// Sums for one area: buildings, households, residents, and per kind and tier the
/// households and residents covered on foot and in a straight line.
#[derive(Debug, Clone)]
struct Tally {
    buildings: u64,
    households: u64,
    residents: u64,
    /// `[kind][tier]`: (walk households, walk residents, straight households, straight
    /// residents).
    covered: Vec<Vec<[u64; 4]>>,
}

impl Tally {
    fn new(kinds: usize, tiers: usize) -> Self {
        Self {
            buildings: 0,
            households: 0,
            residents: 0,
            covered: vec![vec![[0; 4]; tiers]; kinds],
        }
    }

    fn add(
        &mut self,
        (households, residents): (u64, u64),
        reaches: impl Iterator<Item = BuildingReach>,
        tiers: &[u32],
    ) {
        self.buildings += 1;
        self.households += households;
        self.residents += residents;
        for (kind, reach) in self.covered.iter_mut().zip(reaches) {
            for (slot, &tier) in kind.iter_mut().zip(tiers) {
                let tier = tier as f32;
                if reach.walk.is_some_and(|(_, d)| d <= tier) {
                    slot[0] += households;
                    slot[1] += residents;
                }
                if reach.straight_m <= tier {
                    slot[2] += households;
                    slot[3] += residents;
                }
            }
        }
    }

    fn told(&self, code: String, engine: &Engine, scope: &CoverageScope) -> AreaCoverage {
        let share =
            |covered: u64| (self.households > 0).then(|| covered as f64 / self.households as f64);
        AreaCoverage {
            name: engine.area_name(&code),
            code,
            buildings: self.buildings,
            households: self.households,
            residents: self.residents,
            kinds: scope
                .kinds
                .iter()
                .zip(&self.covered)
                .map(|(&kind, tiers)| KindCoverage {
                    kind,
                    tiers: scope
                        .tiers
                        .metres()
                        .iter()
                        .zip(tiers)
                        .map(|(&within_m, c)| TierCoverage {
                            within_m,
                            walk_households: c[0],
                            walk_residents: c[1],
                            straight_households: c[2],
                            straight_residents: c[3],
                            walk_share: share(c[0]),
                            straight_share: share(c[2]),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Whether buildings are listed when covered, uncovered or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoveredFilter {
    Uncovered,
    Covered,
    All,
}

/// One building and its catchment station of a kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildingCatchment {
    pub building: BuildingId,
    #[serde(skip)]
    pub at: Point<f64>,
    pub households: u32,
    pub residents: u32,
    /// The nearest station on foot within the limit, and the walk.
    pub station: Option<StationId>,
    pub walking_m: Option<f64>,
    /// The straight line to the nearest station of the kind.
    pub straight_m: Option<f64>,
    pub covered: bool,
}

/// Buildings (with households) in a box and whether a walk of `within_m` reaches a station
/// of `kind` from each, at most `limit` of them; whether more were left out.
pub fn building_catchments(
    engine: &Engine,
    kind: StationKind,
    within_m: u32,
    filter: CoveredFilter,
    bbox: Option<([f64; 2], [f64; 2])>,
    limit: usize,
) -> (Vec<BuildingCatchment>, bool) {
    let catchments = engine.catchments(kind, f64::from(within_m));
    let inside = |p: Point<f64>| {
        bbox.is_none_or(|(min, max)| {
            (min[0]..=max[0]).contains(&p.x()) && (min[1]..=max[1]).contains(&p.y())
        })
    };
    let mut out = Vec::new();
    let mut more = false;
    for ((id, info), reach) in engine.building_info().iter().zip(&catchments.buildings) {
        if info.households == 0 || !inside(info.anchor) {
            continue;
        }
        let covered = reach.walk.is_some();
        let kept = match filter {
            CoveredFilter::Uncovered => !covered,
            CoveredFilter::Covered => covered,
            CoveredFilter::All => true,
        };
        if !kept {
            continue;
        }
        if out.len() == limit {
            more = true;
            break;
        }
        out.push(BuildingCatchment {
            building: id.clone(),
            at: info.anchor,
            households: info.households,
            residents: info.residents,
            station: reach
                .walk
                .and_then(|(s, _)| catchments.stations.get(s as usize).cloned()),
            walking_m: reach.walk.map(|(_, d)| f64::from(d).round()),
            straight_m: reach
                .straight_m
                .is_finite()
                .then(|| f64::from(reach.straight_m).round()),
            covered,
        });
    }
    (out, more)
}
