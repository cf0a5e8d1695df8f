//! The dataset loaders given damaged, hostile or wrong files — IDX/gzip, tar archives,
//! CSV tables and photos: each gives an `Error` naming the file, what was expected and
//! found, and what to do; never a panic, a hang, an allocation the header asks for, or a
//! dataset silently made of nothing. Every bad file is built inside the test, in its own
//! folder under `target/test-tmp/`. (`data_bad_input.rs` has the first cases of the
//! corpus: truncated and double gzip, wrong magic, short bodies, label counts and ranges.)

use dlcourse::data::{Locator, idx, imdb, mnist, photos, uci};
use dlcourse_tests::{local_copy, temp_dir};
use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};
use std::io::Write;
use std::path::PathBuf;

use dlcourse_tests::error_mentioning as message;

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn idx_bytes(magic: u32, dims: &[u32], data_len: usize) -> Vec<u8> {
    let mut bytes = magic.to_be_bytes().to_vec();
    for d in dims {
        bytes.extend(d.to_be_bytes());
    }
    bytes.extend(std::iter::repeat_n(1u8, data_len));
    bytes
}

/// `bytes` written as `name` in a fresh folder for `test`.
fn file(test: &str, name: &str, bytes: &[u8]) -> PathBuf {
    let path = temp_dir(test).join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Pseudo-random bytes (a fixed xorshift stream), for "binary noise".
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

const IDX_FIX: &str = "DLCOURSE_DATA";

// ---- IDX and gzip ----------------------------------------------------------------

#[test]
fn an_idx_header_with_a_zero_dimension_is_refused() {
    let path = file(
        "bi_idx_zero",
        "images.gz",
        &gz(&idx_bytes(0x803, &[60_000, 0, 0], 0)),
    );
    message(
        idx::read_gz(&path, 3),
        &["images.gz", "at least 1", "[60000, 0, 0]", IDX_FIX],
    );
    let path = file(
        "bi_idx_zero_n",
        "labels.gz",
        &gz(&idx_bytes(0x801, &[0], 0)),
    );
    message(idx::read_gz(&path, 1), &["labels.gz", "[0]"]);
}

#[test]
fn an_idx_header_whose_sizes_overflow_is_refused() {
    let bytes = gz(&idx_bytes(0x803, &[u32::MAX, u32::MAX, u32::MAX], 16));
    let path = file("bi_idx_overflow", "images.gz", &bytes);
    message(
        idx::read_gz(&path, 3),
        &["images.gz", "dimensions of a real dataset", IDX_FIX],
    );
}

#[test]
fn an_absurd_idx_header_allocates_only_what_the_file_holds() {
    // 10⁹ images of 28×28 promised (784 GB), 100 bytes given: refused at once.
    let bytes = gz(&idx_bytes(0x803, &[1_000_000_000, 28, 28], 100));
    let path = file("bi_idx_absurd", "images.gz", &bytes);
    message(
        idx::read_gz(&path, 3),
        &[
            "1000000000×28×28 = 784000000000 bytes",
            "found 100",
            IDX_FIX,
        ],
    );
}

#[test]
fn a_body_longer_than_its_header_stops_reading_at_the_promise() {
    // A gzip "bomb": 3 bytes promised, 20 MB of data; read stops after 4 bytes.
    let mut bytes = idx_bytes(0x801, &[3], 3);
    bytes.extend(std::iter::repeat_n(0u8, 20 << 20));
    let path = file("bi_idx_long", "labels.gz", &gz(&bytes));
    message(
        idx::read_gz(&path, 1),
        &["labels.gz", "3 = 3 bytes", "found more"],
    );
}

#[test]
fn an_empty_file_is_refused_as_gzip() {
    let path = file("bi_idx_empty", "images.gz", b"");
    message(
        idx::read_gz(&path, 3),
        &["images.gz", "expected a gzip file", "found 0 bytes"],
    );
}

#[test]
fn a_gzip_of_nothing_is_reported_as_truncated() {
    let path = file("bi_idx_gz_empty", "images.gz", &gz(b""));
    message(
        idx::read_gz(&path, 3),
        &["images.gz", "truncated or damaged", IDX_FIX],
    );
}

#[test]
fn binary_noise_is_refused_as_gzip() {
    let path = file("bi_idx_noise", "images.gz", &noise(4096));
    message(
        idx::read_gz(&path, 3),
        &["images.gz", "expected a gzip file", IDX_FIX],
    );
}

#[test]
fn a_gzip_header_followed_by_noise_is_reported_as_damaged() {
    let mut bytes = gz(&idx_bytes(0x803, &[2, 2, 2], 8))[..10].to_vec();
    bytes.extend(noise(2048));
    let path = file("bi_idx_gz_noise", "images.gz", &bytes);
    message(
        idx::read_gz(&path, 3),
        &["images.gz", "truncated or damaged"],
    );
}

#[test]
fn image_and_label_files_swapped_name_the_file() {
    let root = temp_dir("bi_idx_swapped");
    let dir = root.join("mnist");
    std::fs::create_dir_all(&dir).unwrap();
    let images = gz(&idx_bytes(0x803, &[2, 28, 28], 2 * 784));
    let labels = gz(&idx_bytes(0x801, &[2], 2));
    // Training images and labels under each other's names.
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), &labels).unwrap();
    std::fs::write(dir.join("train-labels-idx1-ubyte.gz"), &images).unwrap();
    std::fs::write(dir.join("t10k-images-idx3-ubyte.gz"), &images).unwrap();
    std::fs::write(dir.join("t10k-labels-idx1-ubyte.gz"), &labels).unwrap();
    message(
        mnist::mnist_from(&Locator::only(&root)),
        &[
            "train-images-idx3-ubyte.gz",
            "expected IDX magic 0x00000803",
            "found 0x00000801",
            IDX_FIX,
        ],
    );
}

#[test]
fn an_html_error_page_saved_as_idx_is_refused() {
    let page = b"<!DOCTYPE html><html><body><h1>403 Forbidden</h1></body></html>";
    let path = file("bi_idx_html", "labels.gz", page);
    message(
        idx::read_gz(&path, 1),
        &["labels.gz", "expected a gzip file", "3c 21", IDX_FIX],
    );
}

// ---- tar archives (IMDB) ---------------------------------------------------------

/// A tar archive of `entries` (name, contents), gzip-compressed.
fn tar_gz(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    gz(&dlcourse_tests::tar_archive(entries))
}

const REVIEWS: [(&[u8], &[u8]); 4] = [
    (b"aclImdb/train/pos/1_10.txt", b"A wonderful film."),
    (b"aclImdb/train/neg/2_1.txt", b"Dull."),
    (b"aclImdb/test/pos/3_8.txt", b"Moving and funny."),
    (b"aclImdb/test/neg/4_2.txt", b"Too long."),
];

fn archive(test: &str, extra: &[(&[u8], &[u8])]) -> PathBuf {
    let mut entries = REVIEWS.to_vec();
    entries.extend_from_slice(extra);
    file(test, "aclImdb_v1.tar.gz", &tar_gz(&entries))
}

#[test]
fn a_small_valid_archive_loads() -> dlcourse::Result<()> {
    let data = imdb::read_archive(&archive("bi_tar_control", &[]))?;
    assert_eq!((data.train.len(), data.test.len()), (2, 2));
    assert_eq!(data.train.labels.iter().sum::<u32>(), 1);
    Ok(())
}

#[test]
fn an_archive_entry_climbing_out_of_the_folder_is_refused() {
    let path = archive("bi_tar_dotdot", &[(b"aclImdb/../../etc/evil.txt", b"x")]);
    message(
        imdb::read_archive(&path),
        &[
            "aclImdb_v1.tar.gz",
            "aclImdb/../../etc/evil.txt",
            "points outside it",
            "DLCOURSE_DATA",
        ],
    );
}

#[test]
fn an_archive_entry_with_an_absolute_path_is_refused() {
    let path = archive(
        "bi_tar_absolute",
        &[(b"/tmp/aclImdb/train/pos/9_9.txt", b"x")],
    );
    message(
        imdb::read_archive(&path),
        &["/tmp/aclImdb/train/pos/9_9.txt", "absolute path"],
    );
}

#[test]
fn a_review_that_is_not_utf8_names_the_review() {
    let path = archive(
        "bi_tar_utf8",
        &[(b"aclImdb/train/pos/5_9.txt", b"caf\xe9 \xff\xfe")],
    );
    message(
        imdb::read_archive(&path),
        &[
            "aclImdb_v1.tar.gz",
            "UTF-8",
            "review 5_9.txt",
            "DLCOURSE_DATA",
        ],
    );
}

#[test]
fn an_archive_without_negative_reviews_is_refused() {
    let entries: [(&[u8], &[u8]); 2] = [REVIEWS[0], REVIEWS[2]];
    let path = file("bi_tar_no_neg", "aclImdb_v1.tar.gz", &tar_gz(&entries));
    message(
        imdb::read_archive(&path),
        &["aclImdb/train/neg/", "found none", "DLCOURSE_DATA"],
    );
}

#[test]
fn an_archive_cut_in_the_middle_of_a_review_is_reported() {
    let mut entries = REVIEWS.to_vec();
    let long = vec![b'a'; 200_000];
    entries.push((b"aclImdb/train/pos/6_7.txt", &long));
    let whole = tar_gz(&entries);
    let path = file("bi_tar_cut", "aclImdb_v1.tar.gz", &whole[..whole.len() / 2]);
    message(
        imdb::read_archive(&path),
        &["aclImdb_v1.tar.gz", "truncated or damaged"],
    );
}

#[test]
fn an_archive_entry_claiming_gigabytes_is_refused_without_allocating_them() {
    // The header says 8 GB; the body has 17 bytes, then the archive ends.
    let mut tar =
        dlcourse_tests::tar_archive(&[(b"aclImdb/train/pos/7_9.txt", b"")])[..512].to_vec();
    tar[124..135].copy_from_slice(b"77777777777");
    tar[148..156].copy_from_slice(b"        ");
    let sum: u32 = tar.iter().map(|&b| b as u32).sum();
    tar[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    tar.extend(b"A wonderful film.");
    let path = file("bi_tar_huge", "aclImdb_v1.tar.gz", &gz(&tar));
    message(
        imdb::read_archive(&path),
        &["aclImdb_v1.tar.gz", "truncated or damaged", "DLCOURSE_DATA"],
    );
}

#[test]
fn a_gzip_of_noise_is_not_an_archive() {
    let path = file("bi_tar_noise", "aclImdb_v1.tar.gz", &gz(&noise(10_000)));
    message(
        imdb::read_archive(&path),
        &["aclImdb_v1.tar.gz", "DLCOURSE_DATA"],
    );
}

#[test]
fn an_empty_archive_file_is_refused() {
    let path = file("bi_tar_empty", "aclImdb_v1.tar.gz", b"");
    message(
        imdb::read_archive(&path),
        &["aclImdb_v1.tar.gz", "an empty file"],
    );
}

// ---- CSV tables (UCI) ------------------------------------------------------------

const VOTES: &str = "democrat,y,n,y,n,y,n,y,n,y,n,y,n,y,n,y,n\n";

#[test]
fn a_csv_short_row_names_the_line() {
    let text = format!("{VOTES}republican,y,n,y\n");
    let path = file("bi_csv_short", "house-votes-84.data", text.as_bytes());
    message(
        uci::read_house_votes(&path),
        &[
            "house-votes-84.data",
            "line 2",
            "expected 17 comma-separated fields",
            "found 4",
            "DLCOURSE_DATA",
        ],
    );
}

#[test]
fn a_csv_row_with_an_extra_column_names_the_line() {
    let text = format!("{VOTES}{}", VOTES.replace('\n', ",y\n"));
    let path = file("bi_csv_extra", "house-votes-84.data", text.as_bytes());
    message(
        uci::read_house_votes(&path),
        &["line 2", "17 comma-separated", "found 18"],
    );
}

#[test]
fn an_unknown_party_names_the_column_and_the_values_allowed() {
    let text = VOTES.replace("democrat", "independent");
    let path = file("bi_csv_party", "house-votes-84.data", text.as_bytes());
    message(
        uci::read_house_votes(&path),
        &[
            "line 1, column party",
            "democrat, republican",
            "\"independent\"",
        ],
    );
}

#[test]
fn a_fractional_number_in_a_whole_number_column_is_refused() {
    let path = file(
        "bi_csv_fraction",
        "mammographic_masses.data",
        b"5,67,3,5,3,1\n4,43.5,1,1,3,0\n",
    );
    message(
        uci::read_mammographic_masses(&path),
        &[
            "mammographic_masses.data",
            "line 2, column age",
            "a whole number or ?",
            "\"43.5\"",
        ],
    );
}

#[test]
fn a_csv_of_binary_noise_is_refused_as_not_text() {
    let path = file("bi_csv_noise", "mammographic_masses.data", &noise(3000));
    message(
        uci::read_mammographic_masses(&path),
        &["mammographic_masses.data", "not UTF-8", "DLCOURSE_DATA"],
    );
}

#[test]
fn an_html_page_saved_as_csv_is_refused_at_its_first_line() {
    let page = "<html>\n<head><title>404 Not Found</title></head>\n</html>\n";
    let path = file("bi_csv_html", "house-votes-84.data", page.as_bytes());
    message(
        uci::read_house_votes(&path),
        &["house-votes-84.data", "line 1", "found 1", "<html>"],
    );
}

#[test]
fn a_csv_of_blank_lines_is_an_empty_file() {
    let path = file("bi_csv_blank", "mammographic_masses.data", b"\n  \n\r\n");
    message(
        uci::read_mammographic_masses(&path),
        &["found an empty file", "DLCOURSE_DATA"],
    );
}

#[test]
fn a_number_too_large_for_its_column_is_refused() {
    let path = file(
        "bi_csv_overflow",
        "mammographic_masses.data",
        b"5,99999999999,3,5,3,1\n",
    );
    message(
        uci::read_mammographic_masses(&path),
        &["column age", "\"99999999999\""],
    );
}

// ---- photos ----------------------------------------------------------------------

const PHOTO_FIX: &str = "DLCOURSE_DATA";

#[test]
fn a_truncated_jpeg_is_not_a_photo() {
    let whole = std::fs::read(local_copy(&photos::PHOTOS[0])).unwrap();
    let path = file("bi_photo_cut", "dog.jpg", &whole[..whole.len() * 2 / 3]);
    message(
        photos::read_photo(&path),
        &[
            "dog.jpg",
            "expected a whole JPEG image",
            "truncated",
            PHOTO_FIX,
        ],
    );
    // The whole file still reads.
    let path = file("bi_photo_whole", "dog.jpg", &whole);
    assert_eq!(photos::read_photo(&path).unwrap().dim(0).unwrap(), 3);
}

#[test]
fn a_jpeg_cut_after_its_header_is_not_a_photo() {
    let whole = std::fs::read(local_copy(&photos::PHOTOS[0])).unwrap();
    let path = file("bi_photo_header", "dog.jpg", &whole[..600]);
    message(photos::read_photo(&path), &["dog.jpg", "truncated"]);
}

/// A valid 2×2 RGB PNG, written by hand (zlib from flate2, CRC-32 from flate2).
fn tiny_png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(kind);
        out.extend(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend(crc.sum().to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(2u32.to_be_bytes());
    ihdr.extend(2u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    let rows = [0u8, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9];
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    z.write_all(&rows).unwrap();
    chunk(&mut png, b"IDAT", &z.finish().unwrap());
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn a_truncated_png_is_not_a_photo() {
    let png = tiny_png();
    let path = file("bi_photo_png", "tiny.png", &png);
    let t = photos::read_photo(&path).unwrap();
    assert_eq!(t.dims(), &[3, 2, 2]);
    let path = file("bi_photo_png_cut", "tiny.png", &png[..png.len() - 20]);
    message(
        photos::read_photo(&path),
        &["tiny.png", "could not decode it", PHOTO_FIX],
    );
}

#[test]
fn text_saved_as_a_photo_is_refused() {
    let path = file(
        "bi_photo_text",
        "zebra.JPEG",
        b"<html><body>Rate limit exceeded</body></html>",
    );
    message(
        photos::read_photo(&path),
        &["zebra.JPEG", "expected a JPEG or PNG image", PHOTO_FIX],
    );
}

#[test]
fn an_empty_photo_file_is_refused() {
    let path = file("bi_photo_empty", "dog.jpg", b"");
    message(
        photos::read_photo(&path),
        &["dog.jpg", "expected a JPEG or PNG image"],
    );
}

#[test]
fn a_png_header_claiming_a_huge_image_is_refused_without_allocating_it() {
    // 100000×100000 RGB (30 GB) in the header, a few bytes of data.
    let mut png = tiny_png();
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&png[12..29]);
    png[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    let path = file("bi_photo_huge", "huge.png", &png);
    message(
        photos::read_photo(&path),
        &["huge.png", "could not decode it"],
    );
}

#[test]
fn a_class_table_with_a_missing_column_or_a_bad_index_names_it() {
    let path = file(
        "bi_photo_tsv",
        "expected_classes.tsv",
        b"file\tclass_name\ndog.jpg\tSamoyed\n",
    );
    message(
        photos::read_expected_classes(&path),
        &[
            "expected_classes.tsv",
            "`class_index` column",
            "DLCOURSE_DATA",
        ],
    );
    let path = file(
        "bi_photo_tsv2",
        "expected_classes.tsv",
        b"file\tclass_index\tclass_name\ndog.jpg\t-3\tSamoyed\n",
    );
    message(
        photos::read_expected_classes(&path),
        &["line 2", "a whole number", "\"-3\""],
    );
}

#[test]
fn a_missing_photo_names_every_place_searched() {
    let root = temp_dir("bi_photo_missing");
    let err = message(
        photos::photo_from(&Locator::only(&root), "zebra"),
        &["n02391049_zebra.JPEG"],
    );
    assert!(err.contains(&root.display().to_string()), "{err}");
    message(
        photos::photo_file_named("unicorn"),
        &["\"unicorn\"", "zebra"],
    );
}
