//! Rebalancing on a generated, partitioned district, on both stores: household changes,
//! splits and merges previewed and committed as plan versions, stale commits refused,
//! versions diffed and restored.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use geo::{Area, BoundingRect, Centroid, Intersects};
use geo_types::{Geometry, LineString};
use gridmap::domain::*;
use gridmap::partition::{GridFlag, PartitionOptions};
use gridmap::service::job_stop::JobStop;
use gridmap::service::rebalance::{self, Operation, RebalanceError};
use gridmap::store::{LayerQuery, Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

async fn district(store: &dyn Store) -> Dataset {
    let data = common::partitioned_district(store, 30_000, 9).await;
    gridmap::service::staffing::settle(store).await.unwrap();
    data
}

async fn community_buildings(store: &dyn Store, code: &CommunityCode) -> Vec<Building> {
    store
        .buildings(&LayerQuery {
            code_prefix: Some(code.to_string()),
            ..LayerQuery::default()
        })
        .await
        .unwrap()
}

/// Grids of a community: inside it, contiguous, and tiling it (areas add up).
async fn check_tiling(store: &dyn Store, community: &Community) {
    let grids = store
        .grids(&LayerQuery {
            code_prefix: Some(community.code.to_string()),
            ..LayerQuery::default()
        })
        .await
        .unwrap();
    assert!(!grids.is_empty(), "{} has no grids", community.code);
    let area: f64 = grids.iter().map(|g| g.boundary.unsigned_area()).sum();
    let whole = community.boundary.unsigned_area();
    assert!(
        (area - whole).abs() / whole < 1e-6,
        "{}: grids cover {area}, community {whole}",
        community.code
    );
    for g in &grids {
        assert_eq!(g.community, community.code);
    }
}

async fn rebalancing(store: Arc<dyn Store>) {
    let data = district(store.as_ref()).await;
    let options = PartitionOptions::default();
    let v1 = store.plan_head().await.unwrap();
    assert_eq!(v1, 1, "the partition is version 1");

    // Households of one community grow by 15%: adjust.
    let target = data.communities[2].clone();
    let mut grown = community_buildings(store.as_ref(), &target.code).await;
    for b in &mut grown {
        if b.kind.is_residential() {
            b.households = (f64::from(b.households) * 1.15).round() as u32;
        }
    }
    store
        .write(
            &Dataset {
                buildings: grown.clone(),
                ..Dataset::default()
            },
            None,
        )
        .await
        .unwrap();
    let adjust = Operation::Adjust {
        communities: vec![target.code.clone()],
    };
    let preview = rebalance::preview(store.as_ref(), &adjust, &options, &JobStop::default())
        .await
        .unwrap();
    assert_eq!(preview.base_version, 1);
    assert_eq!(
        store.plan_head().await.unwrap(),
        1,
        "a preview writes nothing"
    );
    assert!(preview.buildings_moved > 0);
    assert!(
        preview.buildings_moved * 4 < preview.buildings,
        "{} of {}",
        preview.buildings_moved,
        preview.buildings
    );
    assert!(
        preview
            .moved
            .iter()
            .all(|m| grown.iter().any(|b| b.id == m.building))
    );
    let json = serde_json::to_value(&preview).unwrap();
    for key in [
        "moved",
        "code_map",
        "grids",
        "retired",
        "totals",
        "affected_workers",
        "metrics",
    ] {
        assert!(json.get(key).is_some(), "preview has {key}");
    }
    let (_, v2) = rebalance::commit(
        store.as_ref(),
        &adjust,
        &options,
        1,
        "规划员甲",
        &JobStop::default(),
    )
    .await
    .unwrap();
    assert_eq!(v2, 2);
    check_tiling(store.as_ref(), &target).await;
    let after = community_buildings(store.as_ref(), &target.code).await;
    for m in &preview.moved {
        let b = after.iter().find(|b| b.id == m.building).unwrap();
        assert_eq!(b.grid.as_ref(), Some(&m.to));
    }

    // A second planner commits against version 1: refused, nothing written.
    let err = rebalance::commit(
        store.as_ref(),
        &adjust,
        &options,
        1,
        "规划员乙",
        &JobStop::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, RebalanceError::Store(StoreError::Conflict { .. })),
        "{err}"
    );
    assert_eq!(store.plan_head().await.unwrap(), 2);

    // Split another community along a north-south line through its centre.
    let split_me = data.communities[5].clone();
    let rect = split_me.boundary.bounding_rect().unwrap();
    let centre = split_me.boundary.centroid().unwrap();
    let line = LineString::from(vec![
        (centre.x(), rect.min().y - 0.01),
        (centre.x(), rect.max().y + 0.01),
    ]);
    let new_code: CommunityCode = format!("{}{:03}", split_me.code.street(), 990)
        .parse()
        .unwrap();
    let split = Operation::Split {
        community: split_me.code.clone(),
        blade: Geometry::LineString(line),
        codes: vec![split_me.code.clone(), new_code.clone()],
        names: vec![split_me.name.clone(), "新社区".into()],
    };
    let before_outside: Vec<(BuildingId, Option<GridCode>)> = store
        .buildings(&LayerQuery::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.community.as_ref() != Some(&split_me.code))
        .map(|b| (b.id, b.grid))
        .collect();
    let preview = rebalance::preview(store.as_ref(), &split, &options, &JobStop::default())
        .await
        .unwrap();
    assert_eq!(preview.communities.features.len(), 2);
    let inside: HashSet<BuildingId> = community_buildings(store.as_ref(), &split_me.code)
        .await
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert!(
        preview.moved.iter().all(|m| inside.contains(&m.building)),
        "a split moves no building outside the split community"
    );
    assert!(!preview.code_map.is_empty());
    // Grids left outside the band are listed, and the changed ones say so on the map.
    let households_target = f64::from(options.target);
    let outside = |h: u32| {
        (f64::from(h) - households_target).abs() > options.tolerance * households_target + 1e-9
    };
    for o in &preview.outside_band {
        assert!(outside(o.households), "{o:?} is within the band");
        assert!(
            preview
                .totals
                .iter()
                .any(|t| t.grid == o.grid && t.after == o.households),
            "{o:?} has no total"
        );
    }
    assert_eq!(
        preview
            .outside_band
            .iter()
            .filter(|o| o.flag == GridFlag::Unbalanceable)
            .count(),
        preview.metrics.unbalanceable
    );
    let mut marked = 0;
    for f in &preview.grids.features {
        let p = f.properties.as_ref().unwrap();
        let Some(within) = p.get("within_band").and_then(|v| v.as_bool()) else {
            continue;
        };
        marked += 1;
        let households = u32::try_from(p["households"].as_u64().unwrap()).unwrap();
        assert_eq!(within, !outside(households), "{p:?}");
        let listed = preview
            .outside_band
            .iter()
            .any(|o| Some(o.grid.as_str()) == p["code"].as_str());
        assert_eq!(!within, listed, "{p:?}");
    }
    assert!(
        marked > 0,
        "changed base grids say whether they are within the band"
    );
    let (_, v3) = rebalance::commit(
        store.as_ref(),
        &split,
        &options,
        2,
        "规划员甲",
        &JobStop::default(),
    )
    .await
    .unwrap();
    assert_eq!(v3, 3);
    let communities = store.communities(&LayerQuery::default()).await.unwrap();
    let halves: Vec<&Community> = communities
        .iter()
        .filter(|c| c.code == split_me.code || c.code == new_code)
        .collect();
    assert_eq!(halves.len(), 2);
    let halves_area: f64 = halves.iter().map(|c| c.boundary.unsigned_area()).sum();
    let whole = split_me.boundary.unsigned_area();
    assert!(
        (halves_area - whole).abs() / whole < 1e-3,
        "the halves cover the community"
    );
    for c in &halves {
        check_tiling(store.as_ref(), c).await;
    }
    let after_outside: Vec<(BuildingId, Option<GridCode>)> = store
        .buildings(&LayerQuery::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|b| !inside.contains(&b.id))
        .map(|b| (b.id, b.grid))
        .collect();
    let mut a = before_outside.clone();
    let mut b = after_outside.clone();
    a.sort();
    b.sort();
    assert_eq!(
        a, b,
        "buildings outside the split community keep their grids"
    );

    // Merge two adjacent communities.
    let (first, second) = communities
        .iter()
        .filter(|c| c.code != new_code && c.code != split_me.code && c.code != target.code)
        .flat_map(|a| communities.iter().map(move |b| (a, b)))
        .find(|(a, b)| {
            a.code < b.code
                && a.code.street() == b.code.street()
                && a.boundary.intersects(&b.boundary)
        })
        .map(|(a, b)| (a.clone(), b.clone()))
        .expect("two adjacent communities");
    let merge = Operation::Merge {
        communities: vec![first.code.clone(), second.code.clone()],
        code: first.code.clone(),
        name: format!("{}{}", first.name, second.name),
    };
    let preview = rebalance::preview(store.as_ref(), &merge, &options, &JobStop::default())
        .await
        .unwrap();
    assert!(preview.code_map.len() >= 2);
    let (_, v4) = rebalance::commit(
        store.as_ref(),
        &merge,
        &options,
        3,
        "规划员甲",
        &JobStop::default(),
    )
    .await
    .unwrap();
    assert_eq!(v4, 4);
    let communities = store.communities(&LayerQuery::default()).await.unwrap();
    assert!(!communities.iter().any(|c| c.code == second.code));
    let merged = communities.iter().find(|c| c.code == first.code).unwrap();
    check_tiling(store.as_ref(), merged).await;
    assert!(
        community_buildings(store.as_ref(), &second.code)
            .await
            .is_empty(),
        "no building is left in the retired community"
    );

    // History: four versions; the diff of 3 → 4 names the merged grids; restoring 3
    // brings the second community back.
    let versions = store.plan_versions(10).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [4, 3, 2, 1]
    );
    assert_eq!(versions[0].author, "规划员甲");
    assert!(versions[0].summary.contains("merge"));
    let changes = rebalance::diff(store.as_ref(), 3, 4).await.unwrap();
    assert!(!changes.features.is_empty());
    let v5 = rebalance::restore(store.as_ref(), 3, 4, "规划员乙")
        .await
        .unwrap();
    assert_eq!(v5, 5);
    let communities = store.communities(&LayerQuery::default()).await.unwrap();
    let back = communities
        .iter()
        .find(|c| c.code == second.code)
        .expect("restored");
    check_tiling(store.as_ref(), back).await;
    assert!(
        rebalance::diff(store.as_ref(), 3, 5)
            .await
            .unwrap()
            .features
            .is_empty()
    );
    // Every worker's grids exist after all these changes.
    let codes: HashSet<GridCode> = store
        .grids(&LayerQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.code)
        .collect();
    for w in store.workers(&LayerQuery::default()).await.unwrap() {
        for g in &w.grids {
            assert!(
                codes.contains(g),
                "worker {} serves grid {g}, which no longer exists",
                w.id
            );
        }
    }

    // Bad input: nothing written.
    let head = store.plan_head().await.unwrap();
    let far = LineString::from(vec![(0.0, 0.0), (0.1, 0.1)]);
    let misses = Operation::Split {
        community: split_me.code.clone(),
        blade: Geometry::LineString(far),
        codes: vec![split_me.code.clone(), new_code.clone()],
        names: vec![],
    };
    assert!(matches!(
        rebalance::preview(store.as_ref(), &misses, &options, &JobStop::default()).await,
        Err(RebalanceError::BladeMisses(_))
    ));
    let now = communities
        .iter()
        .find(|c| c.code == split_me.code)
        .unwrap();
    let (r, c) = (
        now.boundary.bounding_rect().unwrap(),
        now.boundary.centroid().unwrap(),
    );
    let through = LineString::from(vec![(c.x(), r.min().y - 0.01), (c.x(), r.max().y + 0.01)]);
    let taken = Operation::Split {
        community: split_me.code.clone(),
        blade: Geometry::LineString(through),
        codes: vec![
            split_me.code.clone(),
            communities
                .iter()
                .find(|c| c.code != split_me.code && c.code.street() == split_me.code.street())
                .map(|c| c.code.clone())
                .expect("a neighbour in the same street"),
        ],
        names: vec![],
    };
    let result = rebalance::preview(store.as_ref(), &taken, &options, &JobStop::default()).await;
    assert!(
        matches!(result, Err(RebalanceError::CodeTaken { .. })),
        "{:?}",
        result.map(|p| p.summary)
    );
    let unknown: CommunityCode = "150602999999".parse().unwrap();
    assert!(matches!(
        rebalance::preview(
            store.as_ref(),
            &Operation::Adjust {
                communities: vec![unknown]
            },
            &options,
            &JobStop::default()
        )
        .await,
        Err(RebalanceError::UnknownCommunity(_))
    ));
    let far_apart = communities
        .iter()
        .flat_map(|a| communities.iter().map(move |b| (a, b)))
        .find(|(a, b)| {
            a.code < b.code
                && a.code.street() == b.code.street()
                && !a.boundary.intersects(&b.boundary)
        })
        .map(|(a, b)| (a.code.clone(), b.code.clone()))
        .expect("two communities apart");
    assert!(matches!(
        rebalance::preview(
            store.as_ref(),
            &Operation::Merge {
                communities: vec![far_apart.0.clone(), far_apart.1],
                code: far_apart.0,
                name: "x".into()
            },
            &options,
            &JobStop::default()
        )
        .await,
        Err(RebalanceError::NotAdjacent(_))
    ));
    assert_eq!(store.plan_head().await.unwrap(), head);
}
both_stores!(rebalance_in_both_stores, rebalancing);

async fn call(
    state: &gridmap::api::AppState,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<serde_json::Value>,
    headers: &[(&str, &str)],
) -> (
    axum::http::StatusCode,
    axum::http::HeaderMap,
    serde_json::Value,
) {
    let (status, headers, bytes) =
        common::send(state, method, uri, Some(token), headers, body).await;
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

async fn rebalancing_over_http(store: Arc<dyn Store>) {
    use axum::http::StatusCode;
    use serde_json::json;
    let data = district(store.as_ref()).await;
    let state = gridmap::api::AppState::load(store.clone()).await.unwrap();
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let dispatcher = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let c = &data.communities[4];
    let rect = c.boundary.bounding_rect().unwrap();
    let centre = c.boundary.centroid().unwrap();
    let new_code = format!("{}{:03}", c.code.street(), 991);
    let split = json!({
        "operation": "split",
        "community": c.code,
        "line": {"type": "LineString", "coordinates": [[centre.x(), rect.min().y - 0.01], [centre.x(), rect.max().y + 0.01]]},
        "codes": [c.code, new_code],
        "names": [c.name, "新社区"],
    });
    let (status, _, _) = call(
        &state,
        "POST",
        "/api/rebalance",
        &dispatcher,
        Some(split.clone()),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, preview) = call(
        &state,
        "POST",
        "/api/rebalance",
        &planner,
        Some(split.clone()),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(headers["etag"], "\"v1\"");
    assert_eq!(preview["committed"], json!(false));
    assert!(preview["moved"].is_array() && preview["code_map"].is_object());
    assert_eq!(preview["grids"]["type"], json!("FeatureCollection"));
    assert_eq!(store.plan_head().await.unwrap(), 1);

    let mut commit = split.clone();
    commit["commit"] = json!(true);
    let (status, _, problem) = call(
        &state,
        "POST",
        "/api/rebalance",
        &planner,
        Some(commit.clone()),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["invalid-params"][0]["name"], json!("base_version"));
    let (status, headers, done) = call(
        &state,
        "POST",
        "/api/rebalance",
        &planner,
        Some(commit.clone()),
        &[("if-match", "\"v1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["version"], json!(2));
    assert_eq!(headers["etag"], "\"v2\"");
    // The engine locates in the new community at once.
    let (_, _, located) = call(
        &state,
        "GET",
        &format!("/api/locate?lon={}&lat={}", centre.x() + 0.0005, centre.y()),
        &planner,
        None,
        &[],
    )
    .await;
    let community = located["location"]["community"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        community == c.code.as_str() || community == new_code,
        "{located}"
    );
    // The second planner's commit on the same stale version: 409, nothing written.
    let (status, headers, problem) = call(
        &state,
        "POST",
        "/api/rebalance",
        &planner,
        Some(commit),
        &[("if-match", "\"v1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(store.plan_head().await.unwrap(), 2);

    // Bad input.
    let far = json!({"operation": "split", "community": c.code, "codes": [c.code, new_code],
                     "line": {"type": "LineString", "coordinates": [[0.0, 0.0], [0.1, 0.1]]}});
    let (status, _, problem) =
        call(&state, "POST", "/api/rebalance", &planner, Some(far), &[]).await;
    // A well-formed line that misses the community: unprocessable, naming the field.
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["invalid-params"][0]["name"], json!("line"));
    let unknown = json!({"operation": "adjust", "communities": ["150602999999"]});
    let (status, _, _) = call(
        &state,
        "POST",
        "/api/rebalance",
        &planner,
        Some(unknown),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let bad = json!({"operation": "explode"});
    let (status, _, problem) =
        call(&state, "POST", "/api/rebalance", &planner, Some(bad), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["invalid-params"][0]["name"], json!("operation"));

    // History over HTTP.
    let (status, _, versions) =
        call(&state, "GET", "/api/plan/versions", &planner, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(versions["head"], json!(2));
    assert_eq!(versions["versions"][0]["author"], json!("规划员"));
    let (status, _, diff) = call(
        &state,
        "GET",
        "/api/plan/diff?from=1&to=2",
        &planner,
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!diff["grids"]["features"].as_array().unwrap().is_empty());
    let (status, _, shown) = call(&state, "GET", "/api/plan/versions/1", &planner, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!shown["grids"]["features"].as_array().unwrap().is_empty());
    let (status, _, _) = call(&state, "GET", "/api/plan/versions/99", &planner, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, restored) = call(
        &state,
        "POST",
        "/api/plan/versions/1/restore",
        &planner,
        Some(json!({"base_version": 2})),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["version"], json!(3));
    let communities = store.communities(&LayerQuery::default()).await.unwrap();
    assert!(!communities.iter().any(|x| x.code.as_str() == new_code));
}
both_stores!(rebalance_over_http, rebalancing_over_http);
