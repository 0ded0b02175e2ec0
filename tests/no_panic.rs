//! Property tests: no input makes the importers panic, and CRS conversions round-trip.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]

use gridmap::crs::Crs;
use gridmap::import::{ImportKind, ImportOptions, parse_geojson};
use proptest::prelude::*;

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        (-1e6f64..1e6).prop_map(serde_json::Value::from),
        "[a-z0-9 ]{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z:]{1,10}", inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn kind() -> impl Strategy<Value = ImportKind> {
    prop_oneof![
        Just(ImportKind::Buildings),
        Just(ImportKind::Communities),
        Just(ImportKind::Districts),
        Just(ImportKind::Roads),
        Just(ImportKind::Stations),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}", kind in kind()) {
        let _ = parse_geojson("fuzz.geojson", &text, &ImportOptions::new(kind));
    }

    #[test]
    fn arbitrary_features_never_panic(
        properties in json_value(),
        geometry_type in prop_oneof![Just("Point"), Just("LineString"), Just("Polygon"), Just("MultiPolygon"), Just("Bogus")],
        coordinates in json_value(),
        ring in prop::collection::vec((-400.0f64..400.0, -100.0f64..100.0), 0..8),
        kind in kind(),
    ) {
        let ring: Vec<serde_json::Value> = ring.iter().map(|(x, y)| serde_json::json!([x, y])).collect();
        for coords in [coordinates.clone(), serde_json::json!([ring.clone()]), serde_json::json!(ring)] {
            let fc = serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": properties.clone(), "geometry": {"type": geometry_type, "coordinates": coords}}
            ]});
            if let Ok(data) = parse_geojson("fuzz.geojson", &fc.to_string(), &ImportOptions::new(kind)) {
                for b in &data.buildings {
                    for p in b.footprint.0.iter().flat_map(|p| p.exterior().points()) {
                        prop_assert!(p.x().abs() <= 180.0 && p.y().abs() <= 90.0);
                    }
                }
            }
        }
    }

    #[test]
    fn gcj02_and_bd09_round_trip_within_a_centimetre(lon in 73.0f64..135.0, lat in 18.0f64..53.0) {
        for crs in [Crs::Gcj02, Crs::Bd09] {
            let (x, y) = crs.from_wgs84(lon, lat);
            let (back_lon, back_lat) = crs.to_wgs84(x, y);
            // 1e-7 degrees is about 1 cm.
            prop_assert!((back_lon - lon).abs() < 1e-7 && (back_lat - lat).abs() < 1e-7, "{crs}: {lon},{lat}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn arbitrary_pbf_and_csv_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), cut in 0usize..4096) {
        let dir = tempfile::tempdir().unwrap();
        let pbf = dir.path().join("fuzz.osm.pbf");
        std::fs::write(&pbf, &bytes).unwrap();
        let _ = gridmap::import::read_file(&pbf, &ImportOptions::new(ImportKind::Buildings));
        // A real file cut short.
        let real = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/monaco/monaco-2025-02-11.osm.pbf")).unwrap();
        std::fs::write(&pbf, &real[..cut.min(real.len())]).unwrap();
        let _ = gridmap::import::read_file(&pbf, &ImportOptions::new(ImportKind::Buildings));
        let csv = dir.path().join("fuzz.csv");
        std::fs::write(&csv, &bytes).unwrap();
        let _ = gridmap::import::read_file(&csv, &ImportOptions::new(ImportKind::Rosters));
        // Tables in each encoding, and workbooks: garbage, and a real one cut short.
        for encoding in [gridmap::import::table::Encoding::Utf8, gridmap::import::table::Encoding::Gbk] {
            let mut options = ImportOptions::new(ImportKind::Rosters);
            options.table.encoding = Some(encoding);
            let _ = gridmap::import::read_file(&csv, &options);
        }
        let xlsx = dir.path().join("fuzz.xlsx");
        std::fs::write(&xlsx, &bytes).unwrap();
        let _ = gridmap::import::read_file(&xlsx, &ImportOptions::new(ImportKind::Rosters));
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write(0, 0, "楼栋编号").unwrap().write(1, 0, "a").unwrap();
        let real = book.save_to_buffer().unwrap();
        std::fs::write(&xlsx, &real[..cut.min(real.len())]).unwrap();
        let _ = gridmap::import::read_file(&xlsx, &ImportOptions::new(ImportKind::Rosters));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Any text is accepted or refused by the text check, never a panic; what it accepts
    /// has no control characters beyond line breaks and tabs, and fits its length.
    #[test]
    fn any_text_is_checked_without_panic(text in "\\PC{0,40}|[\\x00-\\x1f\\x7f-\\u{9f}a-z]{0,40}", max in 0usize..50) {
        use gridmap::domain::{Lines, check_text};
        for lines in [Lines::Single, Lines::Multi] {
            if check_text(&text, max, lines).is_ok() {
                prop_assert!(text.chars().count() <= max);
                prop_assert!(text.chars().all(|c| !c.is_control()
                    || (lines == Lines::Multi && matches!(c, '\n' | '\r' | '\t'))));
            }
        }
    }

    /// Idempotency keys of any caller, key and request: scoped and hashed, never a panic,
    /// and two callers never share a key.
    #[test]
    fn idempotency_keys_never_collide_across_callers(a in "[a-f0-9]{1,16}", b in "[a-f0-9]{1,16}", key in "\\PC{1,20}", body in prop::collection::vec(any::<u8>(), 0..64)) {
        use gridmap::domain::IdempotencyKey;
        let (ka, kb) = (IdempotencyKey::new(&a, &key, &body), IdempotencyKey::new(&b, &key, &body));
        prop_assert_eq!(ka.scoped == kb.scoped, a == b);
        prop_assert_eq!(ka.request_sha256.len(), 64);
    }
}

/// A real Shapefile (Monaco's buildings in Web Mercator, written by GDAL), made once.
fn real_shapefile() -> &'static (Vec<u8>, Vec<u8>, Vec<u8>) {
    static PARTS: std::sync::OnceLock<(Vec<u8>, Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    PARTS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("b.shp");
        let out = std::process::Command::new("ogr2ogr")
            .args([
                "-f",
                "ESRI Shapefile",
                "-t_srs",
                "EPSG:3857",
                "-lco",
                "ENCODING=CP936",
            ])
            .arg(&shp)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/monaco/buildings.geojson"
            ))
            .output()
            .expect("ogr2ogr (gdal-bin): .ci/run installs it");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read = |ext| std::fs::read(shp.with_extension(ext)).unwrap();
        (read("shp"), read("dbf"), read("prj"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// Shapefiles cut short or with bytes overwritten (in the .shp, the .dbf and the .prj),
    /// garbage zips, and any .prj text: refused or read, never a panic.
    #[test]
    fn broken_shapefiles_and_prj_text_never_panic(
        cut in 0usize..200_000,
        flips in prop::collection::vec((0usize..200_000, any::<u8>()), 0..8),
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        prj in "\\PC{0,80}|(PROJCS|GEOGCS|DATUM|PARAMETER|\\[|\\]|\"|,|[0-9.e+-]{1,6}){0,30}",
    ) {
        let (shp, dbf, real_prj) = real_shapefile();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.shp");
        let garble = |real: &[u8]| {
            let mut b = real[..cut.min(real.len())].to_vec();
            for (at, byte) in &flips {
                if let Some(slot) = b.get_mut(*at % real.len().max(1)) {
                    *slot = *byte;
                }
            }
            b
        };
        for (which, (s, d, p)) in [
            (garble(shp), dbf.clone(), real_prj.clone()),
            (shp.clone(), garble(dbf), real_prj.clone()),
            (shp.clone(), dbf.clone(), prj.as_bytes().to_vec()),
        ].into_iter().enumerate() {
            std::fs::write(&path, &s).unwrap();
            std::fs::write(path.with_extension("dbf"), &d).unwrap();
            std::fs::write(path.with_extension("prj"), &p).unwrap();
            for kind in [ImportKind::Buildings, ImportKind::Roads, ImportKind::Stations] {
                let result = gridmap::import::read_file(&path, &ImportOptions::new(kind));
                if which == 2 && prj.is_empty() {
                    prop_assert!(result.is_err());
                }
            }
        }
        let _ = gridmap::crs::read_prj(&prj);
        let _ = prj.parse::<gridmap::crs::SourceCrs>();
        let zip = dir.path().join("b.zip");
        std::fs::write(&zip, &bytes).unwrap();
        let _ = gridmap::import::read_file(&zip, &ImportOptions::new(ImportKind::Buildings));
    }
}

/// Small real pictures in every accepted format, each with metadata to strip.
fn real_pictures() -> &'static Vec<Vec<u8>> {
    static PICTURES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    PICTURES.get_or_init(|| {
        let picture =
            image::RgbaImage::from_fn(96, 64, |x, y| image::Rgba([x as u8, y as u8, 128, 200]));
        [
            image::ImageFormat::Jpeg,
            image::ImageFormat::Png,
            image::ImageFormat::WebP,
        ]
        .into_iter()
        .map(|format| {
            let mut bytes = Vec::new();
            let encoded = if format == image::ImageFormat::Jpeg {
                image::DynamicImage::ImageRgba8(picture.clone())
                    .to_rgb8()
                    .write_to(&mut std::io::Cursor::new(&mut bytes), format)
            } else {
                picture.write_to(&mut std::io::Cursor::new(&mut bytes), format)
            };
            encoded.unwrap();
            bytes
        })
        .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Pictures cut short or with bytes overwritten, and arbitrary bytes behind a picture's
    /// magic number: refused or prepared, never a panic; what is prepared decodes.
    #[test]
    fn broken_pictures_never_panic(
        which in 0usize..3,
        cut in 0usize..20_000,
        flips in prop::collection::vec((0usize..20_000, any::<u8>()), 0..8),
        tail in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let real = &real_pictures()[which];
        let mut bytes = real[..cut.min(real.len())].to_vec();
        for (at, byte) in &flips {
            if let Some(slot) = bytes.get_mut(*at % real.len()) {
                *slot = *byte;
            }
        }
        if let Ok(photo) = gridmap::photo::prepare(&bytes) {
            prop_assert!(image::load_from_memory(&photo.bytes).is_ok());
            prop_assert!(image::load_from_memory(&photo.thumbnail).is_ok());
        }
        let mut forged = real[..16.min(real.len())].to_vec();
        forged.extend(&tail);
        let _ = gridmap::photo::prepare(&forged);
    }
}
