//! A Shapefile's `.prj` (WKT 1, as ArcGIS, QGIS and GDAL write it) read into the
//! coordinate system of its coordinates: CGCS2000 or WGS84 lon/lat, a CGCS2000
//! Gauss–Krüger zone, or Web Mercator. Anything else is refused naming what it is.

use super::projection::{Projection, ProjectionError, refused_datum};
use super::{Crs, SourceCrs};

/// Why a `.prj` was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrjError {
    #[error("not a WKT coordinate system: {0}")]
    Malformed(String),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error("unsupported datum {0:?}: use CGCS2000 or WGS84 coordinates")]
    UnknownDatum(String),
    #[error(
        "unsupported projection {0:?}: use lon/lat, a CGCS2000 Gauss–Krüger zone (EPSG:4491–4554) or Web Mercator (EPSG:3857)"
    )]
    UnknownProjection(String),
    #[error("unsupported {what} {value} in a Gauss–Krüger projection (expected {expected})")]
    UnusualParameter {
        what: &'static str,
        value: f64,
        expected: f64,
    },
}

/// One WKT node: `KEYWORD[value, value, NODE[...]]`.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Text(String),
    Number(f64),
    Node(Node),
}

#[derive(Debug, Clone, PartialEq)]
struct Node {
    keyword: String,
    items: Vec<Item>,
}

impl Node {
    fn child(&self, keyword: &str) -> Option<&Node> {
        self.items.iter().find_map(|i| match i {
            Item::Node(n) if n.keyword.eq_ignore_ascii_case(keyword) => Some(n),
            _ => None,
        })
    }

    fn name(&self) -> &str {
        match self.items.first() {
            Some(Item::Text(t)) => t,
            _ => "",
        }
    }

    /// `PARAMETER["name", value]` children by name (case and `_`/space insensitive).
    fn parameter(&self, name: &str) -> Option<f64> {
        let wanted = normalise(name);
        self.items.iter().find_map(|i| match i {
            Item::Node(n) if n.keyword.eq_ignore_ascii_case("PARAMETER") => {
                match n.items.as_slice() {
                    [Item::Text(key), Item::Number(v), ..] if normalise(key) == wanted => Some(*v),
                    _ => None,
                }
            }
            _ => None,
        })
    }

    /// `AUTHORITY["EPSG", "4526"]`.
    fn epsg(&self) -> Option<u32> {
        let authority = self.child("AUTHORITY")?;
        match authority.items.as_slice() {
            [Item::Text(name), Item::Text(code)] if name.eq_ignore_ascii_case("EPSG") => {
                code.parse().ok()
            }
            [Item::Text(name), Item::Number(code)] if name.eq_ignore_ascii_case("EPSG") => {
                Some(*code as u32)
            }
            _ => None,
        }
    }
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Parses WKT 1 text into its root node.
fn parse_wkt(text: &str) -> Result<Node, PrjError> {
    let chars: Vec<char> = text.trim().trim_start_matches('\u{feff}').chars().collect();
    let mut at = 0;
    let node = parse_node(&chars, &mut at)?;
    skip_space(&chars, &mut at);
    if at != chars.len() {
        return Err(PrjError::Malformed(format!(
            "text after the end at character {at}"
        )));
    }
    Ok(node)
}

fn skip_space(chars: &[char], at: &mut usize) {
    while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
        *at += 1;
    }
}

/// Nesting deeper than this is not a coordinate system (and would exhaust the stack).
const MAX_DEPTH_CHARS: usize = 64;

fn parse_node(chars: &[char], at: &mut usize) -> Result<Node, PrjError> {
    parse_node_at(chars, at, 0)
}

fn parse_node_at(chars: &[char], at: &mut usize, depth: usize) -> Result<Node, PrjError> {
    if depth > MAX_DEPTH_CHARS {
        return Err(PrjError::Malformed("nested too deeply".into()));
    }
    skip_space(chars, at);
    let start = *at;
    while chars
        .get(*at)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    {
        *at += 1;
    }
    let keyword: String = chars[start..*at].iter().collect();
    skip_space(chars, at);
    let open = chars.get(*at).copied();
    if keyword.is_empty() || !matches!(open, Some('[' | '(')) {
        return Err(PrjError::Malformed(format!(
            "expected KEYWORD[ at character {start}"
        )));
    }
    let close = if open == Some('[') { ']' } else { ')' };
    *at += 1;
    let mut items = Vec::new();
    loop {
        skip_space(chars, at);
        match chars.get(*at) {
            Some(c) if *c == close => {
                *at += 1;
                return Ok(Node { keyword, items });
            }
            Some(',') if !items.is_empty() => *at += 1,
            None => return Err(PrjError::Malformed("unclosed bracket".into())),
            _ => {}
        }
        skip_space(chars, at);
        let item = match chars.get(*at) {
            Some('"') => {
                *at += 1;
                let begin = *at;
                while chars.get(*at).is_some_and(|c| *c != '"') {
                    *at += 1;
                }
                if *at >= chars.len() {
                    return Err(PrjError::Malformed("unclosed quote".into()));
                }
                let text: String = chars[begin..*at].iter().collect();
                *at += 1;
                Item::Text(text)
            }
            Some(c) if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => {
                let begin = *at;
                while chars
                    .get(*at)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
                {
                    *at += 1;
                }
                let text: String = chars[begin..*at].iter().collect();
                Item::Number(text.parse().map_err(|_| {
                    PrjError::Malformed(format!("bad number {text:?} at character {begin}"))
                })?)
            }
            Some(c) if c.is_ascii_alphabetic() => {
                // A bare word (WKT 1 axis directions: NORTH, EAST) or a nested node.
                let begin = *at;
                let mut probe = *at;
                while chars
                    .get(probe)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    probe += 1;
                }
                let mut after = probe;
                skip_space(chars, &mut after);
                if matches!(chars.get(after), Some('[' | '(')) {
                    Item::Node(parse_node_at(chars, at, depth + 1)?)
                } else {
                    *at = probe;
                    Item::Text(chars[begin..probe].iter().collect())
                }
            }
            _ => {
                return Err(PrjError::Malformed(format!(
                    "unexpected character at {}",
                    *at
                )));
            }
        };
        items.push(item);
    }
}

/// The datum of a GEOGCS node: CGCS2000 or WGS84 lon/lat, or refused.
fn datum(geogcs: &Node) -> Result<Crs, PrjError> {
    if let Some(epsg) = geogcs.epsg()
        && let Some(name) = refused_datum(epsg)
    {
        return Err(ProjectionError::OtherDatum(name).into());
    }
    let datum = geogcs.child("DATUM").map_or("", Node::name);
    let names = normalise(&format!("{} {datum}", geogcs.name()));
    if names.contains("beijing1954") || names.contains("beijing54") {
        Err(ProjectionError::OtherDatum("Beijing 1954").into())
    } else if names.contains("xian1980") || names.contains("xian80") {
        Err(ProjectionError::OtherDatum("Xi'an 1980").into())
    } else if names.contains("china2000")
        || names.contains("cgcs2000")
        || names.contains("chinageodeticcoordinatesystem2000")
    {
        Ok(Crs::Cgcs2000)
    } else if names.contains("wgs1984") || names.contains("wgs84") {
        Ok(Crs::Wgs84)
    } else {
        Err(PrjError::UnknownDatum(datum.to_string()))
    }
}

/// Reads a `.prj`'s text.
///
/// ```
/// use gridmap::crs::{SourceCrs, Projection, read_prj};
/// let prj = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_38",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",38500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
/// assert_eq!(
///     read_prj(prj).unwrap(),
///     SourceCrs::Projected(Projection::GaussKruger { central_meridian_deg: 114.0, false_easting_m: 38_500_000.0 })
/// );
/// ```
pub fn read_prj(text: &str) -> Result<SourceCrs, PrjError> {
    let root = parse_wkt(text)?;
    match root.keyword.to_ascii_uppercase().as_str() {
        "GEOGCS" => Ok(SourceCrs::Geographic(datum(&root)?)),
        "PROJCS" => {
            if let Some(epsg) = root.epsg()
                && (3857 == epsg || (4491..=4554).contains(&epsg) || refused_datum(epsg).is_some())
            {
                return Ok(SourceCrs::Projected(Projection::from_epsg(epsg)?));
            }
            let geogcs = root
                .child("GEOGCS")
                .ok_or_else(|| PrjError::Malformed("PROJCS without GEOGCS".into()))?;
            let projection = root.child("PROJECTION").map_or("", Node::name);
            let kind = normalise(projection);
            let name = normalise(root.name());
            if kind.contains("mercatorauxiliarysphere")
                || kind.contains("popularvisualisation")
                || name.contains("webmercator")
                || name.contains("pseudomercator")
            {
                return Ok(SourceCrs::Projected(Projection::WebMercator));
            }
            let on = datum(geogcs)?;
            if !(kind == "gausskruger" || kind == "transversemercator") || on != Crs::Cgcs2000 {
                return Err(PrjError::UnknownProjection(format!(
                    "{} ({projection})",
                    root.name()
                )));
            }
            for (what, expected) in [
                ("false_northing", 0.0),
                ("scale_factor", 1.0),
                ("latitude_of_origin", 0.0),
            ] {
                let value = root.parameter(what).unwrap_or(expected);
                if (value - expected).abs() > 1e-9 {
                    return Err(PrjError::UnusualParameter {
                        what,
                        value,
                        expected,
                    });
                }
            }
            let central_meridian_deg = root
                .parameter("central_meridian")
                .or_else(|| root.parameter("longitude_of_center"))
                .ok_or_else(|| PrjError::Malformed("no Central_Meridian".into()))?;
            let false_easting_m = root
                .parameter("false_easting")
                .ok_or_else(|| PrjError::Malformed("no False_Easting".into()))?;
            Ok(SourceCrs::Projected(Projection::GaussKruger {
                central_meridian_deg,
                false_easting_m,
            }))
        }
        other => Err(PrjError::Malformed(format!(
            "starts with {other}, not GEOGCS or PROJCS"
        ))),
    }
}
