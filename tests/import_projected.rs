//! Projected and GIS-native inputs: CGCS2000 Gauss–Krüger and Web Mercator against
//! coordinates computed independently by pyproj (PROJ 9.5, `tests/fixtures/crs`), `.prj`
//! files as ArcGIS writes them, and Shapefiles and GeoPackage layers written by GDAL's
//! ogr2ogr in Gauss–Krüger with GBK attributes, loose and zipped, imported to where the
//! buildings were to within a centimetre. Beijing 1954 and Xi'an 1980 are refused naming
//! the datum.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

mod common;

use geo::{Centroid, Distance, Haversine};
use gridmap::crs::{Crs, Projection, SourceCrs, read_prj};
use gridmap::domain::Building;
use gridmap::import::{ImportKind, ImportOptions, Imported, read_any};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn reference() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crs/reference.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn projected_coordinates_match_pyproj_within_a_centimetre() {
    let reference = reference();
    let points = reference["points"].as_array().unwrap();
    assert!(points.len() > 300);
    let mut worst_m: f64 = 0.0;
    for p in points {
        let epsg = p["epsg"].as_u64().unwrap() as u32;
        let crs: SourceCrs = format!("EPSG:{epsg}").parse().unwrap();
        let converter = crs.converter().unwrap();
        let (lon, lat) = converter
            .position(p["x"].as_f64().unwrap(), p["y"].as_f64().unwrap())
            .unwrap();
        let expected = geo::Point::new(p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap());
        let error_m = Haversine.distance(expected, geo::Point::new(lon, lat));
        worst_m = worst_m.max(error_m);
        assert!(error_m < 0.01, "EPSG:{epsg} {p}: off by {error_m} m");
    }
    // The fixture's x/y are rounded to 0.1 mm; the conversion itself is far below that.
    assert!(worst_m < 0.001, "worst {worst_m} m");
}

#[test]
fn prj_files_name_their_system_and_other_datums_are_refused() {
    let reference = reference();
    let prj = |epsg: &str| reference["prj"][epsg].as_str().unwrap().to_string();
    assert_eq!(
        read_prj(&prj("4490")).unwrap(),
        SourceCrs::Geographic(Crs::Cgcs2000)
    );
    assert_eq!(
        read_prj(&prj("4326")).unwrap(),
        SourceCrs::Geographic(Crs::Wgs84)
    );
    assert_eq!(
        read_prj(&prj("3857")).unwrap(),
        SourceCrs::Projected(Projection::WebMercator)
    );
    for epsg in [4526, 4549, 4499, 4508] {
        assert_eq!(
            read_prj(&prj(&epsg.to_string())).unwrap(),
            SourceCrs::Projected(Projection::from_epsg(epsg).unwrap()),
            "EPSG:{epsg}"
        );
    }
    for (epsg, datum) in [
        ("4214", "Beijing 1954"),
        ("2435", "Beijing 1954"),
        ("4610", "Xi'an 1980"),
        ("2383", "Xi'an 1980"),
    ] {
        let error = read_prj(&prj(epsg)).unwrap_err().to_string();
        assert!(error.contains(datum), "EPSG:{epsg}: {error}");
        let error = format!("EPSG:{epsg}").parse::<SourceCrs>().unwrap_err();
        assert!(error.contains(datum), "EPSG:{epsg}: {error}");
    }
    for bad in [
        "",
        "PROJCS[",
        "GEOGCS[\"x\",DATUM[\"D_Tokyo\"]]",
        "LOCAL_CS[\"a\"]",
    ] {
        assert!(read_prj(bad).is_err(), "{bad:?}");
    }
}

fn ogr2ogr(args: &[&str]) {
    let out = Command::new("ogr2ogr")
        .args(args)
        .output()
        .expect("ogr2ogr (gdal-bin) must be installed: .ci/run installs it");
    assert!(
        out.status.success(),
        "ogr2ogr {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn buildings(path: &Path, options: &ImportOptions) -> Result<Vec<Building>, String> {
    match read_any(path, options).await.map_err(|e| e.to_string())? {
        Imported::Features(data) => Ok(data.buildings),
        other => panic!("{other:?}"),
    }
}

/// Every building lands within a centimetre of where it was, with its attributes.
fn assert_same_places(original: &[Building], imported: &[Building], what: &str) {
    assert_eq!(imported.len(), original.len(), "{what}");
    let by_id: HashMap<&str, &Building> = original.iter().map(|b| (b.id.as_str(), b)).collect();
    let mut worst_m: f64 = 0.0;
    for b in imported {
        let o = by_id[b.id.as_str()];
        let error_m = Haversine.distance(
            o.footprint.centroid().unwrap(),
            b.footprint.centroid().unwrap(),
        );
        worst_m = worst_m.max(error_m);
        assert_eq!(b.households, o.households, "{what} {}", b.id);
        assert_eq!(b.name, o.name, "{what} {}", b.id);
        assert_eq!(b.floors, o.floors, "{what} {}", b.id);
    }
    assert!(worst_m < 0.01, "{what}: worst {worst_m} m");
}

#[tokio::test]
async fn shapefiles_and_geopackages_from_gdal_land_where_the_buildings_were() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.gpkg");
    common::small_district(db.to_str().unwrap(), 3, false);
    let geojson = dir.path().join("buildings.geojson");
    common::run_gridmap(&[
        "export",
        "buildings",
        "--database",
        db.to_str().unwrap(),
        "--format",
        "geojson",
        "--output",
        geojson.to_str().unwrap(),
    ]);
    let options = ImportOptions::new(ImportKind::Buildings);
    let original = buildings(&geojson, &options).await.unwrap();
    assert!(original.len() > 1000);
    assert!(
        original.iter().any(|b| b.name.is_some()),
        "some buildings have Chinese names"
    );

    // CGCS2000 3° Gauss–Krüger zone 37 (central meridian 111°E, zone in the false easting),
    // attributes in GBK, as Chinese ArcGIS writes them.
    let shp = dir.path().join("房屋.shp");
    ogr2ogr(&[
        "-f",
        "ESRI Shapefile",
        "-t_srs",
        "EPSG:4525",
        "-lco",
        "ENCODING=CP936",
        shp.to_str().unwrap(),
        geojson.to_str().unwrap(),
    ]);
    let imported = buildings(&shp, &options).await.unwrap();
    assert_same_places(&original, &imported, "loose shapefile");

    // Zipped, without its .cpg: the encoding is detected.
    let zip_path = dir.path().join("房屋.zip");
    {
        let file = std::fs::File::create(&zip_path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        for ext in ["shp", "shx", "dbf", "prj"] {
            zip.start_file(
                format!("测绘/房屋.{ext}"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::copy(
                &mut std::fs::File::open(shp.with_extension(ext)).unwrap(),
                &mut zip,
            )
            .unwrap();
        }
        zip.finish().unwrap();
    }
    let imported = buildings(&zip_path, &options).await.unwrap();
    assert_same_places(&original, &imported, "zipped shapefile");

    // A GeoPackage layer in CGCS2000 Gauss–Krüger CM 111°E (no zone in the false easting).
    let gpkg = dir.path().join("survey.gpkg");
    ogr2ogr(&[
        "-f",
        "GPKG",
        "-t_srs",
        "EPSG:4546",
        "-nln",
        "房屋",
        gpkg.to_str().unwrap(),
        geojson.to_str().unwrap(),
    ]);
    ogr2ogr(&[
        "-f",
        "GPKG",
        "-update",
        "-nln",
        "roads_copy",
        gpkg.to_str().unwrap(),
        geojson.to_str().unwrap(),
    ]);
    let error = buildings(&gpkg, &options).await.unwrap_err();
    assert!(
        error.contains("--layer") && error.contains("房屋"),
        "{error}"
    );
    let mut with_layer = options.clone();
    with_layer.layer = Some("房屋".into());
    let imported = buildings(&gpkg, &with_layer).await.unwrap();
    assert_same_places(&original, &imported, "geopackage layer");
    with_layer.layer = Some("楼栋".into());
    let error = buildings(&gpkg, &with_layer).await.unwrap_err();
    assert!(error.contains("no feature layer \"楼栋\""), "{error}");

    // Bad input: a Beijing 1954 .prj, no .prj, no .dbf — refused naming what is wrong.
    let reference = reference();
    std::fs::write(
        shp.with_extension("prj"),
        reference["prj"]["2435"].as_str().unwrap(),
    )
    .unwrap();
    let error = buildings(&shp, &options).await.unwrap_err();
    assert!(
        error.contains("Beijing 1954") && error.contains(".prj"),
        "{error}"
    );
    std::fs::write(shp.with_extension("prj"), "PROJCS[\"Local grid\",GEOGCS[\"GCS_Unknown\",DATUM[\"D_Unknown\",SPHEROID[\"s\",6378137.0,298.3]]]]").unwrap();
    let error = buildings(&shp, &options).await.unwrap_err();
    assert!(error.contains("unsupported datum"), "{error}");
    std::fs::remove_file(shp.with_extension("prj")).unwrap();
    let error = buildings(&shp, &options).await.unwrap_err();
    assert!(
        error.contains("no .prj") && error.contains("--crs"),
        "{error}"
    );
    let mut named = options.clone();
    named.crs = Some("EPSG:4525".parse().unwrap());
    let imported = buildings(&shp, &named).await.unwrap();
    assert_same_places(&original, &imported, "shapefile with --crs");
    std::fs::remove_file(shp.with_extension("dbf")).unwrap();
    let error = buildings(&shp, &named).await.unwrap_err();
    assert!(error.contains("no .dbf"), "{error}");
}
