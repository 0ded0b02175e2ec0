//! Plan history: the grids that differ between two versions, and an old plan restored as
//! a new version (workers following their grids back).

use super::RebalanceError;
use crate::domain::Audience;
use crate::domain::*;
use crate::features::ToFeature;
use crate::store::{LayerQuery, Store};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
