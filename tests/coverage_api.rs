//! Life-circle coverage and new-site suggestions over HTTP on a generated district, on both
//! stores: walking coverage never above the straight line's, areas adding up to the total,
//! each building's catchment station against a full search from the building, suggested
//! sites that really cover what they promise once built, the gap to the exact optimum, and
//! refusals naming the field.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::StatusCode;
use gridmap::api::AppState;
use gridmap::domain::{Role, Station, StationId, StationKind};
use gridmap::store::Store;
use serde_json::{Value, json};
use std::sync::Arc;

async fn coverage_adds_up_and_matches_full_searches(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 30_000, 5).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let token = common::token(store.as_ref(), Role::Dispatcher, "调度员").await;
    let (status, body) = common::call(
        &state,
        "GET",
        "/api/coverage?level=community&tiers=1000,300,500",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tiers_m"], json!([300, 500, 1000]));
    let total = &body["total"];
    let areas = body["areas"].as_array().unwrap();
    assert!(areas.len() >= 5, "{}", areas.len());
    let sum = |field: &str| -> u64 { areas.iter().map(|a| a[field].as_u64().unwrap()).sum() };
    assert_eq!(sum("households"), total["households"].as_u64().unwrap());
    assert_eq!(sum("residents"), total["residents"].as_u64().unwrap());
    let mut walk_below_straight = 0;
    for area in areas.iter().chain([total]) {
        for kind in area["kinds"].as_array().unwrap() {
            let mut last_walk = 0;
            for tier in kind["tiers"].as_array().unwrap() {
                let walk = tier["walk_households"].as_u64().unwrap();
                let straight = tier["straight_households"].as_u64().unwrap();
                // A walk is never shorter than the straight line between its ends.
                assert!(walk <= straight, "{tier}");
                assert!(walk >= last_walk, "longer tiers cover more: {kind}");
                last_walk = walk;
                if walk < straight {
                    walk_below_straight += 1;
                }
            }
        }
    }
    assert!(
        walk_below_straight > 0,
        "walls and the network make some walks longer than the line"
    );

    // Each building's catchment station is the nearest of a full search from the building.
    let (status, body) = common::call(
        &state,
        "GET",
        "/api/coverage/buildings?kind=service_station&within_m=1000&covered=all&limit=20000",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let features = body["features"].as_array().unwrap();
    assert!(!features.is_empty());
    let engine = gridmap::engine::read(&state.engine);
    let walking = engine.walking();
    let network = walking.network();
    let mut checked = 0;
    for f in features.iter().step_by(97) {
        let c = &f["geometry"]["coordinates"];
        let p = geo_types::Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        let Ok(start) = network.snap(p, 500.0) else {
            assert!(f["properties"]["station"].is_null());
            continue;
        };
        let reach = network.reach_from(&start, 1_000.0);
        let best = engine
            .station_info()
            .values()
            .filter(|s| s.kind == StationKind::ServiceStation)
            .filter_map(|s| {
                Some((
                    s.id.0.clone(),
                    reach.distance_to(network, walking.station(&s.id)?)?,
                ))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let props = &f["properties"];
        match best {
            Some((_, metres)) => {
                let walking_m = props["walking_m"].as_f64().unwrap();
                assert!(
                    (walking_m - metres).abs() <= 1.0,
                    "{props} against {metres}"
                );
                assert_eq!(props["covered"], true);
                assert!(props["straight_m"].as_f64().unwrap() <= walking_m + 1.0);
            }
            None => assert!(
                props["station"].is_null() && props["covered"] == false,
                "{props}"
            ),
        }
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
}

both_stores!(coverage, coverage_adds_up_and_matches_full_searches);

/// The households of `kind` covered within `within_m` on foot, district-wide.
fn walk_covered(engine: &gridmap::engine::Engine, kind: StationKind, within_m: u32) -> u64 {
    use gridmap::service::coverage::{CoverageLevel, CoverageScope, Tiers, coverage};
    let told = coverage(
        engine,
        &CoverageScope {
            kinds: vec![kind],
            tiers: Tiers::parse(&within_m.to_string()).unwrap(),
            level: CoverageLevel::District,
            within: None,
        },
    )
    .unwrap();
    told.total.kinds[0].tiers[0].walk_households
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggested_sites_cover_what_they_promise_once_built() {
    let (_dir, store) = common::fresh_gpkg().await;
    common::partitioned_district(store.as_ref(), 30_000, 5).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    let request = json!({"kind": "service_centre", "within_m": 500, "k": 4,
                         "candidates": {"from": "nodes", "spacing_m": 120}});
    let (status, body) = common::call(
        &state,
        "POST",
        "/api/coverage/suggestions",
        Some(&planner),
        Some(request.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sites = body["sites"]["features"].as_array().unwrap();
    assert_eq!(sites.len(), 4, "{body}");
    let before = body["covered_before"].as_u64().unwrap();
    let after = body["covered_after"].as_u64().unwrap();
    let adds: u64 = sites
        .iter()
        .map(|s| s["properties"]["adds_households"].as_u64().unwrap())
        .sum();
    assert_eq!(after, before + adds);
    assert!(adds > 0);
    // Ranked by what each adds; the bound and the exact optimum agree within 2%.
    let ranked: Vec<u64> = sites
        .iter()
        .map(|s| s["properties"]["adds_households"].as_u64().unwrap())
        .collect();
    assert!(ranked.windows(2).all(|w| w[0] >= w[1]), "{ranked:?}");
    assert!(body["gap_at_most"].as_f64().unwrap() <= 0.02, "{body}");
    let exact = &body["exact"];
    assert!(exact.is_object(), "{}", body["exact_skipped"]);
    assert!(exact["gap"].as_f64().unwrap() <= 0.02);
    assert!(
        exact["covered_households"].as_f64().unwrap()
            <= body["upper_bound_households"].as_f64().unwrap() + 1e-6
    );
    assert!(adds as f64 <= exact["covered_households"].as_f64().unwrap() + 1e-6);

    // Built as stations, the sites bring exactly that many households into reach.
    {
        let mut engine = gridmap::engine::write(&state.engine);
        assert_eq!(
            walk_covered(&engine, StationKind::ServiceCentre, 500),
            before
        );
        let mut stations: Vec<Station> = engine.station_info().values().cloned().collect();
        let template = stations
            .iter()
            .find(|s| s.kind == StationKind::ServiceCentre)
            .unwrap()
            .clone();
        for (i, s) in sites.iter().enumerate() {
            let c = &s["geometry"]["coordinates"];
            stations.push(Station {
                id: StationId(format!("new-{i}")),
                location: geo_types::Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()),
                ..template.clone()
            });
        }
        engine.replace_stations(stations);
        assert_eq!(
            walk_covered(&engine, StationKind::ServiceCentre, 500),
            after
        );
    }

    // The same as GeoJSON and as a workbook.
    let (status, body) = common::call(
        &state,
        "POST",
        "/api/coverage/suggestions?format=geojson",
        Some(&planner),
        Some(json!({"kind": "red_outpost", "within_m": 300, "k": 2,
                    "candidates": {"from": "buildings", "kinds": ["public", "market", "other"]}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["type"], "FeatureCollection");
    let (status, headers, bytes) = common::send(
        &state,
        "POST",
        "/api/coverage/suggestions?format=xlsx",
        Some(&planner),
        &[],
        Some(request),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    assert_eq!(&bytes[..2], b"PK");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_coverage_requests_name_the_field() {
    let (_dir, store) = common::fresh_gpkg().await;
    common::partitioned_district(store.as_ref(), 20_000, 3).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let planner = common::token(store.as_ref(), Role::Planner, "规划员").await;
    for (uri, field) in [
        ("/api/coverage?tiers=-300", "tiers"),
        ("/api/coverage?tiers=0", "tiers"),
        ("/api/coverage?tiers=300,9000", "tiers"),
        ("/api/coverage?tiers=", "tiers"),
        ("/api/coverage?kinds=library", "kinds"),
        ("/api/coverage?level=building", "level"),
        ("/api/coverage?within=15060", "within"),
        ("/api/coverage?radius=3", "radius"),
        ("/api/coverage/buildings", "kind"),
        (
            "/api/coverage/buildings?kind=red_outpost&within_m=-5",
            "within_m",
        ),
        (
            "/api/coverage/buildings?kind=red_outpost&covered=maybe",
            "covered",
        ),
        ("/api/coverage/buildings?kind=red_outpost&limit=0", "limit"),
    ] {
        let (status, body) = common::call(&state, "GET", uri, Some(&planner), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(common::field(&body), field, "{uri}: {body}");
    }
    let base = json!({"kind": "service_centre", "within_m": 500, "k": 2,
                      "candidates": {"from": "nodes", "spacing_m": 300}});
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    for (body, field) in [
        (with("k", json!(0)), "k"),
        (with("k", json!(100_000)), "k"),
        (with("k", json!(-1)), "k"),
        (with("within_m", json!(-500)), "within_m"),
        (with("within_m", json!(0)), "within_m"),
        (with("kind", json!("library")), "kind"),
        (with("within", json!("abc")), "within"),
        (
            with(
                "candidates",
                json!({"from": "buildings", "kinds": ["castle"]}),
            ),
            "candidates.kinds",
        ),
        (
            with("candidates", json!({"from": "nodes", "spacing_m": 1})),
            "candidates",
        ),
        (
            with(
                "candidates",
                json!({"from": "points", "points": {"type": "FeatureCollection", "features": [
                    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [109.98, 39.81]}}
                ]}}),
            ),
            "k",
        ),
        (
            with(
                "candidates",
                json!({"from": "points", "points": {"type": "FeatureCollection", "features": [
                    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [400, 39.81]}}
                ]}}),
            ),
            "candidates.points",
        ),
    ] {
        let (status, answer) = common::call(
            &state,
            "POST",
            "/api/coverage/suggestions",
            Some(&planner),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(common::field(&answer), field, "{body}: {answer}");
    }
}
