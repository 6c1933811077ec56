//! Which files each host of the plan gets, from which template, and the folders it ships.

use crate::plan::{HostPlan, Plan};

/// One file a host gets.
pub(super) struct FileSpec {
    pub path: String,
    pub template: &'static str,
    pub executable: bool,
    /// The instance a per-instance template is rendered for.
    pub instance: Option<String>,
}

impl FileSpec {
    fn new(path: impl Into<String>, template: &'static str) -> FileSpec {
        FileSpec {
            path: path.into(),
            template,
            executable: false,
            instance: None,
        }
    }

    fn script(path: &str, template: &'static str) -> FileSpec {
        FileSpec {
            executable: true,
            ..FileSpec::new(path, template)
        }
    }

    fn for_instance(self, id: &str) -> FileSpec {
        FileSpec {
            instance: Some(id.to_string()),
            ..self
        }
    }
}

/// Files written once at the top of the bundle: (path, template).
pub(super) fn top_files(plan: &Plan) -> Vec<(String, &'static str)> {
    let mut files = Vec::new();
    // On several hosts, the database host's folder carries it (see host_files).
    if plan.multi_host && !plan.hosts.iter().any(|h| h.database) {
        files.push((
            "sql/create-database.sql".to_string(),
            "create-database.sql.j2",
        ));
        files.push((database_dropin(plan), "mariadb.cnf.j2"));
    } else if !plan.multi_host {
        files.push((
            "sql/create-database.sql".to_string(),
            "create-database.sql.j2",
        ));
    }
    if plan.multi_host {
        files.push(("README.md".into(), "README.hosts.md.j2"));
    }
    // Deployment with Ansible: every machine of the design from one controller.
    files.push(("ansible/ansible.cfg".into(), "ansible.cfg.j2"));
    files.push(("ansible/inventory.yml".into(), "inventory.yml.j2"));
    files.push(("ansible/site.yml".into(), "site.yml.j2"));
    files.push((
        "ansible/restart-instance.yml".into(),
        "restart-instance.yml.j2",
    ));
    files.push((
        "ansible/rolling-restart.yml".into(),
        "rolling-restart.yml.j2",
    ));
    files
}

/// The database server's drop-in, in the folder of the machine it runs on: installed into
/// `/etc/mysql/mariadb.conf.d/`, where files sort by name and `90-` comes after Debian's.
fn database_dropin(plan: &Plan) -> String {
    format!("etc/mysql/90-stackwright-{}.cnf", plan.site.name)
}

/// The files `host` gets, by path in its folder.
pub(super) fn host_files(host: &HostPlan, plan: &Plan) -> Vec<FileSpec> {
    let mut files = vec![FileSpec::new("README.md", "README.md.j2")];
    if plan.multi_host && host.database {
        files.push(FileSpec::new(
            "sql/create-database.sql",
            "create-database.sql.j2",
        ));
    }
    if host.database || !plan.multi_host {
        files.push(FileSpec::new(database_dropin(plan), "mariadb.cnf.j2"));
    }
    let name = &plan.site.name;
    // Every machine of the design gets its firewall, the database's alone too.
    files.push(FileSpec::new("etc/firewall.nft", "firewall.nft.j2"));
    files.push(FileSpec::new(
        format!("etc/systemd/stackwright-{name}-firewall.service"),
        "firewall.service.j2",
    ));
    if !host.supervised {
        return files;
    }
    files.extend([
        FileSpec::new("etc/supervisord.conf", "supervisord.conf.j2"),
        FileSpec::new(
            format!("etc/systemd/stackwright-{name}.service"),
            "supervisor.service.j2",
        ),
        FileSpec::script("bin/setup", "setup.sh.j2"),
    ]);
    if host.nginx {
        files.push(FileSpec::new("etc/nginx.conf", "nginx.conf.j2"));
        let panic_page = format!("htdocs{}/index.html", plan.site.fallback_url);
        files.push(FileSpec::new(panic_page, "system_error.html.j2"));
        files.push(FileSpec::new("CERTIFICATES.md", "CERTIFICATES.md.j2"));
        files.push(FileSpec::new(
            format!("etc/logrotate/stackwright-{name}"),
            "logrotate.j2",
        ));
    }
    if host.varnish {
        files.push(FileSpec::new("etc/varnish.vcl", "varnish.vcl.j2"));
    }
    if host.haproxy {
        files.push(FileSpec::new("etc/haproxy.cfg", "haproxy.cfg.j2"));
    }
    if let Some(first) = host.instances.first() {
        for id in &host.instances {
            files.push(
                FileSpec::new(format!("etc/{id}/zope.conf"), "zope.conf.j2").for_instance(id),
            );
            files.push(FileSpec::new(format!("etc/{id}/zope.ini"), "zope.ini.j2").for_instance(id));
        }
        files.push(FileSpec::new("etc/zodbpack.conf", "zodbpack.conf.j2").for_instance(first));
        if host.creates_site {
            // One weekly pack for the whole site, from the machine that creates it.
            files.push(FileSpec::new(
                format!("etc/systemd/stackwright-{name}-pack.service"),
                "pack.service.j2",
            ));
            files.push(FileSpec::new(
                format!("etc/systemd/stackwright-{name}-pack.timer"),
                "pack.timer.j2",
            ));
            // One daily backup too, and the restore, from there.
            files.push(FileSpec::script("bin/backup", "backup.sh.j2"));
            files.push(FileSpec::script("bin/restore", "restore.sh.j2"));
            files.push(FileSpec::new("etc/backup.cnf", "backup.cnf.j2"));
            files.push(FileSpec::new(
                format!("etc/systemd/stackwright-{name}-backup.service"),
                "backup.service.j2",
            ));
            files.push(FileSpec::new(
                format!("etc/systemd/stackwright-{name}-backup.timer"),
                "backup.timer.j2",
            ));
        }
        if !plan.multi_host {
            // On several hosts, ansible/rolling-restart.yml restarts them in turn.
            files.push(FileSpec::script(
                "bin/rolling-restart",
                "rolling-restart.sh.j2",
            ));
        }
        files.push(FileSpec::new("requirements.txt", "requirements.txt.j2"));
        files.push(FileSpec::new(
            "lib/stackwright_mariadb_compat.py",
            "mariadb_compat.py.j2",
        ));
        files.push(FileSpec::new(
            "lib/stackwright_mariadb_compat.pth",
            "mariadb_compat.pth.j2",
        ));
        files.push(FileSpec::new("lib/stackwright_httpok.py", "httpok.py.j2"));
    }
    if host.creates_site {
        files.push(FileSpec::script("bin/create-site", "create-site.sh.j2"));
        files.push(FileSpec::new("lib/create_site.py", "create_site.py.j2"));
    }
    files
}

/// Folders `host` ships empty, so logs and state have a place from the start.
pub(super) fn host_folders(host: &HostPlan, plan: &Plan) -> Vec<String> {
    if !host.supervised {
        return Vec::new();
    }
    let mut folders = vec!["var/log".to_string()];
    if host.nginx {
        folders.push("var/nginx".into());
    }
    if host.varnish {
        folders.push("var/varnish".into());
    }
    if host.haproxy {
        folders.push("var/haproxy".into());
    }
    if !host.instances.is_empty() {
        folders.push("var/cache".into());
        if plan.site.shared_blobs {
            folders.push("var/blobstorage".into());
        }
        for id in &host.instances {
            folders.push(format!("var/{id}"));
            if !plan.site.shared_blobs {
                folders.push(format!("var/blobstorage-{id}"));
            }
        }
    }
    folders
}
