"""A bounded request loop against a site, as a visitor sees it, while something else happens.

    python3 tests/stack/request_loop.py URL STOP-FILE MAX-REQUESTS MAX-SECONDS MARKER [ADDRESS]

Sends GET requests one after another (a new connection each, a fresh query string each, so
no cache answers for the backends) until STOP-FILE exists, MAX-REQUESTS were sent or
MAX-SECONDS passed, whichever comes first. A request fails when it gets no response in 30
seconds, a status other than 200, or a page without MARKER. Prints each failure as it
happens and, last, one line: "requests=N failed=N seconds=S slowest=S".
Exits 0 whether or not requests failed: the caller checks the counts. With ADDRESS, the
URL's host name is reached at that address (as curl's --resolve), and still named in the
TLS handshake and the Host header.
"""
import http.client
import os
import socket
import ssl
import sys
import time
import urllib.parse


def pin(name, address):
    """Resolves NAME to ADDRESS only, for every connection this process makes."""
    resolve = socket.getaddrinfo

    def pinned(host, *args, **kwargs):
        return resolve(address if host == name else host, *args, **kwargs)

    socket.getaddrinfo = pinned


def main():
    url, stop_file, max_requests, max_seconds, marker = sys.argv[1:6]
    if len(sys.argv) > 6:
        pin(urllib.parse.urlsplit(url).hostname, sys.argv[6])
    max_requests, max_seconds = int(max_requests), float(max_seconds)
    parts = urllib.parse.urlsplit(url)
    start = time.monotonic()
    sent = failed = 0
    slowest = 0.0
    while sent < max_requests and time.monotonic() - start < max_seconds and not os.path.exists(stop_file):
        sent += 1
        path = f"{parts.path or '/'}?loop={os.getpid()}-{sent}"
        t0 = time.monotonic()
        problem = None
        try:
            if parts.scheme == "https":
                # The test machines' certificate is self-signed.
                connection = http.client.HTTPSConnection(
                    parts.hostname, parts.port, timeout=30, context=ssl._create_unverified_context())
            else:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            connection.close()
            if response.status != 200:
                problem = f"status {response.status}"
            elif marker not in body:
                problem = "no marker in the page"
        except (OSError, http.client.HTTPException) as error:
            problem = f"{type(error).__name__}: {error}"
        took = time.monotonic() - t0
        slowest = max(slowest, took)
        if problem:
            failed += 1
            print(f"{time.strftime('%H:%M:%S')} request {sent} {path}: {problem} ({took:.2f}s)", flush=True)
    print(f"requests={sent} failed={failed} seconds={time.monotonic() - start:.1f} slowest={slowest:.2f}", flush=True)


if __name__ == "__main__":
    main()
