//! The community register: the villages the team covers, placed in Thailand's provinces,
//! districts and sub-districts as the bundled gazetteer names them (never typed free), the
//! volunteers who know their children, and the register of children they survey.

pub mod gazetteer;
pub mod villages;
