//! The element-wise work of one recurrent step for one sequence: gate non-linearities,
//! the cell update, and their derivatives, each compiled for AVX2 too (`with_avx2!`). The
//! bodies are written over slices re-cut to one length, so the compiler drops the bounds
//! checks and vectorises the loops.

use super::fast_math::{sigmoid, tanh};

with_avx2! {
    /// `out = values ⊙ mask`, or a copy of `values` without a mask.
    fn masked_copy(out: &mut [f32], values: &[f32], mask: Option<&[f32]>) {
        let n = out.len();
        let values = &values[..n];
        match mask {
            Some(mask) => {
                let mask = &mask[..n];
                for k in 0..n {
                    out[k] = values[k] * mask[k];
                }
            }
            None => out.copy_from_slice(values),
        }
    }
}

with_avx2! {
    /// `out += values ⊙ mask`.
    fn add_masked(out: &mut [f32], values: &[f32], mask: &[f32]) {
        let n = out.len();
        let (values, mask) = (&values[..n], &mask[..n]);
        for k in 0..n {
            out[k] += values[k] * mask[k];
        }
    }
}

with_avx2! {
    /// `values ⊙= mask`.
    fn mask_in_place(values: &mut [f32], mask: &[f32]) {
        let mask = &mask[..values.len()];
        for (v, m) in values.iter_mut().zip(mask) {
            *v *= m;
        }
    }
}

with_avx2! {
    /// A simple RNN step: `z` (the pre-activation, `units` values) becomes hₜ = tanh(z),
    /// copied to `h`.
    fn rnn_forward(z: &mut [f32], h: &mut [f32]) {
        let z = &mut z[..h.len()];
        for (z, h) in z.iter_mut().zip(h.iter_mut()) {
            *z = tanh(*z);
            *h = *z;
        }
    }
}

with_avx2! {
    /// A simple RNN step backward: dz = (gradient of hₜ + dh from step t + 1) · (1 − hₜ²).
    fn rnn_backward(dz: &mut [f32], h: &[f32], grad: &[f32], dh_next: &[f32]) {
        let n = dz.len();
        let (h, grad, dh_next) = (&h[..n], &grad[..n], &dh_next[..n]);
        for k in 0..n {
            dz[k] = (grad[k] + dh_next[k]) * (1.0 - h[k] * h[k]);
        }
    }
}

with_avx2! {
    /// An LSTM step: the pre-activations `z` = [i f g o] (4 × `units` values) become the
    /// gates σ(i), σ(f), tanh(g), σ(o) in place; cₜ = f·cₜ₋₁ + i·g and hₜ = o·tanh(cₜ).
    fn lstm_forward(z: &mut [f32], c_prev: &[f32], c: &mut [f32], h: &mut [f32]) {
        let units = c.len();
        let (i, rest) = z.split_at_mut(units);
        let (f, rest) = rest.split_at_mut(units);
        let (g, o) = rest.split_at_mut(units);
        let (o, c_prev, h) = (&mut o[..units], &c_prev[..units], &mut h[..units]);
        for k in 0..units {
            i[k] = sigmoid(i[k]);
            f[k] = sigmoid(f[k]);
            g[k] = tanh(g[k]);
            o[k] = sigmoid(o[k]);
            c[k] = f[k] * c_prev[k] + i[k] * g[k];
            h[k] = o[k] * tanh(c[k]);
        }
    }
}

with_avx2! {
    /// An LSTM step backward, from the gates `a` = [i f g o], the cell states cₜ and cₜ₋₁,
    /// the gradient of hₜ (`grad` + `dh_next` from step t + 1) and of cₜ (`dc`, from step
    /// t + 1): writes the pre-activations' gradient dz = [di df dg do] and leaves in `dc`
    /// the gradient of cₜ₋₁.
    fn lstm_backward(
        dz: &mut [f32],
        a: &[f32],
        c: &[f32],
        c_prev: &[f32],
        grad: &[f32],
        dh_next: &[f32],
        dc: &mut [f32],
    ) {
        let units = dc.len();
        let (i, f, g, o) = (&a[..units], &a[units..2 * units], &a[2 * units..3 * units], &a[3 * units..4 * units]);
        let (dzi, rest) = dz.split_at_mut(units);
        let (dzf, rest) = rest.split_at_mut(units);
        let (dzg, dzo) = rest.split_at_mut(units);
        let dzo = &mut dzo[..units];
        let (c, c_prev, grad, dh_next) = (&c[..units], &c_prev[..units], &grad[..units], &dh_next[..units]);
        for k in 0..units {
            let dh = grad[k] + dh_next[k];
            let tc = tanh(c[k]);
            let dck = dc[k] + dh * o[k] * (1.0 - tc * tc);
            dzi[k] = dck * g[k] * i[k] * (1.0 - i[k]);
            dzf[k] = dck * c_prev[k] * f[k] * (1.0 - f[k]);
            dzg[k] = dck * i[k] * (1.0 - g[k] * g[k]);
            dzo[k] = dh * tc * o[k] * (1.0 - o[k]);
            dc[k] = dck * f[k];
        }
    }
}
