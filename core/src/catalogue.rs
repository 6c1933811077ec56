//! The template catalogue: every built-in template embedded in the binary, by name, and
//! what each writes. A leaf: it depends on nothing else in the crate, so the renderer,
//! the validator and the editors all read it and none of them needs another.

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

/// Every template, embedded in the binary.
pub const TEMPLATES: &[(&str, &str)] = templates![
    "nginx.conf.j2",
    "varnish.vcl.j2",
    "haproxy.cfg.j2",
    "supervisord.conf.j2",
    "zope.conf.j2",
    "relstorage.conf.j2",
    "python-packages.txt",
    "zope.ini.j2",
    "zodbpack.conf.j2",
    "system_error.html.j2",
    "create-database.sql.j2",
    "CERTIFICATES.md.j2",
    "requirements.txt.j2",
    "README.md.j2",
    "README.hosts.md.j2",
    "setup.sh.j2",
    "create-site.sh.j2",
    "create_site.py.j2",
    "mariadb_compat.py.j2",
    "mariadb_compat.pth.j2",
    "ansible.cfg.j2",
    "inventory.yml.j2",
    "site.yml.j2",
    "supervisor.service.j2",
    "mariadb.cnf.j2",
    "restart-instance.yml.j2",
    "firewall.nft.j2",
    "firewall.service.j2",
    "logrotate.j2",
    "pack.service.j2",
    "pack.timer.j2",
    "rolling-restart.sh.j2",
    "rolling-restart.yml.j2",
    "backup.sh.j2",
    "restore.sh.j2",
    "backup.cnf.j2",
    "backup.service.j2",
    "backup.timer.j2",
    "httpok.py.j2",
];

/// What each template writes, in words for people: a path in a host's folder, with
/// `<instance>` for each instance's and `<name>` for the design's name. A test keeps it true to the files rendered.
pub const WRITES: &[(&str, &str)] = &[
    ("nginx.conf.j2", "etc/nginx.conf"),
    ("varnish.vcl.j2", "etc/varnish.vcl"),
    ("haproxy.cfg.j2", "etc/haproxy.cfg"),
    ("supervisord.conf.j2", "etc/supervisord.conf"),
    ("zope.conf.j2", "etc/<instance>/zope.conf"),
    (
        "relstorage.conf.j2",
        "the storage section of zope.conf and zodbpack.conf",
    ),
    ("python-packages.txt", "the packages of requirements.txt"),
    ("zope.ini.j2", "etc/<instance>/zope.ini"),
    ("zodbpack.conf.j2", "etc/zodbpack.conf"),
    ("system_error.html.j2", "the panic page"),
    ("create-database.sql.j2", "sql/create-database.sql"),
    ("CERTIFICATES.md.j2", "CERTIFICATES.md"),
    ("requirements.txt.j2", "requirements.txt"),
    ("README.md.j2", "README.md"),
    (
        "README.hosts.md.j2",
        "the README.md of a design on several hosts",
    ),
    ("setup.sh.j2", "bin/setup"),
    ("create-site.sh.j2", "bin/create-site"),
    ("create_site.py.j2", "lib/create_site.py"),
    ("mariadb_compat.py.j2", "lib/stackwright_mariadb_compat.py"),
    (
        "mariadb_compat.pth.j2",
        "lib/stackwright_mariadb_compat.pth",
    ),
    ("ansible.cfg.j2", "ansible/ansible.cfg"),
    ("inventory.yml.j2", "ansible/inventory.yml"),
    ("site.yml.j2", "ansible/site.yml"),
    (
        "supervisor.service.j2",
        "etc/systemd/stackwright-<name>.service",
    ),
    ("mariadb.cnf.j2", "etc/mysql/90-stackwright-<name>.cnf"),
    ("restart-instance.yml.j2", "ansible/restart-instance.yml"),
    ("firewall.nft.j2", "etc/firewall.nft"),
    (
        "firewall.service.j2",
        "etc/systemd/stackwright-<name>-firewall.service",
    ),
    ("logrotate.j2", "etc/logrotate/stackwright-<name>"),
    (
        "pack.service.j2",
        "etc/systemd/stackwright-<name>-pack.service",
    ),
    ("pack.timer.j2", "etc/systemd/stackwright-<name>-pack.timer"),
    ("rolling-restart.sh.j2", "bin/rolling-restart"),
    ("rolling-restart.yml.j2", "ansible/rolling-restart.yml"),
    ("backup.sh.j2", "bin/backup"),
    ("restore.sh.j2", "bin/restore"),
    ("backup.cnf.j2", "etc/backup.cnf"),
    (
        "backup.service.j2",
        "etc/systemd/stackwright-<name>-backup.service",
    ),
    (
        "backup.timer.j2",
        "etc/systemd/stackwright-<name>-backup.timer",
    ),
    ("httpok.py.j2", "lib/stackwright_httpok.py"),
];

/// What the template `name` writes, in words: `etc/nginx.conf`,
/// `etc/<instance>/zope.conf`, or what an included template is part of.
pub fn template_writes(name: &str) -> Option<&'static str> {
    WRITES.iter().find(|(n, _)| *n == name).map(|(_, w)| *w)
}

/// The names of the templates, as overrides name them.
pub fn template_names() -> Vec<&'static str> {
    TEMPLATES.iter().map(|(name, _)| *name).collect()
}

/// The built-in source of the template `name`.
pub fn default_template(name: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, source)| *source)
}
