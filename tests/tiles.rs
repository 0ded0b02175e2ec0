//! Vector tiles: every tile decodes with an independent MVT decoder (geozero's protobuf
//! types) into valid geometry; tiles hold exactly the features under them (brute force over
//! real Monaco data); over HTTP: TileJSON, tokens, ETag/304, gzip, bad input, and an edit
//! showing in the next tile.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use axum::http::{StatusCode, header};
use geo::{InteriorPoint, Intersects};
use geo_types::{Point, Rect, coord};
use geozero::mvt::{Message, Tile, tile::GeomType};
use gridmap::api::AppState;
use gridmap::domain::*;
use gridmap::engine::{Engine, EngineData, TileLayer};
use gridmap::mvt::{BUFFER, EXTENT, TileId};
use gridmap::store::Store;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A decoded feature: its type and properties (its geometry is checked while decoding).
#[derive(Debug)]
struct Feature {
    kind: GeomType,
    id: Option<u64>,
    properties: BTreeMap<String, Value>,
}

fn zigzag(v: u32) -> i64 {
    i64::from((v >> 1) as i32 ^ -((v & 1) as i32))
}

/// Decodes a tile and checks it against MVT 2.1: version 2, extent 4096, tags in range,
/// commands well formed, no empty geometry, points inside the buffer, polygons' exteriors
/// with positive area (y down) and no collapsed rings, lines of two points or more.
fn decode_valid(bytes: &[u8]) -> BTreeMap<String, Vec<Feature>> {
    let tile = Tile::decode(bytes).expect("protobuf");
    let mut layers = BTreeMap::new();
    for layer in tile.layers {
        assert_eq!(layer.version, 2, "layer {}", layer.name);
        assert_eq!(layer.extent, Some(EXTENT));
        assert!(!layer.features.is_empty(), "empty layer {}", layer.name);
        let mut features = Vec::new();
        for f in &layer.features {
            assert_eq!(f.tags.len() % 2, 0);
            let mut properties = BTreeMap::new();
            for pair in f.tags.chunks(2) {
                let key = layer.keys[pair[0] as usize].clone();
                let v = &layer.values[pair[1] as usize];
                let value = if let Some(s) = &v.string_value {
                    json!(s)
                } else if let Some(u) = v.uint_value {
                    json!(u)
                } else if let Some(i) = v.sint_value {
                    json!(i)
                } else if let Some(d) = v.double_value {
                    json!(d)
                } else if let Some(b) = v.bool_value {
                    json!(b)
                } else {
                    panic!("value of unknown type {v:?}");
                };
                properties.insert(key, value);
            }
            let kind = GeomType::try_from(f.r#type.expect("type")).expect("known type");
            let parts = geometry(&f.geometry, kind);
            assert!(!parts.is_empty(), "empty geometry in {}", layer.name);
            let lo = -i64::from(BUFFER) - 1;
            let hi = i64::from(EXTENT + BUFFER) + 1;
            for part in &parts {
                for p in part {
                    assert!(
                        (lo..=hi).contains(&p[0]) && (lo..=hi).contains(&p[1]),
                        "{p:?} outside the buffer in {}",
                        layer.name
                    );
                }
                match kind {
                    GeomType::Linestring => assert!(part.len() >= 2),
                    GeomType::Polygon => {
                        assert!(part.len() >= 3, "ring of {} points", part.len());
                        assert_ne!(area(part), 0, "collapsed ring in {}", layer.name);
                    }
                    _ => {}
                }
            }
            if kind == GeomType::Polygon {
                assert!(area(&parts[0]) > 0, "first ring must be an exterior");
            }
            features.push(Feature {
                kind,
                id: f.id,
                properties,
            });
        }
        layers.insert(layer.name.clone(), features);
    }
    layers
}

fn area(ring: &[[i64; 2]]) -> i64 {
    (0..ring.len())
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
            p[0] * q[1] - q[0] * p[1]
        })
        .sum()
}

/// Geometry commands to parts (points: one part per point).
fn geometry(commands: &[u32], kind: GeomType) -> Vec<Vec<[i64; 2]>> {
    let (mut parts, mut current): (Vec<Vec<[i64; 2]>>, Vec<[i64; 2]>) = (vec![], vec![]);
    let (mut x, mut y) = (0i64, 0i64);
    let mut i = 0;
    while i < commands.len() {
        let (id, count) = (commands[i] & 7, (commands[i] >> 3) as usize);
        i += 1;
        match id {
            1 | 2 => {
                assert!(count > 0, "command with no points");
                if id == 1 && kind != GeomType::Point && !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                }
                for _ in 0..count {
                    x += zigzag(commands[i]);
                    y += zigzag(commands[i + 1]);
                    i += 2;
                    if kind == GeomType::Point {
                        parts.push(vec![[x, y]]);
                    } else {
                        current.push([x, y]);
                    }
                }
            }
            7 => {
                assert_eq!(kind, GeomType::Polygon, "ClosePath outside a polygon");
                parts.push(std::mem::take(&mut current));
            }
            other => panic!("unknown command {other}"),
        }
    }
    if !current.is_empty() {
        assert_ne!(kind, GeomType::Polygon, "ring not closed");
        parts.push(current);
    }
    parts
}

/// Twice the area over the perimeter, in tile units: about the width of a thin shape.
fn thickness_units(
    frame: &gridmap::mvt::TileFrame,
    footprint: &geo_types::MultiPolygon<f64>,
) -> f64 {
    use geo::{Area, Euclidean, Length, MapCoords};
    let projected = footprint.map_coords(|c| {
        let p = frame.project(c.x, c.y);
        coord! {x: p[0], y: p[1]}
    });
    let perimeter: f64 = projected
        .iter()
        .map(|p| Euclidean.length(p.exterior()))
        .sum();
    2.0 * projected.unsigned_area() / perimeter.max(1e-9)
}

fn tile_rect(tile: TileId, margin: f64) -> Rect<f64> {
    let (min, max) = tile.lonlat_bounds(margin);
    Rect::new(coord! {x: min[0], y: min[1]}, coord! {x: max[0], y: max[1]})
}

/// Every tile at z14–z16 over Monaco: valid; holds every building whose inner point lies
/// in it and no building that misses its buffered square; roads likewise.
#[test]
fn monaco_tiles_hold_exactly_the_features_under_them() {
    let data = common::monaco();
    let engine = Engine::new(EngineData {
        communities: data.communities.clone(),
        buildings: data.buildings.clone(),
        roads: data.roads.clone(),
        land_areas: data.land_areas.clone(),
        ..EngineData::default()
    });
    let extent = engine.communities().extent().expect("communities");
    let mut checked = 0;
    let mut land_drawn: BTreeMap<String, usize> = BTreeMap::new();
    for z in [14u8, 15, 16] {
        let nw = TileId::containing(extent.0[0], extent.1[1], z);
        let se = TileId::containing(extent.1[0], extent.0[1], z);
        for x in nw.x()..=se.x() {
            for y in nw.y()..=se.y() {
                let tile = TileId::new(u32::from(z), u64::from(x), u64::from(y)).unwrap();
                let layers = decode_valid(&engine.render_tile(TileLayer::Buildings, tile));
                let ids: BTreeSet<String> = layers
                    .get("buildings")
                    .map(|fs| {
                        fs.iter()
                            .map(|f| f.properties["id"].as_str().unwrap().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let (inner, buffered) = (
                    tile_rect(tile, 0.0),
                    tile_rect(tile, f64::from(BUFFER) / f64::from(EXTENT)),
                );
                let frame = gridmap::mvt::TileFrame::new(tile, 0.0);
                for b in &data.buildings {
                    let at = b.footprint.interior_point().unwrap();
                    // Simplification may drop a footprint under a screen pixel (8 units) thick.
                    let visible = thickness_units(&frame, &b.footprint) >= 8.0;
                    if inner.intersects(&at) && visible {
                        assert!(ids.contains(&b.id.0), "{} missing from {tile}", b.id.0);
                    }
                    if ids.contains(&b.id.0) {
                        assert!(b.footprint.intersects(&buffered), "{} in {tile}", b.id.0);
                    }
                }
                let households: u64 = layers
                    .get("buildings")
                    .into_iter()
                    .flatten()
                    .map(|f| f.properties["households"].as_u64().unwrap())
                    .sum();
                let expected: u64 = data
                    .buildings
                    .iter()
                    .filter(|b| ids.contains(&b.id.0))
                    .map(|b| u64::from(b.households))
                    .sum();
                assert_eq!(households, expected, "{tile}");

                let basemap = decode_valid(&engine.render_tile(TileLayer::Basemap, tile));
                let roads = basemap.get("roads").map_or(0, Vec::len);
                let crossing = data
                    .roads
                    .iter()
                    .filter(|r| r.class != RoadClass::River && r.geometry.intersects(&inner))
                    .count();
                assert!(roads <= data.roads.len());
                if crossing > 0 {
                    assert!(roads > 0, "{tile}: {crossing} roads cross it, none drawn");
                }
                for (layer, features) in &basemap {
                    for f in features {
                        let expected = match layer.as_str() {
                            "landuse" | "water" => GeomType::Polygon,
                            "labels" => GeomType::Point,
                            _ => GeomType::Linestring,
                        };
                        assert_eq!(f.kind, expected, "{layer} in {tile}");
                        if z == 16 && expected == GeomType::Polygon {
                            let class = f.properties["class"].as_str().unwrap().to_string();
                            assert_eq!(class == "water", layer == "water", "{class} in {layer}");
                            *land_drawn.entry(class).or_default() += 1;
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "{checked} tiles");
    // Monaco's OSM land cover (the port's water, parks, gardens) is drawn at z16.
    for class in ["water", "park", "grass"] {
        assert!(
            land_drawn.get(class).is_some_and(|&n| n > 0),
            "{class}: {land_drawn:?}"
        );
    }
    assert!(data.land_areas.len() > 100, "{}", data.land_areas.len());
}

/// Low zooms: buildings are left out (above their zoom), communities and the basemap stay
/// valid and small.
#[test]
fn low_zoom_tiles_are_valid_and_small() {
    let data = common::monaco();
    let engine = Engine::new(EngineData {
        communities: data.communities.clone(),
        buildings: data.buildings.clone(),
        roads: data.roads.clone(),
        ..EngineData::default()
    });
    for z in 0..=13u8 {
        let tile = TileId::containing(7.42, 43.735, z);
        assert_eq!(
            engine.render_tile(TileLayer::Buildings, tile).is_empty(),
            z < TileLayer::Buildings.min_zoom(),
            "z{z}"
        );
        for layer in [TileLayer::Communities, TileLayer::Basemap] {
            let bytes = engine.render_tile(layer, tile);
            assert!(
                bytes.len() < 500_000,
                "{layer:?} z{z}: {} bytes",
                bytes.len()
            );
            decode_valid(&bytes);
        }
    }
}

async fn call(
    state: &AppState,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, bytes::Bytes) {
    request(state, "GET", uri, token, headers, None).await
}

async fn request(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, axum::http::HeaderMap, bytes::Bytes) {
    common::send(state, method, uri, token, headers, body).await
}

async fn token(store: &dyn Store, role: Role) -> String {
    common::token(store, role, role.as_str()).await
}

fn path(layer: &str, tile: TileId) -> String {
    format!("/tiles/{layer}/{}/{}/{}.mvt", tile.z(), tile.x(), tile.y())
}

fn ids_in(bytes: &[u8], layer: &str, key: &str) -> Vec<String> {
    decode_valid(bytes)
        .get(layer)
        .into_iter()
        .flatten()
        .filter_map(|f| f.properties.get(key)?.as_str().map(str::to_string))
        .collect()
}

async fn tiles_over_http(store: Arc<dyn Store>) {
    common::partitioned_district(store.as_ref(), 30_000, 9).await;
    gridmap::service::staffing::settle(store.as_ref())
        .await
        .unwrap();
    let state = AppState::load(store.clone()).await.unwrap();
    let planner = token(store.as_ref(), Role::Planner).await;
    let worker = token(store.as_ref(), Role::Worker).await;

    // TileJSON 3.0 for every layer; internal layers need a dispatcher's token or more.
    for layer in TileLayer::ALL {
        let uri = format!("/tiles/{}.json", layer.as_str());
        let (status, _, body) = call(&state, &uri, None, &[("host", "gridmap.test")]).await;
        let (status, body) = match layer.audience() {
            gridmap::domain::Audience::Public => (status, body),
            gridmap::domain::Audience::Internal => {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
                let (s, _, _) = call(&state, &uri, Some(&worker), &[]).await;
                assert_eq!(s, StatusCode::FORBIDDEN, "{uri}");
                let (s, _, b) =
                    call(&state, &uri, Some(&planner), &[("host", "gridmap.test")]).await;
                (s, b)
            }
        };
        assert_eq!(status, StatusCode::OK, "{uri}");
        let tj: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(tj["tilejson"], "3.0.0");
        assert_eq!(
            tj["tiles"][0],
            format!(
                "http://gridmap.test/tiles/{}/{{z}}/{{x}}/{{y}}.mvt",
                layer.as_str()
            )
        );
        let bounds: Vec<f64> = serde_json::from_value(tj["bounds"].clone()).unwrap();
        assert!(bounds[0] > 109.0 && bounds[2] < 111.0 && bounds[1] < bounds[3]);
        assert!(!tj["vector_layers"].as_array().unwrap().is_empty());
    }

    // The OpenAPI document lists every tile layer.
    let (_, _, doc) = call(&state, "/api/openapi.json", None, &[]).await;
    let doc: Value = serde_json::from_slice(&doc).unwrap();
    let listed =
        &doc["paths"]["/tiles/{layer}/{z}/{x}/{y}.mvt"]["get"]["parameters"][0]["schema"]["enum"];
    let mut listed: Vec<String> = serde_json::from_value(listed.clone()).unwrap();
    let mut known: Vec<String> = TileLayer::ALL
        .iter()
        .map(|l| l.as_str().to_string())
        .collect();
    listed.sort();
    known.sort();
    assert_eq!(listed, known);

    // A grid's tile at z16: the grid is in it with its figures.
    let (grid, at, households) = {
        let engine = gridmap::engine::read(&state.engine);
        let grid = engine.grid_info().keys().min().unwrap().clone();
        let at: Point<f64> = engine
            .grids()
            .polygon(&grid)
            .unwrap()
            .interior_point()
            .unwrap();
        (grid.clone(), at, engine.grid_info()[&grid].households)
    };
    let tile = TileId::containing(at.x(), at.y(), 16);
    let (status, headers, bytes) = call(&state, &path("grids", tile), Some(&planner), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.mapbox-vector-tile"
    );
    assert_eq!(headers["x-tile-cache"], "miss");
    let layers = decode_valid(&bytes);
    let found = layers["grids"]
        .iter()
        .find(|f| f.properties["code"] == json!(grid.as_str()))
        .expect("the grid is in its tile");
    assert_eq!(found.properties["households"], json!(households));
    let all = store.buildings(&Default::default()).await.unwrap();
    let inside = {
        let engine = gridmap::engine::read(&state.engine);
        all.iter()
            .filter(|b| {
                let at = b.footprint.interior_point().unwrap();
                engine.grids().locate(at) == Some(&grid)
            })
            .count()
    };
    assert!(inside > 0);
    assert_eq!(found.properties["buildings"], json!(inside));
    let etag = headers[header::ETAG].to_str().unwrap().to_string();

    // Warm: the same bytes from the cache; If-None-Match gives 304; gzip when asked.
    let (status, headers, again) = call(&state, &path("grids", tile), Some(&planner), &[]).await;
    assert_eq!((status, &again), (StatusCode::OK, &bytes));
    assert_eq!(headers["x-tile-cache"], "hit");
    let (status, _, empty) = call(
        &state,
        &path("grids", tile),
        Some(&planner),
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(empty.is_empty());
    let (status, headers, zipped) = call(
        &state,
        &path("grids", tile),
        Some(&planner),
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&zipped[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, bytes.to_vec());

    // Public callers: public layers only.
    let (status, _, _) = call(&state, &path("grids", tile), None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for layer in ["communities", "stations", "basemap"] {
        let (status, _, bytes) = call(&state, &path(layer, tile), None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{layer}");
        decode_valid(&bytes);
    }

    // The generated district's land cover (parks, schools, markets) in the public basemap.
    let (name, inside) = {
        let engine = gridmap::engine::read(&state.engine);
        let (id, (_, name)) = engine
            .land_info()
            .iter()
            .min_by_key(|(id, _)| *id)
            .expect("land");
        let at = engine.land().polygon(id).unwrap().interior_point().unwrap();
        (name.clone().unwrap(), at)
    };
    let (_, _, b) = call(
        &state,
        &path("basemap", TileId::containing(inside.x(), inside.y(), 16)),
        None,
        &[],
    )
    .await;
    let basemap = decode_valid(&b);
    assert!(
        basemap["landuse"]
            .iter()
            .any(|f| f.properties.get("name") == Some(&json!(name))),
        "{name} not in its basemap tile"
    );

    // An edit shows in the next tile: a reported incident ...
    let incidents_before = {
        let (_, _, b) = call(&state, &path("incidents", tile), Some(&planner), &[]).await;
        ids_in(&b, "incidents", "id")
    };
    let (status, _, body) = request(
        &state,
        "POST",
        "/api/incidents",
        Some(&worker),
        &[],
        Some(json!({"lon": at.x(), "lat": at.y(), "category": "井盖缺失", "description": "瓦片测试", "source": "resident"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let reported: Value = serde_json::from_slice(&body).unwrap();
    let id = reported["properties"]["id"].as_str().unwrap().to_string();
    let (_, headers, b) = call(&state, &path("incidents", tile), Some(&planner), &[]).await;
    assert_eq!(headers["x-tile-cache"], "miss");
    let after = ids_in(&b, "incidents", "id");
    assert!(after.contains(&id) && !incidents_before.contains(&id));
    // ... counted in its H3 cell at low zoom ...
    let low = TileId::containing(at.x(), at.y(), 11);
    let (_, _, b) = call(&state, &path("incidents", low), Some(&planner), &[]).await;
    let cells = decode_valid(&b);
    let cell = h3o::LatLng::new(at.y(), at.x())
        .unwrap()
        .to_cell(h3o::Resolution::Eight)
        .to_string();
    assert!(
        cells["incident_cells"]
            .iter()
            .any(|f| f.properties["h3"] == json!(cell))
    );
    // ... a worker's new position ...
    let moved = reported["properties"]["assignee"]
        .as_str()
        .unwrap()
        .to_string();
    let there = Point::new(at.x() + 0.0004, at.y() + 0.0003);
    // The worker's own token (a worker token moves its own worker only).
    let own = common::worker_token(store.as_ref(), &WorkerId(moved.clone())).await;
    let (status, _, _) = request(
        &state,
        "POST",
        &format!("/api/workers/{moved}/position"),
        Some(&own),
        &[],
        Some(json!({"lon": there.x(), "lat": there.y()})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let here = TileId::containing(there.x(), there.y(), 16);
    let (_, _, b) = call(&state, &path("workers", here), Some(&planner), &[]).await;
    assert!(ids_in(&b, "workers", "id").contains(&moved));
    // ... and a new partition of the grid's community (smaller grids).
    let community = grid.community().to_string();
    let (status, _, body) = request(
        &state,
        "POST",
        "/api/partition",
        Some(&planner),
        &[],
        Some(json!({"community": community, "target": 200})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let (_, headers, b) = call(&state, &path("grids", tile), Some(&planner), &[]).await;
    assert_eq!(headers["x-tile-cache"], "miss");
    assert_ne!(headers[header::ETAG].to_str().unwrap(), etag);
    let now = decode_valid(&b);
    let mine: Vec<&Feature> = now["grids"]
        .iter()
        .filter(|f| f.properties["community"] == json!(community))
        .collect();
    assert!(!mine.is_empty());
    for f in mine {
        let h = f.properties["households"].as_u64().unwrap();
        assert!(h < 250 || f.properties["kind"] != json!("base"), "{h}");
    }

    // Bad input: problem+json naming the field.
    for (uri, status, field) in [
        ("/tiles/grids/x/1/1.mvt", StatusCode::BAD_REQUEST, Some("z")),
        ("/tiles/grids/3/8/1.mvt", StatusCode::BAD_REQUEST, Some("x")),
        (
            "/tiles/grids/3/1/-1.mvt",
            StatusCode::BAD_REQUEST,
            Some("y"),
        ),
        (
            "/tiles/grids/30/1/1.mvt",
            StatusCode::BAD_REQUEST,
            Some("z"),
        ),
        ("/tiles/roads/3/1/1.mvt", StatusCode::NOT_FOUND, None),
        ("/tiles/grids/3/1/1.png", StatusCode::NOT_FOUND, None),
        ("/tiles/nothing.json", StatusCode::NOT_FOUND, None),
    ] {
        let (s, headers, body) = call(&state, uri, Some(&planner), &[]).await;
        assert_eq!(s, status, "{uri}");
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{uri}"
        );
        let problem: Value = serde_json::from_slice(&body).unwrap();
        if let Some(field) = field {
            assert_eq!(
                problem["invalid-params"][0]["name"], field,
                "{uri}: {problem}"
            );
        }
    }
}

both_stores!(over_http, tiles_over_http);

/// The walking tiles: round a station, every way within 15 minutes' walk of some station
/// with the minutes from the nearest, as the router counts them from every station at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walking_tiles_carry_the_minutes_from_the_nearest_station() {
    let (_dir, store) = common::fresh_gpkg().await;
    common::partitioned_district(store.as_ref(), 30_000, 9).await;
    let state = AppState::load(store.clone()).await.unwrap();
    let engine = gridmap::engine::read(&state.engine);
    let walking = engine.walking();
    let network = walking.network();
    let station = engine
        .station_info()
        .values()
        .min_by_key(|s| s.id.clone())
        .unwrap();
    let tile = TileId::containing(station.location.x(), station.location.y(), 15);
    let layers = decode_valid(&engine.render_tile(TileLayer::Walking, tile));
    let features = &layers["walking"];
    assert!(!features.is_empty());
    // Every station's walk to each node, the least of them (an independent full search
    // per station).
    let snaps: Vec<_> = engine
        .station_info()
        .keys()
        .filter_map(|id| walking.station(id).copied())
        .collect();
    let reaches: Vec<_> = snaps
        .iter()
        .map(|s| network.reach_from(s, 1_080.0))
        .collect();
    let mut checked = 0;
    for f in features {
        let id = gridmap::routing::EdgeId(u32::try_from(f.id.unwrap() - 1).unwrap());
        let e = network.edge(id);
        let least = [e.tail, e.head]
            .into_iter()
            .flat_map(|n| reaches.iter().filter_map(move |r| r.distance_m(n)))
            .fold(f64::INFINITY, f64::min);
        let minutes = f.properties["minutes"].as_f64().unwrap();
        assert_eq!(
            minutes,
            (least / 72.0).ceil().max(1.0),
            "{:?}",
            f.properties
        );
        let band = f.properties["band"].as_f64().unwrap();
        assert!(band >= minutes && band - minutes < 5.0 && [5.0, 10.0, 15.0].contains(&band));
        checked += 1;
    }
    assert!(checked >= 5, "{checked}");
    let nearest = features
        .iter()
        .map(|f| f.properties["minutes"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert!(
        nearest <= 2.0,
        "the ways at the station are a minute or two away: {nearest}"
    );
}
