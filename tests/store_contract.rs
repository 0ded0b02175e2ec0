//! The store contract, run against both backends: GeoPackage and a real PostGIS.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use geo::{BoundingRect, Intersects};
use gridmap::domain::*;
use gridmap::import::{ImportKind, ImportOptions};
use gridmap::store::{LayerQuery, Store};
use std::sync::Arc;

async fn monaco_buildings_round_trip(store: Arc<dyn Store>) {
    let options = ImportOptions::new(ImportKind::Buildings);
    let parsed =
        match gridmap::import::read_file(&common::data("monaco/buildings.geojson"), &options)
            .unwrap()
        {
            gridmap::import::Imported::Features(d) => d,
            other => panic!("{other:?}"),
        };
    common::import(
        store.as_ref(),
        &common::data("monaco/buildings.geojson"),
        &options,
    )
    .await;
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.buildings, 1605);

    let all = store.buildings(&LayerQuery::default()).await.unwrap();
    assert_eq!(all.len(), 1605);
    // Everything read back equals what was parsed (geometry bit for bit, attributes).
    let mut by_id: std::collections::HashMap<_, _> =
        parsed.buildings.iter().map(|b| (b.id.clone(), b)).collect();
    for b in &all {
        let original = by_id.remove(&b.id).expect("known id");
        assert_eq!(b, original, "building {} changed in the store", b.id);
    }
    assert!(by_id.is_empty());

    // A re-import replaces rows instead of duplicating them.
    common::import(
        store.as_ref(),
        &common::data("monaco/buildings.geojson"),
        &options,
    )
    .await;
    assert_eq!(store.counts().await.unwrap().buildings, 1605);

    // bbox filtering returns exactly the buildings whose bounding box meets the box.
    let rect = geo::Rect::new(
        geo::coord! {x: 7.420, y: 43.730},
        geo::coord! {x: 7.426, y: 43.736},
    );
    let query = LayerQuery {
        bbox: Some(rect),
        ..Default::default()
    };
    let inside = store.buildings(&query).await.unwrap();
    let expected = all
        .iter()
        .filter(|b| {
            b.footprint
                .bounding_rect()
                .is_some_and(|r| r.intersects(&rect))
        })
        .count();
    assert!(expected > 50 && expected < 1605, "{expected}");
    assert_eq!(inside.len(), expected);

    // Pages in key order cover everything exactly once.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = store
            .buildings(&LayerQuery {
                limit: Some(400),
                offset,
                ..Default::default()
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        offset += page.len() as u64;
        seen.extend(page.into_iter().map(|b| b.id));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen.len(), 1605);
    assert_eq!(sorted.len(), 1605);
}
both_stores!(monaco_buildings, monaco_buildings_round_trip);

fn square(lon: f64, lat: f64, d: f64) -> geo::MultiPolygon<f64> {
    let ring = vec![
        (lon, lat),
        (lon + d, lat),
        (lon + d, lat + d),
        (lon, lat + d),
        (lon, lat),
    ];
    geo::MultiPolygon::new(vec![geo::Polygon::new(ring.into(), vec![])])
}

fn building(id: &str, households: u32) -> Building {
    Building {
        id: BuildingId(id.into()),
        footprint: square(110.0, 39.8, 0.0002),
        households,
        residents: households * 2,
        floors: Some(6),
        kind: BuildingKind::Apartments,
        name: None,
        address: Some(format!("{id} 号")),
        building_head: None,
        community: None,
        grid: None,
    }
}

async fn failed_write_leaves_nothing(store: Arc<dyn Store>) {
    // The 500th row breaks a constraint inside the transaction: nothing of the batch stays.
    let mut data = Dataset::default();
    for i in 0..1000 {
        data.buildings.push(building(
            &format!("b{i}"),
            if i == 499 { 200_000 } else { 10 },
        ));
    }
    let err = store.write(&data, None).await.unwrap_err();
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert_eq!(store.counts().await.unwrap().buildings, 0);
}
both_stores!(atomic_writes, failed_write_leaves_nothing);

async fn all_layers_round_trip(store: Arc<dyn Store>) {
    let profile = gridmap::generate::DistrictProfile::dongsheng().unwrap();
    let data = gridmap::generate::generate(
        &profile,
        &gridmap::generate::GenerateOptions {
            households: 10_000,
            seed: 3,
        },
    )
    .unwrap();
    store.write(&data, None).await.unwrap();
    let all = LayerQuery::default();
    assert_eq!(store.districts(&all).await.unwrap(), data.districts);
    let mut streets = data.streets.clone();
    streets.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(store.streets(&all).await.unwrap(), streets);
    let mut communities = data.communities.clone();
    communities.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(store.communities(&all).await.unwrap(), communities);
    let mut stations = data.stations.clone();
    stations.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(store.stations(&all).await.unwrap(), stations);
    let mut workers = data.workers.clone();
    workers.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(store.workers(&all).await.unwrap(), workers);
    let mut incidents = data.incidents.clone();
    incidents.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(store.incidents(&all).await.unwrap(), incidents);
    let mut roads = data.roads.clone();
    roads.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(store.roads(&all).await.unwrap(), roads);

    // Code prefixes filter by community for buildings and stations.
    let community = &communities[0].code;
    let query = LayerQuery {
        code_prefix: Some(community.to_string()),
        ..Default::default()
    };
    let in_community = store.buildings(&query).await.unwrap();
    assert_eq!(
        in_community.len(),
        data.buildings
            .iter()
            .filter(|b| b.community.as_ref() == Some(community))
            .count()
    );
    assert!(!in_community.is_empty());
    let street_query = LayerQuery {
        code_prefix: Some(community.street().to_string()),
        ..Default::default()
    };
    assert!(
        store
            .communities(&street_query)
            .await
            .unwrap()
            .iter()
            .all(|c| c.code.street() == community.street())
    );

    // Grids round-trip too.
    let grid = Grid {
        code: community.grid(1).unwrap(),
        kind: GridKind::Base,
        community: community.clone(),
        boundary: communities[0].boundary.clone(),
        households: 312,
        residents: 800,
        flag: GridFlag::Unbalanceable,
    };
    store
        .write(
            &Dataset {
                grids: vec![grid.clone()],
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(store.grids(&all).await.unwrap(), vec![grid]);
}
both_stores!(generated_layers, all_layers_round_trip);

async fn rosters_update_all_or_nothing(store: Arc<dyn Store>) {
    let twin = Building {
        address: Some("c 号".into()),
        ..building("c2", 40)
    };
    let data = Dataset {
        buildings: vec![
            building("a", 10),
            building("b", 20),
            building("c", 30),
            twin,
        ],
        ..Default::default()
    };
    store.write(&data, None).await.unwrap();
    let entry = |line, key, households| RosterEntry {
        households: Some(households),
        ..RosterEntry::new(line, key)
    };
    let id = |s: &str| RosterKey::Id(BuildingId(s.into()));
    // Line 3 names an unknown building (and so does line 5 again): line 2's change must
    // not land, and the first line naming it is reported.
    let bad = vec![
        entry(2, id("a"), 99),
        entry(3, id("zzz"), 5),
        entry(4, id("yyy"), 5),
        entry(5, id("zzz"), 6),
    ];
    let err = store.apply_roster(&bad).await.unwrap_err();
    assert!(
        err.to_string().contains("line 3") && err.to_string().contains("zzz"),
        "{err}"
    );
    let households = |bs: Vec<Building>| {
        bs.iter()
            .map(|b| (b.id.0.clone(), b.households))
            .collect::<Vec<_>>()
    };
    let before = vec![
        ("a".into(), 10),
        ("b".into(), 20),
        ("c".into(), 30),
        ("c2".into(), 40),
    ];
    assert_eq!(
        households(store.buildings(&LayerQuery::default()).await.unwrap()),
        before
    );
    // An address two buildings share names neither.
    let shared = vec![
        entry(2, id("a"), 99),
        entry(3, RosterKey::Address(" c 号".into()), 1),
    ];
    let err = store.apply_roster(&shared).await.unwrap_err();
    assert!(
        err.to_string().contains("line 3") && err.to_string().contains("matches 2 buildings"),
        "{err}"
    );
    let err = store
        .apply_roster(&[entry(7, RosterKey::Address("nowhere".into()), 1)])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("line 7"), "{err}");
    assert_eq!(
        households(store.buildings(&LayerQuery::default()).await.unwrap()),
        before
    );
    // Later lines win over earlier ones naming the same building, by id or by address.
    let good = vec![
        entry(2, id("a"), 50),
        entry(3, RosterKey::Address("b 号".into()), 7),
        entry(4, id("a"), 99),
        entry(5, id("b"), 8),
    ];
    assert_eq!(store.apply_roster(&good).await.unwrap(), 2);
    let after = store.buildings(&LayerQuery::default()).await.unwrap();
    assert_eq!(
        households(after.clone()),
        vec![
            ("a".into(), 99),
            ("b".into(), 8),
            ("c".into(), 30),
            ("c2".into(), 40)
        ]
    );
    assert_eq!(
        after[0].residents, 20,
        "residents keep their value when the roster has none"
    );
}
both_stores!(rosters, rosters_update_all_or_nothing);

async fn writes_many_rows_a_statement_in_order(store: Arc<dyn Store>) {
    // 2,500 buildings span several multi-row statements; a key repeated within what would
    // be one statement starts the next, so the later row wins as if written one by one.
    let mut buildings: Vec<Building> = (0..2_500)
        .map(|i| building(&format!("m{i:05}"), 1))
        .collect();
    buildings.insert(3, building("m00001", 77));
    let data = Dataset {
        buildings,
        ..Default::default()
    };
    let reported = std::sync::Mutex::new(Vec::new());
    let progress = |n: u64| reported.lock().unwrap().push(n);
    assert_eq!(store.write(&data, Some(&progress)).await.unwrap(), 2_501);
    let stored = store.buildings(&LayerQuery::default()).await.unwrap();
    assert_eq!(stored.len(), 2_500);
    assert_eq!(stored[1].households, 77, "the later row wins");
    assert_eq!(stored[2_499].id.0, "m02499");
    let reported = reported.into_inner().unwrap();
    assert!(
        reported.windows(2).all(|w| w[0] < w[1]) && reported.last() == Some(&2_502),
        "progress counts entities written (and the announcement): {reported:?}"
    );
}
both_stores!(many_rows, writes_many_rows_a_statement_in_order);

async fn tokens_are_stored_hashed(store: Arc<dyn Store>) {
    let token = gridmap::auth::new_token();
    let hash = gridmap::auth::hash_token(&token);
    store
        .create_token(&hash, Role::Planner, "test", None)
        .await
        .unwrap();
    assert_eq!(
        store.role_for_token(&hash).await.unwrap(),
        Some(Role::Planner)
    );
    assert_eq!(
        store.role_for_token(&token).await.unwrap(),
        None,
        "the token itself is not a key"
    );
    assert_eq!(
        store
            .role_for_token(&gridmap::auth::hash_token("gm_other"))
            .await
            .unwrap(),
        None
    );
    // A worker token keeps its worker.
    let worker_hash = gridmap::auth::hash_token("gm_worker");
    let worker = gridmap::domain::WorkerId("W00007".into());
    store
        .create_token(&worker_hash, Role::Worker, "网格员", Some(&worker))
        .await
        .unwrap();
    let record = store.token(&worker_hash).await.unwrap().unwrap();
    assert_eq!(record.role, Role::Worker);
    assert_eq!(record.worker, Some(worker));
    assert_eq!(store.token(&hash).await.unwrap().unwrap().worker, None);

    // Listed without the token or its whole hash; used ones say when; revoked by id.
    let unused_hash = gridmap::auth::hash_token("gm_unused");
    store
        .create_token(&unused_hash, Role::Dispatcher, "调度员", None)
        .await
        .unwrap();
    let listed = store.tokens().await.unwrap();
    assert_eq!(listed.len(), 3);
    let find = |listed: &[gridmap::store::TokenListing], h: &str| {
        listed
            .iter()
            .find(|l| h.starts_with(&l.id))
            .cloned()
            .unwrap()
    };
    let planner = find(&listed, &hash);
    assert_eq!(planner.id.len(), gridmap::store::TOKEN_ID_DIGITS);
    assert!(planner.last_used_at.is_some(), "{planner:?}");
    assert!(planner.created_at.len() >= 20, "{planner:?}");
    let unused = find(&listed, &unused_hash);
    assert_eq!(unused.last_used_at, None);
    assert_eq!(unused.label, "调度员");
    assert!(
        !format!("{listed:?}").contains(&hash),
        "no whole hash in a listing"
    );
    assert!(store.revoke_token(&planner.id).await.unwrap());
    assert_eq!(store.token(&hash).await.unwrap(), None, "revoked: refused");
    assert!(
        !store.revoke_token(&planner.id).await.unwrap(),
        "already revoked"
    );
    assert!(!store.revoke_token("0123").await.unwrap(), "not an id");
    assert!(
        find(&store.tokens().await.unwrap(), &hash)
            .revoked_at
            .is_some()
    );
    assert!(
        store.token(&worker_hash).await.unwrap().is_some(),
        "others live"
    );
}
both_stores!(tokens, tokens_are_stored_hashed);
