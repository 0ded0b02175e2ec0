//! Shapefiles as surveying offices deliver them: `.shp` with its `.dbf` (attributes),
//! `.prj` (coordinate system: CGCS2000 Gauss–Krüger zones, Web Mercator, lon/lat) and
//! `.cpg` (attribute encoding), loose beside each other or in one `.zip`. Attributes in
//! GBK/GB18030 (what Chinese ArcGIS writes) or UTF-8: from the `.cpg`, `--encoding`, or
//! detected. Each feature is checked, converted to WGS84 once and mapped by its kind.

use super::properties::Properties;
use super::source_feature;
use super::table::Encoding;
use super::{ImportError, ImportOptions};
use crate::crs::{SourceCrs, read_prj};
use crate::domain::Dataset;
use serde_json::{Map, Number, Value};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// The parts of one Shapefile, read into memory.
struct Parts {
    shp: Vec<u8>,
    dbf: Vec<u8>,
    prj: Option<String>,
    cpg: Option<String>,
}

fn unsupported(path: &Path, reason: impl Into<String>) -> ImportError {
    ImportError::Unsupported {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// A sibling of `shp` with another extension, in any letter case (`.DBF`).
fn sibling(shp: &Path, extension: &str) -> Option<PathBuf> {
    let stem = shp.file_stem()?;
    let dir = shp.parent().unwrap_or(Path::new("."));
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_stem() == Some(stem)
                && p.extension()
                    .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(extension))
        })
}

fn read_loose(path: &Path) -> Result<Parts, ImportError> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| ImportError::Read {
            path: p.to_path_buf(),
            source,
        })
    };
    let dbf = sibling(path, "dbf").ok_or_else(|| {
        unsupported(
            path,
            "no .dbf beside it: a Shapefile is the .shp with its .dbf (attributes), .shx and .prj; copy them all",
        )
    })?;
    let text = |ext| -> Result<Option<String>, ImportError> {
        sibling(path, ext)
            .map(|p| read(&p).map(|b| String::from_utf8_lossy(&b).into_owned()))
            .transpose()
    };
    Ok(Parts {
        shp: read(path)?,
        dbf: read(&dbf)?,
        prj: text("prj")?,
        cpg: text("cpg")?,
    })
}

/// Largest part read out of a zip (a Shapefile's .shp is at most 2 GB by format).
const MAX_PART_BYTES: u64 = 2 << 30;

fn read_zipped(path: &Path) -> Result<Parts, ImportError> {
    let file = std::fs::File::open(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| unsupported(path, format!("not a readable zip: {e}")))?;
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| unsupported(path, format!("a name in the zip is unreadable: {e}")))?;
    let shps: Vec<&String> = names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".shp"))
        .collect();
    let shp_name = match shps.as_slice() {
        [one] => (*one).clone(),
        [] => return Err(unsupported(path, "the zip holds no .shp")),
        many => {
            return Err(unsupported(
                path,
                format!(
                    "the zip holds {} Shapefiles ({}); unzip it and import each",
                    many.len(),
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    };
    let stem = &shp_name[..shp_name.len() - 4];
    let mut part = |ext: &str| -> Result<Option<Vec<u8>>, ImportError> {
        let Some(name) = names.iter().find(|n| {
            n.len() == stem.len() + 4
                && n.starts_with(stem)
                && n[stem.len()..].eq_ignore_ascii_case(ext)
        }) else {
            return Ok(None);
        };
        let entry = archive
            .by_name(name)
            .map_err(|e| unsupported(path, format!("{name}: {e}")))?;
        let mut bytes = Vec::new();
        entry
            .take(MAX_PART_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| unsupported(path, format!("{name}: {e}")))?;
        Ok(Some(bytes))
    };
    let shp = part(".shp")?.ok_or_else(|| unsupported(path, "the .shp cannot be read"))?;
    let dbf = part(".dbf")?.ok_or_else(|| {
        unsupported(
            path,
            format!("the zip has {shp_name} but no .dbf beside it (attributes); add it"),
        )
    })?;
    let text = |b: Option<Vec<u8>>| b.map(|b| String::from_utf8_lossy(&b).into_owned());
    let prj = text(part(".prj")?);
    let cpg = text(part(".cpg")?);
    Ok(Parts { shp, dbf, prj, cpg })
}

/// The attribute encoding: `--encoding`, else the `.cpg`, else UTF-8 when every record
/// is UTF-8, else GB18030 (a superset of GBK).
fn encoding(parts: &Parts, options: &ImportOptions, path: &Path) -> Result<Encoding, ImportError> {
    if let Some(e) = options.table.encoding {
        return Ok(e);
    }
    if let Some(cpg) = &parts.cpg {
        let name = cpg.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        return match name.as_str() {
            "utf8" | "65001" => Ok(Encoding::Utf8),
            "gbk" | "936" | "cp936" | "gb2312" | "gb18030" | "54936" | "ansi936" => {
                Ok(Encoding::Gbk)
            }
            _ => Err(unsupported(
                path,
                format!("the .cpg names encoding {cpg:?}: give --encoding utf-8 or gbk"),
            )),
        };
    }
    // dBase header: record data starts at the header length (bytes 8–9, little endian).
    let start = parts
        .dbf
        .get(8..10)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    let records = parts.dbf.get(start..).unwrap_or_default();
    Ok(if std::str::from_utf8(records).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::Gbk
    })
}

/// A dBase value as a JSON property (blank fields are absent).
fn value(field: shapefile::dbase::FieldValue) -> Option<Value> {
    use shapefile::dbase::FieldValue as F;
    let number = |f: f64| {
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            Some(Value::Number(Number::from(f as i64)))
        } else {
            Number::from_f64(f).map(Value::Number)
        }
    };
    match field {
        F::Character(s) => s
            .map(|s| Value::String(s.trim().to_string()))
            .filter(|v| v != ""),
        F::Memo(s) => Some(Value::String(s)).filter(|v| v != ""),
        F::Numeric(n) => n.and_then(number),
        F::Float(n) => n.and_then(|n| number(f64::from(n))),
        F::Double(n) | F::Currency(n) => number(n),
        F::Integer(n) => Some(Value::Number(n.into())),
        F::Logical(b) => b.map(Value::Bool),
        F::Date(d) => {
            d.map(|d| Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())))
        }
        F::DateTime(t) => {
            let d = t.date();
            Some(Value::String(format!(
                "{:04}-{:02}-{:02}",
                d.year(),
                d.month(),
                d.day()
            )))
        }
    }
}

/// Reads a Shapefile (loose or zipped) into a dataset of the requested kind.
pub fn read(path: &Path, options: &ImportOptions) -> Result<Dataset, ImportError> {
    let zipped = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let parts = if zipped {
        read_zipped(path)?
    } else {
        read_loose(path)?
    };
    let crs: SourceCrs = match (options.crs, &parts.prj) {
        (Some(crs), _) => crs,
        (None, Some(prj)) => {
            read_prj(prj).map_err(|e| unsupported(path, format!("its .prj: {e}")))?
        }
        (None, None) => {
            return Err(unsupported(
                path,
                "no .prj beside it: name the coordinate system with --crs (e.g. EPSG:4527 for CGCS2000 3° Gauss–Krüger zone 39, or cgcs2000 for lon/lat)",
            ));
        }
    };
    let converter = crs
        .converter()
        .map_err(|e| unsupported(path, e.to_string()))?;
    let dbase_encoding: &'static encoding_rs::Encoding = match encoding(&parts, options, path)? {
        Encoding::Utf8 => encoding_rs::UTF_8,
        Encoding::Gbk => encoding_rs::GB18030,
    };
    let shapes = shapefile::ShapeReader::new(Cursor::new(parts.shp))
        .map_err(|e| unsupported(path, format!("not a readable .shp: {e}")))?;
    let records = shapefile::dbase::ReaderBuilder::new()
        .with_encoding(shapefile::dbase::encoding::EncodingRs::from(dbase_encoding))
        .build(Cursor::new(parts.dbf))
        .map_err(|e| unsupported(path, format!("its .dbf is not readable: {e}")))?;
    let mut reader = shapefile::Reader::new(shapes, records);
    let mut data = Dataset::default();
    for (index, item) in reader.iter_shapes_and_records().enumerate() {
        let feature_error = |id: Option<String>, reason: String| ImportError::Feature {
            path: path.to_path_buf(),
            index,
            id,
            reason,
        };
        let (shape, record) = item.map_err(|e| feature_error(None, format!("unreadable: {e}")))?;
        let properties: Map<String, Value> = source_feature::with_english_keys(
            record
                .into_iter()
                .filter_map(|(name, field)| value(field).map(|v| (name, v)))
                .collect(),
        );
        let p = Properties(&properties);
        let id = p
            .first_text(&["id", "osm_id", "ID", "OBJECTID", "FID"])
            .map_err(|e| feature_error(None, e))?;
        let geometry = source_feature::to_wgs84(
            geo_types::Geometry::<f64>::try_from(shape).map_err(|e| format!("unusable shape: {e}")),
            &converter,
        );
        source_feature::add(&p, id.clone(), index, geometry, options, &mut data)
            .map_err(|reason| feature_error(id, reason))?;
    }
    source_feature::finish(path, &mut data, options)?;
    Ok(data)
}
