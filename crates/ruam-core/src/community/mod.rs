//! The community register: the villages the team covers, placed in Thailand's provinces,
//! districts and sub-districts as the bundled gazetteer names them (never typed free), the
//! volunteers who know their children, the register of children they survey with the
//! team's rule that flags the most vulnerable, the import of surveys from spreadsheets,
//! and the steps of a child's documentation and citizenship.

pub mod csv;
pub mod documentation;
pub mod gazetteer;
pub mod import;
pub mod register;
pub mod rule;
pub mod villages;
pub mod volunteers;
