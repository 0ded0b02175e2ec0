//! Access roles: what a caller may see and do.

use serde::{Deserialize, Serialize};

/// A caller's role; `Public` needs no token. Ordered by what they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Public,
    Worker,
    Dispatcher,
    Planner,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Public,
        Self::Worker,
        Self::Dispatcher,
        Self::Planner,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Worker => "worker",
            Self::Dispatcher => "dispatcher",
            Self::Planner => "planner",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may see internal (non-public) data such as households or buildings.
    pub fn sees_internal_data(self) -> bool {
        self >= Self::Dispatcher
    }
}
