//! The IDX format of MNIST and Fashion-MNIST, gzip-compressed.
//!
//! An IDX file is a 4-byte magic number `0x0000 TT DD` (`TT` the element type, `0x08` for
//! unsigned bytes; `DD` the number of dimensions), then one big-endian `u32` per dimension,
//! then the elements. The whole file is decompressed into one `Vec<u8>` (no per-element
//! work), ready for a single `Tensor::from_vec`.
//!
//! ```no_run
//! let images = dlcourse::data::idx::read_gz("../shared/data/mnist/t10k-images-idx3-ubyte.gz".as_ref(), 3)?;
//! assert_eq!(images.dims, vec![10_000, 28, 28]);
//! assert_eq!(images.data.len(), 10_000 * 28 * 28);
//! # Ok::<(), dlcourse::Error>(())
//! ```

use crate::error::{Error, Result};
use flate2::read::GzDecoder;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The decoded contents of an IDX file of unsigned bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idx {
    /// The dimensions from the header (e.g. `[60000, 28, 28]`).
    pub dims: Vec<usize>,
    /// The elements, row-major, `dims.iter().product()` of them.
    pub data: Vec<u8>,
}

const FIX: &str = "delete it (it will be downloaded again) or set DLCOURSE_DATA to a folder \
                   with the official files";

/// Reads the gzip-compressed IDX file at `path`, which must hold unsigned bytes in `ndims`
/// dimensions (3 for images, 1 for labels).
///
/// ```no_run
/// let labels = dlcourse::data::idx::read_gz("../shared/data/mnist/t10k-labels-idx1-ubyte.gz".as_ref(), 1)?;
/// assert_eq!(labels.dims, vec![10_000]);
/// # Ok::<(), dlcourse::Error>(())
/// ```
pub fn read_gz(path: &Path, ndims: usize) -> Result<Idx> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let gz_size = gzip_check(&mut file, path)?;
    let mut gz = GzDecoder::new(BufReader::with_capacity(1 << 20, file));
    let damaged = |e: std::io::Error| {
        Error::data(
            path,
            format!("the gzip stream is truncated or damaged ({e})"),
            FIX,
        )
    };

    let mut head = [0u8; 4];
    gz.read_exact(&mut head).map_err(damaged)?;
    let found = u32::from_be_bytes(head);
    if head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] as usize != ndims {
        return Err(Error::data(
            path,
            format!(
                "expected IDX magic 0x{:08x} (unsigned bytes, {ndims} dimension{}), found 0x{found:08x}{}",
                0x0800 + ndims,
                if ndims == 1 { "" } else { "s" },
                if head[..2] == [0x1f, 0x8b] {
                    " (the file is gzip-compressed twice?)"
                } else {
                    ""
                }
            ),
            FIX,
        ));
    }
    let mut dims = Vec::with_capacity(ndims);
    for _ in 0..ndims {
        let mut d = [0u8; 4];
        gz.read_exact(&mut d).map_err(damaged)?;
        dims.push(u32::from_be_bytes(d) as usize);
    }
    if dims.contains(&0) {
        return Err(Error::data(
            path,
            format!("expected IDX dimensions of at least 1, found {dims:?}"),
            FIX,
        ));
    }
    let Some(expected) = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d)) else {
        return Err(Error::data(
            path,
            format!("expected IDX dimensions of a real dataset, found {dims:?}"),
            FIX,
        ));
    };
    // Never trust a header for an allocation: the gzip trailer bounds it too.
    let mut data = Vec::with_capacity(expected.min(gz_size.saturating_sub(4 + 4 * ndims)));
    // Nor for reading: one byte past what the header promises shows a longer body.
    let limit = (expected as u64).saturating_add(1);
    gz.take(limit).read_to_end(&mut data).map_err(damaged)?;
    if data.len() != expected {
        return Err(Error::data(
            path,
            format!(
                "the header promises {} = {expected} bytes of data, found {}",
                dims.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join("×"),
                if data.len() > expected {
                    "more".to_owned()
                } else {
                    data.len().to_string()
                }
            ),
            FIX,
        ));
    }
    Ok(Idx { dims, data })
}

/// Checks the gzip magic and returns the uncompressed size from the trailer (mod 2³²),
/// bounded by what the compressed size allows.
fn gzip_check(file: &mut std::fs::File, path: &Path) -> Result<usize> {
    let mut magic = [0u8; 2];
    let len = file
        .metadata()
        .map_err(|e| Error::io("reading", path, e))?
        .len();
    let read = file
        .read(&mut magic)
        .map_err(|e| Error::io("reading", path, e))?;
    if len < 18 || read < 2 || magic != [0x1f, 0x8b] {
        return Err(Error::data(
            path,
            format!(
                "expected a gzip file (starting with 1f 8b, at least 18 bytes), found {len} \
                 bytes starting with {}",
                magic[..read]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            FIX,
        ));
    }
    let mut trailer = [0u8; 4];
    let io = |e| Error::io("reading", path, e);
    file.seek(SeekFrom::End(-4)).map_err(io)?;
    file.read_exact(&mut trailer).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    // Deflate cannot expand more than about 1032:1, which bounds a damaged trailer.
    let bound = (len as usize).saturating_mul(1032);
    Ok((u32::from_le_bytes(trailer) as usize).min(bound))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn write_gz(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("dlcourse-idx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(bytes).unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        path
    }

    #[test]
    fn reads_a_small_idx3_file() {
        let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3];
        bytes.extend(0..12u8);
        let idx = read_gz(&write_gz("ok.gz", &bytes), 3).unwrap();
        assert_eq!(idx.dims, vec![2, 2, 3]);
        assert_eq!(idx.data, (0..12).collect::<Vec<u8>>());
    }

    #[test]
    fn rejects_a_wrong_dimension_count_and_short_data() {
        let bytes = vec![0, 0, 8, 1, 0, 0, 0, 5, 1, 2];
        let err = read_gz(&write_gz("labels.gz", &bytes), 3)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("0x00000803") && err.contains("0x00000801"),
            "{err}"
        );
        let err = read_gz(&write_gz("short.gz", &bytes), 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("5 = 5 bytes") && err.contains("found 2"),
            "{err}"
        );
    }
}
