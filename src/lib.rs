//! pressroom turns a campaign's YAML content into print-ready documents: the
//! formal notice (GB/T 9704-2012) with its plan and attachments, typeset with
//! typst as a library.
//!
//! The pipeline, one module per stage: [`content`] (load and validate) →
//! [`render`] (template expressions and rich text) → [`targets`] (the data
//! each output's template receives) → [`typeset`] (typst world, fonts, PDF)
//! → [`output`] (atomic writes). [`build`] runs it; [`cli`] is the thin
//! command-line front.

pub mod batch;
pub mod build;
pub mod cli;
pub mod cli_zh;
pub mod content;
pub mod diag;
pub mod lint;
pub mod newproject;
pub mod newyear;
pub mod output;
pub mod progress;
pub mod proof;
pub mod render;
pub mod sample_photos;
pub mod targets;
pub mod typeset;
pub mod watch;
pub mod workers;
