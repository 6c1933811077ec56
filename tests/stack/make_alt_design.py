"""Writes tests/stack/alt-design.json: the default design with everything the drill can vary changed.

Every port, every user (process users that exist on Debian once the README's packages are
installed; login names for the database, supervisor, HAProxy's statistics and Zope's admin),
the site id, the bundle's name, the panic page's URL and nginx's status path differ from
the defaults, and there are two instances instead of four. The supervisor process stays
root (it must be, to run each program as its own user) and the database's process user
stays mysql (the bundle does not run the database server).

    target/debug/stackwright defaults | /usr/bin/python3 tests/stack/make_alt_design.py > tests/stack/alt-design.json
"""
import json
import sys


def main():
    design = json.load(sys.stdin)
    settings = design["settings"]
    settings.update(
        name="drill-alt",
        site_id="intranet",
        zope_admin_user="site-manager",
        zope_admin_password="zope-drill-pw",
        install_dir="/srv/drill-alt",
        fallback_url="/maintenance",
    )
    dropped = {"instance3", "instance4"}
    design["components"] = [c for c in design["components"] if c["id"] not in dropped]
    design["connections"] = [
        c for c in design["connections"] if c["from"] not in dropped and c["to"] not in dropped
    ]
    components = {c["id"]: c for c in design["components"]}

    nginx = components["nginx"]
    nginx["user"] = "www-data"
    nginx["address"] = "127.0.0.1"
    nginx["settings"].update(http_port=18080, https_port=18443, status_path="/nginx-status")

    varnish = components["varnish"]
    varnish["user"] = "varnish"
    varnish["settings"].update(port=18100, purge_acl=["127.0.0.1"])

    haproxy = components["haproxy"]
    haproxy["user"] = "haproxy"
    haproxy["settings"].update(
        port=18200, stats_port=18222, stats_user="stats-viewer", stats_password="stats-drill-pw"
    )

    for instance, port in (("instance1", 18001), ("instance2", 18002)):
        components[instance]["user"] = "daemon"
        components[instance]["settings"]["port"] = port

    memcached = components["memcached"]
    memcached["user"] = "memcache"
    memcached["settings"]["port"] = 18211

    components["database"]["settings"].update(
        port=13306, user="plone_rel", password="db-drill-pw", name="plonezodb"
    )
    components["supervisor"]["settings"].update(port=19001, user="operator", password="sup-drill-pw")

    json.dump(design, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
