//! Rebalancing (调整): split a community along a line or polygon, merge adjacent
//! communities, or absorb household changes — previewed (nothing written) or committed as
//! a plan version in one transaction, touching as little as possible: untouched grids keep
//! their buildings (and sequence numbers), touched ones are redrawn with the fewest moves.

use crate::domain::*;
use crate::partition::{
    CommunityPlan, DEDICATED_SEQUENCE_START, Effort, GridFlag, PartitionError, PartitionMetrics,
    PartitionOptions, Start, partition_community,
};
use crate::spatial::CommunityLookup;
use crate::store::{LayerQuery, Store, StoreError};
use geo::{Area, BooleanOps, Buffer, Centroid, Distance, Euclidean, InteriorPoint, Intersects};
use geo_types::{Geometry, MultiPolygon};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Width (degrees, ~10 cm) of the cut a split line makes.
const BLADE_DEGREES: f64 = 1e-6;

/// What to change.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Rebalance the grids of communities whose households or buildings changed.
    Adjust { communities: Vec<CommunityCode> },
    /// Cut a community along a line (or around a polygon) into new communities.
    Split {
        community: CommunityCode,
        blade: Geometry<f64>,
        codes: Vec<CommunityCode>,
        names: Vec<String>,
    },
    /// Join adjacent communities into one.
    Merge {
        communities: Vec<CommunityCode>,
        code: CommunityCode,
        name: String,
    },
}

/// Why a rebalancing was refused; nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum RebalanceError {
    #[error("community {0} not found")]
    UnknownCommunity(CommunityCode),
    #[error("the split line does not cross community {0}")]
    BladeMisses(CommunityCode),
    #[error(
        "the split cuts community {community} into {parts} parts; give {parts} codes (got {codes})"
    )]
    PartsMismatch {
        community: CommunityCode,
        parts: usize,
        codes: usize,
    },
    #[error("community code {code} is taken")]
    CodeTaken { code: CommunityCode },
    #[error("community code {code} is not under street {street}")]
    WrongStreet {
        code: CommunityCode,
        street: StreetCode,
    },
    #[error("communities {0} are not adjacent")]
    NotAdjacent(String),
    #[error("communities {0} overlap")]
    Overlap(String),
    #[error("merge needs at least two communities")]
    TooFew,
    #[error(transparent)]
    Partition(#[from] PartitionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One building changing grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub building: BuildingId,
    pub from: Option<GridCode>,
    pub to: GridCode,
}

/// Households of a grid before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub grid: GridCode,
    pub before: Option<u32>,
    pub after: u32,
}

/// A base grid the change leaves outside the tolerance band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutsideBand {
    pub grid: GridCode,
    pub households: u32,
    /// Why no plan can bring it within the band (`unbalanceable`: building sizes,
    /// `oversized_building`, `small_enclave`), or `normal` when a better plan might.
    pub flag: GridFlag,
}

/// What a change does, before it is made.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The plan version this preview is based on: commit with it.
    pub base_version: u64,
    pub summary: String,
    pub moved: Vec<Moved>,
    /// Old grid code → new grid code, for every grid that survives (renamed or not).
    pub code_map: BTreeMap<GridCode, GridCode>,
    /// Old grids that no longer exist.
    pub retired: Vec<GridCode>,
    /// New, changed and renamed grids (GeoJSON, with `change`: new, changed or renamed,
    /// `households_before`, `within_band` for base grids, and `flag` when building sizes
    /// set the grid apart).
    pub grids: geojson::FeatureCollection,
    /// The communities after the change (split and merge).
    pub communities: geojson::FeatureCollection,
    pub totals: Vec<Totals>,
    /// Base grids of the changed communities left outside the tolerance band (changed or
    /// not), each with its households and whether building sizes keep it there.
    pub outside_band: Vec<OutsideBand>,
    /// Workers whose grids change (renamed or retired).
    pub affected_workers: Vec<WorkerId>,
    pub metrics: PartitionMetrics,
    /// Buildings of the touched communities, and how many moved.
    pub buildings: usize,
    pub buildings_moved: usize,
    #[serde(skip)]
    pub commit: PlanCommit,
}

/// The communities to partition after the change, their buildings (grid codes carried
/// over into each new community's numbering) and the communities that cease to exist.
struct Targets {
    communities: Vec<Community>,
    buildings: Vec<Vec<Building>>,
    retired: Vec<CommunityCode>,
    /// Old grid code → the code it carries in the new numbering.
    renumbered: HashMap<GridCode, GridCode>,
    summary: String,
}

/// Computes what `operation` would do, writing nothing.
pub async fn preview(
    store: &dyn Store,
    operation: &Operation,
    options: &PartitionOptions,
) -> Result<Preview, RebalanceError> {
    let base_version = store.plan_head().await?;
    let all_communities = store.communities(&LayerQuery::default()).await?;
    let find = |code: &CommunityCode| {
        all_communities
            .iter()
            .find(|c| &c.code == code)
            .cloned()
            .ok_or_else(|| RebalanceError::UnknownCommunity(code.clone()))
    };
    let touched: Vec<CommunityCode> = match operation {
        Operation::Adjust { communities } => communities.clone(),
        Operation::Split { community, .. } => vec![community.clone()],
        Operation::Merge { communities, .. } => communities.clone(),
    };
    let mut old_communities = Vec::new();
    for code in &touched {
        old_communities.push(find(code)?);
    }
    let mut buildings: Vec<Building> = Vec::new();
    let mut old_grids: Vec<Grid> = Vec::new();
    for c in &old_communities {
        let q = LayerQuery {
            code_prefix: Some(c.code.to_string()),
            ..LayerQuery::default()
        };
        buildings.extend(store.buildings(&q).await?);
        old_grids.extend(store.grids(&q).await?);
    }
    let before: HashMap<BuildingId, Option<GridCode>> = buildings
        .iter()
        .map(|b| (b.id.clone(), b.grid.clone()))
        .collect();
    let targets = match operation {
        Operation::Adjust { .. } => adjust_targets(&old_communities, buildings),
        Operation::Split {
            community,
            blade,
            codes,
            names,
        } => split_targets(
            &old_communities[0],
            blade,
            codes,
            names,
            &all_communities,
            buildings,
            community,
        )?,
        Operation::Merge { code, name, .. } => {
            merge_targets(&old_communities, code, name, &all_communities, buildings)?
        }
    };
    let barriers = crate::service::partition_job::barriers(store).await?;
    // Splits and merges are previewed while the planner draws: the quick search.
    let effort = match operation {
        Operation::Adjust { .. } => options.effort,
        Operation::Split { .. } | Operation::Merge { .. } => Effort::Quick,
    };
    let keep = PartitionOptions {
        start: Start::KeepExisting,
        effort,
        ..*options
    };
    // The communities of a split are partitioned side by side, one thread each.
    let plans: Vec<CommunityPlan> = tokio::task::block_in_place(|| {
        std::thread::scope(|scope| {
            let running: Vec<_> = targets
                .communities
                .iter()
                .zip(&targets.buildings)
                .map(|(c, b)| {
                    let (barriers, keep) = (&barriers, &keep);
                    scope.spawn(move || {
                        let refs: Vec<&Building> = b.iter().collect();
                        partition_community(c, &refs, barriers, keep)
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|t| {
                    t.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect::<Result<_, _>>()
        })
    })?;
    let workers = store.workers(&LayerQuery::default()).await?;
    Ok(compare(
        base_version,
        targets,
        &old_grids,
        &before,
        plans,
        &workers,
        options,
        operation,
    ))
}

/// Recomputes the change and commits it as a new plan version, unless a community it
/// touches changed after `base_version` (a stale preview): then a conflict.
pub async fn commit(
    store: &dyn Store,
    operation: &Operation,
    options: &PartitionOptions,
    base_version: u64,
    author: &str,
) -> Result<(Preview, u64), RebalanceError> {
    // A stale preview is a conflict before anything else (the operation may not even
    // apply any more); the store checks again inside the transaction.
    let head = store.plan_head().await?;
    if head > base_version {
        let touched: Vec<&CommunityCode> = match operation {
            Operation::Adjust { communities } | Operation::Merge { communities, .. } => {
                communities.iter().collect()
            }
            Operation::Split {
                community, codes, ..
            } => std::iter::once(community).chain(codes).collect(),
        };
        let newer = store
            .plan_versions(u32::try_from(head - base_version).unwrap_or(u32::MAX))
            .await?;
        if let Some(v) = newer.iter().find(|v| {
            v.version > base_version && v.communities.iter().any(|c| touched.contains(&c))
        }) {
            return Err(RebalanceError::Store(StoreError::Conflict {
                what: format!(
                    "the plan of {}",
                    v.communities
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                now: format!(
                    "changed by version {} ({}) after version {base_version}",
                    v.version, v.summary
                ),
            }));
        }
    }
    let mut preview = preview(store, operation, options).await?;
    preview.commit.base_version = base_version;
    preview.commit.author = author.to_string();
    let version = store.commit_plan(&preview.commit).await?;
    Ok((preview, version))
}

fn adjust_targets(communities: &[Community], buildings: Vec<Building>) -> Targets {
    let mut by: Vec<Vec<Building>> = vec![Vec::new(); communities.len()];
    for b in buildings {
        if let Some(i) = communities
            .iter()
            .position(|c| Some(&c.code) == b.community.as_ref())
        {
            by[i].push(b);
        }
    }
    Targets {
        summary: format!(
            "adjust {}",
            communities
                .iter()
                .map(|c| c.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        communities: communities.to_vec(),
        buildings: by,
        retired: Vec::new(),
        renumbered: HashMap::new(),
    }
}

/// Checks that a new community code is free and under the right street.
fn check_new_code(
    code: &CommunityCode,
    street: &StreetCode,
    existing: &[Community],
    freed: &[CommunityCode],
) -> Result<(), RebalanceError> {
    if &code.street() != street {
        return Err(RebalanceError::WrongStreet {
            code: code.clone(),
            street: street.clone(),
        });
    }
    if existing.iter().any(|c| &c.code == code) && !freed.contains(code) {
        return Err(RebalanceError::CodeTaken { code: code.clone() });
    }
    Ok(())
}

fn split_targets(
    old: &Community,
    blade: &Geometry<f64>,
    codes: &[CommunityCode],
    names: &[String],
    existing: &[Community],
    buildings: Vec<Building>,
    code: &CommunityCode,
) -> Result<Targets, RebalanceError> {
    let pieces: Vec<MultiPolygon<f64>> = match blade {
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
            let area: MultiPolygon<f64> = match blade {
                Geometry::Polygon(p) => MultiPolygon::new(vec![p.clone()]),
                Geometry::MultiPolygon(m) => m.clone(),
                _ => MultiPolygon::new(vec![]),
            };
            vec![
                old.boundary.intersection(&area),
                old.boundary.difference(&area),
            ]
        }
        other => {
            if !other.intersects(&old.boundary) {
                return Err(RebalanceError::BladeMisses(code.clone()));
            }
            let cut = other.buffer(BLADE_DEGREES);
            old.boundary
                .difference(&cut)
                .0
                .into_iter()
                .map(|p| MultiPolygon::new(vec![p]))
                .collect()
        }
    };
    // Specks the cut leaves (under 1 m²-ish) are not communities.
    let total = old.boundary.unsigned_area();
    let pieces: Vec<MultiPolygon<f64>> = pieces
        .into_iter()
        .filter(|p| p.unsigned_area() > total * 1e-6)
        .collect();
    if pieces.len() < 2 {
        return Err(RebalanceError::BladeMisses(code.clone()));
    }
    if pieces.len() != codes.len() {
        return Err(RebalanceError::PartsMismatch {
            community: code.clone(),
            parts: pieces.len(),
            codes: codes.len(),
        });
    }
    let street = old.code.street();
    for c in codes {
        check_new_code(c, &street, existing, std::slice::from_ref(&old.code))?;
    }
    // Pieces in reading order get the codes in the order given.
    let centres: Vec<geo_types::Point<f64>> = pieces
        .iter()
        .map(|p| p.centroid().unwrap_or_default())
        .collect();
    let order = crate::spatial::reading_order(&centres);
    let communities: Vec<Community> = order
        .iter()
        .enumerate()
        .map(|(i, &o)| Community {
            code: codes[i].clone(),
            name: names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("{}（{}）", old.name, i + 1)),
            boundary: pieces[o].clone(),
        })
        .collect();
    let lookup = CommunityLookup::new(&communities);
    let mut by: Vec<Vec<Building>> = vec![Vec::new(); communities.len()];
    let mut renumbered = HashMap::new();
    for mut b in buildings {
        let point = b.footprint.interior_point();
        let target = point
            .and_then(|p| lookup.locate(p))
            .and_then(|code| communities.iter().position(|c| &c.code == code))
            .or_else(|| {
                // On the cut itself: the nearest piece.
                point.and_then(|p| {
                    (0..communities.len()).min_by(|&x, &y| {
                        Euclidean
                            .distance(&p, &communities[x].boundary)
                            .total_cmp(&Euclidean.distance(&p, &communities[y].boundary))
                    })
                })
            })
            .unwrap_or(0);
        let new_code = communities[target].code.clone();
        if let Some(g) = &b.grid
            && let Some(n) = new_code.grid(g.sequence())
        {
            renumbered.insert(g.clone(), n.clone());
            b.grid = Some(n);
        }
        b.community = Some(new_code);
        by[target].push(b);
    }
    Ok(Targets {
        summary: format!(
            "split {} into {}",
            old.code,
            codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        retired: if codes.contains(&old.code) {
            Vec::new()
        } else {
            vec![old.code.clone()]
        },
        communities,
        buildings: by,
        renumbered,
    })
}

fn merge_targets(
    old: &[Community],
    code: &CommunityCode,
    name: &str,
    existing: &[Community],
    buildings: Vec<Building>,
) -> Result<Targets, RebalanceError> {
    if old.len() < 2 {
        return Err(RebalanceError::TooFew);
    }
    let codes: Vec<CommunityCode> = old.iter().map(|c| c.code.clone()).collect();
    let listed = codes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    check_new_code(code, &old[0].code.street(), existing, &codes)?;
    let mut union = old[0].boundary.clone();
    let mut parts_before = old[0].boundary.0.len();
    for c in &old[1..] {
        let overlap = union.intersection(&c.boundary).unsigned_area();
        if overlap > 1e-12 {
            return Err(RebalanceError::Overlap(listed));
        }
        parts_before += c.boundary.0.len();
        union = union.union(&c.boundary);
    }
    // Adjacent communities share boundary: their union has fewer pieces than they had.
    if union.0.len() >= parts_before {
        return Err(RebalanceError::NotAdjacent(listed));
    }
    // Sequences: the first community keeps its numbers, the others follow after them.
    let mut renumbered = HashMap::new();
    let (mut base_offset, mut dedicated_offset) = (0u16, 0u16);
    let mut merged: Vec<Building> = Vec::with_capacity(buildings.len());
    let mut by_community: BTreeMap<usize, Vec<Building>> = BTreeMap::new();
    for b in buildings {
        let i = old
            .iter()
            .position(|c| Some(&c.code) == b.community.as_ref())
            .unwrap_or(0);
        by_community.entry(i).or_default().push(b);
    }
    for (_, list) in by_community {
        let (mut top_base, mut top_dedicated) = (0u16, 0u16);
        for mut b in list {
            if let Some(g) = &b.grid {
                let s = g.sequence();
                let shifted = if s >= DEDICATED_SEQUENCE_START {
                    top_dedicated = top_dedicated.max(s - DEDICATED_SEQUENCE_START + 1);
                    s + dedicated_offset
                } else {
                    top_base = top_base.max(s);
                    s + base_offset
                };
                if let Some(n) = code.grid(shifted) {
                    renumbered.insert(g.clone(), n.clone());
                    b.grid = Some(n);
                }
            }
            b.community = Some(code.clone());
            merged.push(b);
        }
        base_offset += top_base;
        dedicated_offset += top_dedicated;
    }
    Ok(Targets {
        summary: format!("merge {listed} into {code}"),
        communities: vec![Community {
            code: code.clone(),
            name: name.to_string(),
            boundary: union,
        }],
        buildings: vec![merged],
        retired: codes.into_iter().filter(|c| c != code).collect(),
        renumbered,
    })
}

#[allow(clippy::too_many_arguments)]
fn compare(
    base_version: u64,
    targets: Targets,
    old_grids: &[Grid],
    before: &HashMap<BuildingId, Option<GridCode>>,
    plans: Vec<CommunityPlan>,
    workers: &[Worker],
    options: &PartitionOptions,
    operation: &Operation,
) -> Preview {
    // Where each building ends up, and for each old grid the new grid that carries its
    // sequence and most of its buildings (a grid cut by a new boundary lives on in one
    // piece; the others are new grids).
    let new_of: HashMap<&BuildingId, &GridCode> = plans
        .iter()
        .flat_map(|p| {
            p.grids
                .iter()
                .flat_map(|g| g.buildings.iter().map(move |b| (b, &g.grid.code)))
        })
        .collect();
    let mut carried: HashMap<&GridCode, BTreeMap<&GridCode, usize>> = HashMap::new();
    for (b, old) in before {
        if let (Some(old), Some(new)) = (old, new_of.get(b)) {
            let same = targets
                .renumbered
                .get(old)
                .is_some_and(|r| r.sequence() == new.sequence())
                || new.sequence() == old.sequence();
            if same {
                *carried.entry(old).or_default().entry(*new).or_default() += 1;
            }
        }
    }
    let mut code_map = BTreeMap::new();
    let mut retired = Vec::new();
    let mut taken: BTreeSet<&GridCode> = BTreeSet::new();
    for g in old_grids {
        let best = carried.get(&g.code).and_then(|counts| {
            counts
                .iter()
                .filter(|(c, _)| !taken.contains(*c))
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(c, _)| *c)
        });
        match best {
            Some(new) => {
                taken.insert(new);
                code_map.insert(g.code.clone(), new.clone());
            }
            None => retired.push(g.code.clone()),
        }
    }
    let renumber = |g: &GridCode| code_map.get(g).cloned();
    let old_members: HashMap<GridCode, BTreeSet<&BuildingId>> = {
        let mut m: HashMap<GridCode, BTreeSet<&BuildingId>> = HashMap::new();
        for (b, g) in before {
            if let Some(n) = g.as_ref().and_then(renumber) {
                m.entry(n).or_default().insert(b);
            }
        }
        m
    };
    let old_households: HashMap<GridCode, u32> = old_grids
        .iter()
        .filter_map(|g| Some((renumber(&g.code)?, g.households)))
        .collect();
    let mut moved = Vec::new();
    let mut features = Vec::new();
    let mut totals = Vec::new();
    let mut snapshots = Vec::new();
    let mut outside_band = Vec::new();
    for plan in &plans {
        for g in &plan.grids {
            let base = g.grid.kind == GridKind::Base;
            let within_band = options.within_tolerance(g.grid.households);
            if base && !within_band {
                outside_band.push(OutsideBand {
                    grid: g.grid.code.clone(),
                    households: g.grid.households,
                    flag: g.flag,
                });
            }
            let members: BTreeSet<&BuildingId> = g.buildings.iter().collect();
            for b in &g.buildings {
                let from = before.get(b).cloned().flatten();
                if from.as_ref().and_then(renumber).as_ref() != Some(&g.grid.code) {
                    moved.push(Moved {
                        building: b.clone(),
                        from,
                        to: g.grid.code.clone(),
                    });
                }
            }
            let renamed = code_map
                .iter()
                .any(|(old, new)| new == &g.grid.code && old != new);
            let change = match old_members.get(&g.grid.code) {
                None => Some("new"),
                Some(old) if *old != members => Some("changed"),
                Some(_) if renamed => Some("renamed"),
                Some(_) => None,
            };
            totals.push(Totals {
                grid: g.grid.code.clone(),
                before: old_households.get(&g.grid.code).copied(),
                after: g.grid.households,
            });
            if let Some(change) = change {
                use crate::features::ToFeature;
                let mut f = g.grid.to_feature(crate::features::Audience::Internal);
                if let Some(p) = f.properties.as_mut() {
                    p.insert("change".into(), change.into());
                    p.insert(
                        "households_before".into(),
                        serde_json::json!(old_households.get(&g.grid.code)),
                    );
                    if base {
                        p.insert("within_band".into(), within_band.into());
                    }
                    if g.flag != GridFlag::Normal {
                        p.insert("flag".into(), serde_json::json!(g.flag));
                    }
                }
                features.push(f);
            }
            snapshots.push(GridSnapshot {
                grid: g.grid.clone(),
                buildings: g.buildings.clone(),
            });
        }
    }
    moved.sort_by(|a, b| a.building.cmp(&b.building));
    // Workers follow their grids' new codes; retired grids drop out of their lists.
    let mut affected = Vec::new();
    let mut changed_workers = Vec::new();
    for w in workers {
        if !w.grids.iter().any(|g| code_map.get(g) != Some(g)) {
            continue;
        }
        let touched = w
            .grids
            .iter()
            .any(|g| old_grids.iter().any(|o| &o.code == g));
        if !touched {
            continue;
        }
        let grids: Vec<GridCode> = w
            .grids
            .iter()
            .filter_map(|g| {
                if old_grids.iter().any(|o| &o.code == g) {
                    code_map.get(g).cloned()
                } else {
                    Some(g.clone())
                }
            })
            .collect();
        affected.push(w.id.clone());
        changed_workers.push(Worker { grids, ..w.clone() });
    }
    let community_features = targets
        .communities
        .iter()
        .map(|c| {
            use crate::features::ToFeature;
            c.to_feature(crate::features::Audience::Internal)
        })
        .collect();
    let buildings = before.len();
    let buildings_moved = moved.iter().filter(|m| m.from.is_some()).count();
    let metrics = PartitionMetrics::of(&plans, options.target, options.tolerance, 0.0);
    Preview {
        base_version,
        summary: targets.summary.clone(),
        code_map,
        retired,
        grids: geojson::FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        },
        communities: geojson::FeatureCollection {
            bbox: None,
            features: community_features,
            foreign_members: None,
        },
        totals,
        outside_band,
        affected_workers: affected,
        metrics,
        buildings,
        buildings_moved,
        moved,
        commit: PlanCommit {
            base_version,
            author: String::new(),
            summary: targets.summary,
            operation: operation_json(operation),
            retired_communities: targets.retired,
            communities: targets.communities,
            grids: snapshots,
            workers: changed_workers,
        },
    }
}

fn operation_json(operation: &Operation) -> serde_json::Value {
    match operation {
        Operation::Adjust { communities } => serde_json::json!({"adjust": communities}),
        Operation::Split {
            community,
            blade,
            codes,
            names,
        } => serde_json::json!({
            "split": community, "codes": codes, "names": names,
            "blade": geojson::Geometry::new(geojson::Value::from(blade)),
        }),
        Operation::Merge {
            communities,
            code,
            name,
        } => serde_json::json!({"merge": communities, "code": code, "name": name}),
    }
}

/// How a grid differs between two plan versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GridChange {
    Added,
    Removed,
    Changed,
}

/// The grids that differ between versions `from` and `to`, as GeoJSON with `change`.
pub async fn diff(
    store: &dyn Store,
    from: u64,
    to: u64,
) -> Result<geojson::FeatureCollection, RebalanceError> {
    use crate::features::{Audience, ToFeature};
    let (a, b) = (store.plan_state(from).await?, store.plan_state(to).await?);
    let index = |s: &PlanState| -> BTreeMap<GridCode, GridSnapshot> {
        s.grids
            .iter()
            .map(|g| (g.grid.code.clone(), g.clone()))
            .collect()
    };
    let (a, b) = (index(&a), index(&b));
    let mut features = Vec::new();
    let mut push = |g: &GridSnapshot, change: GridChange| {
        let mut f = g.grid.to_feature(Audience::Internal);
        if let Some(p) = f.properties.as_mut() {
            p.insert("change".into(), serde_json::json!(change));
            p.insert("buildings".into(), serde_json::json!(g.buildings.len()));
        }
        features.push(f);
    };
    for (code, g) in &b {
        match a.get(code) {
            None => push(g, GridChange::Added),
            Some(old) if old != g => push(g, GridChange::Changed),
            Some(_) => {}
        }
    }
    for (code, g) in &a {
        if !b.contains_key(code) {
            push(g, GridChange::Removed);
        }
    }
    Ok(geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    })
}

/// Restores the plan of version `version` as a new version: communities and grids as they
/// were then (communities created since are retired), buildings back in their grids, and
/// workers' grid lists following them.
pub async fn restore(
    store: &dyn Store,
    version: u64,
    base_version: u64,
    author: &str,
) -> Result<u64, RebalanceError> {
    let head = store.plan_head().await?;
    let (then, now) = (
        store.plan_state(version).await?,
        store.plan_state(head).await?,
    );
    let then_codes: BTreeSet<&CommunityCode> = then.communities.iter().map(|c| &c.code).collect();
    let retired: Vec<CommunityCode> = now
        .communities
        .iter()
        .filter(|c| !then_codes.contains(&c.code))
        .map(|c| c.code.clone())
        .collect();
    // Workers follow their grids back: a grid of today maps to the restored grid holding
    // most of its buildings; grids with no such grid drop out of their lists.
    let restored_of: HashMap<&BuildingId, &GridCode> = then
        .grids
        .iter()
        .flat_map(|g| g.buildings.iter().map(move |b| (b, &g.grid.code)))
        .collect();
    let restored: BTreeSet<&GridCode> = then.grids.iter().map(|g| &g.grid.code).collect();
    let mut back: HashMap<&GridCode, GridCode> = HashMap::new();
    for g in &now.grids {
        if restored.contains(&g.grid.code) {
            back.insert(&g.grid.code, g.grid.code.clone());
            continue;
        }
        let mut counts: BTreeMap<&GridCode, usize> = BTreeMap::new();
        for b in &g.buildings {
            if let Some(r) = restored_of.get(b) {
                *counts.entry(*r).or_default() += 1;
            }
        }
        if let Some((r, _)) = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        {
            back.insert(&g.grid.code, r.clone());
        }
    }
    let workers: Vec<Worker> = store
        .workers(&LayerQuery::default())
        .await?
        .into_iter()
        .filter_map(|w| {
            let mut grids: Vec<GridCode> = w
                .grids
                .iter()
                .filter_map(|g| back.get(g).cloned())
                .collect();
            grids.dedup();
            (grids != w.grids).then_some(Worker { grids, ..w })
        })
        .collect();
    let commit = PlanCommit {
        base_version,
        author: author.to_string(),
        summary: format!("restore version {version}"),
        operation: serde_json::json!({"restore": version}),
        retired_communities: retired,
        communities: then.communities,
        grids: then.grids,
        workers,
    };
    Ok(store.commit_plan(&commit).await?)
}
