//! The design's settings and its hosts.

use std::collections::BTreeSet;

use crate::defaults::exercise_password;
use crate::field;
use crate::syntax::{self, AddressKind};

use super::{Checks, Rule, Target};

/// The longest install directory: a unix socket's path holds at most 107 bytes, and the
/// longest the bundle makes in it is `var/haproxy/admin.sock` (23 more with its `/`).
pub const MAX_INSTALL_DIR: usize = 84;

impl<'a> Checks<'a> {
    pub(super) fn settings(&mut self) {
        let s = &self.design.settings;
        if !syntax::is_identifier(&s.name) {
            self.push(
                Rule::BundleNameInvalid,
                Target::Setting("name"),
                format!(
                    "the bundle name {:?} cannot be used as a folder name",
                    s.name
                ),
                "use lowercase letters, digits, '-' and '_', starting with a letter or digit",
            );
        }
        for entry in &s.admin_networks {
            if !matches!(
                syntax::parse_acl_entry(entry),
                Some(syntax::AclEntry::Ip(_) | syntax::AclEntry::Cidr(..))
            ) || entry.trim() != entry
                || entry.starts_with('(')
            {
                self.push(
                    Rule::AdminNetworkInvalid,
                    Target::Setting("admin_networks"),
                    format!("admin network {entry:?} is not an IP or a network"),
                    "write an IP (192.0.2.10) or a network (192.0.2.0/24), one per line",
                );
            }
        }
        if !syntax::is_absolute_path(&s.install_dir) {
            self.push(
                Rule::InstallDirInvalid,
                Target::Setting("install_dir"),
                format!("the install directory {:?} is not an absolute path of plain names", s.install_dir),
                "write an absolute path such as /srv/plone, using letters, digits, '.', '-' and '_'",
            );
        } else if s.install_dir.trim_end_matches('/').len() > MAX_INSTALL_DIR {
            self.push(
                Rule::InstallDirInvalid,
                Target::Setting("install_dir"),
                format!(
                    "the install directory is {} bytes long: the unix sockets in its var/ (supervisor's, HAProxy's) would pass the 107 bytes a socket's path may have",
                    s.install_dir.trim_end_matches('/').len()
                ),
                format!("use a path of at most {MAX_INSTALL_DIR} bytes, such as /srv/plone"),
            );
        }
        if !syntax::is_site_id(&s.site_id) {
            self.push(
                Rule::SiteIdInvalid,
                Target::Setting("site_id"),
                if s.site_id.is_empty() {
                    "the site id is empty".to_string()
                } else {
                    format!("the site id {:?} is not safe in a URL path and as a Zope id", s.site_id)
                },
                "use letters, digits, '.', '-' and '_', starting with a letter or digit, e.g. Plone",
            );
        }
        if !syntax::is_url_path(&s.fallback_url) {
            self.push(
                Rule::FallbackUrlInvalid,
                Target::Setting("fallback_url"),
                format!("the fallback URL {:?} is not a safe path", s.fallback_url),
                "start with '/' and use letters, digits, '.', '-' and '_' between slashes, e.g. /system_error",
            );
        }
        self.number(
            Target::Setting("open_files"),
            "open files",
            &s.open_files,
            field::OPEN_FILES,
        );
        self.number(
            Target::Setting("session_timeout"),
            "the session timeout",
            &s.session_timeout,
            field::SESSION_TIMEOUT,
        );
        self.number(
            Target::Setting("instance.threads"),
            "threads",
            &s.instance.threads,
            field::THREADS,
        );
        self.number(
            Target::Setting("instance.zodb_cache_size"),
            "the ZODB cache size",
            &s.instance.zodb_cache_size,
            field::ZODB_CACHE_SIZE,
        );
        if !syntax::is_login(&s.zope_admin_user) {
            self.push(
                Rule::LoginInvalid,
                Target::Setting("zope_admin_user"),
                format!(
                    "the Zope admin user {:?} is not a plain login name",
                    s.zope_admin_user
                ),
                "use up to 32 letters, digits, '.', '-', '_' or '@'",
            );
        }
        // Zope takes its admin's password over HTTP Basic on every URL, so through nginx.
        self.password(
            Target::Setting("zope_admin_password"),
            "the Zope admin password",
            &s.zope_admin_password,
            Some("Zope takes it on every URL through nginx"),
        );
    }

    /// Checks a password; `reachable` says who can try it beyond loopback, if anyone.
    pub(super) fn password(
        &mut self,
        target: Target,
        label: &str,
        password: &str,
        reachable: Option<&str>,
    ) {
        let weak = password == exercise_password()
            || password.chars().count() < syntax::STRONG_PASSWORD_CHARS;
        if let Some(problem) = syntax::password_problem(password) {
            self.push(
                Rule::PasswordUnsafe,
                target,
                format!("{label} {problem}"),
                "use printable characters; any symbol is fine, it is escaped in every file",
            );
        } else if let Some(reachable) = reachable
            && weak
        {
            let what = if password == exercise_password() {
                format!("is the exercise's {:?}", exercise_password())
            } else {
                format!(
                    "has {} characters, fewer than {}",
                    password.chars().count(),
                    syntax::STRONG_PASSWORD_CHARS
                )
            };
            self.push(
                Rule::PasswordExposed,
                target,
                format!("{label} {what}, and {reachable}"),
                "generate a strong random password (the key button beside the field)",
            );
        } else if password == exercise_password() {
            self.push(
                Rule::PasswordDefault,
                target,
                format!("{label} is still the exercise's {:?}", exercise_password()),
                "generate a strong random password before deploying",
            );
        }
    }

    pub(super) fn hosts(&mut self) {
        let mut seen = BTreeSet::new();
        for host in &self.design.hosts {
            let target = |f| Target::Host {
                id: host.id.clone(),
                field: f,
            };
            if !syntax::is_identifier(&host.id) {
                self.push(
                    Rule::HostIdInvalid,
                    target(Some("id")),
                    format!(
                        "the host name {:?} cannot be used as a folder name",
                        host.id
                    ),
                    "use lowercase letters, digits, '-' and '_'",
                );
            }
            if !seen.insert(host.id.as_str()) {
                self.push(
                    Rule::HostDuplicate,
                    target(Some("id")),
                    format!("there are two hosts named {:?}", host.id),
                    "give every host its own name",
                );
            }
            match syntax::address_kind(&host.address) {
                None | Some(AddressKind::Wildcard) => self.push(
                    Rule::AddressInvalid,
                    target(Some("address")),
                    format!(
                        "{:?} is not an address other machines can reach host {:?} at",
                        host.address, host.id
                    ),
                    "write an IP address or a host name, e.g. 10.0.0.2",
                ),
                Some(_) => {}
            }
        }
    }
}
