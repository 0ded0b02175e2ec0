//! Limits on what one client may do without signing in: public reports and tracking-code
//! lookups, per client address (GCRA, governor). A client over its limit gets 429 with
//! `Retry-After`; nothing is written.

use super::problem::ApiError;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

/// What a client does that is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// A resident's report: 5 at once, then one every 2 minutes.
    Report,
    /// A tracking-code lookup or rating: 20 at once, then one every 3 seconds.
    Lookup,
    /// A lookup of a code that does not exist: 10 at once, then one every 2 minutes, so
    /// guessing codes is slower still.
    Miss,
}

/// The per-client limiters.
pub struct Throttle {
    reports: DefaultKeyedRateLimiter<IpAddr>,
    lookups: DefaultKeyedRateLimiter<IpAddr>,
    misses: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(every: Duration, burst: u32) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(every)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            reports: RateLimiter::keyed(quota(Duration::from_secs(120), 5)),
            lookups: RateLimiter::keyed(quota(Duration::from_secs(3), 20)),
            misses: RateLimiter::keyed(quota(Duration::from_secs(120), 10)),
        }
    }
}

impl Throttle {
    /// Counts one `what` for `client`: refused with 429 past its limit.
    pub fn check(&self, what: Limited, client: IpAddr) -> Result<(), ApiError> {
        let limiter = match what {
            Limited::Report => &self.reports,
            Limited::Lookup => &self.lookups,
            Limited::Miss => &self.misses,
        };
        // Forget clients that are back to their full allowance, now and then.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after_s: wait.as_secs().max(1),
            }
        })
    }
}

/// The address a request comes from (see [`client_address`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let connection = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(Self(client_address(connection, &parts.headers)))
    }
}

/// The client's address: the connection's peer, or — when the peer is this host (a reverse
/// proxy beside the server) or unknown — the first `X-Forwarded-For` address it sent.
pub fn client_address(connection: Option<&ConnectInfo<SocketAddr>>, headers: &HeaderMap) -> IpAddr {
    let peer = connection.map(|c| c.0.ip());
    let forwarded = || {
        headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    };
    match peer {
        Some(ip) if !ip.is_loopback() => ip,
        _ => forwarded()
            .or(peer)
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
    }
}
