//! Cutting a binary classifier's scores at a threshold: the confusion counts at one
//! threshold, and the trade-off over all of them as ROC and precision–recall curves,
//! the area under the ROC curve (trapezoid rule), the average precision, and the
//! threshold with the lowest cost when the two kinds of error cost different amounts.
//!
//! A sample is predicted positive when its score is **at or above** the threshold.
//!
//! ```
//! use dlcourse::train::{Costs, Thresholds};
//! let scores = [0.9, 0.8, 0.6, 0.4, 0.3, 0.1];
//! let labels = [true, true, false, true, false, false];
//! let t = Thresholds::from_slices(&scores, &labels)?;
//! let half = t.counts(0.5)?;
//! assert_eq!((half.true_positives, half.false_positives, half.false_negatives), (2, 1, 1));
//! assert!((t.auc() - 8.0 / 9.0).abs() < 1e-12); // 8 of the 9 (positive, negative) pairs in order
//! let costs = Costs { false_negative: 5.0, false_positive: 1.0 };
//! assert_eq!(t.cheapest(&costs)?.threshold, 0.4); // all positives found, one false alarm
//! # Ok::<(), dlcourse::Error>(())
//! ```

use crate::error::{Error, Result};
use candle_core::{DType, Tensor};
use std::fmt;

/// What each kind of error costs, in any one unit (money, harm, hours): a missed
/// positive (`false_negative`) and a false alarm (`false_positive`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Costs {
    /// The cost of a positive predicted negative (a missed cancer).
    pub false_negative: f64,
    /// The cost of a negative predicted positive (a false alarm).
    pub false_positive: f64,
}

impl Costs {
    fn check(&self) -> Result<()> {
        let valid = |c: f64| c.is_finite() && c >= 0.0;
        if valid(self.false_negative)
            && valid(self.false_positive)
            && self.false_negative + self.false_positive > 0.0
        {
            return Ok(());
        }
        Err(Error::shape(
            "choosing the cheapest threshold",
            "two finite costs ≥ 0, not both 0",
            format!(
                "false_negative {}, false_positive {}",
                self.false_negative, self.false_positive
            ),
            "give each error a cost, e.g. Costs { false_negative: 10.0, false_positive: 1.0 }",
        ))
    }
}

/// The four counts of a binary confusion matrix at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Samples with a score at or above this are predicted positive.
    pub threshold: f64,
    /// Positives predicted positive.
    pub true_positives: usize,
    /// Negatives predicted positive (false alarms).
    pub false_positives: usize,
    /// Negatives predicted negative.
    pub true_negatives: usize,
    /// Positives predicted negative (misses).
    pub false_negatives: usize,
}

/// `num / den`, or 0 when `den` is 0.
fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

impl Counts {
    /// The number of samples.
    pub fn total(&self) -> usize {
        self.true_positives + self.false_positives + self.true_negatives + self.false_negatives
    }

    /// The share of positives found: TP / (TP + FN), also called sensitivity or true
    /// positive rate (0 when there are no positives).
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// The share of positive predictions that are right: TP / (TP + FP) (0 when nothing
    /// is predicted positive).
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// The share of negatives raised as false alarms: FP / (FP + TN) (0 when there are
    /// no negatives).
    pub fn false_positive_rate(&self) -> f64 {
        ratio(
            self.false_positives,
            self.false_positives + self.true_negatives,
        )
    }

    /// The share of negatives predicted negative: TN / (FP + TN), 1 − the false positive
    /// rate (0 when there are no negatives).
    pub fn specificity(&self) -> f64 {
        ratio(
            self.true_negatives,
            self.false_positives + self.true_negatives,
        )
    }

    /// The share of samples predicted right (0 when there are none).
    pub fn accuracy(&self) -> f64 {
        ratio(self.true_positives + self.true_negatives, self.total())
    }

    /// The total cost of the errors: FN × `costs.false_negative` + FP ×
    /// `costs.false_positive`.
    pub fn cost(&self, costs: &Costs) -> f64 {
        self.false_negatives as f64 * costs.false_negative
            + self.false_positives as f64 * costs.false_positive
    }

    /// The counts as a matrix, rows the true class (negative, positive), columns the
    /// predicted one: `[[TN, FP], [FN, TP]]`, the layout of [`plot::Confusion`](crate::plot::Confusion).
    pub fn matrix(&self) -> [[usize; 2]; 2] {
        [
            [self.true_negatives, self.false_positives],
            [self.false_negatives, self.true_positives],
        ]
    }
}

impl fmt::Display for Counts {
    /// `threshold 0.500: 120 TP, 30 FP, 300 TN, 50 FN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "threshold {:.3}: {} TP, {} FP, {} TN, {} FN",
            self.threshold,
            self.true_positives,
            self.false_positives,
            self.true_negatives,
            self.false_negatives
        )
    }
}

/// One point of a ROC curve: the false positive rate (x) and true positive rate (y) at a
/// threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RocPoint {
    /// The threshold of this point (`+∞` for the first point, where nothing is positive).
    pub threshold: f64,
    /// FP / negatives.
    pub false_positive_rate: f64,
    /// TP / positives (the recall).
    pub true_positive_rate: f64,
}

/// One point of a precision–recall curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrPoint {
    /// The threshold of this point.
    pub threshold: f64,
    /// TP / positives.
    pub recall: f64,
    /// TP / predicted positives.
    pub precision: f64,
}

/// A binary classifier's scores (probabilities of the positive class, or any score
/// where higher means "more likely positive") with the true labels, ready to be cut at
/// any threshold.
///
/// The samples are sorted once; the counts at every distinct score are kept, so
/// [`Thresholds::roc`], [`Thresholds::precision_recall`] and [`Thresholds::cheapest`]
/// look at every threshold that changes a prediction. Equal scores (ties) move
/// together: a tie of a positive and a negative is one diagonal step of the ROC curve,
/// worth half a pair in the AUC.
///
/// ```
/// use dlcourse::train::Thresholds;
/// let perfect = Thresholds::from_slices(&[0.9, 0.8, 0.2, 0.1], &[true, true, false, false])?;
/// assert_eq!(perfect.auc(), 1.0);
/// let reversed = Thresholds::from_slices(&[0.1, 0.2, 0.8, 0.9], &[true, true, false, false])?;
/// assert_eq!(reversed.auc(), 0.0);
/// let coin = Thresholds::from_slices(&[0.5; 4], &[true, false, true, false])?;
/// assert_eq!(coin.auc(), 0.5); // all tied: the diagonal
/// # Ok::<(), dlcourse::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// The scores, highest first.
    sorted: Vec<f64>,
    /// `cuts[i]`: the counts at the i-th distinct score, highest first, after the
    /// counts at `+∞` (nothing positive).
    cuts: Vec<Counts>,
}

impl Thresholds {
    /// Scores and labels from tensors of one value per sample (`[n]` or `[n, 1]`): the
    /// model's probabilities of the positive class and the labels, 1 for positive and 0
    /// for negative (any dtype).
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// let p = Tensor::new(&[[0.9f32], [0.3], [0.6]], &Device::Cpu)?;
    /// let y = Tensor::new(&[[1f32], [0.], [0.]], &Device::Cpu)?;
    /// let t = dlcourse::train::Thresholds::new(&p, &y)?;
    /// assert_eq!(t.counts(0.5)?.false_positives, 1);
    /// # Ok::<(), dlcourse::Error>(())
    /// ```
    pub fn new(scores: &Tensor, labels: &Tensor) -> Result<Self> {
        let scores = one_per_sample(scores, "scores")?;
        let labels = one_per_sample(labels, "labels")?;
        let positive = labels
            .iter()
            .map(|&l| match l {
                0.0 => Ok(false),
                1.0 => Ok(true),
                other => Err(Error::shape(
                    "reading the labels of a binary classifier",
                    "labels 0 (negative) or 1 (positive)",
                    format!("the label {other}"),
                    "pass the true classes, e.g. the severity column, not the predictions",
                )),
            })
            .collect::<Result<Vec<bool>>>()?;
        Self::from_slices(&scores, &positive)
    }

    /// Scores and labels (`true` for positive) from slices. Rejects empty or unequal
    /// inputs, a score that is NaN, and labels of one class only (a ROC curve needs
    /// positives and negatives).
    pub fn from_slices(scores: &[f64], positive: &[bool]) -> Result<Self> {
        check(scores, positive)?;
        let mut pairs: Vec<(f64, bool)> = scores
            .iter()
            .copied()
            .zip(positive.iter().copied())
            .collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let positives = positive.iter().filter(|&&p| p).count();
        let negatives = positive.len() - positives;
        let at = |threshold: f64, tp: usize, fp: usize| Counts {
            threshold,
            true_positives: tp,
            false_positives: fp,
            true_negatives: negatives - fp,
            false_negatives: positives - tp,
        };
        let mut cuts = vec![at(f64::INFINITY, 0, 0)];
        let (mut tp, mut fp) = (0, 0);
        for (i, &(score, is_positive)) in pairs.iter().enumerate() {
            if is_positive {
                tp += 1
            } else {
                fp += 1
            }
            let last_of_tie = pairs.get(i + 1).is_none_or(|next| next.0 != score);
            if last_of_tie {
                cuts.push(at(score, tp, fp));
            }
        }
        let sorted = pairs.into_iter().map(|(s, _)| s).collect();
        Ok(Thresholds { sorted, cuts })
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Always `false`: empty inputs are rejected.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The share of positives among the samples (the precision of calling everything
    /// positive: the floor of the precision–recall curve).
    pub fn prevalence(&self) -> f64 {
        let all = self.cuts[self.cuts.len() - 1];
        ratio(all.true_positives, all.total())
    }

    /// The confusion counts when scores at or above `threshold` are called positive.
    pub fn counts(&self, threshold: f64) -> Result<Counts> {
        if threshold.is_nan() {
            return Err(Error::shape(
                "cutting scores at a threshold",
                "a threshold that is a number",
                "NaN",
                "pass e.g. 0.5",
            ));
        }
        let above = self.sorted.partition_point(|&s| s >= threshold);
        // The last cut with `above` samples predicted positive.
        let i = self
            .cuts
            .partition_point(|c| c.true_positives + c.false_positives <= above)
            - 1;
        Ok(Counts {
            threshold,
            ..self.cuts[i]
        })
    }

    /// The ROC curve: one point per distinct score, from (0, 0) (threshold `+∞`) to
    /// (1, 1) (the lowest score), the threshold falling.
    pub fn roc(&self) -> Vec<RocPoint> {
        let point = |c: &Counts| RocPoint {
            threshold: c.threshold,
            false_positive_rate: c.false_positive_rate(),
            true_positive_rate: c.recall(),
        };
        self.cuts.iter().map(point).collect()
    }

    /// The precision–recall curve: one point per distinct score, the threshold falling
    /// (recall rising to 1).
    pub fn precision_recall(&self) -> Vec<PrPoint> {
        let point = |c: &Counts| PrPoint {
            threshold: c.threshold,
            recall: c.recall(),
            precision: c.precision(),
        };
        self.cuts[1..].iter().map(point).collect()
    }

    /// The area under the ROC curve, by the trapezoid rule: the chance that a random
    /// positive scores above a random negative (a tie counts half). 1 for a perfect
    /// ranking, 0.5 for a coin, 0 for a reversed one.
    pub fn auc(&self) -> f64 {
        let roc = self.roc();
        let area = roc.windows(2).map(|w| {
            let (a, b) = (w[0], w[1]);
            (b.false_positive_rate - a.false_positive_rate)
                * (a.true_positive_rate + b.true_positive_rate)
                / 2.0
        });
        area.sum()
    }

    /// The average precision: the precision at each threshold weighted by the recall it
    /// adds, Σ (Rₖ − Rₖ₋₁)·Pₖ (scikit-learn's `average_precision_score`). 1 for a perfect
    /// ranking; about the prevalence for a random one.
    pub fn average_precision(&self) -> f64 {
        let mut recall = 0.0;
        let mut sum = 0.0;
        for p in self.precision_recall() {
            sum += (p.recall - recall) * p.precision;
            recall = p.recall;
        }
        sum
    }

    /// The threshold with the lowest total cost of errors ([`Counts::cost`]) over every
    /// distinct score (and `+∞`, calling nothing positive), and its counts. Of equally
    /// cheap thresholds, the highest.
    pub fn cheapest(&self, costs: &Costs) -> Result<Counts> {
        costs.check()?;
        let cheapest = self
            .cuts
            .iter()
            .min_by(|a, b| a.cost(costs).total_cmp(&b.cost(costs)));
        Ok(*cheapest.expect("there is always the cut at +∞"))
    }
}

/// The values of a `[n]` or `[n, 1]` tensor.
fn one_per_sample(t: &Tensor, what: &str) -> Result<Vec<f64>> {
    if !matches!(t.dims(), [_] | [_, 1]) {
        return Err(Error::shape(
            format!("reading the {what} of a binary classifier"),
            "one value per sample: shape [n] or [n, 1]",
            format!("{:?}", t.dims()),
            "pass the probability of the positive class (a sigmoid output) and 0/1 labels",
        ));
    }
    Ok(t.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?)
}

fn check(scores: &[f64], positive: &[bool]) -> Result<()> {
    let context = "cutting a classifier's scores at thresholds";
    if scores.is_empty() {
        return Err(Error::shape(
            context,
            "at least one score",
            "none",
            "pass the model's predictions",
        ));
    }
    if scores.len() != positive.len() {
        return Err(Error::shape(
            context,
            format!("one label per score ({} scores)", scores.len()),
            format!("{} labels", positive.len()),
            "pass the labels of the same samples the scores were predicted for",
        ));
    }
    if let Some(i) = scores.iter().position(|s| s.is_nan()) {
        return Err(Error::shape(
            context,
            "scores that are numbers",
            format!("NaN at sample {i}"),
            "check the model's outputs (a diverged training gives NaN)",
        ));
    }
    let positives = positive.iter().filter(|&&p| p).count();
    if positives == 0 || positives == positive.len() {
        let only = if positives == 0 {
            "negatives"
        } else {
            "positives"
        };
        return Err(Error::shape(
            context,
            "labels of both classes (a ROC curve needs positives and negatives)",
            format!("only {only} ({} samples)", positive.len()),
            "score a set that holds both classes, e.g. all cross-validation folds together",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn t(scores: &[f64], labels: &[u8]) -> Thresholds {
        let positive: Vec<bool> = labels.iter().map(|&l| l == 1).collect();
        Thresholds::from_slices(scores, &positive).unwrap()
    }

    #[test]
    fn perfect_reversed_and_tied_rankings() {
        assert_eq!(t(&[0.9, 0.7, 0.3, 0.1], &[1, 1, 0, 0]).auc(), 1.0);
        assert_eq!(t(&[0.9, 0.7, 0.3, 0.1], &[0, 0, 1, 1]).auc(), 0.0);
        assert_eq!(t(&[0.4; 6], &[1, 0, 0, 1, 0, 0]).auc(), 0.5);
        // One positive tied with one of two negatives, above the other: (1 + 0.5) / 2.
        assert_eq!(t(&[0.6, 0.6, 0.2], &[1, 0, 0]).auc(), 0.75);
        // The AUC is the share of (positive, negative) pairs in order: 5 of 6 here.
        let auc = t(&[0.9, 0.8, 0.7, 0.6, 0.5], &[1, 0, 1, 0, 0]).auc();
        assert!((auc - 5.0 / 6.0).abs() < 1e-12, "{auc}");
    }

    #[test]
    fn roc_runs_from_origin_to_corner_through_each_distinct_score() {
        let roc = t(&[0.9, 0.5, 0.5, 0.1], &[1, 1, 0, 0]).roc();
        let xy: Vec<(f64, f64)> = roc
            .iter()
            .map(|p| (p.false_positive_rate, p.true_positive_rate))
            .collect();
        assert_eq!(xy, [(0.0, 0.0), (0.0, 0.5), (0.5, 1.0), (1.0, 1.0)]);
        assert_eq!(roc[0].threshold, f64::INFINITY);
        assert_eq!(roc[2].threshold, 0.5);
    }

    #[test]
    fn counts_at_a_threshold_include_equal_scores() -> Result<()> {
        let th = t(&[0.9, 0.5, 0.5, 0.1], &[1, 1, 0, 0]);
        let c = th.counts(0.5)?;
        assert_eq!(c.matrix(), [[1, 1], [0, 2]]);
        assert_eq!(
            (c.recall(), c.precision(), c.false_positive_rate()),
            (1.0, 2.0 / 3.0, 0.5)
        );
        let c = th.counts(0.6)?;
        assert_eq!(
            (c.true_positives, c.false_positives, c.threshold),
            (1, 0, 0.6)
        );
        assert_eq!(
            th.counts(2.0)?.true_positives + th.counts(2.0)?.false_positives,
            0
        );
        assert_eq!(th.counts(-1.0)?.true_negatives, 0);
        assert!(th.counts(f64::NAN).is_err());
        Ok(())
    }

    #[test]
    fn precision_recall_and_average_precision() {
        let th = t(&[0.9, 0.8, 0.7, 0.6], &[1, 0, 1, 0]);
        let pr: Vec<(f64, f64)> = th
            .precision_recall()
            .iter()
            .map(|p| (p.recall, p.precision))
            .collect();
        assert_eq!(pr, [(0.5, 1.0), (0.5, 0.5), (1.0, 2.0 / 3.0), (1.0, 0.5)]);
        // 0.5 × 1 + 0.5 × 2/3
        assert!((th.average_precision() - (0.5 + 1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(
            t(&[0.9, 0.7, 0.3, 0.1], &[1, 1, 0, 0]).average_precision(),
            1.0
        );
        assert_eq!(th.prevalence(), 0.5);
    }

    #[test]
    fn the_cheapest_threshold_follows_the_costs() -> Result<()> {
        let th = t(&[0.9, 0.8, 0.6, 0.4, 0.3, 0.1], &[1, 1, 0, 1, 0, 0]);
        let misses_dear = Costs {
            false_negative: 5.0,
            false_positive: 1.0,
        };
        let c = th.cheapest(&misses_dear)?;
        assert_eq!(
            (c.threshold, c.false_negatives, c.false_positives),
            (0.4, 0, 1)
        );
        let alarms_dear = Costs {
            false_negative: 1.0,
            false_positive: 5.0,
        };
        assert_eq!(th.cheapest(&alarms_dear)?.threshold, 0.8);
        let alarms_only = Costs {
            false_negative: 0.0,
            false_positive: 1.0,
        };
        assert_eq!(th.cheapest(&alarms_only)?.threshold, f64::INFINITY);
        let bad = Costs {
            false_negative: -1.0,
            false_positive: 1.0,
        };
        assert!(
            th.cheapest(&bad)
                .unwrap_err()
                .to_string()
                .contains("finite costs")
        );
        Ok(())
    }

    #[test]
    fn bad_inputs_are_rejected_with_what_was_found() {
        let err = |s: &[f64], p: &[bool]| Thresholds::from_slices(s, p).unwrap_err().to_string();
        assert!(err(&[], &[]).contains("found none"));
        assert!(err(&[0.1, 0.2], &[true]).contains("found 1 labels"));
        assert!(err(&[0.1, f64::NAN], &[true, false]).contains("NaN at sample 1"));
        assert!(err(&[0.1, 0.2], &[false, false]).contains("only negatives"));
        assert!(err(&[0.1, 0.2], &[true, true]).contains("only positives"));
    }

    #[test]
    fn tensors_of_probabilities_and_labels() -> Result<()> {
        let dev = Device::Cpu;
        let p = Tensor::new(&[[0.8f32], [0.4], [0.3]], &dev)?;
        let th = Thresholds::new(&p, &Tensor::new(&[1u8, 1, 0], &dev)?)?;
        assert_eq!(th.auc(), 1.0);
        assert_eq!(th.len(), 3);
        let bad = Thresholds::new(&p, &Tensor::new(&[1f32, 2., 0.], &dev)?);
        assert!(bad.unwrap_err().to_string().contains("the label 2"));
        let wide = Thresholds::new(&Tensor::zeros((3, 2), DType::F32, &dev)?, &p);
        assert!(wide.unwrap_err().to_string().contains("[3, 2]"));
        Ok(())
    }
}
