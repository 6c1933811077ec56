//! The zip users download: deflated, built in memory, byte-for-byte the same for the
//! same design and timestamp, so it works in the browser (no clock, no file system).
//!
//! The writer is the small part of the zip format a bundle needs (deflated files, folders,
//! Unix modes, UTF-8 names; no zip64, no encryption), so the app does not ship a general
//! zip library. Tests read its output back with the `zip` crate, `unzip` and Python.

use crate::order;
use crate::render::Bundle;

/// Why a zip could not be written: only a bundle too large for a plain (non-zip64) zip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot write the zip: {0}")]
pub struct ZipError(&'static str);

const TOO_LARGE: ZipError = ZipError("the bundle is too large for a zip without zip64");

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
    /// Whether zip's MS-DOS date and time can hold it (years 1980 to 2107). Other
    /// timestamps are written as [`Timestamp::EPOCH`].
    pub fn is_valid(&self) -> bool {
        (1980..=2107).contains(&self.year)
            && (1..=12).contains(&self.month)
            && (1..=31).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
    }

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
    let folders = order::set_of(bundle.folders.iter().cloned());
    let mut zip = Writer::new(time);
    zip.add(&format!("{}/", bundle.root), None, 0o755)?;
    for folder in &folders {
        zip.add(&format!("{}/{folder}/", bundle.root), None, 0o755)?;
    }
    // BTreeMap iteration is sorted by path.
    for (path, file) in &bundle.files {
        let mode = if file.executable { 0o755 } else { 0o644 };
        let name = format!("{}/{path}", bundle.root);
        zip.add(&name, Some(file.contents.as_bytes()), mode)?;
    }
    zip.finish()
}

/// Version 2.0 of the format (deflate, folders); "made by" Unix, so modes are read.
const VERSION_NEEDED: u16 = 20;
const MADE_BY_UNIX: u16 = 3 << 8 | VERSION_NEEDED;
/// General purpose flag 11: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;

/// A zip written into memory: local headers and data first, the central directory at
/// `finish`.
struct Writer {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
    dos_time: u16,
    dos_date: u16,
}

impl Writer {
    fn new(time: Timestamp) -> Writer {
        let time = if time.is_valid() {
            time
        } else {
            Timestamp::EPOCH
        };
        Writer {
            out: Vec::new(),
            central: Vec::new(),
            entries: 0,
            dos_time: u16::from(time.hour) << 11
                | u16::from(time.minute) << 5
                | u16::from(time.second / 2),
            dos_date: (time.year - 1980) << 9 | u16::from(time.month) << 5 | u16::from(time.day),
        }
    }

    /// Adds a file (`data`) or a folder (`None`, `name` ending in `/`).
    fn add(&mut self, name: &str, data: Option<&[u8]>, mode: u32) -> Result<(), ZipError> {
        let (method, crc, size, packed, attributes) = match data {
            Some(data) => {
                let packed = miniz_oxide::deflate::compress_to_vec(data, 9);
                let (method, packed) = if packed.len() < data.len() {
                    (DEFLATED, packed)
                } else {
                    (STORED, data.to_vec())
                };
                (
                    method,
                    crc32(data),
                    data.len(),
                    packed,
                    (S_IFREG | mode) << 16,
                )
            }
            // The low byte holds the MS-DOS directory attribute for readers that want it.
            None => (STORED, 0, 0, Vec::new(), (S_IFDIR | mode) << 16 | 0x10),
        };
        let size = u32::try_from(size).map_err(|_| TOO_LARGE)?;
        let packed_size = u32::try_from(packed.len()).map_err(|_| TOO_LARGE)?;
        let offset = u32::try_from(self.out.len()).map_err(|_| TOO_LARGE)?;
        let name_len = u16::try_from(name.len()).map_err(|_| TOO_LARGE)?;
        self.entries = self.entries.checked_add(1).ok_or(TOO_LARGE)?;

        let common = |buf: &mut Vec<u8>| {
            put16(buf, VERSION_NEEDED);
            put16(buf, UTF8_NAMES);
            put16(buf, method);
            put16(buf, self.dos_time);
            put16(buf, self.dos_date);
            put32(buf, crc);
            put32(buf, packed_size);
            put32(buf, size);
            put16(buf, name_len);
            put16(buf, 0); // extra field length
        };
        let mut local = Vec::with_capacity(30 + name.len());
        put32(&mut local, 0x0403_4b50);
        common(&mut local);
        let mut central = Vec::with_capacity(46 + name.len());
        put32(&mut central, 0x0201_4b50);
        put16(&mut central, MADE_BY_UNIX);
        common(&mut central);
        put16(&mut central, 0); // comment length
        put16(&mut central, 0); // disk number
        put16(&mut central, 0); // internal attributes
        put32(&mut central, attributes);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
        self.central.extend_from_slice(&central);

        self.out.extend_from_slice(&local);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(&packed);
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, ZipError> {
        let offset = u32::try_from(self.out.len()).map_err(|_| TOO_LARGE)?;
        let size = u32::try_from(self.central.len()).map_err(|_| TOO_LARGE)?;
        self.out.append(&mut self.central);
        put32(&mut self.out, 0x0605_4b50);
        put16(&mut self.out, 0); // this disk
        put16(&mut self.out, 0); // the disk the directory starts on
        put16(&mut self.out, self.entries);
        put16(&mut self.out, self.entries);
        put32(&mut self.out, size);
        put32(&mut self.out, offset);
        put16(&mut self.out, 0); // comment length
        Ok(self.out)
    }
}

fn put16(buf: &mut Vec<u8>, value: u16) {
    buf.extend_from_slice(&value.to_le_bytes());
}

fn put32(buf: &mut Vec<u8>, value: u32) {
    buf.extend_from_slice(&value.to_le_bytes());
}

/// CRC-32 (IEEE 802.3, as zip uses it), one byte at a time over a 1 KiB table.
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    !data
        .iter()
        .fold(!0u32, |c, &b| TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Topology;
    use crate::render::render;
    use std::io::{Cursor, Read};

    #[test]
    fn a_timestamp_zip_cannot_hold_is_written_as_the_epoch() {
        let bundle = render(&Topology::exercise()).unwrap();
        let too_late = Timestamp {
            year: 2200,
            ..Timestamp::EPOCH
        };
        assert!(!too_late.is_valid());
        assert_eq!(
            zip(&bundle, too_late).unwrap(),
            zip(&bundle, Timestamp::EPOCH).unwrap()
        );
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        // The CRC-32 check value every implementation publishes for "123456789".
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

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
