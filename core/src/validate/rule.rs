//! What a diagnostic is: its rule, how bad, where, what and how to fix it.
//!
//! Each rule is one variant of [`Rule`], declared once below with its stable code and its
//! severity; `docs/rules.md` explains each of them (a test keeps the two in step).

use std::fmt;

use serde::{Serialize, Serializer};

/// How bad a problem is. Errors block rendering; warnings and notes do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Declares [`Rule`]: each variant with its doc, its code and its severity, in the order
/// `docs/rules.md` explains them.
macro_rules! rules {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal, $severity:ident;)+) => {
        /// A validation rule. Its [`code`](Rule::code) is stable: people search for it,
        /// and `stackwright validate --format json` prints it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Rule {
            /// Every rule, in the order `docs/rules.md` explains them.
            pub const ALL: &[Rule] = &[$(Rule::$variant),+];

            /// The stable kebab-case code, e.g. `port-conflict`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Rule::$variant => $code,)+
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Rule::$variant => Severity::$severity,)+
                }
            }

            /// What the rule checks, in one line.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Rule::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

rules! {
    /// The bundle name cannot be used as the top folder's name.
    BundleNameInvalid = "bundle-name-invalid", Error;
    /// The install directory is not an absolute path of plain names.
    InstallDirInvalid = "install-dir-invalid", Error;
    /// The site id is not safe in a URL path and as a Zope id.
    SiteIdInvalid = "site-id-invalid", Error;
    /// The fallback URL is not a safe path.
    FallbackUrlInvalid = "fallback-url-invalid", Error;
    /// A number is not a whole number in its field's range.
    NumberInvalid = "number-invalid", Error;
    /// A host's id cannot be used as a folder name.
    HostIdInvalid = "host-id-invalid", Error;
    /// Two hosts have the same id.
    HostDuplicate = "host-duplicate", Error;
    /// A component names a host the design does not have.
    HostUnknown = "host-unknown", Error;
    /// An address is not one a daemon can bind or other machines can reach.
    AddressInvalid = "address-invalid", Error;
    /// A component's id cannot be used in file and process names.
    IdInvalid = "id-invalid", Error;
    /// Two components have the same id.
    IdDuplicate = "id-duplicate", Error;
    /// Two components have the same name.
    NameDuplicate = "name-duplicate", Warning;
    /// A name would break the comment or program line it is written into.
    NameUnsafe = "name-unsafe", Error;
    /// More than one component of a kind that the chain has once.
    ComponentCount = "component-count", Error;
    /// No Zope instance, or more than the most a design may have.
    InstanceCount = "instance-count", Error;
    /// A port is not a number from 1 to 65535.
    PortInvalid = "port-invalid", Error;
    /// Two listeners share a host and a port.
    PortConflict = "port-conflict", Error;
    /// A port below 1024, which needs root to bind.
    PortPrivileged = "port-privileged", Warning;
    /// A system user is not a plain user name.
    UserInvalid = "user-invalid", Error;
    /// Two daemons of different kinds run as one system user.
    UserShared = "user-shared", Warning;
    /// A login name is not plain.
    LoginInvalid = "login-invalid", Error;
    /// A password holds a character no file can carry.
    PasswordUnsafe = "password-unsafe", Error;
    /// A password others can try is the exercise's or too short.
    PasswordExposed = "password-exposed", Error;
    /// A password is still the exercise's.
    PasswordDefault = "password-default", Warning;
    /// A certificate path leaves the bundle or is not plain.
    PathInvalid = "path-invalid", Error;
    /// A connection names a component the design does not have.
    ConnectionDangling = "connection-dangling", Error;
    /// A connection goes against the flow of the chain.
    ConnectionRefused = "connection-refused", Error;
    /// The same connection twice.
    ConnectionDuplicate = "connection-duplicate", Warning;
    /// A connection to a loopback address on another host.
    ConnectionLoopback = "connection-loopback", Error;
    /// A tier does not send to the next one.
    ChainBroken = "chain-broken", Error;
    /// A tier sends past the next tier that exists, or to more than one.
    TierSkipped = "tier-skipped", Error;
    /// Several instances without HAProxy to balance them.
    BalancerMissing = "balancer-missing", Error;
    /// An instance the front of the chain never reaches.
    InstanceUnreachable = "instance-unreachable", Warning;
    /// An instance without a database.
    InstanceNoDatabase = "instance-no-database", Error;
    /// The design carries a template of a name this Stackwright does not have.
    TemplateUnknown = "template-unknown", Error;
    /// An instance that does not use the design's memcached.
    InstanceNoMemcached = "instance-no-memcached", Info;
    /// Varnish's backend is a host name, not an IP.
    VarnishBackendNotIp = "varnish-backend-not-ip", Error;
    /// Varnish's storage is not a storage varnishd accepts.
    StorageInvalid = "storage-invalid", Error;
    /// Varnish's tuning holds something other than parameters.
    TuningInvalid = "tuning-invalid", Error;
    /// A purge ACL entry is not an IP, a CIDR or a host name.
    PurgeAclInvalid = "purge-acl-invalid", Error;
    /// The purge ACL does not cover where the instances purge from.
    PurgeAclUncovered = "purge-acl-uncovered", Warning;
    /// An admin network is not an IP or a network.
    AdminNetworkInvalid = "admin-network-invalid", Error;
    /// HAProxy balances by source address behind a proxy, where every request has one.
    BalanceSourceBehindProxy = "balance-source-behind-proxy", Error;
    /// HAProxy sends a server more connections than its threads.
    MaxconnAboveThreads = "maxconn-above-threads", Warning;
    /// Open files too low for the connections the chain holds.
    OpenFilesLow = "open-files-low", Warning;
    /// HAProxy's statistics page is reachable from other machines.
    StatsExposed = "stats-exposed", Warning;
    /// Supervisor's control panel is reachable from other machines.
    SupervisorExposed = "supervisor-exposed", Error;
    /// memcached is reachable from other machines.
    MemcachedExposed = "memcached-exposed", Error;
    /// Zope, memcached or the database listens beyond loopback, though only its own
    /// machine sends to it.
    BoundBeyondNeed = "bound-beyond-need", Error;
    /// memcached as RelStorage's cache is deprecated.
    MemcachedDeprecated = "memcached-deprecated", Info;
    /// Shared blobs on instances of several hosts.
    BlobsAcrossHosts = "blobs-across-hosts", Warning;
    /// The database is MySQL, which the design's Debian release does not ship.
    MysqlNotOnDebian = "mysql-not-on-debian", Warning;
    /// No supervisor to run the programs.
    SupervisorMissing = "supervisor-missing", Error;
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// What a diagnostic is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A global setting, e.g. `site_id`.
    Setting(&'static str),
    /// A host, and optionally one of its fields.
    Host {
        id: String,
        field: Option<&'static str>,
    },
    /// A component, and optionally one of its fields, e.g. `port`.
    Component { id: String, field: Option<String> },
    /// A connection between two components.
    Connection { from: String, to: String },
}

impl Target {
    /// A component's field.
    pub fn field(id: &str, field: &str) -> Target {
        Target::Component {
            id: id.to_string(),
            field: Some(field.to_string()),
        }
    }

    /// A component as a whole.
    pub fn component_itself(id: &str) -> Target {
        Target::Component {
            id: id.to_string(),
            field: None,
        }
    }

    /// A dotted path naming the field, e.g. `components.instance1.port`.
    pub fn path(&self) -> String {
        match self {
            Target::Setting(field) => format!("settings.{field}"),
            Target::Host { id, field: None } => format!("hosts.{id}"),
            Target::Host { id, field: Some(f) } => format!("hosts.{id}.{f}"),
            Target::Component { id, field: None } => format!("components.{id}"),
            Target::Component { id, field: Some(f) } => format!("components.{id}.{f}"),
            Target::Connection { from, to } => format!("connections.{from}->{to}"),
        }
    }

    /// The component this diagnostic belongs to, for badges on the canvas.
    pub fn component(&self) -> Option<&str> {
        match self {
            Target::Component { id, .. } => Some(id),
            Target::Connection { from, .. } => Some(from),
            _ => None,
        }
    }
}

/// One problem: the rule it breaks, how bad it is, where, what and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Rule,
    pub severity: Severity,
    pub target: Target,
    pub message: String,
    pub hint: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_kebab_case_and_summarised() {
        let codes: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            let code = rule.code();
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{code}"
            );
            assert!(rule.summary().ends_with('.'), "{code}: {}", rule.summary());
        }
    }
}
