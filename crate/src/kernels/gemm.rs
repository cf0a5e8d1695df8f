//! A safe front to the `gemm` crate (the GEMM Candle's own matmul uses) for f32
//! matrices stored with any row and column strides.

use gemm::Parallelism;

/// A read-only `rows`×`cols` f32 matrix inside a slice: element (i, j) is at
/// `i·row_stride + j·col_stride`.
#[derive(Debug, Clone, Copy)]
pub(super) struct MatRef<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// A matrix stored row after row.
    pub(super) fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert!(
            data.len() >= rows * cols,
            "a {rows}×{cols} matrix needs {} values, the slice has {}",
            rows * cols,
            data.len()
        );
        MatRef {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// `rows` rows of `cols` values, each row `row_stride` values after the previous one
    /// (rows of a larger matrix, e.g. one time step of every sequence of a batch).
    pub(super) fn strided(data: &'a [f32], rows: usize, cols: usize, row_stride: usize) -> Self {
        assert!(
            cols <= row_stride,
            "rows of {cols} values {row_stride} apart overlap"
        );
        assert!(
            rows == 0 || data.len() >= (rows - 1) * row_stride + cols,
            "{rows} rows of {cols} values {row_stride} apart need more than {} values",
            data.len()
        );
        MatRef {
            data,
            rows,
            cols,
            row_stride,
            col_stride: 1,
        }
    }

    /// The transpose, without copying.
    pub(super) fn t(self) -> Self {
        MatRef {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }
}

/// `dst = lhs·rhs` (or `dst += lhs·rhs` when `accumulate`), `dst` row-major; runs on
/// `threads` threads of the rayon pool.
pub(super) fn matmul(dst: &mut [f32], lhs: MatRef, rhs: MatRef, accumulate: bool, threads: usize) {
    assert_eq!(
        dst.len(),
        lhs.rows * rhs.cols,
        "matmul destination for {}×{}",
        lhs.rows,
        rhs.cols
    );
    matmul_strided(dst, rhs.cols, lhs, rhs, accumulate, threads)
}

/// [`matmul`] into rows of `dst` that are `dst_row_stride` values apart.
pub(super) fn matmul_strided(
    dst: &mut [f32],
    dst_row_stride: usize,
    lhs: MatRef,
    rhs: MatRef,
    accumulate: bool,
    threads: usize,
) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert_eq!(k, rhs.rows, "matmul of {m}×{k} by {}×{n}", rhs.rows);
    assert!(
        n <= dst_row_stride && (m == 0 || dst.len() >= (m - 1) * dst_row_stride + n),
        "matmul destination for {m} rows of {n}, {dst_row_stride} apart"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            for row in dst.chunks_mut(dst_row_stride).take(m) {
                row[..n].fill(0.0);
            }
        }
        return;
    }
    let parallelism = if threads > 1 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    };
    // SAFETY: the constructors checked that every (i, j) of each operand lies inside its
    // slice (row_major and strided assert the length; t() only swaps strides), and dst
    // holds m rows of n values at its row stride (asserted above); the three slices are
    // distinct borrows, so nothing aliases.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_row_stride as isize,
            accumulate,
            lhs.data.as_ptr(),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.data.as_ptr(),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}
