//! CSV household rosters: `building` (id) or `address`, `households`, optional `residents`.

use super::ImportError;
use crate::domain::{BuildingId, RosterEntry, RosterKey};
use std::path::Path;

/// Parses a roster; the header names the columns (`building`/`building_id`/`id`,
/// `address`, `households`, `residents`; Chinese headers 楼栋编号, 地址, 户数, 人数 too).
pub fn parse(path: &Path, text: &str) -> Result<Vec<RosterEntry>, ImportError> {
    let line_error = |line: usize, reason: String| ImportError::Line {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| line_error(1, format!("unreadable header: {e}")))?
        .clone();
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.to_ascii_lowercase().as_str()))
    };
    let id_col = column(&["building", "building_id", "id", "楼栋编号"]);
    let address_col = column(&["address", "地址"]);
    let households_col = column(&["households", "户数"])
        .ok_or_else(|| line_error(1, "header has no `households` column".into()))?;
    let residents_col = column(&["residents", "人数"]);
    if id_col.is_none() && address_col.is_none() {
        return Err(line_error(
            1,
            "header needs a `building` (id) or `address` column".into(),
        ));
    }
    let mut entries = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| line_error(line, e.to_string()))?;
        let field = |col: Option<usize>| col.and_then(|c| record.get(c)).filter(|s| !s.is_empty());
        let building = match (field(id_col), field(address_col)) {
            (Some(id), _) => RosterKey::Id(BuildingId(id.to_string())),
            (None, Some(address)) => RosterKey::Address(address.to_string()),
            (None, None) => {
                return Err(line_error(
                    line,
                    "neither building id nor address given".into(),
                ));
            }
        };
        let count = |col: Option<usize>, name: &str| -> Result<Option<u32>, ImportError> {
            match field(col) {
                None => Ok(None),
                Some(v) => v.parse::<u32>().map(Some).map_err(|_| {
                    line_error(
                        line,
                        format!("`{name}` must be a non-negative integer, found {v:?}"),
                    )
                }),
            }
        };
        let households = count(Some(households_col), "households")?
            .ok_or_else(|| line_error(line, "`households` is empty".into()))?;
        let residents = count(residents_col, "residents")?;
        entries.push(RosterEntry {
            line,
            building,
            households,
            residents,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_and_addresses_and_names_bad_lines() {
        let ok = parse(
            Path::new("r.csv"),
            "building,address,households,residents\nw1,,12,30\n,5 Rue X,4,\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].building, RosterKey::Id(BuildingId("w1".into())));
        assert_eq!(ok[1].building, RosterKey::Address("5 Rue X".into()));
        assert_eq!(ok[1].residents, None);
        let err = parse(Path::new("r.csv"), "building,households\nw1,3\nw2,-4\n").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        let chinese = parse(Path::new("r.csv"), "楼栋编号,户数,人数\nB-1,120,300\n").unwrap();
        assert_eq!(chinese[0].households, 120);
    }
}
