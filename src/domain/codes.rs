//! Administrative codes as validated newtypes: district (6 digits, GB/T 2260), street (9),
//! community (12, statistics code) and grid (15 = community code + 3-digit sequence).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a code string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} code {value:?} must be exactly {digits} ASCII digits")]
pub struct CodeError {
    /// Which code was expected ("district", "street", "community", "grid").
    pub kind: &'static str,
    /// The refused input.
    pub value: String,
    /// The required number of digits.
    pub digits: usize,
}

fn check_digits(kind: &'static str, value: &str, digits: usize) -> Result<(), CodeError> {
    if value.len() == digits && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CodeError {
            kind,
            value: value.to_string(),
            digits,
        })
    }
}

macro_rules! code_newtype {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $digits:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Number of digits in this kind of code.
            pub const DIGITS: usize = $digits;

            /// Validates and wraps a code string (leading zeros are kept).
            pub fn new(value: impl Into<String>) -> Result<Self, CodeError> {
                let value = value.into();
                check_digits($kind, &value, $digits)?;
                Ok(Self(value))
            }

            /// The code as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = CodeError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }
    };
}

code_newtype!(
    /// A district (区/县) code: 6 digits, GB/T 2260, e.g. `150602` for 东胜区.
    DistrictCode, "district", 6
);
code_newtype!(
    /// A street (街道/乡镇) code: 9 digits, the district code plus 3.
    StreetCode, "street", 9
);
code_newtype!(
    /// A community (社区/村) code: 12 digits, the street code plus 3.
    CommunityCode, "community", 12
);
code_newtype!(
    /// A grid (网格) code: 15 digits, the community code plus a 3-digit sequence.
    GridCode, "grid", 15
);

impl StreetCode {
    /// The district this street belongs to.
    pub fn district(&self) -> DistrictCode {
        DistrictCode(self.0[..6].to_string())
    }
}

impl CommunityCode {
    /// The street this community belongs to.
    pub fn street(&self) -> StreetCode {
        StreetCode(self.0[..9].to_string())
    }

    /// The district this community belongs to.
    pub fn district(&self) -> DistrictCode {
        DistrictCode(self.0[..6].to_string())
    }

    /// The grid code with the given 3-digit sequence number (1..=999).
    pub fn grid(&self, sequence: u16) -> Option<GridCode> {
        (1..=999)
            .contains(&sequence)
            .then(|| GridCode(format!("{}{:03}", self.0, sequence)))
    }
}

impl GridCode {
    /// The community this grid belongs to.
    pub fn community(&self) -> CommunityCode {
        CommunityCode(self.0[..12].to_string())
    }

    /// The 3-digit sequence number within the community.
    pub fn sequence(&self) -> u16 {
        self.0[12..].parse().unwrap_or(0)
    }
}

/// An area code packed into a number: 16 bytes where a code string takes ~40, for the
/// deepest known area (grid, else community) kept per building.
///
/// ```
/// use gridmap::domain::{AreaNumber, CommunityCode, GridCode};
/// let grid = AreaNumber::of_grid(&GridCode::new("150602001001007").unwrap());
/// assert_eq!(grid.to_string(), "150602001001007");
/// assert_eq!(grid.within(9).map(|a| a.to_string()).as_deref(), Some("150602001"));
/// let community = AreaNumber::of_community(&CommunityCode::new("010203004005").unwrap());
/// assert_eq!(community.within(6).map(|a| a.to_string()).as_deref(), Some("010203"));
/// assert_eq!(community.within(15), None);
/// assert_eq!(AreaNumber::parse("0102"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaNumber {
    digits: u8,
    value: u64,
}

impl AreaNumber {
    pub fn of_grid(grid: &GridCode) -> Self {
        Self::packed(grid.as_str())
    }

    pub fn of_community(community: &CommunityCode) -> Self {
        Self::packed(community.as_str())
    }

    /// A district, street, community or grid code (6, 9, 12 or 15 digits).
    pub fn parse(code: &str) -> Option<Self> {
        (matches!(code.len(), 6 | 9 | 12 | 15) && code.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self::packed(code))
    }

    /// A validated code of at most 19 digits.
    fn packed(digits: &str) -> Self {
        Self {
            value: digits.parse().unwrap_or(0),
            digits: u8::try_from(digits.len()).unwrap_or(0),
        }
    }

    /// How many digits the code has (6 district, 9 street, 12 community, 15 grid).
    pub fn digits(self) -> usize {
        usize::from(self.digits)
    }

    /// The area `digits` long that holds this one; `None` when this one is not that deep.
    pub fn within(self, digits: usize) -> Option<Self> {
        let own = self.digits();
        if digits > own || digits == 0 {
            return None;
        }
        Some(Self {
            value: self.value / 10u64.checked_pow(u32::try_from(own - digits).ok()?)?,
            digits: u8::try_from(digits).ok()?,
        })
    }
}

impl fmt::Display for AreaNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.digits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_leading_zeros_and_know_their_parents() {
        let community = CommunityCode::new("150602001001").unwrap();
        assert_eq!(community.street().as_str(), "150602001");
        assert_eq!(community.district().as_str(), "150602");
        let grid = community.grid(7).unwrap();
        assert_eq!(grid.as_str(), "150602001001007");
        assert_eq!(grid.sequence(), 7);
        assert_eq!(grid.community(), community);
        assert!(community.grid(0).is_none());
        assert!(community.grid(1000).is_none());
        let district = DistrictCode::new("010101").unwrap();
        assert_eq!(district.to_string(), "010101");
    }

    #[test]
    fn malformed_codes_are_refused_with_the_kind_named() {
        let err = CommunityCode::new("15060200100").unwrap_err();
        assert_eq!(err.kind, "community");
        assert!(err.to_string().contains("12"));
        assert!(DistrictCode::new("15060a").is_err());
        assert!(GridCode::new("１５０６０２００１００１００１").is_err());
        assert!(serde_json::from_str::<StreetCode>("\"150602001\"").is_ok());
        assert!(serde_json::from_str::<StreetCode>("\"1506020\"").is_err());
    }
}
