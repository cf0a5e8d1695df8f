//! Downloads against a tiny HTTP server on 127.0.0.1 (a thread of the test, serving the
//! real MNIST and Fashion-MNIST files as the data tests find them, see
//! `dlcourse_tests::data_locator`): a good download is verified and cached; a wrong
//! checksum, a connection that dies mid-file or an HTTP error leave nothing in the cache.
//! A download whose process is killed (SIGKILL) leaves no file under the final name and
//! the next run succeeds; two processes loading one file at once both succeed. Those
//! two run this test binary itself as the child process (`child_download`, ignored in a
//! normal run, does the download when `DLCOURSE_TEST_CHILD_DOWNLOAD` says what to get).

use dlcourse::data::mnist::{FASHION_MNIST_FILES, MNIST_FILES};
use dlcourse::data::{DataFile, Locator, Variant, mnist};
use dlcourse_tests::{files_under, local_copy, temp_dir};
use std::io::Read;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    /// The whole Content-Length announced, half the bytes sent, then nothing more until
    /// the client goes away (at most 30 s).
    Stall,
    /// The real file in 20 pieces, 0.1 s apart: a download that takes 2 s.
    Slow,
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
    match answer {
        Answer::Cut => {
            let _ = stream.write_all(&body[..body.len() / 2]);
        }
        Answer::Stall => {
            let _ = stream.write_all(&body[..body.len() / 2]);
            let _ = stream.flush();
            wait_until_closed(&mut stream, Duration::from_secs(30));
        }
        Answer::Slow => {
            for piece in body.chunks(body.len().div_ceil(20)) {
                if stream
                    .write_all(piece)
                    .and_then(|_| stream.flush())
                    .is_err()
                {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        _ => {
            let _ = stream.write_all(&body);
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Returns once the client has closed its end of `stream` (or after `limit`).
fn wait_until_closed(stream: &mut TcpStream, limit: Duration) {
    let deadline = Instant::now() + limit;
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut byte = [0u8; 1];
    while Instant::now() < deadline {
        match stream.read(&mut byte) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
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

/// The environment variable that makes [`child_download`] download: `<mirror>|<cache>|<i>`
/// for `MNIST_FILES[i]`.
const CHILD: &str = "DLCOURSE_TEST_CHILD_DOWNLOAD";

/// The child process of the tests below (does nothing without [`CHILD`]): loads one
/// MNIST file through the mirror into the cache, then prints where it is.
#[test]
#[ignore = "the child process of the kill and concurrency tests, run by them"]
fn child_download() {
    let Ok(what) = std::env::var(CHILD) else {
        return;
    };
    let [base, cache, index] = what.split('|').collect::<Vec<_>>()[..] else {
        panic!("{CHILD} should be <mirror>|<cache>|<index>, found {what:?}")
    };
    let file = &MNIST_FILES[index.parse::<usize>().unwrap()];
    let path = locator(base, Path::new(cache)).path(file).unwrap();
    println!("child: loaded {}", path.display());
}

/// Starts this test binary as a process running [`child_download`] for `MNIST_FILES[index]`.
fn spawn_child(base: &str, cache: &Path, index: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["child_download", "--exact", "--ignored", "--nocapture"])
        .env(CHILD, format!("{base}|{}|{index}", cache.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A child's exit status and its stdout and stderr together.
fn finish(child: Child) -> (std::process::ExitStatus, String) {
    let output = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status, text)
}

fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".part"))
}

#[cfg(unix)]
#[test]
fn a_download_killed_mid_file_leaves_no_file_and_the_next_run_succeeds() {
    use std::os::unix::process::ExitStatusExt;
    let cache = temp_dir("download_killed");
    let index = 2; // the test images, 1.6 MB
    let file = &MNIST_FILES[index];
    let dest = cache.join(file.path);
    let (base, server) = serve(Answer::Stall, 1);
    let mut child = spawn_child(&base, &cache, index);
    // Wait until the child has written some of the file, then kill it.
    let deadline = Instant::now() + Duration::from_secs(20);
    let part = loop {
        let written = files_under(&cache)
            .into_iter()
            .find(|p| is_temporary(p) && p.metadata().is_ok_and(|m| m.len() > 0));
        if let Some(part) = written {
            break part;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the child ended before it was killed ({status}): {}",
                finish(child).1
            );
        }
        assert!(Instant::now() < deadline, "the child wrote nothing in 20 s");
        std::thread::sleep(Duration::from_millis(10));
    };
    child.kill().unwrap();
    let (status, output) = finish(child);
    assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {output}");
    assert_eq!(server.join().unwrap(), 1);
    assert!(
        !dest.exists(),
        "no file under the final name after the kill"
    );
    assert_eq!(
        files_under(&cache),
        vec![part.clone()],
        "only the killed download's hidden temporary file"
    );
    let no_download = Locator {
        mirror: None,
        ..locator(&base, &cache)
    };
    assert_eq!(
        no_download.find(file),
        None,
        "the temporary file is not taken for data"
    );

    // The next run downloads the file again, checked, and removes the stale part.
    let (base, server) = serve(Answer::Good, 1);
    let path = locator(&base, &cache).path(file).unwrap();
    assert_eq!(server.join().unwrap(), 1);
    assert_eq!(path, dest);
    let sum = dlcourse::data::fetch::sha256_file(&dest).unwrap();
    assert_eq!(Some(sum.as_str()), file.sha256);
    assert_eq!(
        files_under(&cache),
        vec![dest],
        "the stale temporary file is gone"
    );
}

#[cfg(unix)]
#[test]
fn two_processes_loading_one_file_at_once_both_succeed_and_one_file_is_kept() {
    let cache = temp_dir("download_concurrent");
    let index = 3; // the test labels
    let file = &MNIST_FILES[index];
    let dest = cache.join(file.path);
    // One request only: the second process must wait and take the first one's file.
    let (base, server) = serve(Answer::Slow, 1);
    let children = [
        spawn_child(&base, &cache, index),
        spawn_child(&base, &cache, index),
    ];
    let outputs: Vec<(std::process::ExitStatus, String)> =
        children.into_iter().map(finish).collect();
    for (status, output) in &outputs {
        assert!(status.success(), "both loads succeed: {output}");
        assert!(
            output.contains(&format!("child: loaded {}", dest.display())),
            "{output}"
        );
    }
    assert_eq!(server.join().unwrap(), 1, "the file was downloaded once");
    let waited = outputs
        .iter()
        .filter(|(_, o)| {
            o.contains("waiting for another process downloading")
                && o.contains("was downloaded by another process meanwhile")
        })
        .count();
    assert_eq!(
        waited, 1,
        "the two loads overlapped, one waited: {outputs:?}"
    );
    assert_eq!(
        files_under(&cache),
        vec![dest.clone()],
        "one file, no leftovers"
    );
    let sum = dlcourse::data::fetch::sha256_file(&dest).unwrap();
    assert_eq!(Some(sum.as_str()), file.sha256);
}
