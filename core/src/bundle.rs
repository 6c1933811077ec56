//! The zip users download: deflated, built in memory, byte-for-byte the same for the
//! same design and timestamp, so it works in the browser (no clock, no file system).
//!
//! The `zip` crate writes it into a `Vec`; the caller passes the time every entry is
//! stamped with.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::render::FileTree;

/// Why a zip could not be written. Writing to memory fails only on a bug; the `zip`
/// crate's error says which.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the zip")]
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

    /// The MS-DOS date and time zip stores. One it cannot hold (before 1980, after 2107,
    /// or not a date at all) is written as [`Timestamp::EPOCH`], which `DateTime`'s
    /// default is: a wrong browser clock still gives a zip every tool opens.
    fn zip_time(self) -> DateTime {
        DateTime::from_date_and_time(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        )
        .unwrap_or_default()
    }
}

/// The zip's file name, e.g. `plone-deployment.zip`.
pub fn file_name(bundle: &FileTree) -> String {
    format!("{}.zip", bundle.root)
}

/// Packs a bundle as a zip whose entries sit under one top folder named after the
/// design. Entries are sorted; each file gets its [`mode`](crate::render::File::mode)
/// (0755 for scripts, 0644 for other files, without the bits for others when a file holds
/// a password), folders 0755.
pub fn zip(bundle: &FileTree, time: Timestamp) -> Result<Vec<u8>, ZipError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(time.zip_time());
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));

    writer.add_directory(format!("{}/", bundle.root), options.unix_permissions(0o755))?;
    let folders: BTreeSet<&str> = bundle.folders.iter().map(String::as_str).collect();
    for folder in folders {
        writer.add_directory(
            format!("{}/{folder}/", bundle.root),
            options.unix_permissions(0o755),
        )?;
    }
    // BTreeMap iteration is sorted by path.
    for (path, file) in &bundle.files {
        let mode = file.mode();
        writer.start_file(
            format!("{}/{path}", bundle.root),
            options.unix_permissions(mode),
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
    use crate::render::render;
    use std::io::Read;

    #[test]
    fn a_timestamp_zip_cannot_hold_is_written_as_the_epoch() {
        let bundle = render(&crate::defaults::test_design()).unwrap();
        let epoch = zip(&bundle, Timestamp::EPOCH).unwrap();
        for wrong in [
            Timestamp {
                year: 2200,
                ..Timestamp::EPOCH
            },
            Timestamp {
                year: 1970,
                ..Timestamp::EPOCH
            },
            Timestamp {
                month: 2,
                day: 30,
                ..Timestamp::EPOCH
            },
            Timestamp {
                hour: 24,
                ..Timestamp::EPOCH
            },
        ] {
            assert_eq!(zip(&bundle, wrong).unwrap(), epoch, "{wrong:?}");
        }
    }

    #[test]
    fn deterministic_and_complete() {
        let bundle = render(&crate::defaults::test_design()).unwrap();
        let a = zip(&bundle, Timestamp::EPOCH).unwrap();
        let b = zip(&bundle, Timestamp::EPOCH).unwrap();
        assert_eq!(a, b, "the same design gives the same bytes");
        let later = Timestamp {
            year: 2026,
            month: 7,
            day: 14,
            hour: 9,
            minute: 30,
            second: 12,
        };
        let stamped = zip(&bundle, later).unwrap();
        assert_ne!(a, stamped, "the timestamp is used");

        let mut archive = zip::ZipArchive::new(Cursor::new(stamped)).unwrap();
        let mut names = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            names.push(name.clone());
            assert_eq!(
                entry.last_modified().map(|t| t.to_string()).as_deref(),
                Some("2026-07-14 09:30:12"),
                "{name}"
            );
            let mode = entry.unix_mode().unwrap() & 0o777;
            if entry.is_dir() {
                assert_eq!(mode, 0o755, "{name}");
                continue;
            }
            assert_eq!(entry.compression(), CompressionMethod::Deflated, "{name}");
            let path = name.strip_prefix("plone-deployment/").unwrap().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            assert_eq!(text, bundle.files[&path].contents);
            let file = &bundle.files[&path];
            assert_eq!(mode, file.mode(), "{path}");
            let holds_password = ["secret", "zope-drill-pw"]
                .iter()
                .any(|p| file.contents.contains(p));
            assert!(
                !holds_password || mode & 0o007 == 0,
                "{path} holds a password and others may read it: {mode:o}"
            );
        }
        // Folders first, then files, each sorted by path.
        let mut sorted = names.clone();
        sorted.sort_by_key(|name| (!name.ends_with('/'), name.clone()));
        assert_eq!(names, sorted);
        assert!(names.contains(&"plone-deployment/bin/setup".to_string()));
        assert!(names.contains(&"plone-deployment/var/log/".to_string()));
        assert_eq!(names.len(), bundle.files.len() + bundle.folders.len() + 1);
    }
}
