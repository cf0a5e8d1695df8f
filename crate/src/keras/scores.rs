//! Summary statistics of repeated scores (folds, seeds): mean, spread, range.

/// The mean of `scores` (0 for none).
pub(crate) fn mean(scores: &[f64]) -> f64 {
    scores.iter().sum::<f64>() / scores.len().max(1) as f64
}

/// The population standard deviation of `scores` (0 for none).
pub(crate) fn std(scores: &[f64]) -> f64 {
    let mean = mean(scores);
    let n = scores.len().max(1) as f64;
    (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n).sqrt()
}

/// The lowest and the highest score.
pub(crate) fn range(scores: &[f64]) -> (f64, f64) {
    scores
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), s| (lo.min(*s), hi.max(*s)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn mean_std_and_range_of_a_few_scores() {
        let scores = [0.8, 0.9, 1.0];
        assert!((super::mean(&scores) - 0.9).abs() < 1e-12);
        assert!((super::std(&scores) - (0.02f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(super::range(&scores), (0.8, 1.0));
        assert_eq!(super::mean(&[]), 0.0);
    }
}
