//! Residents' reports (随手拍、随手报): the tracking code a resident gets instead of an
//! account, and the satisfaction rating after closing.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read out over the phone is not
/// misheard as 1, 0 or V.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a code: 12 of 32 symbols, 60 bits. With a million live codes and a
/// guesser allowed a few hundred tries a day, a hit is expected once in ten million years.
pub const TRACKING_CODE_CHARS: usize = 12;

/// A report's tracking code, `7KQM-29XH-T4WD`: the only key to its status. Only its
/// SHA-256 is stored.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

impl TrackingCode {
    /// A new random code.
    pub fn generate() -> Self {
        let code = (0..TRACKING_CODE_CHARS)
            .map(|_| char::from(ALPHABET[usize::from(rand::random::<u8>() % 32)]))
            .collect();
        Self(code)
    }

    /// Reads a code as people type or say it: any case, with or without dashes and spaces,
    /// I and L read as 1, O as 0.
    ///
    /// ```
    /// use gridmap::domain::TrackingCode;
    /// let code = TrackingCode::parse("7kqm 29xh-t4wd").unwrap();
    /// assert_eq!(code.to_string(), "7KQM-29XH-T4WD");
    /// assert_eq!(TrackingCode::parse("7KQM-29XH-T4WO"), TrackingCode::parse("7KQM29XHT4W0"));
    /// assert!(TrackingCode::parse("7KQM-29XH").is_none());
    /// assert!(TrackingCode::parse("7KQM-29XH-T4WU").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        let mut code = String::with_capacity(TRACKING_CODE_CHARS);
        for c in text.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return None,
            };
            code.push(c);
        }
        (code.len() == TRACKING_CODE_CHARS).then_some(Self(code))
    }

    /// The SHA-256 stored in its place (hex).
    pub fn sha256(&self) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl fmt::Display for TrackingCode {
    /// In groups of four, as printed and read out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for TrackingCode {
    /// Never the code itself (it is a secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrackingCode(…)")
    }
}

/// A resident's rating of how a report was handled (满意度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意
    Satisfied,
    /// 基本满意
    BasicallySatisfied,
    /// 不满意
    Dissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [
        Self::Satisfied,
        Self::BasicallySatisfied,
        Self::Dissatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::BasicallySatisfied => "basically_satisfied",
            Self::Dissatisfied => "dissatisfied",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            Self::Satisfied => "满意",
            Self::BasicallySatisfied => "基本满意",
            Self::Dissatisfied => "不满意",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text || s.chinese() == text)
    }
}

/// A resident's report as stored beside its incident.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicReport {
    pub incident: super::IncidentId,
    pub rating: Option<Satisfaction>,
    pub rating_comment: Option<String>,
    pub rated_at: Option<chrono::DateTime<chrono::Utc>>,
}
