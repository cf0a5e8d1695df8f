//! The recurrence of an LSTM or a simple RNN over a whole batch of sequences, as one op
//! with back-propagation through time written out.
//!
//! Stepping through time with tensor ops costs a graph node per gate per step, and every
//! step's `narrow` makes the backward pass add a zero-padded full-sequence gradient, so
//! backward time grows with the square of the length. Here the caller computes the input
//! projection of all steps as one matrix product; the op runs the recurrence over it:
//! the batch is split into one block of sequences per thread, and each block steps
//! through time on its own (one small GEMM per step, gate non-linearities fused), with no
//! synchronisation between steps. The backward pass walks the steps back the same way
//! and computes the recurrent kernel's gradient at the end as one large GEMM over every
//! (sequence, step) pair. The recurrent-dropout masks are hashed from a seed (as in
//! [`dropout`](super::dropout)), drawn again in the backward pass, never stored.

use super::dropout::Dropout;
use super::gates;
use super::gemm::{MatRef, matmul, matmul_strided};
use super::{fast_path, storage, threads};
use candle_core::{CpuStorage, CustomOp3, D, Device, Layout, Result, Shape, Tensor, bail};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Mutex;

/// The kind of recurrent cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Long short-term memory: gates input, forget, cell, output (Keras' order), a
    /// hidden state and a cell state.
    Lstm,
    /// A plain recurrent layer: hₜ = tanh(xₜ·W + hₜ₋₁·U + b).
    SimpleRnn,
}

impl Cell {
    /// Blocks of `units` values in the projected input of one step (4 for an LSTM).
    pub fn gates(self) -> usize {
        match self {
            Cell::Lstm => 4,
            Cell::SimpleRnn => 1,
        }
    }

    /// States carried from step to step (hidden and cell state for an LSTM).
    pub fn states(self) -> usize {
        match self {
            Cell::Lstm => 2,
            Cell::SimpleRnn => 1,
        }
    }
}

/// How a [`recurrence`] runs: the cell, and the recurrent dropout applied to the hidden
/// state before the recurrent product (Keras: `recurrent_dropout=`). As in Keras, each
/// gate gets its own mask (an LSTM four, a simple RNN one), drawn once per sequence
/// from `seed` and the same on every step: the state that feeds the forget gate is not
/// the one that feeds the output gate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recurrence {
    /// The cell.
    pub cell: Cell,
    /// The fraction of hidden-state values dropped (0 at inference).
    pub recurrent_dropout: f32,
    /// The seed of the dropout mask (a new one for every batch).
    pub seed: u64,
}

impl Recurrence {
    /// `cell` without recurrent dropout.
    pub fn new(cell: Cell) -> Self {
        Recurrence {
            cell,
            recurrent_dropout: 0.0,
            seed: 0,
        }
    }

    /// Drops `rate` of the hidden state's values before each recurrent product, with
    /// the mask drawn from `seed`.
    pub fn recurrent_dropout(self, rate: f32, seed: u64) -> Self {
        Recurrence {
            recurrent_dropout: rate,
            seed,
            ..self
        }
    }

    /// How many masked copies of hₜ₋₁ each step multiplies: one per gate with recurrent
    /// dropout, else one for all gates (Keras draws its input masks the same way).
    pub(crate) fn parts(&self) -> usize {
        if self.recurrent_dropout > 0.0 {
            self.cell.gates()
        } else {
            1
        }
    }

    /// The masks, `[samples, gates, units]` factors (0 or 1 / (1 − rate)); none without
    /// recurrent dropout.
    fn mask(&self, samples: usize, units: usize) -> Option<Vec<f32>> {
        (self.recurrent_dropout > 0.0).then(|| {
            let dropout = Dropout::new(self.recurrent_dropout, self.seed);
            (0..samples * self.parts() * units)
                .map(|i| dropout.factor(i))
                .collect()
        })
    }
}

/// The hidden state after every step, `[batch, steps, units]`, of the recurrence
/// `config` over `projected` inputs `[batch, steps, gates·units]` (xₜ·W + b for every
/// step, computed by the caller as one product), with the recurrent kernel
/// `[gates·units, units]` (Keras' `recurrent_kernel`, transposed as candle-nn stores
/// weights) and the `initial` states `[states, batch, units]` (h₀, and c₀ for an LSTM).
/// Differentiable in all three inputs.
///
/// ```
/// use candle_core::{Device, Tensor};
/// use dlcourse::kernels::{Cell, Recurrence, recurrence};
/// # fn main() -> candle_core::Result<()> {
/// let dev = Device::Cpu;
/// // One sequence, two steps, one unit: hₜ = tanh(xₜ + 0.5·hₜ₋₁).
/// let x = Tensor::new(&[[[1f32], [0.]]], &dev)?;
/// let u = Tensor::new(&[[0.5f32]], &dev)?;
/// let h0 = Tensor::zeros((1, 1, 1), candle_core::DType::F32, &dev)?;
/// let h: Vec<f32> = recurrence(&x, &u, &h0, Recurrence::new(Cell::SimpleRnn))?.flatten_all()?.to_vec1()?;
/// assert!((h[0] - 1f32.tanh()).abs() < 1e-6 && (h[1] - (0.5 * 1f32.tanh()).tanh()).abs() < 1e-6);
/// # Ok(()) }
/// ```
pub fn recurrence(
    projected: &Tensor,
    recurrent_kernel: &Tensor,
    initial: &Tensor,
    config: Recurrence,
) -> Result<Tensor> {
    check_shapes(projected, recurrent_kernel, initial, config.cell)?;
    if !(0.0..1.0).contains(&config.recurrent_dropout) {
        bail!(
            "recurrent dropout must be in [0, 1), got {}",
            config.recurrent_dropout
        )
    }
    if !fast_path(&[projected, recurrent_kernel, initial]) {
        return recurrence_with_candle_ops(projected, recurrent_kernel, initial, config);
    }
    let tracked = [projected, recurrent_kernel, initial]
        .iter()
        .any(|t| t.track_op());
    let op = RecurrenceOp {
        config,
        saved: Mutex::new(None),
        save: tracked,
    };
    let (p, k, i) = (
        projected.contiguous()?,
        recurrent_kernel.contiguous()?,
        initial.contiguous()?,
    );
    if tracked {
        p.apply_op3(&k, &i, op)
    } else {
        p.apply_op3_no_bwd(&k, &i, &op)
    }
}

/// The same computation as [`recurrence`] with Candle's tensor ops, step by step: what
/// runs off the CPU or for other dtypes, and the reference the fused op is tested against.
pub fn recurrence_with_candle_ops(
    projected: &Tensor,
    recurrent_kernel: &Tensor,
    initial: &Tensor,
    config: Recurrence,
) -> Result<Tensor> {
    let (n, steps, width) = check_shapes(projected, recurrent_kernel, initial, config.cell)?;
    let units = recurrent_kernel.dim(1)?;
    let parts = config.parts();
    let mask = config
        .mask(n, units)
        .map(|m| {
            Tensor::from_vec(m, (n, parts * units), projected.device())?.to_dtype(projected.dtype())
        })
        .transpose()?;
    // Part g of the recurrent product: (hₜ₋₁ ⊙ mask g)·U_gᵀ, U_g the kernel's rows for
    // gate g (all of them when there is one part).
    let part_width = width / parts;
    let kernels_t = (0..parts)
        .map(|g| recurrent_kernel.narrow(0, g * part_width, part_width)?.t())
        .collect::<Result<Vec<_>>>()?;
    let mut h = initial.get(0)?;
    let mut c = match config.cell {
        Cell::Lstm => Some(initial.get(1)?),
        Cell::SimpleRnn => None,
    };
    let mut outputs = Vec::with_capacity(steps);
    for step in 0..steps {
        let products = kernels_t
            .iter()
            .enumerate()
            .map(|(g, kernel_t)| match &mask {
                Some(m) => h.mul(&m.narrow(1, g * units, units)?)?.matmul(kernel_t),
                None => h.matmul(kernel_t),
            })
            .collect::<Result<Vec<_>>>()?;
        let z = (projected.narrow(1, step, 1)?.squeeze(1)? + Tensor::cat(&products, 1)?)?;
        h = match c.as_mut() {
            None => z.tanh()?,
            Some(c) => {
                let gates = z.chunk(4, D::Minus1)?;
                let input = candle_nn::ops::sigmoid(&gates[0])?;
                let forget = candle_nn::ops::sigmoid(&gates[1])?;
                let candidate = gates[2].tanh()?;
                let output = candle_nn::ops::sigmoid(&gates[3])?;
                *c = ((forget * &*c)? + (input * candidate)?)?;
                (output * c.tanh()?)?
            }
        };
        outputs.push(h.clone());
    }
    Tensor::stack(&outputs, 1)
}

/// Checks the three shapes against each other; returns (batch, steps, gates·units).
fn check_shapes(
    projected: &Tensor,
    kernel: &Tensor,
    initial: &Tensor,
    cell: Cell,
) -> Result<(usize, usize, usize)> {
    let (n, steps, width) = projected.dims3()?;
    let (rows, units) = kernel.dims2()?;
    let (states, init_n, init_units) = initial.dims3()?;
    if rows != cell.gates() * units || width != rows {
        bail!(
            "{cell:?} recurrence: the recurrent kernel must be [{} × units, units] and the \
             projected inputs [batch, steps, {} × units]; got kernel {:?}, inputs {:?}",
            cell.gates(),
            cell.gates(),
            kernel.dims(),
            projected.dims()
        )
    }
    if (states, init_n, init_units) != (cell.states(), n, units) {
        bail!(
            "{cell:?} recurrence: initial states must be [{}, {n}, {units}], got {:?}",
            cell.states(),
            initial.dims()
        )
    }
    Ok((n, steps, width))
}

/// The op; the forward pass keeps the gate activations for the backward pass.
struct RecurrenceOp {
    config: Recurrence,
    /// Whether to keep what the backward pass needs (not for inference).
    save: bool,
    saved: Mutex<Option<Saved>>,
}

/// What the backward pass reads, laid out `[batch, steps, ·]` like the inputs.
struct Saved {
    /// Gate activations after their non-linearity (for a simple RNN: hₜ).
    gates: Vec<f32>,
    /// LSTM cell states cₜ (empty for a simple RNN).
    cells: Vec<f32>,
    /// The recurrent product's input of each step: hₜ₋₁ times each dropout mask,
    /// `[batch, steps, parts · units]`.
    recurrent_in: Vec<f32>,
}

/// Sizes of one call.
#[derive(Clone, Copy)]
struct Dims {
    steps: usize,
    units: usize,
    width: usize,
    /// Masked copies of hₜ₋₁ per step ([`Recurrence::parts`]).
    parts: usize,
}

/// Sequences per step GEMM. The GEMM library picks its code path by size, and a sum's
/// rounding follows the path: giving every call the same rows, whatever the thread count,
/// keeps results bit-identical on 1, 2 or more threads.
const GROUP: usize = 16;

/// Splits `0..n` into up to `parts` contiguous blocks of nearly equal size, each made of
/// whole [`GROUP`]s (the last one may be shorter).
fn blocks(n: usize, parts: usize) -> Vec<Range<usize>> {
    let groups = n.div_ceil(GROUP);
    let parts = parts.clamp(1, groups.max(1));
    (0..parts)
        .map(|p| (p * groups / parts * GROUP).min(n)..((p + 1) * groups / parts * GROUP).min(n))
        .filter(|r| !r.is_empty())
        .collect()
}

/// Rows `g · part_width ..` of the recurrent kernel `[gates·units, units]`: the gates that
/// part `g` of the recurrent product feeds.
fn kernel_part(kernel: &[f32], g: usize, part_width: usize, units: usize) -> MatRef<'_> {
    MatRef::row_major(
        &kernel[g * part_width * units..(g + 1) * part_width * units],
        part_width,
        units,
    )
}

/// The [`GROUP`]s of a block of `rows` sequences, as ranges of its rows.
fn groups(rows: usize) -> impl Iterator<Item = Range<usize>> {
    (0..rows)
        .step_by(GROUP)
        .map(move |start| start..(start + GROUP).min(rows))
}

/// Cuts `data` into consecutive pieces of `rows.len() · row` values, one per block.
fn split_blocks<'a>(
    mut data: &'a mut [f32],
    blocks: &[Range<usize>],
    row: usize,
) -> Vec<&'a mut [f32]> {
    let mut pieces = Vec::with_capacity(blocks.len());
    for block in blocks {
        let (piece, rest) = std::mem::take(&mut data).split_at_mut(block.len() * row);
        pieces.push(piece);
        data = rest;
    }
    pieces
}

/// The mask values of one block of sequences (none without recurrent dropout); `row`
/// values per sequence.
fn block_mask<'a>(
    mask: &'a Option<Vec<f32>>,
    block: &Range<usize>,
    row: usize,
) -> Option<&'a [f32]> {
    mask.as_deref()
        .map(|m| &m[block.start * row..block.end * row])
}

impl CustomOp3 for RecurrenceOp {
    fn name(&self) -> &'static str {
        "dlcourse-recurrence"
    }

    fn cpu_fwd(
        &self,
        ps: &CpuStorage,
        pl: &Layout,
        ks: &CpuStorage,
        kl: &Layout,
        is: &CpuStorage,
        il: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (n, steps, width) = pl.shape().dims3()?;
        let units = kl.shape().dims2()?.1;
        let d = Dims {
            steps,
            units,
            width,
            parts: self.config.parts(),
        };
        let rec = d.parts * units;
        let projected = storage::values(ps, pl, "recurrence inputs")?;
        let kernel = storage::values(ks, kl, "recurrent kernel")?;
        let initial = storage::values(is, il, "initial states")?;
        let cell = self.config.cell;
        let mask = self.config.mask(n, units);
        let mut out = vec![0f32; n * steps * units];
        let mut gates = vec![0f32; n * steps * width];
        let mut cells = vec![
            0f32;
            if cell == Cell::Lstm {
                n * steps * units
            } else {
                0
            }
        ];
        let mut recurrent_in = vec![0f32; n * steps * rec];
        let blocks = blocks(n, threads());
        let cells_row = if cell == Cell::Lstm { steps * units } else { 0 };
        let work: Vec<_> = blocks
            .iter()
            .zip(split_blocks(&mut out, &blocks, steps * units))
            .zip(split_blocks(&mut gates, &blocks, steps * width))
            .zip(split_blocks(&mut cells, &blocks, cells_row))
            .zip(split_blocks(&mut recurrent_in, &blocks, steps * rec))
            .map(|((((b, o), g), c), r)| (b.clone(), o, g, c, r))
            .collect();
        work.into_par_iter()
            .for_each(|(block, out, gates, cells, recurrent_in)| {
                let block_in = Block {
                    projected: &projected[block.start * steps * width..block.end * steps * width],
                    h0: &initial[block.start * units..block.end * units],
                    c0: match cell {
                        Cell::Lstm => &initial[(n + block.start) * units..(n + block.end) * units],
                        Cell::SimpleRnn => &[],
                    },
                    mask: block_mask(&mask, &block, rec),
                    rows: block.len(),
                };
                forward_block(cell, d, kernel, &block_in, out, gates, cells, recurrent_in);
            });
        if self.save {
            *self.saved.lock().expect("never poisoned") = Some(Saved {
                gates,
                cells,
                recurrent_in,
            });
        }
        Ok((CpuStorage::F32(out), Shape::from((n, steps, units))))
    }

    fn bwd(
        &self,
        projected: &Tensor,
        kernel: &Tensor,
        initial: &Tensor,
        _output: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let saved = self.saved.lock().expect("never poisoned");
        let Some(saved) = saved.as_ref() else {
            bail!("recurrence backward pass: the forward pass kept no activations")
        };
        let (n, steps, width) = projected.dims3()?;
        let units = kernel.dim(1)?;
        let d = Dims {
            steps,
            units,
            width,
            parts: self.config.parts(),
        };
        let rec = d.parts * units;
        let cell = self.config.cell;
        let grad = grad.contiguous()?;
        let (gs, gl) = grad.storage_and_layout();
        let grad = storage::tensor_values(&gs, gl, "recurrence output gradient")?;
        let (ks, kl) = kernel.storage_and_layout();
        let kernel_values = storage::tensor_values(&ks, kl, "recurrent kernel")?;
        let (is, il) = initial.storage_and_layout();
        let initial_values = storage::tensor_values(&is, il, "initial states")?;
        let mask = self.config.mask(n, units);
        let blocks = blocks(n, threads());
        let mut d_projected = vec![0f32; n * steps * width];
        let mut d_initial: Vec<Vec<f32>> = Vec::new();
        let work: Vec<_> = blocks
            .iter()
            .zip(split_blocks(&mut d_projected, &blocks, steps * width))
            .map(|(b, dp)| (b.clone(), dp))
            .collect();
        work.into_par_iter()
            .map(|(block, dp)| {
                let rows = block.len();
                let (lo_w, hi_w) = (block.start * steps * width, block.end * steps * width);
                let (lo_u, hi_u) = (block.start * steps * units, block.end * steps * units);
                let saved_block = SavedBlock {
                    gates: &saved.gates[lo_w..hi_w],
                    cells: match cell {
                        Cell::Lstm => &saved.cells[lo_u..hi_u],
                        Cell::SimpleRnn => &[],
                    },
                    c0: match cell {
                        Cell::Lstm => {
                            &initial_values[(n + block.start) * units..(n + block.end) * units]
                        }
                        Cell::SimpleRnn => &[],
                    },
                    grad: &grad[lo_u..hi_u],
                    mask: block_mask(&mask, &block, rec),
                    rows,
                };
                backward_block(cell, d, kernel_values, &saved_block, dp)
            })
            .collect_into_vec(&mut d_initial);
        let cpu = &Device::Cpu;
        let d_kernel = if kernel.track_op() {
            // dU_g = Σₜ dzₜ,gᵀ·(hₜ₋₁ ⊙ mask g): one GEMM per part over all (sequence,
            // step) rows.
            let part_width = width / d.parts;
            let mut dk = vec![0f32; width * units];
            for (g, dk) in dk.chunks_mut(part_width * units).enumerate() {
                matmul(
                    dk,
                    MatRef::strided(&d_projected[g * part_width..], n * steps, part_width, width)
                        .t(),
                    MatRef::strided(&saved.recurrent_in[g * units..], n * steps, units, rec),
                    false,
                    threads(),
                );
            }
            Some(Tensor::from_vec(dk, (width, units), cpu)?)
        } else {
            None
        };
        let d_initial = if initial.track_op() {
            let mut states = vec![0f32; cell.states() * n * units];
            let mut start = 0;
            for (block, (dh, dc)) in blocks.iter().zip(&d_initial_pairs(d_initial, cell)) {
                let len = block.len() * units;
                states[start..start + len].copy_from_slice(dh);
                if let Some(dc) = dc {
                    states[n * units + start..n * units + start + len].copy_from_slice(dc);
                }
                start += len;
            }
            Some(Tensor::from_vec(states, (cell.states(), n, units), cpu)?)
        } else {
            None
        };
        let d_projected = projected
            .track_op()
            .then(|| Tensor::from_vec(d_projected, (n, steps, width), cpu))
            .transpose()?;
        Ok((d_projected, d_kernel, d_initial))
    }
}

/// Each block's state gradients as (dh₀, dc₀).
fn d_initial_pairs(blocks: Vec<Vec<f32>>, cell: Cell) -> Vec<(Vec<f32>, Option<Vec<f32>>)> {
    blocks
        .into_iter()
        .map(|mut v| match cell {
            Cell::Lstm => {
                let dc = v.split_off(v.len() / 2);
                (v, Some(dc))
            }
            Cell::SimpleRnn => (v, None),
        })
        .collect()
}

/// One block of sequences' inputs to the forward pass.
struct Block<'a> {
    projected: &'a [f32],
    h0: &'a [f32],
    c0: &'a [f32],
    mask: Option<&'a [f32]>,
    rows: usize,
}

/// Runs one block of sequences through every step.
#[allow(clippy::too_many_arguments)]
fn forward_block(
    cell: Cell,
    d: Dims,
    kernel: &[f32],
    b: &Block,
    out: &mut [f32],
    gates: &mut [f32],
    cells: &mut [f32],
    recurrent_in: &mut [f32],
) {
    let Dims {
        steps,
        units,
        width,
        parts,
    } = d;
    let (rec, part_width) = (parts * units, width / parts);
    for t in 0..steps {
        for j in 0..b.rows {
            let at = (j * steps + t) * units;
            let h_prev = match t {
                0 => &b.h0[j * units..(j + 1) * units],
                _ => &out[at - units..at],
            };
            let r = (j * steps + t) * rec;
            for g in 0..parts {
                let mask = b
                    .mask
                    .map(|m| &m[j * rec + g * units..j * rec + (g + 1) * units]);
                let part = r + g * units;
                gates::masked_copy(&mut recurrent_in[part..part + units], h_prev, mask);
            }
            let z = (j * steps + t) * width;
            gates[z..z + width].copy_from_slice(&b.projected[z..z + width]);
        }
        // zₜ = xₜ·W + b + Σ_g (hₜ₋₁ ⊙ mask g)·U_gᵀ for the block's rows, in place in `gates`.
        for rows in groups(b.rows) {
            for g in 0..parts {
                let lhs = MatRef::strided(
                    &recurrent_in[(rows.start * steps + t) * rec + g * units..],
                    rows.len(),
                    units,
                    steps * rec,
                );
                let kernel_t = kernel_part(kernel, g, part_width, units).t();
                matmul_strided(
                    &mut gates[(rows.start * steps + t) * width + g * part_width..],
                    steps * width,
                    lhs,
                    kernel_t,
                    true,
                    1,
                );
            }
        }
        for j in 0..b.rows {
            let z = &mut gates[(j * steps + t) * width..(j * steps + t + 1) * width];
            let at = (j * steps + t) * units;
            let h = &mut out[at..at + units];
            match cell {
                Cell::SimpleRnn => gates::rnn_forward(z, h),
                Cell::Lstm => {
                    let (before, now) = cells.split_at_mut(at);
                    let c_prev = match t {
                        0 => &b.c0[j * units..(j + 1) * units],
                        _ => &before[at - units..],
                    };
                    gates::lstm_forward(z, c_prev, &mut now[..units], h);
                }
            }
        }
    }
}

/// One block of sequences' inputs to the backward pass.
struct SavedBlock<'a> {
    gates: &'a [f32],
    cells: &'a [f32],
    c0: &'a [f32],
    grad: &'a [f32],
    mask: Option<&'a [f32]>,
    rows: usize,
}

/// Back-propagates one block through time: writes dzₜ (the gradient of the projected
/// inputs) into `d_projected` and returns the initial states' gradient (dh₀, then dc₀
/// for an LSTM), `[states, rows, units]`.
fn backward_block(
    cell: Cell,
    d: Dims,
    kernel: &[f32],
    s: &SavedBlock,
    d_projected: &mut [f32],
) -> Vec<f32> {
    let Dims {
        steps,
        units,
        width,
        parts,
    } = d;
    let rows = s.rows;
    let part_width = width / parts;
    // One part's (dzₜ,g·U_g), before its mask is applied (per-gate masks only).
    let mut part = vec![0f32; if parts > 1 { GROUP * units } else { 0 }];
    // dh_next and dc_next: gradients flowing into step t from step t + 1.
    let mut dh_next = vec![0f32; rows * units];
    let mut dc_next = vec![0f32; if cell == Cell::Lstm { rows * units } else { 0 }];
    for t in (0..steps).rev() {
        for j in 0..rows {
            let at = (j * steps + t) * units;
            let row = (j * steps + t) * width;
            let dz = &mut d_projected[row..row + width];
            let a = &s.gates[row..row + width];
            let dh = &dh_next[j * units..(j + 1) * units];
            let grad = &s.grad[at..at + units];
            match cell {
                Cell::SimpleRnn => gates::rnn_backward(dz, a, grad, dh),
                Cell::Lstm => {
                    let c_prev = match t {
                        0 => &s.c0[j * units..(j + 1) * units],
                        _ => &s.cells[at - units..at],
                    };
                    let dc = &mut dc_next[j * units..(j + 1) * units];
                    gates::lstm_backward(dz, a, &s.cells[at..at + units], c_prev, grad, dh, dc);
                }
            }
        }
        // dhₜ₋₁ = Σ_g (dzₜ,g·U_g) ⊙ mask g.
        for group in groups(rows) {
            let dh = &mut dh_next[group.start * units..group.end * units];
            for g in 0..parts {
                let lhs = MatRef::strided(
                    &d_projected[(group.start * steps + t) * width + g * part_width..],
                    group.len(),
                    part_width,
                    steps * width,
                );
                let kernel_g = kernel_part(kernel, g, part_width, units);
                let mask = s.mask.map(|m| &m[group.start * parts * units..]);
                match mask {
                    None => matmul(dh, lhs, kernel_g, false, 1),
                    Some(m) if parts == 1 => {
                        matmul(dh, lhs, kernel_g, false, 1);
                        gates::mask_in_place(dh, m);
                    }
                    Some(m) => {
                        let part = &mut part[..group.len() * units];
                        matmul(part, lhs, kernel_g, false, 1);
                        for j in 0..group.len() {
                            let at = (j * parts + g) * units;
                            let dh = &mut dh[j * units..(j + 1) * units];
                            let p = &part[j * units..(j + 1) * units];
                            if g == 0 {
                                gates::masked_copy(dh, p, Some(&m[at..at + units]));
                            } else {
                                gates::add_masked(dh, p, &m[at..at + units]);
                            }
                        }
                    }
                }
            }
        }
    }
    dh_next.extend_from_slice(&dc_next);
    dh_next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_batch_once() {
        assert_eq!(blocks(5, 2), vec![0..5]);
        assert_eq!(blocks(32, 2), [0..16, 16..32]);
        assert_eq!(blocks(40, 2), [0..16, 16..40]);
        assert_eq!(blocks(1, 4), vec![0..1]);
        assert_eq!(blocks(0, 2), Vec::<Range<usize>>::new());
        let b = blocks(33, 3);
        assert_eq!(b, [0..16, 16..32, 32..33]);
        assert_eq!(groups(40).collect::<Vec<_>>(), [0..16, 16..32, 32..40]);
    }
}
