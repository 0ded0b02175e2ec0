//! Whole numbers in JSON bodies as JSON Schema counts them: `300` and `300.0` are the same
//! integer (the OpenAPI document says `"type": "integer"`, which admits both); `300.5`, a
//! negative number or one past the field's type is refused naming the field.

use serde::{Deserialize, Deserializer, de::Error};

/// An optional whole number of type `T` (`null` or absent: `None`).
pub fn option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let whole = number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(f))
            // A non-negative whole number below 2^53: exact in both types.
            .map(|f| f as u64)
    });
    whole
        .and_then(|w| T::try_from(w).ok())
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("must be a whole number in range, got {number}")))
}

/// A required whole number of type `T` (`null` refused).
pub fn required<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    option(deserializer)?.ok_or_else(|| D::Error::custom("must be a whole number, got null"))
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "super::option")]
        target: Option<u32>,
    }

    fn target(json: &str) -> Result<Option<u32>, String> {
        serde_json::from_str::<Body>(json)
            .map(|b| b.target)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn integral_floats_are_integers_and_fractions_are_not() {
        assert_eq!(target(r#"{"target": 300}"#), Ok(Some(300)));
        assert_eq!(target(r#"{"target": 300.0}"#), Ok(Some(300)));
        assert_eq!(target(r#"{"target": null}"#), Ok(None));
        assert_eq!(target("{}"), Ok(None));
        for bad in ["300.5", "-1", "4294967296", "\"300\"", "1e300"] {
            assert!(target(&format!(r#"{{"target": {bad}}}"#)).is_err(), "{bad}");
        }
    }
}
