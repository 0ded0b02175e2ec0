//! The `gridmap` binary end to end: import, export, token, generate, serve; GDAL reads our files.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn gridmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gridmap"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run gridmap")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `ogrinfo` (GDAL) must be installed: `.ci/run` installs gdal-bin.
fn ogrinfo(args: &[&str]) -> String {
    let out = Command::new("ogrinfo")
        .args(args)
        .output()
        .expect("ogrinfo (GDAL) is required for these tests: apt-get install gdal-bin");
    assert!(out.status.success(), "ogrinfo failed: {}", text(&out));
    text(&out)
}

#[test]
fn import_monaco_then_gdal_lists_layers_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monaco.gpkg");
    let db = db.to_str().unwrap();
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "communities",
        "--parent",
        "990101001",
        "--admin-level",
        "10",
        common::data("monaco/admin.geojson").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "buildings",
        common::data("monaco/buildings.geojson").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1605 buildings"), "{}", text(&out));

    let listing = ogrinfo(&[db]);
    for layer in [
        "districts",
        "streets",
        "communities",
        "grids",
        "buildings (Multi Polygon)",
        "roads",
        "stations (Point)",
        "workers",
        "incidents",
    ] {
        assert!(
            listing.contains(layer),
            "ogrinfo does not list {layer}: {listing}"
        );
    }
    assert!(!listing.contains("_sqlx_migrations"), "{listing}");
    let summary = ogrinfo(&["-so", db, "buildings"]);
    assert!(summary.contains("Feature Count: 1605"), "{summary}");
    assert!(summary.contains("WGS 84"), "{summary}");
    let communities = ogrinfo(&["-so", db, "communities"]);
    assert!(communities.contains("Feature Count: 9"), "{communities}");
    // Buildings were placed in the quartiers they stand in.
    let placed = ogrinfo(&[
        "-q",
        db,
        "-sql",
        "SELECT COUNT(*) AS n FROM buildings WHERE community_code IS NOT NULL",
    ]);
    let n: u32 = placed
        .split("n (Integer")
        .nth(1)
        .and_then(|s| s.split('=').nth(1))
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // The extract's box holds 377 buildings of neighbouring France (Beausoleil, Cap-d'Ail)
    // that no quartier contains.
    assert!((1200..1605).contains(&n), "{placed}");

    // The PBF gives the same buildings (upserted by id: the count stays 1605).
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "buildings",
        common::data("monaco/monaco-2025-02-11.osm.pbf")
            .to_str()
            .unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(ogrinfo(&["-so", db, "buildings"]).contains("Feature Count: 1605"));

    // Partition the quartiers, then export the grids with their member buildings.
    let out = gridmap(&[
        "partition",
        "--database",
        db,
        "--street",
        "990101001",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["metrics"]["communities"], 9);
    assert_eq!(report["metrics"]["contiguous"], 1.0);
    assert_eq!(report["committed"], true);
    let grids_file = dir.path().join("grids.geojson");
    let out = gridmap(&[
        "export",
        "grids",
        "--database",
        db,
        "--output",
        grids_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let grids: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&grids_file).unwrap()).unwrap();
    let features = grids["features"].as_array().unwrap();
    assert_eq!(
        features.len() as u64,
        report["metrics"]["grids"].as_u64().unwrap()
    );
    let mut members = 0;
    for f in features {
        let p = &f["properties"];
        assert_eq!(p["code"].as_str().unwrap().len(), 15);
        assert!(
            p["code"]
                .as_str()
                .unwrap()
                .starts_with(p["community"].as_str().unwrap())
        );
        assert!(["base", "dedicated"].contains(&p["kind"].as_str().unwrap()));
        assert!(p["households"].is_number() && p["residents"].is_number());
        let ids = p["buildings"].as_array().unwrap();
        assert!(!ids.is_empty(), "{p}");
        members += ids.len();
    }
    assert_eq!(
        members, n as usize,
        "every building placed in a quartier is in exactly one grid"
    );
    let out = gridmap(&["partition", "--database", db, "--community", "990101001999"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no community matches"),
        "{}",
        text(&out)
    );

    // Exports: GeoJSON and a GeoPackage that GDAL opens.
    let geojson = dir.path().join("buildings.geojson");
    let out = gridmap(&[
        "export",
        "buildings",
        "--database",
        db,
        "--format",
        "geojson",
        "--output",
        geojson.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let fc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&geojson).unwrap()).unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len(), 1605);
    assert!(fc["features"][0]["properties"]["households"].is_number());
    let gpkg = dir.path().join("export.gpkg");
    let out = gridmap(&[
        "export",
        "communities",
        "--database",
        db,
        "--format",
        "gpkg",
        "--output",
        gpkg.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !Path::new(&format!("{}-wal", gpkg.display())).exists()
            || std::fs::metadata(format!("{}-wal", gpkg.display()))
                .unwrap()
                .len()
                == 0
    );
    assert!(ogrinfo(&["-so", gpkg.to_str().unwrap(), "communities"]).contains("Feature Count: 9"));
}

#[test]
fn broken_input_is_refused_with_the_feature_named_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.gpkg");
    let db = db.to_str().unwrap();
    let bad = dir.path().join("bad.geojson");
    let ok = r#"{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.73],[7.421,43.73],[7.421,43.731],[7.42,43.73]]]}}"#;
    let lon200 = r#"{"type":"Feature","properties":{"id":"b"},"geometry":{"type":"Polygon","coordinates":[[[200,43.73],[7.421,43.73],[7.421,43.731],[200,43.73]]]}}"#;
    std::fs::write(
        &bad,
        format!(r#"{{"type":"FeatureCollection","features":[{ok},{lon200}]}}"#),
    )
    .unwrap();
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "buildings",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let message = text(&out);
    assert!(
        message.contains("feature #1")
            && message.contains("(id b)")
            && message.contains("longitude 200"),
        "{message}"
    );
    assert!(ogrinfo(&["-so", db, "buildings"]).contains("Feature Count: 0"));

    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, "building,households\na,3\nb,x\n").unwrap();
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "rosters",
        roster.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("row 3, column B (households)"),
        "{}",
        text(&out)
    );
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "buildings",
        "--crs",
        "utm",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("unknown CRS"), "{}", text(&out));
}

#[test]
fn tokens_are_printed_once_and_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.gpkg");
    let db = db.to_str().unwrap();
    let out = gridmap(&[
        "token",
        "create",
        "--database",
        db,
        "--role",
        "planner",
        "--label",
        "王伟",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("gm_") && token.len() == 67, "{token}");
    let stored = ogrinfo(&["-q", db, "-sql", "SELECT hash, role FROM tokens"]);
    assert!(
        stored.contains(&gridmap::auth::hash_token(&token)),
        "{stored}"
    );
    assert!(!stored.contains(&token));
    let out = gridmap(&["token", "create", "--database", db, "--role", "mayor"]);
    assert!(!out.status.success());
    // A worker token belongs to one worker, who must exist.
    let out = gridmap(&["token", "create", "--database", db, "--role", "worker"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--worker"), "{}", text(&out));
    let out = gridmap(&[
        "token",
        "create",
        "--database",
        db,
        "--role",
        "worker",
        "--worker",
        "W00001",
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no worker W00001"), "{}", text(&out));
}

#[test]
fn serve_loads_the_demo_district_into_an_empty_store() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.gpkg");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridmap"))
        .args([
            "serve",
            "--database",
            db.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines.next().expect("serve exited early").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // A second server on the same GeoPackage would drift apart from the first: refused.
    let second = gridmap(&[
        "serve",
        "--database",
        db.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
        "--no-demo",
    ]);
    assert!(!second.status.success(), "{}", text(&second));
    assert!(
        text(&second).contains("already served by another gridmap process")
            && text(&second).contains(&child.id().to_string()),
        "{}",
        text(&second)
    );
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /api/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().ok();
    child.wait().ok();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    let health: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        health["counts"]["communities"], 79,
        "the 79 real communities only"
    );
    assert_eq!(health["counts"]["streets"], 12);
    assert!(health["counts"]["buildings"].as_u64().unwrap() > 20_000);
    assert!(
        health["counts"]["grids"].as_u64().unwrap() > 600,
        "the demo district comes partitioned"
    );
    assert!(
        health["counts"]["incidents"].as_u64().unwrap() > 5_000,
        "the demo comes with a month of incidents"
    );
}

/// The README's Monaco recipe ends with grids: `partition --all` partitions every quartier
/// and reports the buildings outside every quartier (it refused the whole job because of
/// them), and `export buildings --outside-communities` lists exactly those.
#[test]
fn partition_all_partitions_what_it_can_and_names_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monaco.gpkg");
    let db = db.to_str().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/monaco");
    let file = |name: &str| data.join(name).to_str().unwrap().to_string();
    for args in [
        vec![
            "import",
            &file("admin.geojson"),
            "--kind",
            "communities",
            "--parent",
            "990101001",
            "--admin-level",
            "10",
        ],
        vec!["import", &file("buildings.geojson"), "--kind", "buildings"],
        vec!["import", &file("roads.geojson"), "--kind", "roads"],
    ] {
        let mut args = args.clone();
        args.extend(["--database", db]);
        let out = gridmap(&args);
        assert!(out.status.success(), "{}", text(&out));
    }
    let out = gridmap(&["partition", "--all", "--database", db]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("partitioned all communities: 9 communities"),
        "{said}"
    );
    let outside: usize = said
        .split("note: ")
        .nth(1)
        .and_then(|n| n.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of buildings outside: {said}"));
    assert!(outside > 0, "{said}");
    let grids = dir.path().join("grids.geojson");
    let out = gridmap(&[
        "export",
        "grids",
        "--database",
        db,
        "--output",
        grids.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let grids: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&grids).unwrap()).unwrap();
    assert!(grids["features"].as_array().unwrap().len() > 100);
    let left_out = dir.path().join("outside.geojson");
    let out = gridmap(&[
        "export",
        "buildings",
        "--outside-communities",
        "--database",
        db,
        "--output",
        left_out.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let left_out: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&left_out).unwrap()).unwrap();
    let features = left_out["features"].as_array().unwrap();
    assert_eq!(features.len(), outside);
    assert!(
        features
            .iter()
            .all(|f| f["properties"]["community"].is_null())
    );
    let refused = gridmap(&[
        "export",
        "grids",
        "--outside-communities",
        "--database",
        db,
        "--output",
        "x.geojson",
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("buildings layer only"),
        "{}",
        text(&refused)
    );
}

/// A running `serve` on a GeoPackage sees what another process commits within a second
/// (it saw nothing until restarted): a CLI partition beside it shows up in its health
/// counts and its answers to locate.
#[test]
fn serve_on_a_geopackage_follows_other_processes() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.gpkg");
    let db = db.to_str().unwrap();
    common::small_district(db, 3, false);
    let server = common::ServeProcess::start(&["--no-demo", "--database", db]);
    let get = |path: &str| server.get(path, None);
    // What the engine (not the store) answers: grids in a box around the district.
    let extent = get("/api/config")["extent"].clone();
    let bbox = format!(
        "/api/bbox?bbox={},{},{},{}",
        extent[0], extent[1], extent[2], extent[3]
    );
    let engine_grids = || get(&bbox)["grids"].as_array().map_or(0, Vec::len);
    assert_eq!(engine_grids(), 0);
    let out = gridmap(&["partition", "--all", "--database", db]);
    assert!(out.status.success(), "{}", text(&out));
    let committed = Instant::now();
    let seen = loop {
        let grids = engine_grids();
        if grids > 0 || committed.elapsed() > Duration::from_secs(5) {
            break grids;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let after = committed.elapsed();
    let stored = get("/api/health")["counts"]["grids"].as_u64().unwrap();
    drop(server);
    assert_eq!(seen as u64, stored, "the engine holds every stored grid");
    assert!(seen > 0, "the served engine never saw the partition");
    assert!(after < Duration::from_secs(1), "seen after {after:?}");
}

/// Rosters come as offices keep them: an Excel workbook (the named sheet, Chinese headers,
/// numbers as Excel stores them) or a CSV saved as GBK by Excel on Chinese Windows. A
/// formula, a missing header and a GBK file declared UTF-8 are refused naming the sheet, row
/// and column (or line), nothing written.
#[test]
fn rosters_from_excel_and_gbk_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.gpkg");
    let db = db.to_str().unwrap();
    let square = |id: &str, x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"id":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},43.73],[{x1},43.73],[{x1},43.731],[{x},43.73]]]}}}}"#,
            x1 = x + 0.001
        )
    };
    let buildings = dir.path().join("b.geojson");
    std::fs::write(
        &buildings,
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            square("a", 7.42),
            square("b", 7.43)
        ),
    )
    .unwrap();
    let import = |file: &Path, extra: &[&str]| {
        let mut args = vec!["import", "--database", db, "--kind"];
        args.push(if extra.contains(&"buildings") {
            "buildings"
        } else {
            "rosters"
        });
        args.extend(extra.iter().filter(|a| **a != "buildings"));
        args.push(file.to_str().unwrap());
        gridmap(&args)
    };
    assert!(import(&buildings, &["buildings"]).status.success());
    let households = || {
        let out = dir.path().join("out.geojson");
        let done = gridmap(&[
            "export",
            "buildings",
            "--database",
            db,
            "--output",
            out.to_str().unwrap(),
        ]);
        assert!(done.status.success(), "{}", text(&done));
        let fc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
        let mut by_id: Vec<(String, u64)> = fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["properties"]["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    f["properties"]["households"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        by_id.sort();
        by_id
    };

    // A workbook: notes on the first sheet, the roster on the second.
    let workbook = |path: &Path, formula: bool| {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet()
            .set_name("说明")
            .unwrap()
            .write(0, 0, "楼栋住户花名册")
            .unwrap();
        let sheet = book.add_worksheet().set_name("花名册").unwrap();
        for (col, name) in ["楼栋编号", "户数", "人数"].iter().enumerate() {
            sheet.write(0, u16::try_from(col).unwrap(), *name).unwrap();
        }
        sheet.write(1, 0, "a").unwrap();
        sheet.write(1, 1, 12.0).unwrap();
        sheet.write(1, 2, 30.0).unwrap();
        sheet.write(2, 0, "b").unwrap();
        if formula {
            sheet.write_formula(2, 1, "=B2*2").unwrap();
        } else {
            sheet.write(2, 1, 7.0).unwrap();
        }
        book.save(path).unwrap();
    };
    let with_formula = dir.path().join("formula.xlsx");
    workbook(&with_formula, true);
    let out = import(&with_formula, &["--sheet", "花名册"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("sheet 花名册, row 3, column B (户数)")
            && text(&out).contains("formula"),
        "{}",
        text(&out)
    );
    let before = households();
    let xlsx = dir.path().join("roster.xlsx");
    workbook(&xlsx, false);
    let out = import(&xlsx, &["--sheet", "花名册"]);
    assert!(out.status.success(), "{}", text(&out));
    let after = households();
    assert_eq!(
        after,
        vec![("a".to_string(), 12), ("b".to_string(), 7)],
        "before: {before:?}"
    );
    let out = import(&xlsx, &["--sheet", "住户"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no sheet \"住户\""), "{}", text(&out));

    // A GBK CSV, detected; the same bytes declared UTF-8 are refused naming the line.
    let (gbk, _, _) = encoding_rs::GBK.encode("楼栋编号,户数\r\na,20\r\nb,9\r\n");
    let csv = dir.path().join("roster-gbk.csv");
    std::fs::write(&csv, &gbk).unwrap();
    let out = import(&csv, &["--encoding", "utf-8"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("line 1") && text(&out).contains("--encoding"),
        "{}",
        text(&out)
    );
    assert_eq!(households(), after, "nothing written");
    let out = import(&csv, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        households(),
        vec![("a".to_string(), 20), ("b".to_string(), 9)]
    );

    // No header: refused.
    let headless = dir.path().join("headless.csv");
    std::fs::write(&headless, ",\na,3\n").unwrap();
    let out = import(&headless, &[]);
    assert!(!out.status.success());
    assert!(text(&out).contains("row 1"), "{}", text(&out));
}

/// `token list` shows every token's id, role and label (never the token), `token revoke`
/// refuses one from then on and says so when there is nothing to revoke.
#[test]
fn tokens_are_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.gpkg");
    let db = db.to_str().unwrap();
    let out = gridmap(&[
        "token",
        "create",
        "--database",
        db,
        "--role",
        "dispatcher",
        "--label",
        "李娜",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = gridmap(&["token", "list", "--database", db, "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(&token), "never the token");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = &listed[0];
    assert_eq!(entry["label"], "李娜");
    assert_eq!(entry["role"], "dispatcher");
    assert!(entry["last_used_at"].is_null() && entry["revoked_at"].is_null());
    let id = entry["id"].as_str().unwrap().to_string();
    assert!(gridmap::auth::hash_token(&token).starts_with(&id));
    let out = gridmap(&["token", "revoke", "--database", db, &id]);
    assert!(out.status.success(), "{}", text(&out));
    let out = gridmap(&["token", "list", "--database", db]);
    assert!(
        text(&out).contains("李娜") && text(&out).contains(&id),
        "{}",
        text(&out)
    );
    let out = gridmap(&["token", "revoke", "--database", db, &id]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no live token"), "{}", text(&out));
}

/// A district brings its own grid workers (网格员花名册) as an Excel sheet with Chinese
/// headers: imported all or nothing, a running server's staffing uses them at once, and a
/// roster naming a grid that does not exist, a worker twice or a bad phone is refused naming
/// the sheet, row and column.
#[test]
fn workers_come_from_the_districts_own_roster() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.gpkg");
    let db = db.to_str().unwrap();
    common::small_district(db, 5, true);
    let token = common::run_gridmap(&["token", "create", "--database", db, "--role", "dispatcher"]);
    let server = common::ServeProcess::start(&["--no-demo", "--database", db]);
    let staffing = || -> Vec<String> {
        server.get("/api/staffing", Some(&token))["grids_without_worker"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap().to_string())
            .collect()
    };
    let unserved = staffing();
    assert!(
        unserved.len() >= 2,
        "grids without a grid worker: {unserved:?}"
    );
    let write_roster = |path: &Path, rows: &[[&str; 6]]| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet().set_name("网格员").unwrap();
        for (col, name) in ["编号", "姓名", "电话", "角色", "所属网格", "在岗"]
            .iter()
            .enumerate()
        {
            sheet.write(0, u16::try_from(col).unwrap(), *name).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                sheet
                    .write(
                        u32::try_from(r + 1).unwrap(),
                        u16::try_from(c).unwrap(),
                        *value,
                    )
                    .unwrap();
            }
        }
        book.save(path).unwrap();
    };
    let grids = format!("{}、{}", unserved[0], unserved[1]);
    let import = |path: &Path| {
        gridmap(&[
            "import",
            "--database",
            db,
            "--kind",
            "workers",
            path.to_str().unwrap(),
        ])
    };
    let bad = dir.path().join("bad.xlsx");
    for (rows, expected) in [
        (
            vec![[
                "W90001",
                "张伟",
                "13800138000",
                "网格员",
                "150602999999001",
                "在岗",
            ]],
            "sheet 网格员, row 2, column E (所属网格): grid 150602999999001 does not exist",
        ),
        (
            vec![
                ["W90001", "张伟", "13800138000", "网格员", "", "在岗"],
                ["W90001", "李娜", "13900139000", "网格员", "", "在岗"],
            ],
            "row 3, column A (编号): worker W90001 is listed twice",
        ),
        (
            vec![["W90001", "张伟", "1380013", "网格员", "", "在岗"]],
            "row 2, column C (电话)",
        ),
    ] {
        write_roster(&bad, &rows);
        let out = import(&bad);
        assert!(!out.status.success());
        assert!(text(&out).contains(expected), "{}", text(&out));
    }
    assert_eq!(staffing(), unserved, "nothing written");
    let roster = dir.path().join("网格员花名册.xlsx");
    write_roster(
        &roster,
        &[
            [
                "W90001",
                "张伟",
                "138 0013 8000",
                "网格员",
                grids.as_str(),
                "在岗",
            ],
            [
                "W90002",
                "李娜",
                "0477-8581234",
                "巡查员",
                unserved[0].as_str(),
                "离岗",
            ],
        ],
    );
    let out = import(&roster);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("imported 2 workers"), "{}", text(&out));
    // The same roster again updates the same workers (an office's corrected sheet).
    let out = import(&roster);
    assert!(out.status.success(), "{}", text(&out));
    let imported = Instant::now();
    let now = loop {
        let now = staffing();
        if now.len() == unserved.len() - 2 || imported.elapsed() > Duration::from_secs(5) {
            break now;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(server);
    assert_eq!(
        now.len(),
        unserved.len() - 2,
        "the server's staffing uses them"
    );
    assert!(!now.contains(&unserved[0]) && !now.contains(&unserved[1]));
}

/// `gridmap workers`: a roster naming communities instead of grids (GBK, as Excel saves it
/// on Chinese Windows) gets grids by the stated rule; single workers are listed, added,
/// edited and retired, each change recorded as made from the command line.
#[test]
fn workers_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.gpkg");
    let db = db.to_str().unwrap();
    common::small_district(db, 6, true);
    let list = |community: &str| -> Vec<serde_json::Value> {
        let out = gridmap(&[
            "workers",
            "list",
            "--database",
            db,
            "--community",
            community,
            "--json",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let grids: Vec<serde_json::Value> = {
        let out = gridmap(&[
            "export",
            "grids",
            "--database",
            db,
            "--format",
            "geojson",
            "--output",
            dir.path().join("grids.geojson").to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let fc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("grids.geojson")).unwrap())
                .unwrap();
        fc["features"].as_array().unwrap().clone()
    };
    let community = grids[0]["properties"]["community"]
        .as_str()
        .unwrap()
        .to_string();
    let mut base: Vec<String> = grids
        .iter()
        .filter(|g| {
            g["properties"]["community"] == community.as_str() && g["properties"]["kind"] == "base"
        })
        .map(|g| g["properties"]["code"].as_str().unwrap().to_string())
        .collect();
    base.sort();
    assert!(base.len() >= 2, "{base:?}");
    let before = list(&community).len();

    let roster = dir.path().join("社区工作者.csv");
    let csv = format!(
        "编号,姓名,电话,角色,所属社区\nC001,周社工,13900000001,社区工作者,{community}\nC002,吴网格,13900000002,网格员,{community}\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    std::fs::write(&roster, &gbk).unwrap();
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "workers",
        roster.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 added"), "{}", text(&out));
    let listed = list(&community);
    assert_eq!(listed.len(), before + 2);
    let c001 = listed.iter().find(|w| w["id"] == "C001").unwrap();
    assert_eq!(
        c001["grids"].as_array().unwrap().len(),
        base.len(),
        "{c001}"
    );
    assert_eq!(c001["role"], "community_worker");
    let c002 = listed.iter().find(|w| w["id"] == "C002").unwrap();
    assert_eq!(c002["grids"].as_array().unwrap().len(), 1, "{c002}");

    // A community that does not exist is refused at its cell.
    std::fs::write(&roster, "编号,姓名,所属社区\nC003,郑,150602999999\n").unwrap();
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "workers",
        roster.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("row 2, column C (所属社区): community 150602999999 does not exist"),
        "{}",
        text(&out)
    );

    let out = gridmap(&[
        "workers",
        "add",
        "--database",
        db,
        "--id",
        "C004",
        "--name",
        "王新",
        "--grids",
        &base[1],
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = gridmap(&[
        "workers",
        "add",
        "--database",
        db,
        "--id",
        "C005",
        "--name",
        "冯",
        "--phone",
        "123",
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("phone"), "{}", text(&out));
    let out = gridmap(&[
        "workers",
        "edit",
        "--database",
        db,
        "C002",
        "--phone",
        "0477-8581234",
        "--role",
        "巡查员",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = gridmap(&["workers", "retire", "--database", db, "C004"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = gridmap(&["workers", "retire", "--database", db, "C004"]);
    assert!(!out.status.success(), "retired twice");
    let listed = list(&community);
    assert!(
        listed.iter().all(|w| w["id"] != "C004"),
        "retired workers are left out"
    );
    let c002 = listed.iter().find(|w| w["id"] == "C002").unwrap();
    assert_eq!(c002["phone"], "0477-8581234");
    assert_eq!(c002["role"], "patrol");

    let out = gridmap(&["workers", "history", "--database", db, "C002", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let history: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<&str> = history
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["edited", "imported"]);
    assert!(
        history[0]["actor"]["label"]
            .as_str()
            .unwrap()
            .contains("command line: workers edit")
    );
    assert!(
        history[1]["actor"]["label"]
            .as_str()
            .unwrap()
            .contains("import")
    );
    assert_eq!(history[0]["before"]["role"], "grid_worker");

    // The grid ledger as offices file it: the community's sheet names its workers.
    use calamine::Reader;
    let ledger = dir.path().join("网格台账.xlsx");
    let out = gridmap(&[
        "export",
        "grids",
        "--database",
        db,
        "--format",
        "xlsx",
        "--output",
        ledger.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let mut book = calamine::open_workbook_auto(&ledger).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "汇总");
    let found = names.iter().skip(1).any(|sheet| {
        let range = book.worksheet_range(sheet).unwrap();
        range.rows().any(|row| {
            row.iter()
                .any(|c| c.to_string().contains("周社工（社区工作者）"))
        })
    });
    assert!(found, "the community worker is on the ledger");
    let stats = dir.path().join("事件统计.xlsx");
    let out = gridmap(&[
        "export",
        "incidents",
        "--database",
        db,
        "--format",
        "xlsx",
        "--from",
        "2020-01-01",
        "--to",
        "2030-12-31",
        "--output",
        stats.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let mut book = calamine::open_workbook_auto(&stats).unwrap();
    let range = book.worksheet_range("按社区").unwrap();
    assert_eq!(
        range.get((1, 0)).unwrap().to_string(),
        "统计期间：2020年1月1日至2030年12月31日"
    );
    let out = gridmap(&[
        "export",
        "roads",
        "--database",
        db,
        "--format",
        "xlsx",
        "--output",
        stats.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("grid ledger"), "{}", text(&out));
}

/// Stations from an office's Excel list (Chinese headers and kinds, GCJ-02 positions from
/// a web map) and building attributes from a GBK CSV: written where they belong, bad rows
/// refused naming the row and column, nothing written.
#[test]
fn stations_and_building_attributes_from_tables() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.gpkg");
    let db = db.to_str().unwrap();
    common::small_district(db, 8, false);
    let export = |layer: &str| -> Vec<serde_json::Value> {
        let path = dir.path().join(format!("{layer}.geojson"));
        let out = gridmap(&[
            "export",
            layer,
            "--database",
            db,
            "--format",
            "geojson",
            "--output",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let fc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        fc["features"].as_array().unwrap().clone()
    };
    let stations_before = export("stations").len();
    let buildings = export("buildings");
    let target = &buildings[0];
    let id = target["properties"]["id"].as_str().unwrap().to_string();
    let centre = (109.9832, 39.8151);
    let (glon, glat) = gridmap::crs::Crs::Gcj02.from_wgs84(centre.0, centre.1);

    let write_stations = |path: &Path, kind: &str, lat: &str| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet().set_name("驿站").unwrap();
        for (c, h) in ["编号", "名称", "类型", "经度", "纬度", "地址", "开放时间"]
            .iter()
            .enumerate()
        {
            sheet.write(0, u16::try_from(c).unwrap(), *h).unwrap();
        }
        sheet.write(1, 0, "S900").unwrap();
        sheet.write(1, 1, "幸福里红色驿站").unwrap();
        sheet.write(1, 2, kind).unwrap();
        sheet.write(1, 3, glon).unwrap();
        sheet.write(1, 4, lat).unwrap();
        sheet.write(1, 5, "幸福路8号").unwrap();
        sheet.write(1, 6, "09:00-18:00").unwrap();
        book.save(path).unwrap();
    };
    let xlsx = dir.path().join("驿站.xlsx");
    let import_stations = |path: &Path| {
        gridmap(&[
            "import",
            "--database",
            db,
            "--kind",
            "stations",
            "--crs",
            "gcj02",
            path.to_str().unwrap(),
        ])
    };
    write_stations(&xlsx, "茶馆", &glat.to_string());
    let out = import_stations(&xlsx);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("sheet 驿站, row 2") && text(&out).contains("茶馆"),
        "{}",
        text(&out)
    );
    write_stations(&xlsx, "红色驿站", "北纬39度");
    let out = import_stations(&xlsx);
    assert!(
        text(&out).contains("row 2, column E (纬度)"),
        "{}",
        text(&out)
    );
    assert_eq!(export("stations").len(), stations_before, "nothing written");
    write_stations(&xlsx, "红色驿站", &glat.to_string());
    let out = import_stations(&xlsx);
    assert!(out.status.success(), "{}", text(&out));
    let stations = export("stations");
    assert_eq!(stations.len(), stations_before + 1);
    let s900 = stations
        .iter()
        .find(|s| s["properties"]["id"] == "S900")
        .unwrap();
    assert_eq!(s900["properties"]["kind"], "red_outpost");
    let at = &s900["geometry"]["coordinates"];
    let off_m = ((at[0].as_f64().unwrap() - centre.0) * 85_000.0)
        .hypot((at[1].as_f64().unwrap() - centre.1) * 111_000.0);
    assert!(off_m < 1.0, "GCJ-02 converted once: {off_m} m off");

    let csv = dir.path().join("楼栋信息.csv");
    let write_csv = |floors: &str| {
        let text = format!("楼栋编号,层数,楼栋长,名称\n{id},{floors},王芳,幸福小区3号楼\n");
        std::fs::write(&csv, encoding_rs::GBK.encode(&text).0).unwrap();
    };
    write_csv("0");
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "rosters",
        csv.to_str().unwrap(),
    ]);
    assert!(
        text(&out).contains("row 2, column B (层数)"),
        "{}",
        text(&out)
    );
    write_csv("7");
    let out = gridmap(&[
        "import",
        "--database",
        db,
        "--kind",
        "rosters",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let after = export("buildings");
    let b = after
        .iter()
        .find(|b| b["properties"]["id"] == id.as_str())
        .unwrap();
    assert_eq!(b["properties"]["floors"], 7);
    assert_eq!(b["properties"]["name"], "幸福小区3号楼");
    assert_eq!(b["properties"]["building_head"], "王芳");
    assert_eq!(
        b["properties"]["households"], target["properties"]["households"],
        "blank households unchanged"
    );
}

#[test]
fn bench_memory_serves_each_store_and_reads_its_memory() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.gpkg");
    let small = small.to_str().unwrap();
    let out = gridmap(&["generate", "--database", small, "--households", "20000"]);
    assert!(out.status.success(), "{}", text(&out));
    let empty = dir.path().join("empty.gpkg");
    let empty = empty.to_str().unwrap();
    let out = gridmap(&[
        "bench",
        "memory",
        "--database",
        small,
        "--database",
        empty,
        "--settle-s",
        "0",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stores = report.as_array().unwrap();
    assert_eq!(stores.len(), 2);
    let figure = |i: usize, name: &str| stores[i][name].as_f64().unwrap();
    assert_eq!(stores[0]["database"], small);
    // A district of 20,000 households (3,000 buildings) weighs more than an empty store.
    assert!(
        figure(0, "anonymous_mb") > figure(1, "anonymous_mb") + 1.0,
        "{report}"
    );
    assert!(figure(0, "peak_mb") >= figure(0, "settled_resident_mb"));
}

/// `bench walking` on a small generated district in a fresh PostGIS: pgRouting answers the
/// same node-to-node walks, and walks are never shorter than straight lines.
#[test]
fn bench_walking_compares_with_pgrouting() {
    let url = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::fresh_postgis_url());
    let out = gridmap(&["generate", "--database", &url, "--households", "20000"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = gridmap(&[
        "bench",
        "walking",
        "--database",
        &url,
        "--points",
        "20",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let figure = |name: &str| report[name].as_f64().unwrap();
    assert!(figure("distances_compared") > 10.0, "{report}");
    assert!(figure("largest_difference_m") < 1e-6, "{report}");
    assert!(figure("walk_over_straight_median") >= 1.0, "{report}");
    assert!(figure("largest_share") > 0.99, "{report}");
    assert!(figure("area_median_ms") > 0.0, "{report}");
    assert_eq!(report["runs"].as_array().unwrap().len(), 5);
}

/// Monaco's ways, walls and gates imported from its PBF into a GeoPackage in `dir`: the
/// store's path and the import's output.
fn monaco_roads(dir: &Path) -> (String, Output) {
    let db = dir.join("monaco.gpkg").display().to_string();
    let pbf = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/monaco/monaco-2025-02-11.osm.pbf");
    let pbf = pbf.display().to_string();
    let out = gridmap(&["import", &pbf, "--kind", "roads", "--database", &db]);
    assert!(out.status.success(), "{}", text(&out));
    (db, out)
}

/// Importing Monaco's ways, walls and gates reports the walking network: its share in the
/// largest piece and the pieces apart, named by their ways; exported roads import back with
/// the same walls and gates.
#[test]
fn importing_roads_reports_the_walking_network() {
    let dir = tempfile::tempdir().unwrap();
    let (db, out) = monaco_roads(dir.path());
    let db = db.as_str();
    let said = text(&out);
    let count = |after: &str| -> usize {
        said.split(after)
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count before {after:?}: {said}"))
    };
    let (walls, gates) = (count(" walls,"), count(" gates,"));
    assert!(walls > 10 && gates > 10, "{said}");
    let share: f64 = said
        .split("% of nodes in the largest piece")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no share: {said}"));
    assert!(share > 80.0 && share < 100.0, "{said}");
    assert!(
        said.contains("  apart: ") && said.contains("(w"),
        "pieces named by their ways: {said}"
    );
    // Export and import again: the same walls and gates.
    let exported = dir.path().join("roads.geojson");
    let out = gridmap(&[
        "export",
        "roads",
        "--database",
        db,
        "--output",
        exported.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let again = dir.path().join("again.gpkg");
    let out = gridmap(&[
        "import",
        exported.to_str().unwrap(),
        "--kind",
        "roads",
        "--database",
        again.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let said_again = text(&out);
    assert!(
        said_again.contains(&format!(" {walls} walls, {gates} gates,")),
        "{said_again}"
    );
    let network = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("walking network:"))
            .map(str::to_string)
    };
    assert_eq!(
        network(&said_again),
        network(&said),
        "the same network from the export"
    );
}

/// Monaco's ways exported as the walking network (`export network`): each edge a line as
/// walked with its end nodes and length; petgraph's Dijkstra over the exported file alone
/// walks exactly as gridmap's router over the network the server builds from the store.
#[test]
fn the_exported_network_walks_as_the_router_does() {
    use petgraph::algo::dijkstra;
    use petgraph::graph::{NodeIndex, UnGraph};
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = monaco_roads(dir.path());
    let db = db.as_str();
    let file = dir.path().join("network.geojson");
    let out = gridmap(&[
        "export",
        "network",
        "--database",
        db,
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("sealed compounds"), "{}", text(&out));
    let exported: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let features = exported["features"].as_array().unwrap();
    let mut graph = UnGraph::<(), f64>::default();
    for f in features {
        let p = &f["properties"];
        let (from, to) = (
            p["from"].as_u64().unwrap() as usize,
            p["to"].as_u64().unwrap() as usize,
        );
        while graph.node_count() <= from.max(to) {
            graph.add_node(());
        }
        assert_eq!(f["geometry"]["type"], "LineString");
        assert!(p["way"].as_str().unwrap().starts_with('w'), "{p}");
        graph.add_edge(
            NodeIndex::new(from),
            NodeIndex::new(to),
            p["length_m"].as_f64().unwrap(),
        );
    }
    // The router on the network built from the store as the server builds it.
    let network = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use gridmap::store::LayerQuery;
        let store = gridmap::store::open(db).await.unwrap();
        let all = LayerQuery::default();
        let (communities, roads) = (
            store.communities(&all).await.unwrap(),
            store.roads(&all).await.unwrap(),
        );
        let (walls, gates) = (
            store.walls(&all).await.unwrap(),
            store.gates(&all).await.unwrap(),
        );
        store.close().await;
        let frame = gridmap::engine::metric_frame(&communities);
        gridmap::routing::build_network(frame, &roads, &walls, &gates).0
    });
    assert_eq!(network.edge_count(), features.len());
    assert!(features.len() > 1_000, "{}", features.len());
    let mut compared = 0;
    for start in (0..network.node_count()).step_by(network.node_count() / 6) {
        let theirs = dijkstra(&graph, NodeIndex::new(start), None, |e| *e.weight());
        let ours = gridmap::routing::reach_within(
            &network,
            &[gridmap::routing::Seed {
                node: gridmap::routing::NodeId(start as u32),
                start_m: 0.0,
            }],
            f64::INFINITY,
        );
        for n in 0..network.node_count() {
            let mine = ours.distance_m(gridmap::routing::NodeId(n as u32));
            let other = theirs.get(&NodeIndex::new(n)).copied();
            match (mine, other) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{start}→{n}: {a} against {b}"),
                (None, None) => {}
                _ => panic!("{start}→{n}: reached by one and not the other"),
            }
            compared += 1;
        }
    }
    assert!(compared > 10_000, "{compared}");
}

/// `coverage` and `suggest-sites` on a generated district: the areas add up to the total,
/// the sites are written as GeoJSON and Excel, bad options are refused naming them.
#[test]
fn coverage_and_site_suggestions_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.gpkg");
    let db = db.to_str().unwrap();
    common::small_district(db, 4, true);
    let told: serde_json::Value = serde_json::from_str(&common::run_gridmap(&[
        "coverage",
        "--database",
        db,
        "--level",
        "street",
        "--kinds",
        "red_outpost",
        "--json",
    ]))
    .unwrap();
    let areas = told["areas"].as_array().unwrap();
    let households: u64 = areas
        .iter()
        .map(|a| a["households"].as_u64().unwrap())
        .sum();
    assert_eq!(households, told["total"]["households"].as_u64().unwrap());
    let said = common::run_gridmap(&["coverage", "--database", db, "--level", "street"]);
    assert!(said.contains("红色驿站") && said.contains(" / "), "{said}");
    let sites = dir.path().join("sites.geojson");
    let said = common::run_gridmap(&[
        "suggest-sites",
        "--database",
        db,
        "--kind",
        "service_centre",
        "--within-m",
        "500",
        "--k",
        "2",
        "--output",
        sites.to_str().unwrap(),
    ]);
    assert!(said.contains("from the optimum"), "{said}");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sites).unwrap()).unwrap();
    assert_eq!(written["features"].as_array().unwrap().len(), 2, "{said}");
    let book = dir.path().join("sites.xlsx");
    common::run_gridmap(&[
        "suggest-sites",
        "--database",
        db,
        "--kind",
        "service_centre",
        "--k",
        "2",
        "--candidates",
        "buildings:market,enterprise,school",
        "--output",
        book.to_str().unwrap(),
    ]);
    assert_eq!(&std::fs::read(&book).unwrap()[..2], b"PK");
    let points = dir.path().join("bad.geojson");
    std::fs::write(&points, r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[500,1]}}]}"#).unwrap();
    for (args, says) in [
        (vec!["coverage", "--tiers=-5"], "--tiers"),
        (vec!["coverage", "--kinds", "castle"], "--kinds"),
        (vec!["suggest-sites", "--kind", "castle"], "--kind"),
        (
            vec!["suggest-sites", "--kind", "red_outpost", "--k", "0"],
            "--k",
        ),
        (
            vec![
                "suggest-sites",
                "--kind",
                "red_outpost",
                "--candidates",
                "buildings:castle",
            ],
            "--candidates",
        ),
        (
            vec![
                "suggest-sites",
                "--kind",
                "red_outpost",
                "--candidates",
                points.to_str().unwrap(),
            ],
            "feature 1",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--database", db]);
        let out = gridmap(&all);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }
}
