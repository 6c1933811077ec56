"""Checks a supervisord.conf with supervisor's own option parser (Debian's python3).

    /usr/bin/python3 supervisor_check.py etc/supervisord.conf EXPECTED_PASSWORD

The panel's password the parser reads back must be exactly the design's; a unix socket,
when there is one, must be root's alone (mode 0700), and supervisorctl must use it.
"""
import socket
import sys

from supervisor.options import ClientOptions

from supervisor.options import ServerOptions

path, password = sys.argv[1], sys.argv[2]
options = ServerOptions()
options.realize(['-c', path])
inet = [c for c in options.server_configs if c['family'] == socket.AF_INET]
unix = [c for c in options.server_configs if c['family'] == socket.AF_UNIX]
if len(inet) != 1 or inet[0]['password'] != password:
    sys.exit(f'{path}: the panel\'s password read back as {[c["password"] for c in inet]!r}, expected {password!r}')
if unix:
    if unix[0]['chmod'] != 0o700:
        sys.exit(f'{path}: the unix socket has mode {unix[0]["chmod"]:o}, not 700')
    client = ClientOptions()
    client.realize(['-c', path])
    if client.serverurl != 'unix://' + unix[0]['file']:
        sys.exit(f'{path}: supervisorctl connects to {client.serverurl}, not the socket {unix[0]["file"]}')
programs = [group.name for group in options.process_group_configs]
print(f'{path}: {len(programs)} programs: {" ".join(programs)}')
