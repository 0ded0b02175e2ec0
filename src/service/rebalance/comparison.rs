//! Comparing a rebalanced plan with the grids before: moved buildings, old→new codes,
//! retired grids, household totals, grids left outside the band, affected workers, and the
//! changed grids as GeoJSON for the map.

use super::Operation;
use super::targets::Targets;
use crate::domain::Audience;
use crate::domain::*;
use crate::features::ToFeature;
use crate::partition::{CommunityPlan, GridFlag, PartitionMetrics, PartitionOptions};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// The state the change starts from.
pub(super) struct Before<'a> {
    pub base_version: u64,
    /// The grids of the touched communities.
    pub grids: &'a [Grid],
    /// Each building of the touched communities and its grid.
    pub grid_of: &'a HashMap<BuildingId, Option<GridCode>>,
    /// Every worker (those serving touched grids follow them).
    pub workers: &'a [Worker],
}

/// The old→new code of every old grid that lives on, and the retired ones.
struct CodeMap {
    code_map: BTreeMap<GridCode, GridCode>,
    retired: Vec<GridCode>,
}

/// What happened to each new grid: its buildings that moved, the map feature of a new,
/// changed or renamed grid, its totals, its snapshot, and whether it is outside the band.
#[derive(Default)]
struct GridChanges {
    moved: Vec<Moved>,
    features: Vec<geojson::Feature>,
    totals: Vec<Totals>,
    snapshots: Vec<GridSnapshot>,
    outside_band: Vec<OutsideBand>,
}

/// Compares the plans of the changed communities with `before`.
pub(super) fn compare(
    before: &Before<'_>,
    targets: Targets,
    plans: Vec<CommunityPlan>,
    options: &PartitionOptions,
    operation: &Operation,
) -> Preview {
    let codes = carried_codes(before, &targets, &plans);
    let changes = grid_changes(before, &codes.code_map, &plans, options);
    let (affected_workers, changed_workers) = workers_following(before, &codes.code_map);
    let communities = targets
        .communities
        .iter()
        .map(|c| c.to_feature(Audience::Internal))
        .collect();
    let buildings_moved = changes.moved.iter().filter(|m| m.from.is_some()).count();
    let collection = |features| geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    };
    Preview {
        base_version: before.base_version,
        summary: targets.summary.clone(),
        code_map: codes.code_map,
        retired: codes.retired,
        grids: collection(changes.features),
        communities: collection(communities),
        totals: changes.totals,
        outside_band: changes.outside_band,
        affected_workers,
        metrics: PartitionMetrics::of(&plans, options.target, options.tolerance, 0.0),
        buildings: before.grid_of.len(),
        buildings_moved,
        moved: changes.moved,
        commit: PlanCommit {
            base_version: before.base_version,
            author: String::new(),
            summary: targets.summary,
            operation: operation.to_json(),
            retired_communities: targets.retired,
            communities: targets.communities,
            grids: changes.snapshots,
            workers: changed_workers,
        },
    }
}

/// For each old grid the new grid that carries its sequence and most of its buildings (a
/// grid cut by a new boundary lives on in one piece; the others are new grids).
fn carried_codes(before: &Before<'_>, targets: &Targets, plans: &[CommunityPlan]) -> CodeMap {
    let new_of: HashMap<&BuildingId, &GridCode> = plans
        .iter()
        .flat_map(|p| {
            p.grids
                .iter()
                .flat_map(|g| g.buildings.iter().map(move |b| (b, &g.grid.code)))
        })
        .collect();
    let mut carried: HashMap<&GridCode, BTreeMap<&GridCode, usize>> = HashMap::new();
    for (b, old) in before.grid_of {
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
    for g in before.grids {
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
    CodeMap { code_map, retired }
}

/// Moved buildings, totals, snapshots, grids outside the band, and a map feature (with
/// `change`, `households_before`, `within_band` and `flag`) for every new, changed or
/// renamed grid.
fn grid_changes(
    before: &Before<'_>,
    code_map: &BTreeMap<GridCode, GridCode>,
    plans: &[CommunityPlan],
    options: &PartitionOptions,
) -> GridChanges {
    let renumber = |g: &GridCode| code_map.get(g).cloned();
    let mut old_members: HashMap<GridCode, BTreeSet<&BuildingId>> = HashMap::new();
    for (b, g) in before.grid_of {
        if let Some(n) = g.as_ref().and_then(renumber) {
            old_members.entry(n).or_default().insert(b);
        }
    }
    let old_households: HashMap<GridCode, u32> = before
        .grids
        .iter()
        .filter_map(|g| Some((renumber(&g.code)?, g.households)))
        .collect();
    let mut out = GridChanges::default();
    for g in plans.iter().flat_map(|p| &p.grids) {
        let base = g.grid.kind == GridKind::Base;
        let within_band = options.within_tolerance(g.grid.households);
        if base && !within_band {
            out.outside_band.push(OutsideBand {
                grid: g.grid.code.clone(),
                households: g.grid.households,
                flag: g.grid.flag,
            });
        }
        for b in &g.buildings {
            let from = before.grid_of.get(b).cloned().flatten();
            if from.as_ref().and_then(renumber).as_ref() != Some(&g.grid.code) {
                out.moved.push(Moved {
                    building: b.clone(),
                    from,
                    to: g.grid.code.clone(),
                });
            }
        }
        let members: BTreeSet<&BuildingId> = g.buildings.iter().collect();
        let renamed = code_map
            .iter()
            .any(|(old, new)| new == &g.grid.code && old != new);
        let change = match old_members.get(&g.grid.code) {
            None => Some("new"),
            Some(old) if *old != members => Some("changed"),
            Some(_) if renamed => Some("renamed"),
            Some(_) => None,
        };
        out.totals.push(Totals {
            grid: g.grid.code.clone(),
            before: old_households.get(&g.grid.code).copied(),
            after: g.grid.households,
        });
        if let Some(change) = change {
            let mut f = g.grid.to_feature(Audience::Internal);
            if let Some(p) = f.properties.as_mut() {
                p.insert("change".into(), change.into());
                p.insert(
                    "households_before".into(),
                    serde_json::json!(old_households.get(&g.grid.code)),
                );
                if base {
                    p.insert("within_band".into(), within_band.into());
                }
                if g.grid.flag != GridFlag::Normal {
                    p.insert("flag".into(), serde_json::json!(g.grid.flag));
                }
            }
            out.features.push(f);
        }
        out.snapshots.push(GridSnapshot {
            grid: g.grid.clone(),
            buildings: g.buildings.clone(),
        });
    }
    out.moved.sort_by(|a, b| a.building.cmp(&b.building));
    out
}

/// Workers follow their grids' new codes; retired grids drop out of their lists. Returns
/// the workers affected and their new records.
fn workers_following(
    before: &Before<'_>,
    code_map: &BTreeMap<GridCode, GridCode>,
) -> (Vec<WorkerId>, Vec<Worker>) {
    let old_grid = |g: &GridCode| before.grids.iter().any(|o| &o.code == g);
    let mut affected = Vec::new();
    let mut changed = Vec::new();
    for w in before.workers {
        if !w.grids.iter().any(|g| code_map.get(g) != Some(g)) || !w.grids.iter().any(old_grid) {
            continue;
        }
        let grids: Vec<GridCode> = w
            .grids
            .iter()
            .filter_map(|g| {
                if old_grid(g) {
                    code_map.get(g).cloned()
                } else {
                    Some(g.clone())
                }
            })
            .collect();
        affected.push(w.id.clone());
        changed.push(Worker { grids, ..w.clone() });
    }
    (affected, changed)
}
