//! The shell's commands, called through Tauri's IPC on the mock runtime (no window):
//! the JSON the UI receives, including the error shapes it branches on.
#![allow(clippy::unwrap_used)]

mod bindings;
mod commands;
mod support;
