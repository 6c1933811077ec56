"""Checks a supervisord.conf with supervisor's own option parser (Debian's python3).

    /usr/bin/python3 supervisor_check.py etc/supervisord.conf EXPECTED_PASSWORD

The password the parser reads back must be exactly the design's.
"""
import sys

from supervisor.options import ServerOptions

path, password = sys.argv[1], sys.argv[2]
options = ServerOptions()
options.realize(['-c', path])
server = options.server_configs[0]
if server['password'] != password:
    sys.exit(f'{path}: password read back as {server["password"]!r}, expected {password!r}')
programs = [group.name for group in options.process_group_configs]
print(f'{path}: {len(programs)} programs: {" ".join(programs)}')
