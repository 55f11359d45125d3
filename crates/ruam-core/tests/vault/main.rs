//! Core integration tests: every test runs on a fresh, real SQLCipher vault in a temp dir.
#![allow(clippy::unwrap_used)]

mod support;

mod audit;
mod backup;
mod boards;
mod cards;
mod cases;
mod community;
mod create;
mod files;
mod frozen;
mod funds;
mod indicators;
mod logs;
mod matrix;
mod meetings;
mod offboarding;
mod records;
mod recovery;
mod register;
mod secret_service;
mod settings;
mod sync;
mod sync_files;
mod sync_funds;
mod sync_rights;
mod team;
mod unlock;
