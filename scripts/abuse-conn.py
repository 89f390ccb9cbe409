#!/usr/bin/env python3
"""Connection-level abuse of a running `medrd serve` (issue 10, defect 5): many idle clients
and slow clients must neither exhaust the server nor keep it from answering.

1. Opens N (default 2,000) connections that each send half a request and then nothing.
2. While they are open, `/health` and a normal SPARQL query on fresh connections must each
   be answered 200 within a second.
3. The server must close the idle connections after its header timeout (--header-timeout,
   the value the server was started with), and a client sending its headers one byte at a
   time (slowloris) must be closed too, not kept alive by its trickle.
4. A client that asks for a large answer (10,000 rows) and never reads it must be closed
   after the same timeout, not hold its connection and answer for ever.

Usage: scripts/abuse-conn.py URL [--connections N] [--header-timeout SECS]
  URL: the server, e.g. http://127.0.0.1:7878 (loopback only).
Stdlib only. Bounded in time (about the header timeout + 20 s) and stops by itself; every
socket it opened is closed on exit. Prints one line per check; exits 0 when all pass, 1
when one fails, 2 on bad arguments or when the server cannot be reached.
"""

import argparse
import http.client
import ipaddress
import resource
import select
import socket
import sys
import time
import urllib.parse

QUERY = (
    "PREFIX medrd: <https://w3id.org/medrd-kg/ontology#> SELECT ?project WHERE "
    "{ <https://w3id.org/medrd-kg/id/program/dementia-rd> medrd:partOfProject ?project }"
)
failures = []


def check(ok, message):
    print(("ok    " if ok else "FAIL  ") + message, flush=True)
    if not ok:
        failures.append(message)


def timed_get(host, port, path):
    """Status and seconds of one GET on a fresh connection (status 0: no answer in 5 s)."""
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status, time.monotonic() - started
    except OSError:
        return 0, time.monotonic() - started


def closed_by_server(sock):
    """True when the server has closed the connection (EOF or reset)."""
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def check_reader_that_never_reads(host, port, header_timeout):
    """Asks for 10,000 wide rows with a tiny receive buffer, reads nothing for the header timeout
    + 4 s, then reads what is there: the server must have closed the connection before the
    answer was whole (EOF or reset), where a server without a write timeout would still be
    sending it, and would send it all."""
    # The answer must be larger than what the kernel's buffers take, or the server writes it
    # all and never has to wait: 10,000 rows of four terms were 4.5 MB as XML, which a send
    # buffer of 4 MiB (tcp_wmem's largest) nearly took (CI saw the answer whole). So each row
    # carries a literal of its own, making the answer four times the largest send buffer.
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as f:
            largest_send_buffer = int(f.read().split()[2])
    except (OSError, ValueError, IndexError):
        largest_send_buffer = 4 << 20
    # (At most 8,000 bytes a row: an answer of 80 MB, under the server's --max-memory.)
    pad = "x" * min(8000, max(1000, 4 * largest_send_buffer // 10000))
    query = f'SELECT * WHERE {{ ?s ?p ?o . ?s ?q ?v BIND("{pad}" AS ?pad) }} LIMIT 10000'
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(5)
    s.connect((host, port))
    s.sendall(("GET /sparql?" + urllib.parse.urlencode({"query": query}) + " HTTP/1.1\r\n"
               "Host: abuse\r\nAccept: application/sparql-results+xml\r\n\r\n").encode())
    # The server looks at its socket 8 times per limit: it closes within 9/8 of it.
    time.sleep(header_timeout * 9 / 8 + 4)
    received, closed, tail, head = 0, False, b"", b""
    s.settimeout(2)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            received += len(chunk)
            head = head or chunk[:16]
            tail = (tail + chunk)[-16:]
    except socket.timeout:
        pass
    except OSError:
        closed = True
    finally:
        s.close()
    # Closed with the answer whole would be the kept-alive idle timeout, not this check's.
    whole = tail.rstrip().endswith(b"</sparql>") or tail.endswith(b"\r\n0\r\n\r\n")
    # An error answer (small, then closed when idle) would look cut too: it must be a 200.
    ok = head.startswith(b"HTTP/1.1 200")
    check(ok and closed and not whole,
          f"a client that never reads a 10,000-row answer is closed after the header timeout "
          f"({received:,} bytes of a {head[:12].decode(errors='replace')!r} answer had reached it; "
          f"{'closed' if closed else 'still open'}, answer {'whole' if whole else 'cut'})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--header-timeout", type=float, default=10.0)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    host, port = url.hostname, url.port or 80
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if url.scheme != "http" or not loopback:
        print(f"abuse-conn: {args.url}: only a http:// server on loopback is attacked", file=sys.stderr)
        return 2
    # Each connection is a descriptor here too.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.connections + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    status, _ = timed_get(host, port, "/health")
    if status != 200:
        print(f"abuse-conn: {args.url}/health does not answer 200 ({status})", file=sys.stderr)
        return 2

    idle = []
    started = time.monotonic()
    try:
        for _ in range(args.connections):
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: abuse\r\n")
            s.setblocking(False)
            idle.append(s)
        opened = time.monotonic() - started
        print(f"      {len(idle)} idle half-request connections opened in {opened:.2f} s", flush=True)
        still_open = sum(not closed_by_server(s) for s in idle)
        status, took = timed_get(host, port, "/health")
        check(status == 200 and took < 1.0,
              f"/health answers {status} in {took * 1000:.0f} ms with {still_open} idle connections open")
        status, took = timed_get(host, port, "/sparql?" + urllib.parse.urlencode({"query": QUERY}))
        check(status == 200 and took < 1.0,
              f"a SPARQL query answers {status} in {took * 1000:.0f} ms with {still_open} idle connections open")

        # Slowloris: one header byte every 0.5 s, for longer than the timeout.
        slow = socket.create_connection((host, port), timeout=5)
        slow_started = time.monotonic()
        request = b"GET /health HTTP/1.1\r\nHost: abuse\r\nX-Slow: " + b"a" * 1000
        slow_closed = None
        for byte in request:
            try:
                slow.sendall(bytes([byte]))
            except OSError:
                slow_closed = time.monotonic() - slow_started
                break
            slow.setblocking(False)
            if closed_by_server(slow):
                slow_closed = time.monotonic() - slow_started
                break
            slow.setblocking(True)
            if time.monotonic() - slow_started > args.header_timeout + 5:
                break
            time.sleep(0.5)
        slow.close()
        check(slow_closed is not None and slow_closed <= args.header_timeout + 2,
              "a client sending its headers a byte at a time is closed after "
              + (f"{slow_closed:.1f} s" if slow_closed is not None else "more than the timeout")
              + f" (header timeout {args.header_timeout:g} s)")

        # By now the idle ones have had the header timeout: all must be closed soon after.
        # The last was opened `opened` s after the first (14 s on a machine busy compiling):
        # its timeout runs from then, and the wait must begin with at least one look.
        deadline = started + opened + args.header_timeout + 5
        pending = {s.fileno(): s for s in idle}
        poller = select.poll()
        for fd in pending:
            poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while pending:
            for fd, _ in poller.poll(500):
                if fd in pending and closed_by_server(pending[fd]):
                    poller.unregister(fd)
                    del pending[fd]
            if time.monotonic() >= deadline:
                break
        waited = time.monotonic() - started
        check(not pending,
              f"the server closed {len(idle) - len(pending)} of {len(idle)} idle connections "
              f"within {waited:.1f} s of their opening (header timeout {args.header_timeout:g} s)")
        status, took = timed_get(host, port, "/health")
        check(status == 200, f"/health answers {status} afterwards ({took * 1000:.0f} ms)")
        check_reader_that_never_reads(host, port, args.header_timeout)
    except OSError as e:
        check(False, f"the connections could not be opened: {e}")
    finally:
        for s in idle:
            s.close()
    print(f"{'all' if not failures else len(failures)} connection checks "
          f"{'passed' if not failures else 'failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
