//! The backup reader on any input: the header, its slots, the payload and the manifest
//! must refuse what is not a whole, unchanged backup, and never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ruam_core::backup::read_any(data);
});
