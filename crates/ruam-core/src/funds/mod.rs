//! Pooled funds (issue 6, being built): what agencies put in, what is spent, what is left.
//! So far: money itself (`money`).

pub mod money;

pub use money::{Currency, Money, Rate};
