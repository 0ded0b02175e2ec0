//! Answers to requests that never reach the router: hyper refuses a request whose head it
//! cannot take (a URI over 64 KiB: 414; headers past its buffer or count: 431; not HTTP at
//! all: 400) with a bare head and an empty body, then closes. [`ProblemOnMalformed`] wraps
//! a connection and rewrites exactly those heads into problem+json answers, like every
//! other refusal of the API.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose bare parse-error answers become problem+json.
#[derive(Debug)]
pub struct ProblemOnMalformed<S> {
    inner: S,
    /// The rewritten answer still to be written, and how much of hyper's buffer it stands
    /// for (reported as written once it is all out).
    rewriting: Option<(Vec<u8>, usize)>,
}

impl<S> ProblemOnMalformed<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            rewriting: None,
        }
    }
}

/// The problem+json answer for hyper's automatic answer in `head`, if it is one: a status
/// of 400, 414 or 431 whose head holds nothing but `connection`, `date` and
/// `content-length: 0` (the router's answers always carry a content type and a body).
fn rewritten(head: &[u8]) -> Option<Vec<u8>> {
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    let (status, detail) = match rest.get(..3)? {
        b"400" => (
            "400 Bad Request",
            "the request is not valid HTTP/1.1 (request line or a header is malformed)",
        ),
        b"414" => (
            "414 URI Too Long",
            "the request URI is longer than the server accepts (64 KiB); send parameters in a body",
        ),
        b"431" => (
            "431 Request Header Fields Too Large",
            "the request headers are larger than the server accepts",
        ),
        _ => return None,
    };
    let text = std::str::from_utf8(rest).ok()?;
    let (head_text, after) = text.split_once("\r\n\r\n")?;
    if !after.is_empty() {
        return None;
    }
    let mut empty_body = false;
    for line in head_text.split("\r\n").skip(1) {
        match line.split_once(": ")? {
            ("content-length", "0") => empty_body = true,
            ("connection" | "date", _) => {}
            _ => return None,
        }
    }
    if !empty_body {
        return None;
    }
    let code = &status[..3];
    let title = &status[4..];
    let kind = match code {
        "400" => "malformed-request",
        "414" => "uri-too-long",
        _ => "headers-too-large",
    };
    let body = serde_json::json!({
        "type": format!("/api/problems/{kind}"),
        "title": title,
        "status": code.parse::<u16>().unwrap_or(400),
        "detail": detail,
    })
    .to_string();
    Some(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for ProblemOnMalformed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> ProblemOnMalformed<S> {
    /// Writes what is left of the rewritten answer; `Ready(n)` once all of it is out.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while let Some((bytes, stands_for)) = &mut self.rewriting {
            if bytes.is_empty() {
                let n = *stands_for;
                self.rewriting = None;
                return Poll::Ready(Ok(n));
            }
            match Pin::new(&mut self.inner).poll_write(cx, bytes) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    bytes.drain(..n);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(0))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ProblemOnMalformed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.rewriting.is_none() {
            match rewritten(buf) {
                Some(answer) => self.rewriting = Some((answer, buf.len())),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        self.drain(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper's automatic answers are one buffer: the head, nothing after it.
        if self.rewriting.is_none() {
            match bufs {
                [only] if rewritten(only).is_some() => {}
                _ => return Pin::new(&mut self.inner).poll_write_vectored(cx, bufs),
            }
        }
        let first = bufs.first().map_or(&[][..], |b| &b[..]);
        self.poll_write(cx, first)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bare_heads_are_rewritten() {
        // As hyper 1 writes it.
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 00:45:32 GMT\r\n\r\n";
        let answer = String::from_utf8(rewritten(bare).unwrap()).unwrap();
        assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
        assert!(answer.contains("application/problem+json"), "{answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap();
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 431);
        // The router's own answers carry a content type first; other statuses pass.
        let routed = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 0\r\n\r\n";
        assert!(rewritten(routed).is_none());
        assert!(rewritten(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(rewritten(b"HTTP/1.1 4").is_none());
        let with_body = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\nmore";
        assert!(rewritten(with_body).is_none());
    }
}
