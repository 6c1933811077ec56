//! The zip users download: deflated, built in memory, byte-for-byte the same for the
//! same design and timestamp, so it works in the browser (no clock, no file system).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::render::Bundle;

/// Why a zip could not be written. Writing to memory fails only on a bug.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the zip: {0}")]
pub struct ZipError(#[from] zip::result::ZipError);

/// A timestamp for every entry: year, month, day, hour, minute, second (local time, as
/// zip stores it). The caller passes it in; core reads no clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Timestamp {
    /// The earliest time zip can store, for fully reproducible archives.
    pub const EPOCH: Timestamp = Timestamp {
        year: 1980,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
    };
}

/// The zip's file name, e.g. `plone-deployment.zip`.
pub fn file_name(bundle: &Bundle) -> String {
    format!("{}.zip", bundle.root)
}

/// Packs a bundle as a zip whose entries sit under one top folder named after the
/// design. Entries are sorted; scripts get mode 0755, other files 0644, folders 0755.
pub fn zip(bundle: &Bundle, time: Timestamp) -> Result<Vec<u8>, ZipError> {
    let when = DateTime::from_date_and_time(
        time.year,
        time.month,
        time.day,
        time.hour,
        time.minute,
        time.second,
    )
    .unwrap_or_default();
    let base = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(when);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));

    let mut folders: Vec<String> = bundle.folders.clone();
    folders.sort();
    folders.dedup();
    writer.add_directory(format!("{}/", bundle.root), base.unix_permissions(0o755))?;
    for folder in &folders {
        writer.add_directory(
            format!("{}/{folder}/", bundle.root),
            base.unix_permissions(0o755),
        )?;
    }
    // BTreeMap iteration is sorted by path.
    for (path, file) in &bundle.files {
        let mode = if file.executable { 0o755 } else { 0o644 };
        writer.start_file(
            format!("{}/{path}", bundle.root),
            base.unix_permissions(mode),
        )?;
        writer
            .write_all(file.contents.as_bytes())
            .map_err(zip::result::ZipError::Io)?;
    }
    Ok(writer.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Topology;
    use crate::render::render;
    use std::io::Read;

    #[test]
    fn deterministic_and_complete() {
        let bundle = render(&Topology::exercise()).unwrap();
        let a = zip(&bundle, Timestamp::EPOCH).unwrap();
        let b = zip(&bundle, Timestamp::EPOCH).unwrap();
        assert_eq!(a, b, "the same design gives the same bytes");
        let later = Timestamp {
            year: 2026,
            ..Timestamp::EPOCH
        };
        assert_ne!(a, zip(&bundle, later).unwrap(), "the timestamp is used");

        let mut archive = zip::ZipArchive::new(Cursor::new(a)).unwrap();
        let mut names = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            names.push(name.clone());
            if entry.is_file() {
                let path = name.strip_prefix("plone-deployment/").unwrap().to_string();
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                assert_eq!(text, bundle.files[&path].contents);
                let mode = entry.unix_mode().unwrap() & 0o777;
                assert_eq!(
                    mode,
                    if bundle.files[&path].executable {
                        0o755
                    } else {
                        0o644
                    },
                    "{path}"
                );
            }
        }
        assert!(names.contains(&"plone-deployment/bin/setup".to_string()));
        assert!(names.contains(&"plone-deployment/var/log/".to_string()));
        assert_eq!(names.len(), bundle.files.len() + bundle.folders.len() + 1);
    }
}
