//! Tables offices keep (rosters, worker lists, station lists): an Excel workbook's sheet
//! (`.xlsx`, `.xls`, `.ods`; the first, or one named) or a CSV file in UTF-8 (with or without
//! BOM) or GBK/GB18030, which Excel writes on Chinese Windows (detected, or stated). The
//! first row names the columns; every later row is a record, numbered as the office sees it
//! (the header is row 1).

use super::{ImportError, formula_scan};
use calamine::{Data, Reader};
use std::path::{Path, PathBuf};

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030, which includes GBK and GB2312.
    #[value(name = "gbk", alias = "gb18030", alias = "gb2312")]
    Gbk,
}

/// How to read a table.
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    /// The workbook's sheet (default: the first).
    pub sheet: Option<String>,
    /// The CSV encoding (default: UTF-8 when the bytes are UTF-8, else GB18030).
    pub encoding: Option<Encoding>,
}

/// One record: its row number (the header is row 1) and its cells, trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

/// A table read from a file.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: PathBuf,
    /// The sheet the rows come from (workbooks only).
    pub sheet: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// The index of the first column named any of `names` (case-insensitive).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    }

    /// An error about a cell: the file, sheet, row and column (by letter and header name).
    pub fn cell_error(&self, row: usize, column: usize, reason: impl Into<String>) -> ImportError {
        let name = self.header.get(column).map(String::as_str).unwrap_or("");
        ImportError::Cell {
            path: self.path.clone(),
            sheet: self.sheet.clone(),
            row,
            column: format!("{} ({name})", column_letter(column)),
            reason: reason.into(),
        }
    }

    /// An error about a whole row.
    pub fn row_error(&self, row: usize, reason: impl Into<String>) -> ImportError {
        ImportError::Cell {
            path: self.path.clone(),
            sheet: self.sheet.clone(),
            row,
            column: "-".into(),
            reason: reason.into(),
        }
    }
}

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Whether a file is a workbook rather than CSV, by its extension.
pub fn is_workbook(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    [".xlsx", ".xlsm", ".xls", ".ods"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Reads a table from a workbook or a CSV file.
pub fn read_table(path: &Path, options: &TableOptions) -> Result<Table, ImportError> {
    if is_workbook(path) {
        read_workbook(path, options.sheet.as_deref())
    } else {
        let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = decode(path, &bytes, options.encoding)?;
        read_csv(path, &text)
    }
}

/// The text of CSV bytes in the stated encoding, or detected: UTF-8 when the bytes are
/// UTF-8, else GB18030. Bytes invalid in the encoding are refused naming the line.
pub fn decode(path: &Path, bytes: &[u8], stated: Option<Encoding>) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let encoding = match stated {
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => Encoding::Utf8,
        None => Encoding::Gbk,
    };
    let invalid_at = |valid_up_to: usize, name: &str| {
        let line = bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count() + 1;
        ImportError::Line {
            path: path.to_path_buf(),
            line,
            reason: format!(
                "not valid {name} text; state the file's encoding with --encoding utf-8 or --encoding gbk"
            ),
        }
    };
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| invalid_at(e.valid_up_to(), "UTF-8")),
        Encoding::Gbk => {
            let (text, had_errors) = encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map_or_else(|| (std::borrow::Cow::Borrowed(""), true), |t| (t, false));
            if had_errors {
                let (lossy, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
                let first_bad = lossy.find('\u{FFFD}').unwrap_or(0);
                let line = lossy[..first_bad].matches('\n').count() + 1;
                return Err(ImportError::Line {
                    path: path.to_path_buf(),
                    line,
                    reason: "not valid GBK/GB18030 text; state the file's encoding with --encoding utf-8 or --encoding gbk".into(),
                });
            }
            Ok(text.into_owned())
        }
    }
}

fn read_csv(path: &Path, text: &str) -> Result<Table, ImportError> {
    let line_error = |line: usize, reason: String| ImportError::Line {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| line_error(1, format!("unreadable header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let number = i + 2;
        let record = record.map_err(|e| line_error(number, e.to_string()))?;
        rows.push(Row {
            number,
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    let table = Table {
        path: path.to_path_buf(),
        sheet: None,
        header,
        rows,
    };
    check_header(&table)?;
    Ok(table)
}

fn read_workbook(path: &Path, sheet: Option<&str>) -> Result<Table, ImportError> {
    let unsupported = |reason: String| ImportError::Unsupported {
        path: path.to_path_buf(),
        reason,
    };
    let mut workbook = calamine::open_workbook_auto(path)
        .map_err(|e| unsupported(format!("not a readable workbook: {e}")))?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                unsupported(format!(
                    "no sheet {wanted:?}; the workbook has {}",
                    names.join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| unsupported("the workbook has no sheets".into()))?,
    };
    // Formulas are refused. An XLSX whose sheets hold no formula element needs no second
    // pass; otherwise a second reader finds the cell on the other core while this one reads
    // the values.
    let (range, formulas) = std::thread::scope(|scope| {
        let formulas = scope.spawn(|| {
            if !formula_scan::may_hold_formulas(path) {
                return None;
            }
            calamine::open_workbook_auto(path)
                .ok()
                .and_then(|mut w| w.worksheet_formula(&name).ok())
        });
        let range = workbook.worksheet_range(&name);
        (range, formulas.join().ok().flatten())
    });
    let range = range.map_err(|e| unsupported(format!("sheet {name}: {e}")))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let to_usize = |v: u32| usize::try_from(v).unwrap_or(usize::MAX);
    let mut table = Table {
        path: path.to_path_buf(),
        sheet: Some(name),
        header: Vec::new(),
        rows: Vec::new(),
    };
    // Cells before the range's first column are empty: keep columns where Excel has them.
    let lead = to_usize(first_col);
    for (i, cells) in range.rows().enumerate() {
        let number = to_usize(first_row) + i + 1;
        let mut values: Vec<String> = vec![String::new(); lead];
        values.extend(cells.iter().map(cell_text));
        if i == 0 {
            table.header = values;
        } else if values.iter().any(|v| !v.is_empty()) {
            table.rows.push(Row {
                number,
                cells: values,
            });
        }
    }
    if let Some(formulas) = formulas
        && let Some((row, col, formula)) = formulas
            .used_cells()
            .find(|(_, _, f)| !f.is_empty())
            .map(|(r, c, f)| (r, c, f.clone()))
    {
        let (f_row, f_col) = formulas.start().unwrap_or((0, 0));
        let row = to_usize(f_row) + row + 1;
        let col = to_usize(f_col) + col;
        return Err(table.cell_error(
            row,
            col,
            format!("holds a formula (={formula}); save the sheet with values only"),
        ));
    }
    if table.header.is_empty() {
        return Err(unsupported(format!(
            "sheet {} is empty",
            table.sheet.as_deref().unwrap_or_default()
        )));
    }
    check_header(&table)?;
    Ok(table)
}

/// A cell as text: whole numbers without a decimal point (Excel stores 12 as 12.0), dates
/// as ISO dates.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        // A whole number: written as an integer (formatting the float to no decimals is
        // an order slower).
        #[expect(clippy::cast_possible_truncation, reason = "a whole number below 1e15")]
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_datetime().map_or_else(
            || d.as_f64().to_string(),
            |t| t.format("%Y-%m-%d %H:%M").to_string(),
        ),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The header names every column that holds data: an empty name (a merged or missing
/// header cell) is refused naming the column.
fn check_header(table: &Table) -> Result<(), ImportError> {
    let width = table
        .rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .rposition(|c| !c.is_empty())
                .map_or(0, |p| p + 1)
        })
        .max()
        .unwrap_or(0)
        .max(table.header.len());
    if table.header.iter().all(String::is_empty) {
        return Err(table.row_error(1, "the first row must name the columns (no header found)"));
    }
    for column in 0..width {
        let named = table.header.get(column).is_some_and(|h| !h.is_empty());
        let used = table
            .rows
            .iter()
            .any(|r| r.cells.get(column).is_some_and(|c| !c.is_empty()));
        if !named && used {
            return Err(table.cell_error(
                1,
                column,
                "the header names no column here (a merged or empty header cell); give every column its own name",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_run_like_a_spreadsheets() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn utf8_with_a_bom_and_gbk_are_read_and_a_gbk_file_stated_utf8_is_refused() {
        let path = Path::new("花名册.csv");
        let text = "编号,姓名\nW1,张三\n";
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode(path, &bom, None).unwrap(), text);
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert!(
            std::str::from_utf8(&gbk).is_err(),
            "GBK bytes are not UTF-8"
        );
        assert_eq!(decode(path, &gbk, None).unwrap(), text);
        assert_eq!(decode(path, &gbk, Some(Encoding::Gbk)).unwrap(), text);
        let refused = decode(path, &gbk, Some(Encoding::Utf8))
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("line 1") && refused.contains("--encoding"),
            "{refused}"
        );
    }

    #[test]
    fn a_column_of_data_without_a_name_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.csv");
        std::fs::write(&path, "building,,households\nB1,x,30\n").unwrap();
        let refused = read_table(&path, &TableOptions::default())
            .unwrap_err()
            .to_string();
        assert!(refused.contains("row 1, column B"), "{refused}");
    }
}
