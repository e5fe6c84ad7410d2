//! Stage 4, targets: what pressroom can build. Each target turns loaded
//! content into template data; the pipeline typesets and writes it.

pub mod annex;
pub mod attachments;
pub mod booklet;
pub mod flyers;
pub mod imposition;
pub mod media;
pub mod notice;
pub mod photos;
pub mod qr;
pub mod sheets;

use std::fmt;
use std::str::FromStr;

/// A buildable output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// `output/notice.pdf`: the formal notice with its plan and attachments.
    Notice,
    /// `output/documents/<name>.pdf` for every file of `content/documents/`,
    /// with its attachment tables as XLSX and CSV.
    Documents,
    /// `output/booklet.pdf` and `output/booklet-imposed.pdf`.
    Booklet,
    /// `output/flyers/<township>.pdf` for every township.
    Flyers,
    /// `output/annex/<table>.{pdf,xlsx,csv}` for every annex table.
    Annex,
}

impl Target {
    /// Every target, in build order.
    pub const ALL: [Target; 5] =
        [Target::Notice, Target::Documents, Target::Annex, Target::Booklet, Target::Flyers];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Notice => "notice",
            Target::Documents => "documents",
            Target::Booklet => "booklet",
            Target::Flyers => "flyers",
            Target::Annex => "annex",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::ALL.into_iter().find(|t| t.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
            match crate::diag::lang() {
                crate::diag::Lang::Zh => format!("没有“{s}”这种输出（可用：{}）", names.join("、")),
                crate::diag::Lang::En => format!("unknown target `{s}` (known: {})", names.join(", ")),
            }
        })
    }
}
