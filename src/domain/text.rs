//! Free text people type (incident descriptions, step notes, community names): stored as
//! given on both stores, or refused — never a control character, which PostgreSQL cannot
//! store (NUL) and no person means.

/// Whether a text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// A name: one line, no tabs.
    Single,
    /// A description or note: line breaks and tabs allowed.
    Multi,
}

/// Why a text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("holds control character U+{code:04X} at character {at}")]
    ControlCharacter { at: usize, code: u32 },
}

/// Checks a text of at most `max_chars` characters with no control characters (beyond line
/// breaks and tabs where [`Lines::Multi`]). An empty text passes; callers that need one
/// check [`TextError::Empty`] themselves.
///
/// ```
/// use gridmap::domain::{Lines, TextError, check_text};
/// assert_eq!(check_text("井盖缺失\n东门口", 2000, Lines::Multi), Ok(()));
/// assert_eq!(check_text("a\u{0}b", 2000, Lines::Multi), Err(TextError::ControlCharacter { at: 1, code: 0 }));
/// assert_eq!(check_text("赛罕\n社区", 50, Lines::Single), Err(TextError::ControlCharacter { at: 2, code: 10 }));
/// assert_eq!(check_text("abc", 2, Lines::Multi), Err(TextError::TooLong(2)));
/// ```
pub fn check_text(value: &str, max_chars: usize, lines: Lines) -> Result<(), TextError> {
    for (at, c) in value.chars().enumerate() {
        if at >= max_chars {
            return Err(TextError::TooLong(max_chars));
        }
        let allowed = lines == Lines::Multi && matches!(c, '\n' | '\r' | '\t');
        if c.is_control() && !allowed {
            return Err(TextError::ControlCharacter {
                at,
                code: u32::from(c),
            });
        }
    }
    Ok(())
}

/// [`check_text`] for a text that must not be empty.
pub fn check_required_text(value: &str, max_chars: usize, lines: Lines) -> Result<(), TextError> {
    if value.is_empty() {
        return Err(TextError::Empty);
    }
    check_text(value, max_chars, lines)
}
