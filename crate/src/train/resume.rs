//! What every resumable custom training loop shares (the VAE's, the GAN's): restoring a
//! checkpoint before the first epoch, training only the epochs it lacks, saving after
//! every epoch, and returning the history of the whole run.

use crate::error::Result;
use crate::train::{Checkpoint, Fit, History, ParamUpdate};
use candle_core::Var;
use std::path::Path;

/// A run that may go on from a checkpoint.
pub(crate) struct Resumable {
    checkpoint: Option<Checkpoint>,
    /// The epochs of a resumed checkpoint, before this run's.
    earlier: History,
}

impl Resumable {
    /// Without `path`, a fresh run that saves nothing. With one, restores `vars` and
    /// `optimizers` when the file holds the first epochs of the same `run` (see
    /// [`Checkpoint`]), and says so unless `fit` is quiet.
    pub(crate) fn open(
        path: Option<&Path>,
        run: String,
        vars: &[(String, Var)],
        optimizers: &mut [&mut dyn ParamUpdate],
        fit: &Fit,
    ) -> Result<Self> {
        let checkpoint = path.map(|p| Checkpoint::new(p, run));
        let earlier = match &checkpoint {
            Some(c) => c
                .restore_with_optimizers(vars, optimizers)?
                .unwrap_or_default(),
            None => History::new(),
        };
        let done = earlier.epochs();
        if let (true, true, Some(path)) = (done > 0, fit.verbose, path) {
            if done < fit.epochs {
                println!(
                    "resuming after epoch {done} of {} from {}",
                    fit.epochs,
                    path.display()
                );
            } else {
                println!(
                    "{} already holds {done} epochs (of {} asked for): nothing to train",
                    path.display(),
                    fit.epochs
                );
            }
        }
        Ok(Resumable {
            checkpoint,
            earlier,
        })
    }

    /// The epochs already trained (0 for a fresh run).
    pub(crate) fn done(&self) -> usize {
        self.earlier.epochs()
    }

    /// Saves `vars`, the optimisers' state and every epoch so far (the restored ones and
    /// this run's `history`), when the run has a checkpoint.
    pub(crate) fn save(
        &self,
        vars: &[(String, Var)],
        optimizers: &[&dyn ParamUpdate],
        history: &History,
    ) -> Result<()> {
        let Some(checkpoint) = &self.checkpoint else {
            return Ok(());
        };
        checkpoint.save_with_optimizers(vars, optimizers, &self.whole(history))
    }

    /// The history of the whole run: the restored epochs, then `history`'s.
    pub(crate) fn whole(&self, history: &History) -> History {
        let mut all = self.earlier.clone();
        all.extend(history);
        all
    }
}
