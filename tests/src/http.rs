//! Plain HTTP/1.1 requests to a daemon on localhost, written out by hand so a test sees exactly what
//! goes over the wire (and needs no client library).

use std::{
    io::{Read, Write},
    net::TcpStream,
};

/// Sends `request` (a whole HTTP/1.1 request) to `127.0.0.1:port`; returns the whole answer, status
/// line and headers included.
pub fn request(port: u16, request: &str) -> String {
    request_bytes(port, request.as_bytes())
}

/// [`request`] for a request that need not be UTF-8 (a body with a corrupted byte, say).
pub fn request_bytes(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the daemon listens");
    stream.write_all(request).expect("the request is sent");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("the answer is read");
    answer
}

/// The JSON body of `answer` (a whole HTTP answer as [`get`] returns it); fails the test, showing the
/// answer, unless the status is 200 and the body is JSON.
pub fn json_body(answer: &str) -> serde_json::Value {
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("a JSON body ({e}): {answer}"))
}

/// `GET path`.
pub fn get(port: u16, path: &str) -> String {
    request(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    )
}

/// `POST /ingest{query}` with `body` of `content_type`.
pub fn post_ingest(port: u16, query: &str, content_type: &str, body: &str) -> String {
    post_ingest_as(port, None, query, content_type, body.as_bytes())
}

/// `POST /ingest{query}` with `body` of `content_type`, carrying `token` as a bearer token if given.
pub fn post_ingest_as(
    port: u16,
    token: Option<&str>,
    query: &str,
    content_type: &str,
    body: &[u8],
) -> String {
    let authorization = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let mut request = format!(
        "POST /ingest{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n\
         {authorization}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request_bytes(port, &request)
}
