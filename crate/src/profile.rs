//! The two run profiles of every lesson: `full` (what a learner gets: the course's data
//! sizes and epochs) and `quick` (what CI runs: a subset, fewer epochs, about a minute).
//!
//! The profile comes from the `DLCOURSE_PROFILE` environment variable. Lessons never branch
//! on it themselves; they ask for a value with [`Profile::pick`] or read lesson settings
//! that were chosen from it.
//!
//! ```
//! use dlcourse::profile::Profile;
//! let epochs = Profile::Quick.pick(5, 500);
//! assert_eq!(epochs, 5);
//! ```

use crate::error::{Error, Result};
use std::fmt;

/// Name of the environment variable that selects the profile.
pub const PROFILE_VAR: &str = "DLCOURSE_PROFILE";

/// How much work a lesson does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// A subset and fewer epochs, for CI: still asserts a real result well above chance.
    Quick,
    /// The course's sizes and hyperparameters; must reach the course's numbers.
    #[default]
    Full,
}

impl Profile {
    /// Parses `quick` or `full` (case-insensitive).
    pub fn parse(value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "quick" => Ok(Profile::Quick),
            "full" | "" => Ok(Profile::Full),
            _ => Err(Error::Env {
                name: PROFILE_VAR,
                value: value.to_owned(),
                expected: "`quick` or `full` (unset means full)",
            }),
        }
    }

    /// The profile named by `DLCOURSE_PROFILE`, or an error for a value that is neither
    /// `quick` nor `full`. Unset means [`Profile::Full`].
    pub fn from_env() -> Result<Self> {
        match std::env::var(PROFILE_VAR) {
            Ok(value) => Self::parse(&value),
            Err(_) => Ok(Profile::Full),
        }
    }

    /// The profile named by `DLCOURSE_PROFILE`; an invalid value is reported on stderr and
    /// treated as `full` (use [`Profile::from_env`] to get the error instead).
    pub fn current() -> Self {
        Self::from_env().unwrap_or_else(|err| {
            eprintln!("dlcourse: {err}; using the full profile");
            Profile::Full
        })
    }

    /// `quick` in the quick profile, `full` in the full one.
    pub fn pick<T>(self, quick: T, full: T) -> T {
        match self {
            Profile::Quick => quick,
            Profile::Full => full,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pick("quick", "full"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_profiles_and_rejects_typos() {
        assert_eq!(Profile::parse("QUICK").unwrap(), Profile::Quick);
        assert_eq!(Profile::parse("full").unwrap(), Profile::Full);
        let err = Profile::parse("quik").unwrap_err().to_string();
        assert!(
            err.contains("DLCOURSE_PROFILE") && err.contains("quick"),
            "{err}"
        );
    }
}
