"""Checks zope.conf and zodbpack.conf files with Zope's and RelStorage's own parsers.

Run from the bundle's folder with the Python of a venv that has the bundle's packages:

    python zope_check.py EXPECTED_DB_PASSWORD etc/instance1/zope.conf etc/zodbpack.conf ...

Each file must parse, and the database password the parser reads back must be exactly
the design's: that proves the value was escaped, not merely accepted. Prints one line
per file; exits 1 if any failed.
"""
import os
import sys
from io import StringIO

import ZConfig
from Zope2.Startup.options import ZopeWSGIOptions


def mysql_section(section):
    """Finds the <mysql> section below a parsed <relstorage> section."""
    adapter = getattr(section, 'adapter', None)
    return getattr(adapter, 'config', None)


def check(path, password):
    if os.path.basename(path).startswith('zodbpack'):
        from relstorage.zodbpack import schema_xml
        schema = ZConfig.loadSchemaFile(StringIO(schema_xml))
        config, _ = ZConfig.loadConfig(schema, path)
        relstorage = config.storages[0].config
    else:
        options = ZopeWSGIOptions(configfile=path)()
        relstorage = options.configroot.databases[0].config.storage.config
    mysql = mysql_section(relstorage)
    if mysql is None:
        raise AssertionError('no <mysql> section found')
    if mysql.passwd != password:
        raise AssertionError(f'password read back as {mysql.passwd!r}, expected {password!r}')


def main():
    password, paths = sys.argv[1], sys.argv[2:]
    status = 0
    for path in paths:
        try:
            check(path, password)
        except Exception as e:  # ZConfig errors and the assertion above
            message = ' '.join(str(e).split())
            print(f'FAIL {path}: {type(e).__name__}: {message}')
            status = 1
        else:
            print(f'ok   {path}')
    sys.exit(status)


main()
