//! Per-thread scratch memory for the kernels' intermediate matrices (im2col columns,
//! masked gradients), kept between calls: allocating them afresh for every image or every
//! batch costs page faults and zeroing that show up in a profile as much as the maths.

use std::cell::RefCell;

thread_local! {
    /// This thread's buffer; it only grows (to the largest layer's columns).
    static BUFFER: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` with two scratch slices of `a` and `b` values on this thread's buffer.
/// Their contents are left over from earlier calls: `work` must write before it reads.
/// When the buffer is already in use (a kernel reached again on the same thread through
/// rayon's work stealing), a fresh allocation serves instead.
pub(super) fn with_scratch<R>(
    a: usize,
    b: usize,
    work: impl FnOnce(&mut [f32], &mut [f32]) -> R,
) -> R {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            if buffer.len() < a + b {
                buffer.resize(a + b, 0.0);
            }
            let (first, rest) = buffer.split_at_mut(a);
            work(first, &mut rest[..b])
        }
        Err(_) => {
            let mut fresh = vec![0.0; a + b];
            let (first, second) = fresh.split_at_mut(a);
            work(first, second)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_use_gets_a_separate_buffer() {
        with_scratch(4, 2, |a, b| {
            a.fill(1.0);
            b.fill(2.0);
            with_scratch(4, 2, |c, d| {
                c.fill(3.0);
                d.fill(4.0);
            });
            assert_eq!(a, [1.0; 4]);
            assert_eq!(b, [2.0; 2]);
        });
    }
}
