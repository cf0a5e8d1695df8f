//! Downloads against a tiny HTTP server on 127.0.0.1 (a thread of the test, serving the
//! real MNIST and Fashion-MNIST files as the data tests find them, see
//! `dlcourse_tests::data_locator`): a good download is verified and cached; a wrong
//! checksum, a connection that dies mid-file or an HTTP error leave nothing in the cache.

use dlcourse::data::mnist::{FASHION_MNIST_FILES, MNIST_FILES};
use dlcourse::data::{DataFile, Locator, Variant, mnist};
use dlcourse_tests::{files_under, local_copy, temp_dir};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How the server answers a request for a path.
#[derive(Clone, Copy)]
enum Answer {
    /// The real file of that path.
    Good,
    /// Another file (Fashion-MNIST's for MNIST's): the checksum cannot match.
    Other,
    /// The whole Content-Length announced, half the bytes sent, then the connection closed.
    Cut,
    /// 404 Not Found.
    Missing,
}

/// Serves at most `requests` requests, then stops; also stops after 30 s without them.
fn serve(answer: Answer, requests: usize) -> (String, JoinHandle<usize>) {
    // Found (or downloaded) before the server answers anything.
    let files: Vec<(&str, PathBuf)> = MNIST_FILES
        .iter()
        .chain(&FASHION_MNIST_FILES)
        .map(|f| (f.path, local_copy(f)))
        .collect();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut served = 0;
        while served < requests && Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    respond(stream, answer, &files);
                    served += 1;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        served
    });
    (base, handle)
}

fn respond(stream: TcpStream, answer: Answer, files: &[(&str, PathBuf)]) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/');
    let mut stream = reader.into_inner();
    let path = match answer {
        Answer::Other => path.replacen("mnist/", "fashion-mnist/", 1),
        _ => path.to_owned(),
    };
    let file = files.iter().find(|(p, _)| *p == path).map(|(_, file)| file);
    let body = match (answer, file.map(std::fs::read)) {
        (Answer::Missing, _) | (_, None | Some(Err(_))) => {
            let _ = stream.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        }
        (_, Some(Ok(body))) => body,
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let sent = match answer {
        Answer::Cut => &body[..body.len() / 2],
        _ => &body[..],
    };
    let _ = stream.write_all(sent);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn locator(base: &str, cache: &Path) -> Locator {
    Locator {
        dirs: vec![],
        cache: Some(cache.to_path_buf()),
        mirror: Some(base.to_owned()),
    }
}

#[test]
fn a_good_download_is_verified_cached_and_then_reused() {
    let cache = temp_dir("download_good");
    let (base, server) = serve(Answer::Good, 4);
    let data = mnist::mnist_from(&locator(&base, &cache)).unwrap();
    assert_eq!((data.train.len(), data.test.len()), (60_000, 10_000));
    assert_eq!(server.join().unwrap(), 4);
    let mut cached = files_under(&cache);
    cached.sort();
    let mut expected: Vec<PathBuf> = MNIST_FILES.iter().map(|f| cache.join(f.path)).collect();
    expected.sort();
    assert_eq!(cached, expected, "exactly the four files, no leftovers");
    for f in &MNIST_FILES {
        let sum = dlcourse::data::fetch::sha256_file(&cache.join(f.path)).unwrap();
        assert_eq!(Some(sum.as_str()), f.sha256);
    }
    // The server is gone: a second load must come from the cache.
    let again = mnist::mnist_from(&locator(&base, &cache)).unwrap();
    assert_eq!(again.test.len(), 10_000);
}

#[test]
fn a_wrong_checksum_leaves_nothing_in_the_cache() {
    let cache = temp_dir("download_checksum");
    let (base, server) = serve(Answer::Other, 1);
    let err = locator(&base, &cache)
        .path(&MNIST_FILES[3])
        .unwrap_err()
        .to_string();
    assert_eq!(server.join().unwrap(), 1);
    eprintln!("{err}");
    assert!(
        err.contains("SHA-256") && err.contains(MNIST_FILES[3].sha256.unwrap()),
        "{err}"
    );
    assert!(err.contains("t10k-labels-idx1-ubyte.gz"), "{err}");
    assert_eq!(files_under(&cache), Vec::<PathBuf>::new());
}

#[test]
fn a_connection_that_dies_mid_file_leaves_nothing_in_the_cache() {
    let cache = temp_dir("download_cut");
    let (base, server) = serve(Answer::Cut, 1);
    let err = locator(&base, &cache)
        .path(&FASHION_MNIST_FILES[2])
        .unwrap_err()
        .to_string();
    assert_eq!(server.join().unwrap(), 1);
    eprintln!("{err}");
    assert!(
        err.contains("downloading") && err.contains("nothing was kept"),
        "{err}"
    );
    assert_eq!(files_under(&cache), Vec::<PathBuf>::new());
}

#[test]
fn an_http_error_leaves_nothing_in_the_cache() {
    let cache = temp_dir("download_404");
    let (base, server) = serve(Answer::Missing, 1);
    let err = locator(&base, &cache)
        .path(&MNIST_FILES[1])
        .unwrap_err()
        .to_string();
    assert_eq!(server.join().unwrap(), 1);
    eprintln!("{err}");
    assert!(err.contains("HTTP 404"), "{err}");
    assert_eq!(files_under(&cache), Vec::<PathBuf>::new());
}

/// A file whose canonical name the mirror lacks, with MNIST's test labels as its one
/// variant, checked against `variant_sha256`.
fn only_a_variant_on_the_mirror(variant_sha256: &'static str) -> DataFile {
    let also = vec![Variant {
        path: MNIST_FILES[3].path,
        sha256: Some(variant_sha256),
    }];
    DataFile {
        path: "mnist/not-on-the-mirror.gz",
        also: Box::leak(also.into_boxed_slice()),
        url: "",
        sha256: MNIST_FILES[3].sha256,
    }
}

#[test]
fn a_mirror_with_only_a_variant_serves_it_checked_against_its_own_checksum() {
    let cache = temp_dir("download_variant");
    let (base, server) = serve(Answer::Good, 2);
    let file = only_a_variant_on_the_mirror(MNIST_FILES[3].sha256.unwrap());
    let path = locator(&base, &cache).path(&file).unwrap();
    assert_eq!(
        server.join().unwrap(),
        2,
        "the canonical name, then the variant"
    );
    assert_eq!(path, cache.join(MNIST_FILES[3].path));
    assert_eq!(files_under(&cache), vec![path.clone()]);
    // Found in the cache under the variant's name from now on: no server needed.
    assert_eq!(locator(&base, &cache).path(&file).unwrap(), path);

    let cache = temp_dir("download_variant_bad");
    let (base, server) = serve(Answer::Good, 2);
    let wrong = "0000000000000000000000000000000000000000000000000000000000000000";
    let err = locator(&base, &cache)
        .path(&only_a_variant_on_the_mirror(wrong))
        .unwrap_err()
        .to_string();
    assert_eq!(server.join().unwrap(), 2);
    assert!(
        err.contains("not-on-the-mirror.gz"),
        "the canonical name's error: {err}"
    );
    assert_eq!(
        files_under(&cache),
        Vec::<PathBuf>::new(),
        "a variant that does not match is not kept"
    );
}
