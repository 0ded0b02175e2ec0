//! Typed readers of GeoJSON feature properties, with messages that name the property.

use serde_json::{Map, Value};

/// A feature's properties, read with type checks.
pub struct Properties<'a>(pub &'a Map<String, Value>);

impl Properties<'_> {
    /// A string property; numbers are accepted and written out. `None` when absent/null/empty.
    pub fn text(&self, key: &str) -> Result<Option<String>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!("property `{key}` must be a string, found {other}")),
        }
    }

    /// The first present string property among `keys`.
    pub fn first_text(&self, keys: &[&str]) -> Result<Option<String>, String> {
        for key in keys {
            if let Some(v) = self.text(key)? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    /// A non-negative integer property (a number without fraction, or such a string).
    pub fn count(&self, key: &str) -> Result<Option<u32>, String> {
        let bad = |v: &Value| format!("property `{key}` must be a non-negative integer, found {v}");
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Number(n)) => match n.as_u64() {
                Some(i) => u32::try_from(i).map(Some).map_err(|_| bad(v)),
                None => match n.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX) => {
                        Ok(Some(f as u32))
                    }
                    _ => Err(bad(v)),
                },
            },
            Some(v @ Value::String(s)) => s.trim().parse::<u32>().map(Some).map_err(|_| bad(v)),
            Some(v) => Err(bad(v)),
        }
    }

    /// A positive number property (a number or a numeric string such as OSM's `"12.5"`).
    pub fn number(&self, key: &str) -> Result<Option<f64>, String> {
        let bad = |v: &Value| format!("property `{key}` must be a positive number, found {v}");
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Number(n)) => match n.as_f64() {
                Some(f) if f.is_finite() && f > 0.0 => Ok(Some(f)),
                _ => Err(bad(v)),
            },
            Some(v @ Value::String(s)) => {
                let cleaned = s.trim().trim_end_matches('m').trim();
                match cleaned.parse::<f64>() {
                    Ok(f) if f.is_finite() && f > 0.0 => Ok(Some(f)),
                    _ => Err(bad(v)),
                }
            }
            Some(v) => Err(bad(v)),
        }
    }

    /// A list of strings: a JSON array of strings, or one string split on `;`, `,` or `、`.
    pub fn list(&self, key: &str) -> Result<Vec<String>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(s
                .split([';', ',', '、', '；', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.trim().to_string()),
                    other => Err(format!("property `{key}` must list strings, found {other}")),
                })
                .collect(),
            Some(other) => Err(format!(
                "property `{key}` must be a list of strings, found {other}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_integers_and_refuse_everything_else() {
        let map = serde_json::json!({"a": 12, "b": "30", "c": -1, "d": 2.5, "e": "x", "f": [1], "g": 4.0});
        let p = Properties(map.as_object().unwrap());
        assert_eq!(p.count("a"), Ok(Some(12)));
        assert_eq!(p.count("b"), Ok(Some(30)));
        assert_eq!(p.count("g"), Ok(Some(4)));
        assert_eq!(p.count("zz"), Ok(None));
        for key in ["c", "d", "e", "f"] {
            assert!(p.count(key).unwrap_err().contains(&format!("`{key}`")));
        }
    }

    #[test]
    fn lists_split_chinese_and_ascii_separators() {
        let map = serde_json::json!({"s": "理发、 量血压;充电", "a": ["x", "y"], "bad": [1]});
        let p = Properties(map.as_object().unwrap());
        assert_eq!(p.list("s").unwrap(), vec!["理发", "量血压", "充电"]);
        assert_eq!(p.list("a").unwrap(), vec!["x", "y"]);
        assert!(p.list("bad").is_err());
    }
}
