//! Whether a workbook may hold formulas, by a byte scan of an XLSX's worksheet XML for
//! formula elements (`<f>`, `<x:f t="shared"/>`, …): a fraction of a second where reading
//! the formulas through a second full parse of the sheet costs as much as reading its values.
//! Only a "no" is certain; a "maybe" sends the caller to the exact reader, which names the
//! cell.

use std::io::Read;
use std::path::Path;

/// `false` only when the file is an XLSX package none of whose worksheets holds a formula
/// element; `true` for anything else (other formats, unreadable packages, a possible
/// formula).
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("values.xlsx");
/// let mut book = rust_xlsxwriter::Workbook::new();
/// book.add_worksheet().write(0, 0, "户数").unwrap();
/// book.save(&path).unwrap();
/// assert!(!gridmap::import::formula_scan::may_hold_formulas(&path));
/// ```
pub fn may_hold_formulas(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if !(name.ends_with(".xlsx") || name.ends_with(".xlsm")) {
        return true;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return true;
    };
    let Ok(mut package) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return true;
    };
    let mut xml = Vec::new();
    for i in 0..package.len() {
        let Ok(mut part) = package.by_index(i) else {
            return true;
        };
        let Ok(part_name) = part.name().map(|n| n.to_ascii_lowercase()) else {
            return true;
        };
        if !(part_name.starts_with("xl/worksheets/") && part_name.ends_with(".xml")) {
            continue;
        }
        xml.clear();
        if part.read_to_end(&mut xml).is_err() || holds_formula_element(&xml) {
            return true;
        }
    }
    false
}

/// Whether XML bytes hold an element whose local name is `f` (any namespace prefix).
///
/// ```
/// use gridmap::import::formula_scan::holds_formula_element;
/// assert!(holds_formula_element(br#"<c r="A1"><f>SUM(B1:B2)</f><v>3</v></c>"#));
/// assert!(holds_formula_element(br#"<x:c><x:f t="shared" si="0"/></x:c>"#));
/// assert!(!holds_formula_element(br#"<c r="A1" t="s"><v>0</v></c><font/>"#));
/// ```
pub fn holds_formula_element(xml: &[u8]) -> bool {
    let mut rest = xml;
    while let Some(at) = memchr::memchr(b'<', rest) {
        let tag = &rest[at + 1..];
        let name_end = tag
            .iter()
            .position(|b| matches!(b, b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        if local == b"f" && name_end < tag.len() {
            return true;
        }
        rest = tag;
    }
    false
}
