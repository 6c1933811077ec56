//! Reading the text files of a zip, for importing a zipped buildout folder.
//!
//! The same reader serves the CLI and the browser, so both take the same zips and refuse
//! the same ones with the same words. It reads the central directory, then each entry
//! (stored or deflated), checks its CRC and keeps the UTF-8 ones: binary files in a
//! buildout folder (eggs, images) are not configuration and are left out. Folders,
//! entries whose path could leave the folder (`..`, absolute paths) and files over
//! [`MAX_FILE`] are skipped too.

use miniz_oxide::inflate::TINFLStatus;

use crate::bundle::crc32;

/// The largest single file read: far above any buildout file.
pub const MAX_FILE: usize = 4 << 20;
/// The most a zip may hold in all, unpacked.
pub const MAX_TOTAL: usize = 64 << 20;

/// Why a zip could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnzipError {
    #[error("it is not a zip (no end of central directory record)")]
    NotAZip,
    #[error("the zip is damaged or cut short: {0}")]
    Damaged(String),
    #[error("{0} is encrypted; zip the buildout without a password")]
    Encrypted(String),
    #[error("{name} is compressed with method {method}; only stored and deflated entries are read")]
    Method { name: String, method: u16 },
    #[error("it holds more than 64 MiB of files; zip the buildout's configuration only")]
    TooLarge,
}

const END_OF_DIRECTORY: u32 = 0x0605_4b50;
const DIRECTORY_ENTRY: u32 = 0x0201_4b50;
const LOCAL_HEADER: u32 = 0x0403_4b50;

/// Little-endian fields at fixed offsets of a record.
struct Record<'a>(&'a [u8]);

impl Record<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let bytes = self.0.get(at..at + 2)?;
        Some(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let bytes = self.0.get(at..at + 4)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn usize(&self, at: usize) -> Option<usize> {
        self.u32(at).and_then(|v| usize::try_from(v).ok())
    }
}

/// One entry of the central directory.
struct Entry {
    name: String,
    flags: u16,
    method: u16,
    crc: u32,
    packed_size: usize,
    size: usize,
    offset: usize,
}

/// The UTF-8 files of a zip, as (`/`-separated path, text), in the zip's order.
pub fn text_files(zip: &[u8]) -> Result<Vec<(String, String)>, UnzipError> {
    let damaged = |what: &str| UnzipError::Damaged(what.to_string());
    let mut files = Vec::new();
    let mut total = 0usize;
    for entry in directory(zip)? {
        if entry.name.ends_with('/') || !is_enclosed(&entry.name) || entry.size > MAX_FILE {
            continue;
        }
        if entry.flags & 1 != 0 {
            return Err(UnzipError::Encrypted(entry.name));
        }
        let local = Record(
            zip.get(entry.offset..)
                .ok_or_else(|| damaged("an entry starts past its end"))?,
        );
        if local.u32(0) != Some(LOCAL_HEADER) {
            return Err(damaged("an entry's header is missing"));
        }
        let name_len = local
            .u16(26)
            .ok_or_else(|| damaged("an entry's header is cut short"))?;
        let extra_len = local
            .u16(28)
            .ok_or_else(|| damaged("an entry's header is cut short"))?;
        let start = entry.offset + 30 + usize::from(name_len) + usize::from(extra_len);
        let packed = zip
            .get(start..start + entry.packed_size)
            .ok_or_else(|| damaged(&format!("{} is cut short", entry.name)))?;
        let bytes = match entry.method {
            0 => packed.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(packed, MAX_FILE).map_err(
                |e| match e.status {
                    TINFLStatus::HasMoreOutput => UnzipError::TooLarge,
                    _ => damaged(&format!("{} does not inflate", entry.name)),
                },
            )?,
            method => {
                return Err(UnzipError::Method {
                    name: entry.name,
                    method,
                });
            }
        };
        if bytes.len() != entry.size || crc32(&bytes) != entry.crc {
            return Err(damaged(&format!("{} fails its checksum", entry.name)));
        }
        total += bytes.len();
        if total > MAX_TOTAL {
            return Err(UnzipError::TooLarge);
        }
        if let Ok(text) = String::from_utf8(bytes) {
            files.push((entry.name, text));
        }
    }
    Ok(files)
}

/// The central directory's entries.
fn directory(zip: &[u8]) -> Result<Vec<Entry>, UnzipError> {
    let damaged = |what: &str| UnzipError::Damaged(what.to_string());
    // The end record is 22 bytes plus a comment of at most 65535 bytes.
    let earliest = zip.len().saturating_sub(22 + usize::from(u16::MAX));
    let end = (earliest..zip.len().saturating_sub(21))
        .rev()
        .find(|&at| Record(&zip[at..]).u32(0) == Some(END_OF_DIRECTORY))
        .ok_or(UnzipError::NotAZip)?;
    let end = Record(&zip[end..]);
    let count = end
        .u16(10)
        .ok_or_else(|| damaged("the end record is cut short"))?;
    let mut at = end
        .usize(16)
        .ok_or_else(|| damaged("the end record is cut short"))?;
    if count == u16::MAX || at == u32::MAX as usize {
        return Err(damaged("it is a zip64 archive, which is not read"));
    }
    let mut entries = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let record = Record(
            zip.get(at..)
                .ok_or_else(|| damaged("the directory is cut short"))?,
        );
        if record.u32(0) != Some(DIRECTORY_ENTRY) {
            return Err(damaged("the directory is cut short"));
        }
        let short = || damaged("the directory is cut short");
        let name_len = usize::from(record.u16(28).ok_or_else(short)?);
        let extra_len = usize::from(record.u16(30).ok_or_else(short)?);
        let comment_len = usize::from(record.u16(32).ok_or_else(short)?);
        let name = record.0.get(46..46 + name_len).ok_or_else(short)?;
        entries.push(Entry {
            // Names that are not UTF-8 (old CP437 zips) are read as well as they can be.
            name: String::from_utf8_lossy(name).replace('\\', "/"),
            flags: record.u16(8).ok_or_else(short)?,
            method: record.u16(10).ok_or_else(short)?,
            crc: record.u32(16).ok_or_else(short)?,
            packed_size: record.usize(20).ok_or_else(short)?,
            size: record.usize(24).ok_or_else(short)?,
            offset: record.usize(42).ok_or_else(short)?,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// Whether a path stays inside the folder it is unpacked in.
fn is_enclosed(name: &str) -> bool {
    !name.starts_with('/') && !name.contains(':') && name.split('/').all(|part| part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{Timestamp, zip};
    use crate::model::Topology;
    use crate::render::render;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8], zip::CompressionMethod)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data, method) in entries {
            let options = zip::write::SimpleFileOptions::default().compression_method(*method);
            if name.ends_with('/') {
                writer.add_directory(*name, options).unwrap();
            } else {
                writer.start_file(*name, options).unwrap();
                writer.write_all(data).unwrap();
            }
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_back_every_file_of_a_bundle() {
        let bundle = render(&Topology::exercise()).unwrap();
        let files = text_files(&zip(&bundle, Timestamp::EPOCH).unwrap()).unwrap();
        assert_eq!(files.len(), bundle.files.len());
        for (name, text) in files {
            let path = name.strip_prefix("plone-deployment/").unwrap();
            assert_eq!(text, bundle.files[path].contents, "{path}");
        }
    }

    #[test]
    fn reads_stored_and_deflated_entries_and_skips_what_is_not_configuration() {
        use zip::CompressionMethod::{Deflated, Stored};
        let cfg = b"[buildout]\nparts = instance\n".repeat(20);
        let bytes = zip_with(&[
            ("buildout/", b"", Stored),
            ("buildout/deployment.cfg", &cfg, Deflated),
            ("buildout/base.cfg", b"[buildout]\n", Stored),
            (
                "buildout/logo.png",
                &[0x89, b'P', b'N', b'G', 0xff, 0xfe],
                Deflated,
            ),
            ("../evil.cfg", b"[x]\n", Stored),
            ("/etc/evil.cfg", b"[x]\n", Stored),
        ]);
        let files = text_files(&bytes).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["buildout/deployment.cfg", "buildout/base.cfg"]);
        assert_eq!(files[0].1.as_bytes(), cfg.as_slice());
    }

    #[test]
    fn refuses_what_is_not_a_readable_zip() {
        assert_eq!(text_files(b"[buildout]\n"), Err(UnzipError::NotAZip));
        assert_eq!(text_files(b""), Err(UnzipError::NotAZip));

        let good = zip_with(&[(
            "a.cfg",
            &b"[a]\nx = 1\n".repeat(50),
            zip::CompressionMethod::Deflated,
        )]);
        // Flip a byte of the compressed data: the checksum or the inflater notices.
        let mut bad = good.clone();
        bad[40] ^= 0xff;
        assert!(
            matches!(text_files(&bad), Err(UnzipError::Damaged(_))),
            "{:?}",
            text_files(&bad)
        );
        // Cut off the start: the directory points past what is left.
        let cut = &good[10..];
        assert!(
            matches!(text_files(cut), Err(UnzipError::Damaged(_))),
            "{:?}",
            text_files(cut)
        );
    }

    #[test]
    fn refuses_other_compression_methods_by_name() {
        let mut bytes = zip_with(&[("a.cfg", b"[a]\n", zip::CompressionMethod::Stored)]);
        // Say the entry is bzip2 (method 12) in the central directory.
        let directory = bytes
            .windows(4)
            .rposition(|w| w == [0x50, 0x4b, 0x01, 0x02])
            .unwrap();
        bytes[directory + 10] = 12;
        assert_eq!(
            text_files(&bytes),
            Err(UnzipError::Method {
                name: "a.cfg".into(),
                method: 12
            })
        );
    }
}
