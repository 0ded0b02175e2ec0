//! Who data is for: the public (no token) or staff with a token. Features, lists and tile
//! layers carry personal and household data only for [`Audience::Internal`].

/// Who a feature, list or tile layer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, without a token: public attributes only.
    Public,
    /// Staff with a token that sees internal data.
    Internal,
}
