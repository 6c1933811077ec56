//! The small grammars of the values a user types: ports, addresses, names, paths.
//!
//! The validator uses these to explain what is wrong; the renderer relies on them having
//! held, so nothing a user types can carry a newline, quote, brace or semicolon into a
//! generated file.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A TCP port, 1..=65535.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port(u16);

impl Port {
    pub fn get(self) -> u16 {
        self.0
    }

    pub fn is_privileged(self) -> bool {
        self.0 < 1024
    }
}

/// Why a typed port is not a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortError {
    Empty,
    NotANumber,
    OutOfRange,
}

/// Parses a port as typed in a form: digits only, 1..=65535.
pub fn parse_port(text: &str) -> Result<Port, PortError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PortError::Empty);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PortError::NotANumber);
    }
    match text.parse::<u32>() {
        Ok(n @ 1..=65535) => Ok(Port(n as u16)),
        _ => Err(PortError::OutOfRange),
    }
}

/// Parses a whole number within `min..=max`, as typed in a form.
pub fn parse_number(text: &str, min: u64, max: u64) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > 19 {
        return None;
    }
    text.parse::<u64>().ok().filter(|n| (min..=max).contains(n))
}

/// An address a component binds to or is reached at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressKind {
    /// `0.0.0.0` or `::`: every address of the host.
    Wildcard,
    /// `127.0.0.0/8`, `::1` or `localhost`.
    Loopback,
    Ip,
    Name,
}

/// Classifies an address, or `None` when it is neither an IP nor a valid host name.
pub fn address_kind(text: &str) -> Option<AddressKind> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(if ip.is_unspecified() {
            AddressKind::Wildcard
        } else if ip.is_loopback() {
            AddressKind::Loopback
        } else {
            AddressKind::Ip
        });
    }
    if text.eq_ignore_ascii_case("localhost") {
        return Some(AddressKind::Loopback);
    }
    is_hostname(text).then_some(AddressKind::Name)
}

/// Whether `text` is an IPv4 or IPv6 address.
pub fn is_ip(text: &str) -> bool {
    text.parse::<IpAddr>().is_ok()
}

/// A DNS host name after RFC 1123: dot-separated labels of letters, digits and inner
/// hyphens, at most 253 characters, not all digits.
pub fn is_hostname(text: &str) -> bool {
    if text.is_empty() || text.len() > 253 {
        return false;
    }
    let text = text.strip_suffix('.').unwrap_or(text);
    let labels_ok = text.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    let numeric = text
        .split('.')
        .all(|l| l.bytes().all(|b| b.is_ascii_digit()));
    labels_ok && !numeric
}

/// An entry of Varnish's purge ACL: an IP, a CIDR, or a host name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AclEntry {
    Ip(IpAddr),
    Cidr(IpAddr, u8),
    Name(String),
}

pub fn parse_acl_entry(text: &str) -> Option<AclEntry> {
    let text = text.trim();
    let text = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .map(str::trim)
        .unwrap_or(text);
    if let Some((ip, bits)) = text.split_once('/') {
        let ip: IpAddr = ip.parse().ok()?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let bits: u8 = parse_number(bits, 0, max)? as u8;
        return Some(AclEntry::Cidr(ip, bits));
    }
    if let Ok(ip) = text.parse() {
        return Some(AclEntry::Ip(ip));
    }
    is_hostname(text).then(|| AclEntry::Name(text.to_ascii_lowercase()))
}

impl AclEntry {
    /// Whether this entry admits `address` (an IP or a name).
    pub fn covers(&self, address: &str) -> bool {
        let ip = if address.eq_ignore_ascii_case("localhost") {
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        } else {
            address.parse::<IpAddr>().ok()
        };
        match (self, ip) {
            (AclEntry::Ip(a), Some(b)) => *a == b,
            (AclEntry::Cidr(net, bits), Some(ip)) => in_cidr(*net, *bits, ip),
            (AclEntry::Name(n), Some(ip)) => n == "localhost" && ip.is_loopback(),
            (AclEntry::Name(n), None) => n.eq_ignore_ascii_case(address),
            (_, None) => false,
        }
    }
}

fn in_cidr(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    net.is_ipv4() == ip.is_ipv4() && network_of(net, bits) == network_of(ip, bits)
}

/// The first address of the network `ip/bits`: `ip` with its host bits cleared, as
/// nginx's `allow` and nftables want it.
pub fn network_of(ip: IpAddr, bits: u8) -> IpAddr {
    match ip {
        IpAddr::V4(i) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            IpAddr::V4((u32::from(i) & mask).into())
        }
        IpAddr::V6(i) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            IpAddr::V6((u128::from(i) & mask).into())
        }
    }
}

/// An identifier used in file names and process names: `[a-z0-9][a-z0-9_-]*`, at most 40.
pub fn is_identifier(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b.is_ascii_digit())
        && text.len() <= 40
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A POSIX system user name as Debian's `adduser` accepts it.
pub fn is_system_user(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b == b'_')
        && text.len() <= 32
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A login name for Zope, MariaDB, supervisor or HAProxy: printable ASCII without
/// spaces, quotes, colons or the characters config files give meaning to.
pub fn is_login(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 32
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@'))
}

/// Why a password cannot be written safely into every file it lands in.
/// The fewest characters of a password that others can try: a random one of letters
/// and digits of this length has about 71 bits.
pub const STRONG_PASSWORD_CHARS: usize = 12;

pub fn password_problem(text: &str) -> Option<&'static str> {
    if text.is_empty() {
        Some("is empty")
    } else if text.chars().any(char::is_control) {
        Some("contains a control character or line break")
    } else if text.trim() != text {
        Some("starts or ends with a space, which config parsers strip")
    } else if text.chars().count() > 128 {
        Some("is longer than 128 characters")
    } else {
        None
    }
}

/// A site id Zope accepts as an object id and that is safe in a URL path.
pub fn is_site_id(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric())
        && text.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && !text.starts_with("aq_")
}

/// A URL path: `/` followed by segments of `[A-Za-z0-9._-]`, no `.` or `..` segments.
pub fn is_url_path(text: &str) -> bool {
    text.starts_with('/')
        && text.len() > 1
        && text.len() <= 200
        && !text.ends_with('/')
        && text[1..].split('/').all(is_path_segment)
}

/// A path relative to the bundle's folder, e.g. `etc/server.crt`.
pub fn is_relative_path(text: &str) -> bool {
    !text.is_empty() && text.len() <= 200 && text.split('/').all(is_path_segment)
}

/// An absolute directory path of safe segments, e.g. `/srv/plone`.
pub fn is_absolute_path(text: &str) -> bool {
    text == "/"
        || (text.starts_with('/')
            && text.len() <= 200
            && text[1..]
                .trim_end_matches('/')
                .split('/')
                .all(is_path_segment))
}

fn is_path_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Varnish `-s` storage: `malloc[,SIZE]` or `file,PATH[,SIZE]`, sizes like `128M`.
pub fn is_varnish_storage(text: &str) -> bool {
    let mut parts = text.split(',');
    match parts.next() {
        Some("malloc") => match (parts.next(), parts.next()) {
            (None, _) => true,
            (Some(size), None) => is_size(size),
            _ => false,
        },
        Some("file") => match (parts.next(), parts.next(), parts.next()) {
            (Some(path), size, None) => {
                (is_relative_path(path) || is_absolute_path(path)) && size.is_none_or(is_size)
            }
            _ => false,
        },
        _ => false,
    }
}

/// A size with an optional unit: `128M`, `1G`, `512k`.
pub fn is_size(text: &str) -> bool {
    let digits = text.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G', 't', 'T']);
    text.len() - digits.len() <= 1 && parse_number(digits, 1, u32::MAX as u64).is_some()
}

/// Varnish tuning flags: `-p name=value` pairs with plain names and values.
pub fn parse_varnish_tuning(text: &str) -> Option<Vec<(String, String)>> {
    let mut words = text.split_whitespace();
    let mut pairs = Vec::new();
    while let Some(word) = words.next() {
        if word != "-p" {
            return None;
        }
        let (name, value) = words.next()?.split_once('=')?;
        let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        let value_ok = !value.is_empty()
            && value.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':' | b',')
            });
        if !name_ok || !value_ok {
            return None;
        }
        pairs.push((name.to_string(), value.to_string()));
    }
    Some(pairs)
}

/// The loopback address used to reach a component on the same host.
pub const LOOPBACK_V4: Ipv4Addr = Ipv4Addr::LOCALHOST;
pub const LOOPBACK_V6: Ipv6Addr = Ipv6Addr::LOCALHOST;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(parse_port("8000").map(Port::get), Ok(8000));
        assert_eq!(parse_port(" 1 ").map(Port::get), Ok(1));
        assert_eq!(parse_port(""), Err(PortError::Empty));
        assert_eq!(parse_port("80x"), Err(PortError::NotANumber));
        assert_eq!(parse_port("-1"), Err(PortError::NotANumber));
        assert_eq!(parse_port("0"), Err(PortError::OutOfRange));
        assert_eq!(parse_port("65536"), Err(PortError::OutOfRange));
        assert_eq!(
            parse_port("99999999999999999999"),
            Err(PortError::OutOfRange)
        );
    }

    #[test]
    fn addresses() {
        assert_eq!(address_kind("0.0.0.0"), Some(AddressKind::Wildcard));
        assert_eq!(address_kind("::"), Some(AddressKind::Wildcard));
        assert_eq!(address_kind("127.0.0.5"), Some(AddressKind::Loopback));
        assert_eq!(address_kind("LOCALHOST"), Some(AddressKind::Loopback));
        assert_eq!(address_kind("10.1.2.3"), Some(AddressKind::Ip));
        assert_eq!(address_kind("app-1.example.org"), Some(AddressKind::Name));
        for bad in ["", "a b", "x;y", "-a", "a..b", "1.2.3", "{x}", "a\nb"] {
            assert_eq!(address_kind(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn acl() {
        let localhost = parse_acl_entry("localhost").unwrap();
        assert!(localhost.covers("127.0.0.1"));
        assert!(!localhost.covers("10.0.0.1"));
        let net = parse_acl_entry("10.0.0.0/8").unwrap();
        assert!(net.covers("10.200.1.1"));
        assert!(!net.covers("11.0.0.1"));
        assert!(parse_acl_entry("(cache.example.org)").is_some());
        assert!(parse_acl_entry("10.0.0.0/33").is_none());
        assert!(parse_acl_entry("\"x\"; }").is_none());
    }

    #[test]
    fn storage_and_tuning() {
        for ok in [
            "malloc",
            "malloc,128M",
            "file,var/cache.bin,1G",
            "file,/var/lib/v,10G",
        ] {
            assert!(is_varnish_storage(ok), "{ok}");
        }
        for bad in [
            "",
            "malloc,",
            "malloc,12X",
            "malloc,1,2",
            "mem,1G",
            "file,../x,1G",
            "malloc,128M\n-p x",
        ] {
            assert!(!is_varnish_storage(bad), "{bad:?}");
        }
        assert_eq!(
            parse_varnish_tuning("-p thread_pool_min=10 -p default_ttl=60"),
            Some(vec![
                ("thread_pool_min".into(), "10".into()),
                ("default_ttl".into(), "60".into())
            ])
        );
        assert_eq!(parse_varnish_tuning(""), Some(vec![]));
        assert_eq!(parse_varnish_tuning("-p x"), None);
        assert_eq!(parse_varnish_tuning("-f /etc/passwd"), None);
    }

    #[test]
    fn names_and_paths() {
        assert!(is_site_id("Plone"));
        assert!(!is_site_id("../x"));
        assert!(!is_site_id(""));
        assert!(is_url_path("/system_error"));
        assert!(!is_url_path("/a/../b"));
        assert!(!is_url_path("system_error"));
        assert!(is_relative_path("etc/server.crt"));
        assert!(!is_relative_path("/etc/server.crt"));
        assert!(is_absolute_path("/srv/plone-deployment"));
        assert!(!is_absolute_path("/srv/my plone"));
        assert!(is_system_user("nobody"));
        assert!(!is_system_user("Nobody"));
        assert!(is_login("admin"));
        assert!(!is_login("ad:min"));
        assert_eq!(password_problem("s3cr%t'\"\\$#;{}"), None);
        assert!(password_problem("a\nb").is_some());
    }
}
