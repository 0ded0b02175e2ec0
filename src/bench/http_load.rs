//! A closed-loop HTTP load generator: `concurrency` clients, each on its own keep-alive
//! HTTP/1.1 connection (no pool to check out from), sending its next request as soon as the
//! previous answer is read.

use super::Throughput;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request of a workload.
#[derive(Debug, Clone)]
pub struct LoadRequest {
    pub method: Method,
    pub uri: String,
    /// A JSON body.
    pub body: Option<String>,
    pub headers: Vec<(String, String)>,
}

/// A request whose body is bytes of a media type (a photo).
#[derive(Debug, Clone)]
pub struct BytesBody {
    pub media_type: String,
    pub bytes: Bytes,
}

impl LoadRequest {
    pub fn get(uri: String) -> Self {
        Self {
            method: Method::GET,
            uri,
            body: None,
            headers: Vec::new(),
        }
    }
}

/// What a load run saw.
#[derive(Debug, Clone)]
pub struct LoadResult {
    pub throughput: Throughput,
    /// Answers that were not the expected status, and transport errors.
    pub failures: u64,
}

/// A request ready to send: parsed once, before the clock starts.
struct Prepared {
    authority: String,
    request: Request<Full<Bytes>>,
}

/// Parses the URI and headers of `r` (its body bytes, if given, instead of its JSON);
/// `None` when it cannot be sent.
fn prepare(
    r: &LoadRequest,
    bytes: Option<&BytesBody>,
    bearer: Option<&HeaderValue>,
) -> Option<Prepared> {
    let uri: Uri = r.uri.parse().ok()?;
    let authority = uri.authority()?.to_string();
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut builder = Request::builder()
        .method(r.method.clone())
        .uri(path)
        .header(HOST, authority.as_str());
    if let Some(b) = bearer {
        builder = builder.header(AUTHORIZATION, b.clone());
    }
    if let Some(b) = bytes {
        builder = builder.header(CONTENT_TYPE, b.media_type.as_str());
    } else if r.body.is_some() {
        builder = builder.header(CONTENT_TYPE, "application/json");
    }
    for (k, v) in &r.headers {
        let name = HeaderName::from_bytes(k.as_bytes()).ok()?;
        builder = builder.header(name, HeaderValue::from_str(v).ok()?);
    }
    let body = Full::new(match bytes {
        Some(b) => b.bytes.clone(),
        None => Bytes::from(r.body.clone().unwrap_or_default()),
    });
    let request = builder.body(body).ok()?;
    Some(Prepared { authority, request })
}

/// One client's connection to one server.
struct Connection {
    authority: String,
    sender: SendRequest<Full<Bytes>>,
}

async fn connect(authority: &str) -> Option<Connection> {
    let stream = tokio::net::TcpStream::connect(authority).await.ok()?;
    stream.set_nodelay(true).ok()?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .ok()?;
    tokio::spawn(connection);
    Some(Connection {
        authority: authority.to_string(),
        sender,
    })
}

/// Sends every request once, `concurrency` at a time; answers other than `expect` count
/// as failures.
pub async fn run(
    name: &str,
    requests: Vec<LoadRequest>,
    concurrency: usize,
    bearer: Option<&str>,
    expect: StatusCode,
) -> LoadResult {
    let bearer = bearer.and_then(|t| HeaderValue::from_str(&format!("Bearer {t}")).ok());
    // One lock per request, taken once by whichever client draws its index.
    let prepared: Arc<Vec<Mutex<Option<Prepared>>>> = Arc::new(
        requests
            .iter()
            .map(|r| Mutex::new(prepare(r, None, bearer.as_ref())))
            .collect(),
    );
    let total = requests.len();
    drop(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let (prepared, next) = (prepared.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0u64;
            let mut connection: Option<Connection> = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let taken = prepared
                    .get(i)
                    .and_then(|slot| slot.lock().ok().and_then(|mut p| p.take()));
                let Some(Prepared { authority, request }) = taken else {
                    failures += 1;
                    continue;
                };
                let t = Instant::now();
                if connection
                    .as_ref()
                    .is_none_or(|c| c.authority != authority || c.sender.is_closed())
                {
                    connection = connect(&authority).await;
                }
                let Some(c) = connection.as_mut() else {
                    failures += 1;
                    latencies.push(t.elapsed());
                    continue;
                };
                let sent = match c.sender.ready().await {
                    Ok(()) => c.sender.send_request(request).await,
                    Err(e) => Err(e),
                };
                match sent {
                    Ok(response) => {
                        let ok = response.status() == expect;
                        let read = response.into_body().collect().await.is_ok();
                        if !(ok && read) {
                            failures += 1;
                        }
                    }
                    Err(_) => {
                        failures += 1;
                        connection = None;
                    }
                }
                latencies.push(t.elapsed());
            }
            (latencies, failures)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(total);
    let mut failures = 0;
    for task in tasks {
        if let Ok((l, f)) = task.await {
            latencies.extend(l);
            failures += f;
        }
    }
    LoadResult {
        throughput: Throughput::new(name, latencies, started.elapsed()),
        failures,
    }
}

/// Sends each body as a POST to `uri`, one after another on one keep-alive connection, and
/// returns each answer's latency; an answer other than `expect` is a failure.
pub async fn send_sequentially(
    uri: &str,
    bodies: &[BytesBody],
    bearer: &str,
    expect: &[StatusCode],
) -> Result<Vec<Duration>, String> {
    let bearer = HeaderValue::from_str(&format!("Bearer {bearer}")).map_err(|e| e.to_string())?;
    let request = LoadRequest {
        method: Method::POST,
        uri: uri.to_string(),
        body: None,
        headers: Vec::new(),
    };
    let mut latencies = Vec::with_capacity(bodies.len());
    let mut connection: Option<Connection> = None;
    for body in bodies {
        let Prepared { authority, request } =
            prepare(&request, Some(body), Some(&bearer)).ok_or("cannot build the request")?;
        if connection.as_ref().is_none_or(|c| c.sender.is_closed()) {
            connection = connect(&authority).await;
        }
        let c = connection.as_mut().ok_or("cannot connect")?;
        let t = Instant::now();
        c.sender.ready().await.map_err(|e| e.to_string())?;
        let response = c
            .sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let answer = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        latencies.push(t.elapsed());
        if !expect.contains(&status) {
            return Err(format!(
                "{status}: {}",
                String::from_utf8_lossy(&answer.to_bytes())
            ));
        }
    }
    Ok(latencies)
}
