//! Imports of real files: Monaco's GeoJSON and OSM PBF, broken inputs, GCJ-02 inputs, rosters.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use gridmap::crs::Crs;
use gridmap::domain::Dataset;
use gridmap::import::{ImportError, ImportKind, ImportOptions, Imported, parse_geojson, read_file};
use std::collections::HashMap;

fn features(path: &str, kind: ImportKind) -> Dataset {
    match read_file(&common::data(path), &ImportOptions::new(kind)).unwrap() {
        Imported::Features(d) => d,
        other => panic!("{other:?}"),
    }
}

#[test]
fn monaco_geojson_and_pbf_give_the_same_1605_buildings() {
    let geojson = features("monaco/buildings.geojson", ImportKind::Buildings);
    let pbf = features("monaco/monaco-2025-02-11.osm.pbf", ImportKind::Buildings);
    assert_eq!(geojson.buildings.len(), 1605);
    assert_eq!(pbf.buildings.len(), 1605);
    let from_pbf: HashMap<_, _> = pbf.buildings.iter().map(|b| (b.id.clone(), b)).collect();
    let mut same_households = 0;
    for b in &geojson.buildings {
        let twin = from_pbf
            .get(&b.id)
            .unwrap_or_else(|| panic!("{} missing from the PBF import", b.id));
        assert_eq!(b.kind, twin.kind, "{}", b.id);
        assert_eq!(b.floors, twin.floors, "{}", b.id);
        if b.households == twin.households {
            same_households += 1;
        }
    }
    // Footprints agree (same nodes); only multipolygons assembled differently may round apart.
    assert!(same_households >= 1600, "{same_households}");
    let total: u32 = geojson.buildings.iter().map(|b| b.households).sum();
    // Monaco has ~39,000 residents; untagged OSM buildings count as housing, so the
    // estimate is of the right order without being exact.
    assert!((15_000..60_000).contains(&total), "{total} households");
    assert!(
        geojson
            .buildings
            .iter()
            .any(|b| b.kind == gridmap::domain::BuildingKind::School)
    );
}

#[test]
fn monaco_quartiers_become_numbered_communities() {
    let mut options = ImportOptions::new(ImportKind::Communities);
    options.parent = Some("990101001".parse().unwrap());
    options.admin_level = Some("10".into());
    let Imported::Features(data) =
        read_file(&common::data("monaco/admin.geojson"), &options).unwrap()
    else {
        panic!()
    };
    assert_eq!(data.communities.len(), 9);
    let mut codes: Vec<&str> = data.communities.iter().map(|c| c.code.as_str()).collect();
    codes.sort();
    assert_eq!(codes.first(), Some(&"990101001001"));
    assert_eq!(codes.last(), Some(&"990101001009"));
    let Imported::Features(pbf) =
        read_file(&common::data("monaco/monaco-2025-02-11.osm.pbf"), &options).unwrap()
    else {
        panic!()
    };
    assert_eq!(pbf.communities.len(), 9);
    // Without --parent a community needs its code.
    let err = read_file(
        &common::data("monaco/admin.geojson"),
        &ImportOptions::new(ImportKind::Communities),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("feature #0") && err.to_string().contains("`code`"),
        "{err}"
    );
}

#[test]
fn monaco_roads_and_stations() {
    let roads = features("monaco/roads.geojson", ImportKind::Roads);
    assert!(roads.roads.len() > 3000, "{}", roads.roads.len());
    assert!(roads.roads.iter().any(|r| r.class.is_barrier()));
    let pbf_roads = features("monaco/monaco-2025-02-11.osm.pbf", ImportKind::Roads);
    assert!(
        pbf_roads.roads.len() >= roads.roads.len() * 9 / 10,
        "{}",
        pbf_roads.roads.len()
    );
    let stations = features("monaco/pois.geojson", ImportKind::Stations);
    assert!(!stations.stations.is_empty());
    assert!(stations.stations.iter().all(|s| !s.name.is_empty()));
}

fn building_fc(feature: &str) -> String {
    let ok = r#"{"type":"Feature","properties":{"id":"ok"},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.73],[7.421,43.73],[7.421,43.731],[7.42,43.73]]]}}"#;
    format!(r#"{{"type":"FeatureCollection","features":[{ok},{ok},{feature}]}}"#)
}

fn refused(feature: &str) -> (usize, String) {
    match parse_geojson(
        "bad.geojson",
        &building_fc(feature),
        &ImportOptions::new(ImportKind::Buildings),
    ) {
        Err(ImportError::Feature { index, reason, .. }) => (index, reason),
        other => panic!("expected a feature error, got {other:?}"),
    }
}

#[test]
fn broken_features_are_refused_by_index_with_the_reason() {
    let cases = [
        (
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.73],[7.421,43.73],[7.421,43.731],[7.4205,43.7305]]]}}"#,
            "not closed",
        ),
        (
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[200,43.73],[7.421,43.73],[7.421,43.731],[200,43.73]]]}}"#,
            "longitude 200",
        ),
        (
            r#"{"type":"Feature","properties":{},"geometry":null}"#,
            "missing geometry",
        ),
        (
            r#"{"type":"Feature","properties":{"households":"many"},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.73],[7.421,43.73],[7.421,43.731],[7.42,43.73]]]}}"#,
            "`households`",
        ),
        (
            r#"{"type":"Feature","properties":{"households":-3},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.73],[7.421,43.73],[7.421,43.731],[7.42,43.73]]]}}"#,
            "non-negative",
        ),
        (
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[7.42,43.73]}}"#,
            "found a Point",
        ),
        (
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":"x"}}"#,
            "malformed geometry",
        ),
        (
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.73],[7.421,43.731],[7.421,43.73],[7.42,43.731],[7.42,43.73]]]}}"#,
            "invalid polygon",
        ),
        (
            r#"{"type":"Feature","properties":{"kind":"castle"},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.73],[7.421,43.73],[7.421,43.731],[7.42,43.73]]]}}"#,
            "`kind`",
        ),
        (
            r#"{"type":"Feature","properties":[1,2],"geometry":null}"#,
            "`properties`",
        ),
    ];
    for (feature, needle) in cases {
        let (index, reason) = refused(feature);
        assert_eq!(index, 2, "{feature}");
        assert!(reason.contains(needle), "{feature}: {reason}");
    }
    let not_json = parse_geojson(
        "x.geojson",
        "{\"type\":",
        &ImportOptions::new(ImportKind::Buildings),
    )
    .unwrap_err();
    assert!(matches!(not_json, ImportError::NotGeoJson { .. }));
}

#[tokio::test]
async fn gcj02_input_lands_within_a_metre_of_its_wgs84_twin() {
    use geo::{Distance, Haversine};
    // Real WGS84 footprints of the generated Dongsheng district, written out in GCJ-02.
    let profile = gridmap::generate::DistrictProfile::dongsheng().unwrap();
    let data = gridmap::generate::generate(
        &profile,
        &gridmap::generate::GenerateOptions {
            households: 5_000,
            seed: 9,
        },
    )
    .unwrap();
    let originals: Vec<_> = data.buildings.iter().take(200).cloned().collect();
    let fc = gridmap::features::collection(&originals, gridmap::domain::Audience::Internal);
    let mut value = serde_json::to_value(&fc).unwrap();
    for f in value["features"].as_array_mut().unwrap() {
        for polygon in f["geometry"]["coordinates"].as_array_mut().unwrap() {
            for ring in polygon.as_array_mut().unwrap() {
                for p in ring.as_array_mut().unwrap() {
                    let (x, y) =
                        Crs::Gcj02.from_wgs84(p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
                    *p = serde_json::json!([x, y]);
                }
            }
        }
    }
    let mut options = ImportOptions::new(ImportKind::Buildings);
    options.crs = Some(gridmap::crs::SourceCrs::Geographic(Crs::Gcj02));
    let imported = parse_geojson("gcj.geojson", &value.to_string(), &options).unwrap();
    assert_eq!(imported.buildings.len(), originals.len());
    let mut worst_m: f64 = 0.0;
    let mut shift_m: f64 = f64::MAX;
    for (a, b) in originals.iter().zip(&imported.buildings) {
        assert_eq!(a.id, b.id);
        for (pa, pb) in a.footprint.0[0]
            .exterior()
            .points()
            .zip(b.footprint.0[0].exterior().points())
        {
            worst_m = worst_m.max(Haversine.distance(pa, pb));
        }
        let first = a.footprint.0[0].exterior().0[0];
        let (gx, gy) = Crs::Gcj02.from_wgs84(first.x, first.y);
        shift_m = shift_m.min(Haversine.distance(geo::Point::from(first), geo::Point::new(gx, gy)));
    }
    assert!(
        worst_m < 1.0,
        "GCJ-02 input lands {worst_m} m from its WGS84 twin"
    );
    assert!(
        shift_m > 100.0,
        "the GCJ-02 copy was really shifted ({shift_m} m)"
    );
}
