"""Prints the values of a Stackwright design that the drill needs, as shell assignments.

The drill reads the design, not the rendered files: the design says what the
bundle must do, the checks then see whether the bundle does it.

    /usr/bin/python3 tests/stack/design_env.py DESIGN.json   ->   NAME=value lines for `eval`
"""
import ipaddress
import json
import shlex
import sys


def one(components, kind):
    found = [c for c in components if c["kind"] == kind]
    if len(found) != 1:
        sys.exit(f"design_env: expected one {kind}, found {len(found)}")
    return found[0]


def is_loopback(address):
    """True for an address the drill may contact: loopback, or a wildcard bind it reaches on 127.0.0.1."""
    if address == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def is_ip_or_localhost(name):
    """True for a public host nginx sends no HSTS for."""
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        design = json.load(f)
    settings = design["settings"]
    components = design["components"]
    nginx = one(components, "nginx")
    varnish = one(components, "varnish")
    haproxy = one(components, "haproxy")
    memcached = one(components, "memcached")
    database = one(components, "database")
    supervisor = one(components, "supervisor")
    instances = [c for c in components if c["kind"] == "zope"]
    hosts = {h["id"]: h["address"] for h in design["hosts"]}

    release = {"debian-12": "bookworm", "debian-13": "trixie"}[settings["platform"]]
    python = {"bookworm": "3.11", "trixie": "3.13"}[release]
    values = {
        "RELEASE": release,
        "PYTHON_VERSION": python,
        "BUNDLE_NAME": settings["name"],
        "SITE_ID": settings["site_id"],
        "INSTALL_DIR": settings["install_dir"].rstrip("/"),
        "SHARED_BLOBS": "yes" if settings["shared_blobs"] else "",
        "ZOPE_ADMIN_USER": settings["zope_admin_user"],
        "ZOPE_ADMIN_PASSWORD": settings["zope_admin_password"],
        "FALLBACK_URL": settings["fallback_url"],
        "HTTP_PORT": nginx["settings"]["http_port"],
        "HTTPS_PORT": nginx["settings"]["https_port"],
        "PUBLIC_HOST": nginx["settings"]["public_host"],
        "PUBLIC_HTTPS": nginx["settings"]["public_host"] + (
            "" if str(nginx["settings"]["https_port"]) == "443" else f":{nginx['settings']['https_port']}"),
        "STATUS_PATH": nginx["settings"]["status_path"],
        "NGINX_ADDRESS": nginx["address"],
        "UPLOAD_LIMIT_MB": nginx["settings"].get("upload_limit_mb", 128),
        "HSTS": "yes" if nginx["settings"].get("hsts", True) and not is_ip_or_localhost(
            nginx["settings"]["public_host"]) else "",
        "PURGE_PORT": varnish["settings"].get("purge_port", 8101),
        "NGINX_USER": nginx["user"],
        "VARNISH_PORT": varnish["settings"]["port"],
        "VARNISH_USER": varnish["user"],
        "HAPROXY_PORT": haproxy["settings"]["port"],
        "HAPROXY_USER": haproxy["user"],
        "STATS_PORT": haproxy["settings"]["stats_port"],
        "INSTANCE_MAXCONN": haproxy["settings"]["maxconn_per_server"],
        "STATS_USER": haproxy["settings"]["stats_user"],
        "STATS_PASSWORD": haproxy["settings"]["stats_password"],
        "MEMCACHED_PORT": memcached["settings"]["port"],
        "MEMCACHED_USER": memcached["user"],
        "DB_PORT": database["settings"]["port"],
        "DB_NAME": database["settings"]["name"],
        "DB_USER": database["settings"]["user"],
        "DB_PASSWORD": database["settings"]["password"],
        "SUPERVISOR_PORT": supervisor["settings"]["port"],
        "SUPERVISOR_USER": supervisor["settings"]["user"],
        "SUPERVISOR_PASSWORD": supervisor["settings"]["password"],
        "INSTANCE_IDS": " ".join(c["id"] for c in instances),
        "INSTANCE_PORTS": " ".join(str(c["settings"]["port"]) for c in instances),
        "INSTANCE_USERS": " ".join(c["user"] for c in instances),
    }
    # Every port the bundle's programs listen on (the database is Debian's service).
    values["BUNDLE_PORTS"] = " ".join(str(p) for p in [
        values["HTTP_PORT"], values["HTTPS_PORT"], values["VARNISH_PORT"], values["PURGE_PORT"],
        values["HAPROXY_PORT"], values["STATS_PORT"], values["MEMCACHED_PORT"],
        values["SUPERVISOR_PORT"], *[c["settings"]["port"] for c in instances]])
    # Addresses that are neither loopback nor a wildcard: the drill refuses to contact them.
    addresses = set(hosts.values()) | {c["address"] for c in components}
    values["NON_LOOPBACK"] = " ".join(sorted(a for a in addresses if not is_loopback(a)))
    for name, value in values.items():
        print(f"{name}={shlex.quote(str(value))}")


if __name__ == "__main__":
    main()
