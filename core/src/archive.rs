//! The text files of a zip, for importing a zipped buildout folder.
//!
//! The `zip` crate parses the archive and inflates its entries; this module is the policy
//! for a zip handed over by anyone. The CLI and the browser both call it, so they take the
//! same zips and refuse the same ones with the same words.
//!
//! A zip's headers say what each entry unpacks to, and a zip bomb is a small file whose
//! entries unpack to gigabytes. So the whole directory is checked on the headers alone
//! first (how many entries, where each would land, how large each is, how hard it is
//! compressed, how large all are together) and nothing is inflated until every entry has
//! passed. Each file is then inflated through [`Read::take`] one byte past its declared
//! size, so a header that understates the size cannot make the reader unpack more.
//!
//! The UTF-8 files are kept. Binary files in a buildout folder (eggs, images) are not
//! configuration and are left out, as are folders and symbolic links.

use std::io::{Cursor, Read};

use zip::read::ZipFileEntry;
use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

/// The largest zip read, checked first: a zipped buildout's configuration is kilobytes.
pub const MAX_ZIP: u64 = 8 << 20;
/// The most entries (files and folders) a zip may list; a buildout's configuration is a
/// few dozen files. Checked on the count the end record claims, before the crate parses
/// the central directory (it allocates for every entry the record claims it holds).
pub const MAX_ENTRIES: usize = 10_000;
/// The largest a single file may unpack to, by its header and in fact: far above any
/// buildout file.
pub const MAX_FILE: u64 = 4 << 20;
/// The most all files together may unpack to, by their headers.
pub const MAX_TOTAL: u64 = 64 << 20;
/// The highest compression ratio (unpacked size over packed size) a file may have.
/// Configuration text deflates about 3 to 10 times; a run of zeros deflates about 1000
/// times, which is what zip bombs are made of.
pub const MAX_RATIO: u64 = 100;

/// Why a zip was not read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error(
        "the zip is {size} bytes, more than the {} MiB read; zip the buildout's configuration only",
        MAX_ZIP >> 20
    )]
    ZipTooLarge { size: u64 },
    #[error("it is not a zip, or it is damaged or cut short")]
    NotAZip(#[source] ZipError),
    #[error(
        "it holds {count} entries, more than the {MAX_ENTRIES} read; zip the buildout's configuration only"
    )]
    TooManyEntries { count: usize },
    #[error(
        "it is a ZIP64 archive, made for more than 65,535 entries or 4 GiB; zip the buildout's configuration only"
    )]
    Zip64,
    #[error("{name} would unpack outside the folder the zip is unpacked in")]
    Outside { name: String },
    #[error("{name} is encrypted; zip the buildout without a password")]
    Encrypted { name: String },
    #[error("{name} is compressed with {method}; only stored and deflated entries are read")]
    Method {
        name: String,
        method: CompressionMethod,
    },
    #[error(
        "{name} would unpack to {size} bytes, more than the {} MiB a file may have; zip the buildout's configuration only",
        MAX_FILE >> 20
    )]
    FileTooLarge { name: String, size: u64 },
    #[error(
        "{name} would unpack {compressed} bytes to {size}, more than {MAX_RATIO} times as many; configuration does not compress that well, zip bombs do"
    )]
    Ratio {
        name: String,
        size: u64,
        compressed: u64,
    },
    #[error(
        "its files would unpack to more than {} MiB in all (passed at {name}); zip the buildout's configuration only",
        MAX_TOTAL >> 20
    )]
    TooLarge { name: String },
    #[error("{name} is damaged or cut short")]
    Damaged {
        name: String,
        #[source]
        source: ZipError,
    },
    #[error("{name} does not unpack to the {size} bytes its header declares")]
    Unpack {
        name: String,
        size: u64,
        #[source]
        source: Option<std::io::Error>,
    },
}

/// A file that passed the checks on its headers: where it is in the zip, its path inside
/// the folder, and its declared size.
struct Planned {
    index: usize,
    path: String,
    size: u64,
}

/// The UTF-8 files of a zip, as (`/`-separated path, text), in the zip's order.
pub fn text_files(zip: &[u8]) -> Result<Vec<(String, String)>, ArchiveError> {
    let size = zip.len() as u64;
    if size > MAX_ZIP {
        return Err(ArchiveError::ZipTooLarge { size });
    }
    let claimed = claimed_entries(zip)?;
    if claimed > MAX_ENTRIES {
        return Err(ArchiveError::TooManyEntries { count: claimed });
    }
    let mut archive = ZipArchive::new(Cursor::new(zip)).map_err(ArchiveError::NotAZip)?;
    let planned = plan(&archive)?;
    let mut files = Vec::with_capacity(planned.len());
    for file in planned {
        let bytes = unpack(&mut archive, &file)?;
        if let Ok(text) = String::from_utf8(bytes) {
            files.push((file.path, text));
        }
    }
    Ok(files)
}

/// The most entries any end-of-central-directory record in the zip's tail claims: the
/// crate takes one of them (the record is 22 bytes, then a comment of up to 64 KiB, and it
/// tries each signature it finds there), so every one is counted. The crate reads as many
/// directory entries as the record it took claims. A ZIP64 locator is refused: its record
/// could claim billions, and no buildout's configuration needs one.
fn claimed_entries(zip: &[u8]) -> Result<usize, ArchiveError> {
    const RECORD: usize = 22;
    const END: &[u8; 4] = b"PK\x05\x06";
    const ZIP64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
    let tail = &zip[zip.len().saturating_sub(RECORD + 4 + (1 << 16))..];
    if tail.windows(4).any(|w| w == ZIP64_LOCATOR) {
        return Err(ArchiveError::Zip64);
    }
    Ok(tail
        .windows(RECORD)
        .filter(|record| record.starts_with(END))
        // The total count, and the count on this disk, which the crate may use instead.
        .map(|record| {
            let total = u16::from_le_bytes([record[10], record[11]]);
            let on_disk = u16::from_le_bytes([record[8], record[9]]);
            usize::from(total.max(on_disk))
        })
        .max()
        .unwrap_or(0))
}

/// The files to unpack, every entry checked on its headers alone.
fn plan(archive: &ZipArchive<Cursor<&[u8]>>) -> Result<Vec<Planned>, ArchiveError> {
    if archive.len() > MAX_ENTRIES {
        return Err(ArchiveError::TooManyEntries {
            count: archive.len(),
        });
    }
    let mut planned = Vec::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|source| ArchiveError::Damaged {
                name: format!("entry {}", index + 1),
                source,
            })?;
        let name = entry
            .name()
            .map_err(|source| ArchiveError::Damaged {
                name: String::from_utf8_lossy(entry.name_raw()).into_owned(),
                source,
            })?
            .into_owned();
        let Some(path) = enclosed_path(&entry, &name) else {
            return Err(ArchiveError::Outside { name });
        };
        if !entry.is_file() {
            continue;
        }
        if entry.encrypted() {
            return Err(ArchiveError::Encrypted { name });
        }
        let method = entry.compression();
        if method != CompressionMethod::Stored && method != CompressionMethod::Deflated {
            return Err(ArchiveError::Method { name, method });
        }
        let size = entry.size();
        if size > MAX_FILE {
            return Err(ArchiveError::FileTooLarge { name, size });
        }
        let compressed = entry.compressed_size();
        if size > compressed.saturating_mul(MAX_RATIO) {
            return Err(ArchiveError::Ratio {
                name,
                size,
                compressed,
            });
        }
        total += size;
        if total > MAX_TOTAL {
            return Err(ArchiveError::TooLarge { name });
        }
        planned.push(Planned { index, path, size });
    }
    Ok(planned)
}

/// The entry's path inside the folder the zip is unpacked in, `/`-separated, or `None`
/// if it would land outside: `..` above the top, or an absolute path. The crate's
/// `enclosed_name` refuses the first but turns `/etc/x`, `\x` and `C:x` into relative
/// paths, which would hide that the zip was made to write elsewhere.
fn enclosed_path(entry: &ZipFileEntry<'_>, name: &str) -> Option<String> {
    if name.starts_with(['/', '\\']) || name.contains(':') {
        return None;
    }
    let path = entry.enclosed_name()?;
    let parts: Vec<_> = path.iter().map(|part| part.to_string_lossy()).collect();
    Some(parts.join("/"))
}

/// The bytes of a file that passed [`plan`], never more than its declared size.
fn unpack(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    file: &Planned,
) -> Result<Vec<u8>, ArchiveError> {
    let entry = archive
        .by_index(file.index)
        .map_err(|source| ArchiveError::Damaged {
            name: file.path.clone(),
            source,
        })?;
    // The size passed `plan`, so it is at most MAX_FILE and fits in memory.
    let mut bytes = Vec::with_capacity(usize::try_from(file.size).unwrap_or(0));
    let unpack_error = |source| ArchiveError::Unpack {
        name: file.path.clone(),
        size: file.size,
        source,
    };
    entry
        .take(file.size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unpack_error(Some(e)))?;
    if bytes.len() as u64 != file.size {
        return Err(unpack_error(None));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{Timestamp, zip};
    use crate::render::render;
    use std::io::Write;
    use std::time::Instant;
    use zip::CompressionMethod::{Deflated, Stored};
    use zip::write::SimpleFileOptions;

    fn zip_with(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, method) in entries {
            let options = SimpleFileOptions::default().compression_method(*method);
            if name.ends_with('/') {
                writer.add_directory(*name, options).unwrap();
            } else {
                writer.start_file(*name, options).unwrap();
                writer.write_all(data).unwrap();
            }
        }
        writer.finish().unwrap().into_inner()
    }

    /// A zip whose `copies` entries (`name`, `name.1`, ...) all point at one deflated
    /// run of `size` zeros, written through the crate's streaming writer a megabyte at a
    /// time: the test never holds the run in memory.
    fn zeros_zip(name: &str, size: u64, copies: usize) -> Vec<u8> {
        let options = SimpleFileOptions::default()
            .compression_method(Deflated)
            .compression_level(Some(9));
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file(name, options).unwrap();
        let chunk = vec![0; 1 << 20];
        let mut left = size;
        while left > 0 {
            let n = left.min(chunk.len() as u64);
            writer.write_all(&chunk[..n as usize]).unwrap();
            left -= n;
        }
        for copy in 1..copies {
            writer
                .shallow_copy_file(name, &format!("{name}.{copy}"))
                .unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// Overwrites a little-endian field of entry `index`'s central directory header:
    /// `at` 8 is the flags (2 bytes), 10 the method (2), 24 the unpacked size (4), 42 where
    /// the entry starts (4).
    fn patch_directory(zip: &mut [u8], index: usize, at: usize, value: &[u8]) {
        let archive = ZipArchive::new(Cursor::new(&zip[..])).unwrap();
        let start = archive.by_index_data(index).unwrap().central_header_start() as usize;
        zip[start + at..start + at + value.len()].copy_from_slice(value);
    }

    /// What the zip's headers declare its entries unpack to, in all.
    fn declared_size(zip: &[u8]) -> u64 {
        let archive = ZipArchive::new(Cursor::new(zip)).unwrap();
        (0..archive.len())
            .map(|i| archive.by_index_data(i).unwrap().size())
            .sum()
    }

    #[test]
    fn reads_back_every_file_of_a_bundle() {
        let bundle = render(&crate::defaults::test_design()).unwrap();
        let files = text_files(&zip(&bundle, Timestamp::EPOCH).unwrap()).unwrap();
        assert_eq!(files.len(), bundle.files.len());
        for (name, text) in files {
            let path = name.strip_prefix("plone-deployment/").unwrap();
            assert_eq!(text, bundle.files[path].contents, "{path}");
        }
    }

    #[test]
    fn reads_stored_and_deflated_entries_and_skips_what_is_not_configuration() {
        let cfg = b"[buildout]\nparts = instance\n".repeat(20);
        let mut bytes = zip_with(&[
            ("buildout/", b"", Stored),
            ("buildout/deployment.cfg", &cfg, Deflated),
            ("buildout/base.cfg", b"[buildout]\n", Stored),
            (
                "buildout/logo.png",
                &[0x89, b'P', b'N', b'G', 0xff, 0xfe],
                Deflated,
            ),
            ("buildout\\windows.cfg", b"[w]\n", Stored),
            ("buildout/./eggs/../local.cfg", b"[l]\n", Stored),
        ]);
        // A symbolic link's data is its target's path, not configuration.
        let mut writer = zip::ZipWriter::new_append(Cursor::new(bytes)).unwrap();
        writer
            .add_symlink(
                "buildout/linked.cfg",
                "base.cfg",
                SimpleFileOptions::default(),
            )
            .unwrap();
        bytes = writer.finish().unwrap().into_inner();

        let files = text_files(&bytes).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "buildout/deployment.cfg",
                "buildout/base.cfg",
                "buildout/windows.cfg",
                "buildout/local.cfg"
            ]
        );
        assert_eq!(files[0].1.as_bytes(), cfg.as_slice());
        assert_eq!(files[2].1, "[w]\n");
    }

    #[test]
    fn refuses_what_is_not_a_readable_zip() {
        for not_a_zip in [&b"[buildout]\n"[..], b""] {
            let refused = text_files(not_a_zip).unwrap_err();
            assert!(matches!(refused, ArchiveError::NotAZip(_)), "{refused:?}");
            assert_eq!(
                refused.to_string(),
                "it is not a zip, or it is damaged or cut short"
            );
        }

        let good = zip_with(&[("a.cfg", &b"[a]\nx = 1\n".repeat(50), Deflated)]);
        // Flip a byte of the compressed data: the checksum or the inflater notices.
        let mut bad = good.clone();
        bad[40] ^= 0xff;
        let refused = text_files(&bad).unwrap_err();
        assert!(
            matches!(&refused, ArchiveError::Unpack { name, size: 500, source: Some(_) } if name == "a.cfg"),
            "{refused:?}"
        );
        assert_eq!(
            refused.to_string(),
            "a.cfg does not unpack to the 500 bytes its header declares"
        );
        // The directory points at an entry that is not there.
        let mut moved = good.clone();
        patch_directory(&mut moved, 0, 42, &1u32.to_le_bytes());
        let refused = text_files(&moved).unwrap_err();
        assert!(
            matches!(&refused, ArchiveError::Damaged { name, .. } if name == "a.cfg"),
            "{refused:?}"
        );
        assert_eq!(refused.to_string(), "a.cfg is damaged or cut short");
        // Cut at either end: no directory to read.
        for cut in [&good[10..], &good[..good.len() / 2]] {
            let refused = text_files(cut).unwrap_err();
            assert!(matches!(refused, ArchiveError::NotAZip(_)), "{refused:?}");
        }
    }

    #[test]
    fn refuses_other_compression_methods_and_encryption_by_name() {
        let good = zip_with(&[("a.cfg", b"[a]\n", Stored)]);
        // Say the entry is bzip2 (method 12) in the central directory.
        let mut bzip2 = good.clone();
        patch_directory(&mut bzip2, 0, 10, &12u16.to_le_bytes());
        let refused = text_files(&bzip2).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "a.cfg is compressed with Bzip2; only stored and deflated entries are read"
        );
        // Set the "encrypted" flag.
        let mut encrypted = good;
        patch_directory(&mut encrypted, 0, 8, &1u16.to_le_bytes());
        let refused = text_files(&encrypted).unwrap_err();
        assert!(
            matches!(&refused, ArchiveError::Encrypted { name } if name == "a.cfg"),
            "{refused:?}"
        );
    }

    #[test]
    fn refuses_paths_that_leave_the_folder() {
        for name in [
            "../evil.cfg",
            "buildout/../../evil.cfg",
            "..\\evil.cfg",
            "/etc/evil.cfg",
            "\\evil.cfg",
            "C:\\evil.cfg",
            "C:evil.cfg",
            "//server/share/evil.cfg",
            "../evil/",
        ] {
            // Behind a good file: one such entry refuses the whole zip.
            let bytes = zip_with(&[("good.cfg", b"[a]\n", Stored), (name, b"[x]\n", Stored)]);
            let refused = text_files(&bytes).unwrap_err();
            assert!(
                matches!(&refused, ArchiveError::Outside { name: n } if n == name),
                "{name}: {refused:?}"
            );
            assert_eq!(
                refused.to_string(),
                format!("{name} would unpack outside the folder the zip is unpacked in")
            );
        }
    }

    #[test]
    fn refuses_more_entries_than_the_limit() {
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("{i}.cfg")).collect();
        let entries: Vec<(&str, &[u8], CompressionMethod)> = names
            .iter()
            .map(|name| (name.as_str(), &b""[..], Stored))
            .collect();
        let refused = text_files(&zip_with(&entries)).unwrap_err();
        assert!(
            matches!(refused, ArchiveError::TooManyEntries { count } if count == MAX_ENTRIES + 1),
            "{refused:?}"
        );
        assert_eq!(
            refused.to_string(),
            "it holds 10001 entries, more than the 10000 read; zip the buildout's configuration only"
        );
        // One fewer is read.
        let files = text_files(&zip_with(&entries[1..])).unwrap();
        assert_eq!(files.len(), MAX_ENTRIES);
    }

    /// The count is read from the end record before the crate parses the directory: a
    /// record claiming 60,000 entries in front of a directory of junk is refused for its
    /// count, not parsed (a 64 MiB zip of minimal records held about 1.4 M entries, each
    /// allocated by the crate before the count was checked).
    #[test]
    fn refuses_a_claimed_count_before_parsing_the_directory() {
        let mut zip = vec![0u8; 4096];
        zip.extend_from_slice(b"PK\x05\x06");
        zip.extend_from_slice(&[0, 0, 0, 0]);
        zip.extend_from_slice(&60_000u16.to_le_bytes());
        zip.extend_from_slice(&60_000u16.to_le_bytes());
        zip.extend_from_slice(&(60_000u32 * 46).to_le_bytes());
        zip.extend_from_slice(&0u32.to_le_bytes());
        zip.extend_from_slice(&0u16.to_le_bytes());
        let refused = text_files(&zip).unwrap_err();
        assert!(
            matches!(refused, ArchiveError::TooManyEntries { count: 60_000 }),
            "{refused:?}"
        );
        // A second record hidden in the comment of a small one counts too.
        let mut small = zip_with(&[("a.cfg", b"[buildout]\n", Stored)]);
        let comment_at = small.len() - 2;
        let hidden = zip[4096..].to_vec();
        small[comment_at..].copy_from_slice(&(hidden.len() as u16).to_le_bytes());
        small.extend_from_slice(&hidden);
        let refused = text_files(&small).unwrap_err();
        assert!(
            matches!(refused, ArchiveError::TooManyEntries { count: 60_000 }),
            "{refused:?}"
        );
    }

    #[test]
    fn refuses_a_zip64_archive() {
        let mut zip = zip_with(&[("a.cfg", b"[buildout]\n", Stored)]);
        let comment_at = zip.len() - 2;
        zip[comment_at..].copy_from_slice(&20u16.to_le_bytes());
        zip.extend_from_slice(b"PK\x06\x07");
        zip.extend_from_slice(&[0; 16]);
        let refused = text_files(&zip).unwrap_err();
        assert!(matches!(refused, ArchiveError::Zip64), "{refused:?}");
        assert_eq!(
            refused.to_string(),
            "it is a ZIP64 archive, made for more than 65,535 entries or 4 GiB; zip the buildout's configuration only"
        );
    }

    #[test]
    fn refuses_a_file_compressed_harder_than_configuration_is() {
        // A megabyte of zeros: under the size limit, but deflated about 1000 to 1.
        let bytes = zeros_zip("zeros.cfg", 1 << 20, 1);
        let refused = text_files(&bytes).unwrap_err();
        let ArchiveError::Ratio {
            name,
            size,
            compressed,
        } = &refused
        else {
            panic!("{refused:?}");
        };
        assert_eq!((name.as_str(), *size), ("zeros.cfg", 1 << 20));
        assert!(*size > compressed * MAX_RATIO, "{compressed}");
        assert_eq!(
            refused.to_string(),
            format!(
                "zeros.cfg would unpack {compressed} bytes to 1048576, more than 100 times as many; configuration does not compress that well, zip bombs do"
            )
        );
    }

    #[test]
    fn refuses_files_that_unpack_to_more_than_the_total_limit() {
        // Stored, so not compressed at all: 17 entries of 4 MiB (one stored run the
        // entries share) declare 68 MiB, each file within its own limit.
        let options = SimpleFileOptions::default().compression_method(Stored);
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("big/0.cfg", options).unwrap();
        writer.write_all(&vec![b'#'; MAX_FILE as usize]).unwrap();
        for copy in 1..17 {
            writer
                .shallow_copy_file("big/0.cfg", &format!("big/{copy}.cfg"))
                .unwrap();
        }
        let bytes = writer.finish().unwrap().into_inner();
        let refused = text_files(&bytes).unwrap_err();
        assert!(
            matches!(&refused, ArchiveError::TooLarge { name } if name == "big/16.cfg"),
            "{refused:?}"
        );
        assert_eq!(
            refused.to_string(),
            "its files would unpack to more than 64 MiB in all (passed at big/16.cfg); zip the buildout's configuration only"
        );
    }

    #[test]
    fn refuses_a_file_that_unpacks_to_other_than_its_declared_size() {
        // 64 MiB of zeros whose header says 1000 bytes: the ratio and size checks pass on
        // the header's word, and the reader stops one byte past it.
        let mut liar = zeros_zip("liar.cfg", 64 << 20, 1);
        patch_directory(&mut liar, 0, 24, &1000u32.to_le_bytes());
        let started = Instant::now();
        let refused = text_files(&liar).unwrap_err();
        eprintln!(
            "a {} byte zip declaring 1000 bytes and holding 64 MiB refused in {:?}",
            liar.len(),
            started.elapsed()
        );
        assert!(
            matches!(&refused, ArchiveError::Unpack { name, size: 1000, source: Some(_) } if name == "liar.cfg"),
            "{refused:?}"
        );
        assert_eq!(
            refused.to_string(),
            "liar.cfg does not unpack to the 1000 bytes its header declares"
        );

        // A header that claims more than there is.
        let mut short = zip_with(&[("short.cfg", b"[a]\n", Stored)]);
        patch_directory(&mut short, 0, 24, &5u32.to_le_bytes());
        let refused = text_files(&short).unwrap_err();
        assert!(
            matches!(&refused, ArchiveError::Unpack { name, size: 5, .. } if name == "short.cfg"),
            "{refused:?}"
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_on_its_headers_before_anything_is_inflated() {
        let started = Instant::now();
        let bomb = zeros_zip("bomb/zeros.cfg", 1 << 30, 4);
        let built = started.elapsed();
        let declared = declared_size(&bomb);
        assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
        assert_eq!(declared, 4 << 30);

        let started = Instant::now();
        let refused = text_files(&bomb).unwrap_err();
        let took = started.elapsed();
        eprintln!(
            "zip bomb: {} bytes declaring {declared} bytes in 4 entries, built in {built:?}, refused in {took:?}",
            bomb.len()
        );
        assert!(
            matches!(&refused, ArchiveError::FileTooLarge { name, size } if name == "bomb/zeros.cfg" && *size == 1 << 30),
            "{refused:?}"
        );
        assert_eq!(
            refused.to_string(),
            "bomb/zeros.cfg would unpack to 1073741824 bytes, more than the 4 MiB a file may have; zip the buildout's configuration only"
        );

        // The refusal came from the headers: with the deflated data garbled (the headers
        // sit at the very start and in the directory at the end) the bomb is refused the
        // same way, where inflating any of it first would have met the garbage.
        let mut garbled = bomb.clone();
        let end = garbled.len() - 4096;
        garbled[1024..end].fill(0xff);
        let mut archive = ZipArchive::new(Cursor::new(&garbled[..])).unwrap();
        let inflated = archive
            .by_index(0)
            .unwrap()
            .take(64 << 20)
            .read_to_end(&mut Vec::new());
        assert!(inflated.is_err(), "the garbage is noticed when inflating");
        let refused = text_files(&garbled).unwrap_err();
        assert!(
            matches!(&refused, ArchiveError::FileTooLarge { name, .. } if name == "bomb/zeros.cfg"),
            "{refused:?}"
        );
    }
}
