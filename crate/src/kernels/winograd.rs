//! 3×3 convolutions with stride 1 by Winograd's minimal filtering F(2×2, 3×3) (Lavin &
//! Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 2×2 block of
//! outputs is computed from a 4×4 block of inputs ("tile") with 16 products per channel
//! pair instead of 36. The products of all tiles of an image become 16 small GEMMs, one per
//! position ξ of the 4×4 transformed tile:
//!
//! - forward: `M[ξ] = U[ξ]·V[ξ]`, with `U = G·g·Gᵀ` (kernel, `[16][filters][channels]`),
//!   `V = Bᵀ·d·B` (input tiles, `[16][channels][tiles]`), output `Y = Aᵀ·M·A`;
//! - backward, with `dM = A·dY·Aᵀ` (the output transform's adjoint): the kernel gradient
//!   `dU[ξ] = dM[ξ]·V[ξ]ᵀ` then `dW = Gᵀ·dU·G`, the input gradient `dV[ξ] = U[ξ]ᵀ·dM[ξ]`
//!   then `dX += B·dV·Bᵀ` over the overlapping tiles.
//!
//! Every backward step is the exact adjoint of a forward one, so the gradients are those of
//! the convolution; only the rounding differs from im2col's (the transforms' coefficients
//! are 0, ±½ and ±1). `tests/kernels.rs` checks values and gradients against Candle's ops.
//! The GEMMs do 2.25× fewer multiply-adds than im2col's: the course's CNN (32 → 64
//! channels, 3×3) spends most of its training step there.

use super::conv_backward::{Inputs, Needs, add_bias_gradient, through_relu};
use super::gemm::{MatRef, matmul};
use super::im2col::Geometry;
use super::scratch::with_scratch;
use std::ops::Range;

/// Positions of a transformed tile (4×4).
const XI: usize = 16;

/// Fewest input channels worth the transforms: below, the GEMMs' inner dimension (the
/// channels) is too short, and im2col's (9 × channels) wins.
const MIN_CHANNELS: usize = 8;

/// Whether a convolution of this geometry runs here: a 3×3 kernel, stride 1, and at
/// least [`MIN_CHANNELS`] input channels.
pub(super) fn applies(g: &Geometry) -> bool {
    g.kernel_h == 3 && g.kernel_w == 3 && g.stride == 1 && g.channels >= MIN_CHANNELS
}

/// The tiling of one image's output: `rows`×`cols` tiles of 2×2 outputs (the last row
/// and column of tiles stick out of an odd-sized output; what they compute there is
/// dropped).
#[derive(Debug, Clone, Copy)]
pub(super) struct Tiles {
    rows: usize,
    cols: usize,
}

impl Tiles {
    /// The tiles covering `g`'s output.
    pub(super) fn of(g: &Geometry) -> Self {
        Tiles {
            rows: g.out_h.div_ceil(2),
            cols: g.out_w.div_ceil(2),
        }
    }

    /// Tiles per image.
    pub(super) fn count(&self) -> usize {
        self.rows * self.cols
    }

    /// Values of one image's transformed input (`V`), `[16][channels][tiles]`.
    pub(super) fn input_len(&self, channels: usize) -> usize {
        XI * channels * self.count()
    }

    /// Values of one image's transformed output (`M`), `[16][filters][tiles]`.
    pub(super) fn output_len(&self, filters: usize) -> usize {
        XI * filters * self.count()
    }
}

/// `[a, b, c]` → `[a, (a+b+c)/2, (a−b+c)/2, c]`: G applied to a kernel row or column.
#[inline(always)]
fn g_times(a: f32, b: f32, c: f32) -> [f32; 4] {
    let (even, odd) = (0.5 * (a + c), 0.5 * b);
    [a, even + odd, even - odd, c]
}

/// `[u0, u1, u2, u3]` → `Gᵀ·u`: the adjoint of [`g_times`].
#[inline(always)]
fn g_transposed_times(u: [f32; 4]) -> [f32; 3] {
    let (sum, difference) = (0.5 * (u[1] + u[2]), 0.5 * (u[1] - u[2]));
    [u[0] + sum, difference, sum + u[3]]
}

/// A separable transform of a square tile (`L·t·Lᵀ`): `f` applied to every column, then
/// to every row of the result.
#[inline(always)]
fn separable<const I: usize, const O: usize>(
    tile: [[f32; I]; I],
    f: impl Fn([f32; I]) -> [f32; O],
) -> [[f32; O]; O] {
    let mut half = [[0f32; I]; O];
    for j in 0..I {
        let column = f(std::array::from_fn(|i| tile[i][j]));
        for (i, v) in column.into_iter().enumerate() {
            half[i][j] = v;
        }
    }
    half.map(&f)
}

/// The transformed kernel `U = G·g·Gᵀ` of `kernel` (`[filters][channels][3][3]`), laid
/// out `[16][filters][channels]`.
pub(super) fn transform_kernel(kernel: &[f32], filters: usize, channels: usize) -> Vec<f32> {
    let plane = filters * channels;
    let mut u = vec![0f32; XI * plane];
    for (fc, g) in kernel.chunks_exact(9).enumerate() {
        let tile: [[f32; 3]; 3] = std::array::from_fn(|r| [g[3 * r], g[3 * r + 1], g[3 * r + 2]]);
        let t = separable(tile, |[a, b, c]| g_times(a, b, c));
        for (xi, v) in t.iter().flatten().enumerate() {
            u[xi * plane + fc] = *v;
        }
    }
    u
}

/// The kernel gradient `[filters][channels][3][3]` from the transformed one
/// `dU` (`[16][filters][channels]`): `Gᵀ·dU·G`.
pub(super) fn kernel_gradient(du: &[f32], filters: usize, channels: usize) -> Vec<f32> {
    let plane = filters * channels;
    let mut dw = vec![0f32; plane * 9];
    for (fc, out) in dw.chunks_exact_mut(9).enumerate() {
        let tile: [[f32; 4]; 4] =
            std::array::from_fn(|r| std::array::from_fn(|c| du[(4 * r + c) * plane + fc]));
        let t = separable(tile, g_transposed_times);
        out.copy_from_slice(t.as_flattened());
    }
    dw
}

// The image transforms work on one row of tiles at a time, on whole rows of values: a
// tile's 4×4 input block starts at an even column, so with a row split into its even and
// odd columns, value `s` of tile `tx` is `even[tx + s/2]` (s even) or `odd[tx + s/2]`
// (s odd), and every transform becomes a few element-wise passes over contiguous vectors
// of one value per tile, which the compiler vectorises.

/// `out[k] = f(a[k], b[k])` over the shortest of the three.
#[inline(always)]
fn zip2(out: &mut [f32], a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) {
    for ((o, a), b) in out.iter_mut().zip(a).zip(b) {
        *o = f(*a, *b);
    }
}

/// `out[k] = f(a[k], b[k], c[k])` over the shortest of the four.
#[inline(always)]
fn zip3(out: &mut [f32], a: &[f32], b: &[f32], c: &[f32], f: impl Fn(f32, f32, f32) -> f32) {
    for (((o, a), b), c) in out.iter_mut().zip(a).zip(b).zip(c) {
        *o = f(*a, *b, *c);
    }
}

/// `buffer` cut into `N` consecutive slices of `len` values.
#[inline(always)]
fn split<const N: usize>(buffer: &mut [f32], len: usize) -> [&mut [f32]; N] {
    let mut rest = &mut buffer[..N * len];
    std::array::from_fn(|_| {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
        rest = tail;
        head
    })
}

/// Where the tiles of tile row `ty` start in the image: the first input row and the first
/// input column (negative inside the zero padding).
fn tile_row_origin(g: &Geometry, ty: usize) -> (isize, isize) {
    (2 * ty as isize - g.padding as isize, -(g.padding as isize))
}

/// Row `y` of `channel` (`height`×`width`) from column `x0` on, split: `even[k]` is the
/// value at column `x0 + 2k`, `odd[k]` at `x0 + 2k + 1`, 0 outside the image.
#[inline(always)]
fn load_split(
    channel: &[f32],
    (h, w): (usize, usize),
    y: isize,
    x0: isize,
    even: &mut [f32],
    odd: &mut [f32],
) {
    let n = even.len();
    if y < 0 || y as usize >= h {
        even.fill(0.0);
        odd.fill(0.0);
        return;
    }
    let row = &channel[y as usize * w..][..w];
    if x0 >= 0 && x0 as usize + 2 * n <= w {
        let pairs = row[x0 as usize..][..2 * n].chunks_exact(2);
        for ((e, o), pair) in even.iter_mut().zip(odd.iter_mut()).zip(pairs) {
            (*e, *o) = (pair[0], pair[1]);
        }
        return;
    }
    let at = |x: isize| {
        if x >= 0 && (x as usize) < w {
            row[x as usize]
        } else {
            0.0
        }
    };
    for k in 0..n {
        even[k] = at(x0 + 2 * k as isize);
        odd[k] = at(x0 + 2 * k as isize + 1);
    }
}

/// Adds `even[k]` to column `x0 + 2k` and `odd[k]` to `x0 + 2k + 1` of row `y` of
/// `channel`, where those lie inside the image.
#[inline(always)]
fn add_split(
    channel: &mut [f32],
    (h, w): (usize, usize),
    y: isize,
    x0: isize,
    even: &[f32],
    odd: &[f32],
) {
    if y < 0 || y as usize >= h {
        return;
    }
    let row = &mut channel[y as usize * w..][..w];
    let n = even.len();
    if x0 >= 0 && x0 as usize + 2 * n <= w {
        let pairs = row[x0 as usize..][..2 * n].chunks_exact_mut(2);
        for ((pair, e), o) in pairs.zip(even).zip(odd) {
            pair[0] += e;
            pair[1] += o;
        }
        return;
    }
    for k in 0..n {
        for (x, v) in [
            (x0 + 2 * k as isize, even[k]),
            (x0 + 2 * k as isize + 1, odd[k]),
        ] {
            if x >= 0 && (x as usize) < w {
                row[x as usize] += v;
            }
        }
    }
}

with_avx2! {
    /// Writes `V = Bᵀ·d·B` for every tile and channel of `image` (`[channels][h][w]`) into
    /// `v` (`[16][channels][tiles]`).
    fn transform_input(g: &Geometry, tiles: Tiles, image: &[f32], v: &mut [f32]) {
        let (size, cols, plane) = ((g.height, g.width), tiles.cols, g.channels * tiles.count());
        let n = cols + 1;
        let mut buffer = vec![0f32; 16 * n];
        let (rows, columns) = buffer.split_at_mut(8 * n);
        let mut rows: [&mut [f32]; 8] = split(rows, n);
        let [t0, t1, t2, t3]: [&mut [f32]; 4] = split(columns, 2 * n);
        for (c, channel) in image.chunks_exact(size.0 * size.1).enumerate() {
            for ty in 0..tiles.rows {
                let (y0, x0) = tile_row_origin(g, ty);
                for r in 0..4 {
                    let [even, odd] = &mut rows[2 * r..2 * r + 2] else { unreachable!() };
                    load_split(channel, size, y0 + r as isize, x0, even, odd);
                }
                // Bᵀ down the columns of the four input rows, even and odd halves alike.
                for half in 0..2 {
                    let d = |r: usize| &*rows[2 * r + half];
                    let h = half * n..(half + 1) * n;
                    zip2(&mut t0[h.clone()], d(0), d(2), |a, c| a - c);
                    zip2(&mut t1[h.clone()], d(1), d(2), |b, c| b + c);
                    zip2(&mut t2[h.clone()], d(2), d(1), |c, b| c - b);
                    zip2(&mut t3[h], d(1), d(3), |b, d| b - d);
                }
                // Bᵀ along each transformed row, one value per tile.
                let at = c * tiles.count() + ty * cols;
                for (i, t) in [&*t0, &*t1, &*t2, &*t3].into_iter().enumerate() {
                    let (even, odd) = t.split_at(n);
                    let out = |j: usize| (4 * i + j) * plane + at;
                    zip2(&mut v[out(0)..][..cols], even, &even[1..], |a, b| a - b);
                    zip2(&mut v[out(1)..][..cols], odd, &even[1..], |a, b| a + b);
                    zip2(&mut v[out(2)..][..cols], &even[1..], odd, |a, b| a - b);
                    zip2(&mut v[out(3)..][..cols], odd, &odd[1..], |a, b| a - b);
                }
            }
        }
    }
}

with_avx2! {
    /// Adds `B·dV·Bᵀ` of every tile and channel (`dv`, `[16][channels][tiles]`) into the
    /// image's input gradient `dx` (`[channels][h][w]`), where the tiles overlap the image.
    fn scatter_input_gradient(g: &Geometry, tiles: Tiles, dv: &[f32], dx: &mut [f32]) {
        let (size, cols, plane) = ((g.height, g.width), tiles.cols, g.channels * tiles.count());
        let n = cols + 1;
        let mut buffer = vec![0f32; 20 * cols + 2 * n];
        let (w, rest) = buffer.split_at_mut(16 * cols);
        let mut w: [&mut [f32]; 16] = split(w, cols);
        let (d, split_row) = rest.split_at_mut(4 * cols);
        let mut d: [&mut [f32]; 4] = split(d, cols);
        let [even, odd]: [&mut [f32]; 2] = split(split_row, n);
        for (c, channel) in dx.chunks_exact_mut(size.0 * size.1).enumerate() {
            for ty in 0..tiles.rows {
                let at = c * tiles.count() + ty * cols;
                let v = |xi: usize| &dv[xi * plane + at..][..cols];
                // B along each row of the tile: w[4i + s].
                for i in 0..4 {
                    let [w0, w1, w2, w3] = &mut w[4 * i..4 * i + 4] else { unreachable!() };
                    let (v0, v1, v2, v3) = (v(4 * i), v(4 * i + 1), v(4 * i + 2), v(4 * i + 3));
                    w0.copy_from_slice(v0);
                    zip3(w1, v1, v2, v3, |a, b, c| a - b + c);
                    zip3(w2, v1, v2, v0, |a, b, c| a + b - c);
                    zip2(w3, v3, v3, |a, _| -a);
                }
                // B down the columns, row r of the block at a time, then added where it lands:
                // value s of tile tx goes to column 2·tx + s.
                let (y0, x0) = tile_row_origin(g, ty);
                for r in 0..4 {
                    for (s, out) in d.iter_mut().enumerate() {
                        let (w0, w1, w2, w3) = (&*w[s], &*w[4 + s], &*w[8 + s], &*w[12 + s]);
                        match r {
                            0 => out.copy_from_slice(w0),
                            1 => zip3(out, w1, w2, w3, |a, b, c| a - b + c),
                            2 => zip3(out, w1, w2, w0, |a, b, c| a + b - c),
                            _ => zip2(out, w3, w3, |a, _| -a),
                        }
                    }
                    (even[0], odd[0]) = (d[0][0], d[1][0]);
                    (even[cols], odd[cols]) = (d[2][cols - 1], d[3][cols - 1]);
                    zip2(&mut even[1..cols], &d[0][1..], &d[2][..cols - 1], |a, b| a + b);
                    zip2(&mut odd[1..cols], &d[1][1..], &d[3][..cols - 1], |a, b| a + b);
                    add_split(channel, size, y0 + r as isize, x0, even, odd);
                }
            }
        }
    }
}

with_avx2! {
    /// Writes the image's output `y` (`[filters][out_h][out_w]`) = `bias` + `Aᵀ·M·A` from the
    /// transformed output `m` (`[16][filters][tiles]`).
    fn transform_output(g: &Geometry, tiles: Tiles, m: &[f32], bias: &[f32], y: &mut [f32]) {
        let (oh, ow, cols, plane) = (g.out_h, g.out_w, tiles.cols, bias.len() * tiles.count());
        let mut buffer = vec![0f32; 12 * cols];
        let (a, rows) = buffer.split_at_mut(8 * cols);
        let a: [&mut [f32]; 8] = split(a, cols);
        let [r0, r1, r2, r3]: [&mut [f32]; 4] = split(rows, cols);
        for ((f, out), b) in y.chunks_exact_mut(oh * ow).enumerate().zip(bias) {
            for ty in 0..tiles.rows {
                let at = f * tiles.count() + ty * cols;
                let m = |xi: usize| &m[xi * plane + at..][..cols];
                // Aᵀ down the columns: a[2s] and a[2s + 1], the two rows of column s.
                for s in 0..4 {
                    zip3(a[2 * s], m(s), m(4 + s), m(8 + s), |p, q, r| p + q + r);
                    zip3(a[2 * s + 1], m(4 + s), m(8 + s), m(12 + s), |q, r, t| q - r - t);
                }
                // Aᵀ along the rows: outputs (i, 0) and (i, 1) of every tile.
                for (i, (even, odd)) in [(&mut *r0, &mut *r1), (&mut *r2, &mut *r3)].into_iter().enumerate() {
                    zip3(even, a[i], a[2 + i], a[4 + i], |p, q, r| p + q + r);
                    zip3(odd, a[2 + i], a[4 + i], a[6 + i], |q, r, t| q - r - t);
                }
                for (i, (even, odd)) in [(&*r0, &*r1), (&*r2, &*r3)].into_iter().enumerate() {
                    let y = 2 * ty + i;
                    if y >= oh {
                        break;
                    }
                    let line = &mut out[y * ow..][..ow];
                    let mut pairs = line.chunks_exact_mut(2);
                    for ((pair, e), o) in (&mut pairs).zip(even).zip(odd) {
                        (pair[0], pair[1]) = (b + e, b + o);
                    }
                    if let [last] = pairs.into_remainder() {
                        *last = b + even[ow / 2];
                    }
                }
            }
        }
    }
}

with_avx2! {
    /// Writes `dM = A·dY·Aᵀ` (`[16][filters][tiles]`) from the gradient of one image's output
    /// `dy` (`[filters][out_h][out_w]`; outputs that a tile sticks out to count as 0).
    fn transform_output_gradient(
        g: &Geometry,
        tiles: Tiles,
        dy: &[f32],
        filters: usize,
        dm: &mut [f32],
    ) {
        let (size, cols, plane) = ((g.out_h, g.out_w), tiles.cols, filters * tiles.count());
        let mut buffer = vec![0f32; 6 * cols];
        let [e0, o0, e1, o1, er, or]: [&mut [f32]; 6] = split(&mut buffer, cols);
        for (f, grad) in dy.chunks_exact(size.0 * size.1).enumerate() {
            for ty in 0..tiles.rows {
                let y = 2 * ty as isize;
                load_split(grad, size, y, 0, e0, o0);
                load_split(grad, size, y + 1, 0, e1, o1);
                let at = f * tiles.count() + ty * cols;
                // A down the columns gives rows y0, y0 + y1, y0 − y1, −y1 of the block (even
                // and odd halves alike), then A along each row.
                for r in 0..4 {
                    for (row, (v0, v1)) in [(&mut *er, (&*e0, &*e1)), (&mut *or, (&*o0, &*o1))] {
                        match r {
                            0 => row.copy_from_slice(v0),
                            1 => zip2(row, v0, v1, |a, b| a + b),
                            2 => zip2(row, v0, v1, |a, b| a - b),
                            _ => zip2(row, v1, v1, |b, _| -b),
                        }
                    }
                    let out = |s: usize| (4 * r + s) * plane + at;
                    dm[out(0)..][..cols].copy_from_slice(er);
                    zip2(&mut dm[out(1)..][..cols], er, or, |e, o| e + o);
                    zip2(&mut dm[out(2)..][..cols], er, or, |e, o| e - o);
                    zip2(&mut dm[out(3)..][..cols], or, or, |o, _| -o);
                }
            }
        }
    }
}

/// `out[ξ] = lhs[ξ]·rhs[ξ]` (or `+=` when `accumulate`) for the 16 positions, each a
/// `rows`×`inner` by `inner`×`cols` product; `lhs_t` / `rhs_t` read that operand stored
/// transposed.
#[allow(clippy::too_many_arguments)]
pub(super) fn multiply(
    out: &mut [f32],
    lhs: &[f32],
    lhs_t: bool,
    rhs: &[f32],
    rhs_t: bool,
    (rows, inner, cols): (usize, usize, usize),
    accumulate: bool,
    threads: usize,
) {
    fn operand(values: &[f32], xi: usize, r: usize, c: usize, t: bool) -> MatRef<'_> {
        let values = &values[xi * r * c..][..r * c];
        if t {
            MatRef::row_major(values, c, r).t()
        } else {
            MatRef::row_major(values, r, c)
        }
    }
    for (xi, dst) in out.chunks_exact_mut(rows * cols).enumerate() {
        matmul(
            dst,
            operand(lhs, xi, rows, inner, lhs_t),
            operand(rhs, xi, inner, cols, rhs_t),
            accumulate,
            threads,
        );
    }
}

/// One image's convolution: `y` (`[filters][out_h][out_w]`) = `bias` + `image` (`[channels][h][w]`)
/// convolved with the kernel whose transform is `u` ([`transform_kernel`]), with `scratch` of
/// at least `tiles.input_len(channels) + tiles.output_len(filters)` values and `threads`
/// threads for the GEMMs.
#[allow(clippy::too_many_arguments)]
pub(super) fn convolve_image(
    g: &Geometry,
    tiles: Tiles,
    u: &[f32],
    image: &[f32],
    bias: &[f32],
    scratch: &mut [f32],
    y: &mut [f32],
    threads: usize,
) {
    let filters = bias.len();
    let (v, rest) = scratch.split_at_mut(tiles.input_len(g.channels));
    let m = &mut rest[..tiles.output_len(filters)];
    transform_input(g, tiles, image, v);
    multiply(
        m,
        u,
        false,
        v,
        false,
        (filters, g.channels, tiles.count()),
        false,
        threads,
    );
    transform_output(g, tiles, m, bias, y);
}

/// The backward pass over one share of the batch (see `conv_backward::over_workers`),
/// Winograd's way: for each image, the output gradient through the activation, its
/// transform `dM`, then the transformed kernel gradient `dU += dM·Vᵀ` and the input
/// gradient `B·(Uᵀ·dM)·Bᵀ` written into `dx`. Returns this share's `dU` sum
/// (`[16][filters][channels]`, for [`kernel_gradient`]) and bias gradient sum. `u` is the
/// transformed kernel (needed for the input gradient only).
pub(super) fn sweep(
    g: &Geometry,
    inputs: &Inputs,
    needs: Needs,
    u: &[f32],
    images: Range<usize>,
    dx: &mut [f32],
    threads: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (filters, channels) = (inputs.filters, g.channels);
    let tiles = Tiles::of(g);
    let out_len = filters * g.positions();
    let mut du = vec![
        0f32;
        if needs.kernel {
            XI * filters * channels
        } else {
            0
        }
    ];
    let mut bias_sum = vec![0f32; if needs.bias { filters } else { 0 }];
    let masked_len = if inputs.activation.is_some() {
        out_len
    } else {
        0
    };
    let (v_len, m_len) = (tiles.input_len(channels), tiles.output_len(filters));
    with_scratch(masked_len, v_len + m_len, |masked, rest| {
        let (v, dm) = rest.split_at_mut(v_len);
        for (n, i) in images.enumerate() {
            let activation = inputs
                .activation
                .map(|(y, slope)| (&y[i * out_len..][..out_len], slope));
            let gi = through_relu(&inputs.grad[i * out_len..][..out_len], activation, masked);
            add_bias_gradient(&mut bias_sum, gi);
            transform_output_gradient(g, tiles, gi, filters, dm);
            let shape = (filters, tiles.count(), channels);
            if needs.kernel {
                transform_input(g, tiles, &inputs.x[i * g.image_len()..][..g.image_len()], v);
                multiply(&mut du, dm, false, v, true, shape, true, threads);
            }
            if needs.input {
                let shape = (channels, filters, tiles.count());
                multiply(v, u, true, dm, false, shape, false, threads);
                scatter_input_gradient(g, tiles, v, &mut dx[n * g.image_len()..][..g.image_len()]);
            }
        }
    });
    (du, bias_sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain 3×3 convolution of one image, for reference.
    fn direct(g: &Geometry, image: &[f32], kernel: &[f32], filters: usize) -> Vec<f32> {
        let (h, w, p) = (g.height as isize, g.width as isize, g.padding as isize);
        let mut out = vec![0f32; filters * g.positions()];
        for f in 0..filters {
            for y in 0..g.out_h {
                for x in 0..g.out_w {
                    let mut s = 0.0;
                    for c in 0..g.channels {
                        for (k, weight) in
                            kernel[(f * g.channels + c) * 9..][..9].iter().enumerate()
                        {
                            let (iy, ix) = (
                                y as isize + (k / 3) as isize - p,
                                x as isize + (k % 3) as isize - p,
                            );
                            if iy >= 0 && ix >= 0 && iy < h && ix < w {
                                s += weight
                                    * image
                                        [(c as isize * h + iy) as usize * w as usize + ix as usize];
                            }
                        }
                    }
                    out[f * g.positions() + y * g.out_w + x] = s;
                }
            }
        }
        out
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| (((i as u32).wrapping_mul(2654435761) ^ seed) % 1000) as f32 / 500.0 - 1.0)
            .collect()
    }

    #[test]
    fn matches_a_direct_convolution_on_odd_and_padded_images() {
        for (h, w, padding) in [(6, 6, 0), (7, 5, 0), (5, 8, 1), (4, 4, 1), (3, 3, 2)] {
            let (channels, filters) = (3, 2);
            let g = Geometry::new((channels, h, w), (3, 3), 1, padding).unwrap();
            let tiles = Tiles::of(&g);
            let (image, kernel) = (
                values(channels * h * w, 7),
                values(filters * channels * 9, 99),
            );
            let u = transform_kernel(&kernel, filters, channels);
            let mut v = vec![0f32; tiles.input_len(channels)];
            transform_input(&g, tiles, &image, &mut v);
            let mut m = vec![0f32; tiles.output_len(filters)];
            multiply(
                &mut m,
                &u,
                false,
                &v,
                false,
                (filters, channels, tiles.count()),
                false,
                1,
            );
            let mut y = vec![f32::NAN; filters * g.positions()];
            transform_output(&g, tiles, &m, &[0.0; 2], &mut y);
            let expected = direct(&g, &image, &kernel, filters);
            for (a, b) in y.iter().zip(&expected) {
                assert!(
                    (a - b).abs() < 1e-4,
                    "{h}×{w} padding {padding}: {a} vs {b}"
                );
            }
        }
    }

    fn dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter().zip(b).map(|(a, b)| *a as f64 * *b as f64).sum()
    }

    #[test]
    fn each_backward_transform_is_its_forward_transforms_adjoint() {
        // <T(x), y> = <x, Tᵀ(y)> for the input transform and the scatter, and for the
        // output transform and the output-gradient transform, on odd and padded images.
        for (h, w, padding) in [(6, 6, 0), (7, 5, 0), (5, 8, 1), (3, 3, 2)] {
            let (channels, filters) = (2, 3);
            let g = Geometry::new((channels, h, w), (3, 3), 1, padding).unwrap();
            let tiles = Tiles::of(&g);
            let (x, y) = (
                values(g.image_len(), 1),
                values(tiles.input_len(channels), 2),
            );
            let mut tx = vec![0f32; y.len()];
            transform_input(&g, tiles, &x, &mut tx);
            let mut ty = vec![0f32; x.len()];
            scatter_input_gradient(&g, tiles, &y, &mut ty);
            assert!(
                (dot(&tx, &y) - dot(&x, &ty)).abs() < 1e-3,
                "input, {h}×{w} padding {padding}"
            );
            let (m, dy) = (
                values(tiles.output_len(filters), 3),
                values(filters * g.positions(), 4),
            );
            let mut tm = vec![0f32; dy.len()];
            transform_output(&g, tiles, &m, &[0.0; 3], &mut tm);
            let mut tdy = vec![0f32; m.len()];
            transform_output_gradient(&g, tiles, &dy, filters, &mut tdy);
            assert!(
                (dot(&tm, &dy) - dot(&m, &tdy)).abs() < 1e-3,
                "output, {h}×{w} padding {padding}"
            );
        }
    }

    #[test]
    fn the_kernel_transform_and_its_adjoint_agree() {
        // <G g Gᵀ, u> = <g, Gᵀ u G> for any g and u.
        let (g, u) = (values(9, 3), values(16, 5));
        let gt = transform_kernel(&g, 1, 1);
        let back = kernel_gradient(&u, 1, 1);
        let lhs: f32 = gt.iter().zip(&u).map(|(a, b)| a * b).sum();
        let rhs: f32 = g.iter().zip(&back).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-5, "{lhs} vs {rhs}");
    }
}
