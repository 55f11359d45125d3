//! Pooled funds (issue 6, being built): what agencies put in, what is spent, what is left.
//! Money itself (`money`) and the ledger's arithmetic (`ledger`).

pub mod ledger;
pub mod money;
pub mod store;

pub use ledger::{FundFigures, LineTotals, Movement, Totals};
pub use money::{Currency, Money, Rate};
pub use store::Amount;
