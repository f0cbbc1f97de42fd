"""Web benchmark: latency of the unit dashboard and of /api/coverage under concurrent clients.

Starts `bhyt serve` on a free loopback port over the database (default: the demo province of `make
run`, built first if absent), signs in as the demo accounts (tinh, xa, thon: province, commune and
hamlet dashboards) and takes API tokens from `bhyt users token`; then, for a bounded time each, the
clients load dashboards, then ask /api/coverage (the province's communes, a commune's hamlets), then
/healthz (one SELECT 1, no session: the floor any request pays on this machine under this load).
Prints requests/s, p50, p95, errors and p95 against the goal of 300 ms, per account and in total, and
each phase's p95 against the /healthz p95 of the same run: other work on a shared machine moves every
phase, the ratios much less.

Usage: python bench/web.py [--database-url URL] [--clients 20] [--duration 30] [--as-of YYYY-MM-DD]
                           [--persons N]   (only used when the demo database has to be built)
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx2
from sqlalchemy.engine import make_url

from bhyt.config import database_url
from bhyt.web.demo_accounts import DEMO_PASSWORD

GOAL_MS = 300
BIN = Path(sys.executable).parent
DASHBOARD_ACCOUNTS = ("tinh", "xa", "thon")
# The API question each token asks: a province officer its communes, a commune officer its hamlets.
API_ACCOUNTS = {"tinh": "commune", "xa": "hamlet"}
MAX_REQUESTS_PER_CLIENT = 5_000  # a second bound besides the duration
REQUEST_TIMEOUT = 120
# `bhyt serve` builds the analytics snapshot before it listens: minutes for a full-size province.
STARTUP_LIMIT = 900


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0


def bhyt(env: dict[str, str], *args: str) -> str:
    return subprocess.run([str(BIN / "bhyt"), *args], env=env, check=True, capture_output=True, text=True).stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], port: int, log: Path, workers: int) -> subprocess.Popen:
    with log.open("wb") as output:
        server = subprocess.Popen([str(BIN / "bhyt"), "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--workers", str(workers)],
                                  env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bhyt serve stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx2.TransportError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"bhyt serve did not answer /healthz within {STARTUP_LIMIT} s")


def signed_in(base: str, username: str) -> tuple[httpx2.Client, str]:
    """A client with the account's session cookie, and the path of the account's own dashboard."""
    client = httpx2.Client(base_url=base, timeout=REQUEST_TIMEOUT)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token,
                                         "next": "/"})
    if answer.status_code != 303:
        raise SystemExit(f"Signing in as {username} failed ({answer.status_code}): is this the demo database?")
    home = client.get("/")
    return client, home.headers["location"]


def run_phase(requests: list[tuple[str, httpx2.Client, str]], duration: float) -> tuple[dict[str, Samples], float]:
    """Each (label, client, path) is one concurrent client asking for its path again and again until
    `duration` is over; returns the samples and the seconds until the last answer came back."""
    samples: dict[str, Samples] = defaultdict(Samples)
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + duration

    def work(label: str, client: httpx2.Client, path: str) -> None:
        mine = Samples()
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.perf_counter() >= deadline:
                break
            sent = time.perf_counter()
            try:
                ok = client.get(path).status_code == 200
            except httpx2.HTTPError:
                ok = False
            if ok:
                mine.seconds.append(time.perf_counter() - sent)
            else:
                mine.errors += 1
        with lock:
            samples[label].seconds += mine.seconds
            samples[label].errors += mine.errors

    threads = [threading.Thread(target=work, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.perf_counter() - started


def report(title: str, phase: tuple[dict[str, Samples], float]) -> float | None:
    """Prints the phase's table; returns its p95 in ms over every client (None with too few answers)."""
    samples, elapsed = phase
    p95_all = None
    total = Samples([s for part in samples.values() for s in part.seconds], sum(p.errors for p in samples.values()))
    # Other work on the machine competes with the server for its cores: say how much there was.
    print(f"\n{title} ({elapsed:.1f} s until the last answer; load average {os.getloadavg()[0]:.1f})")
    print(f"  {'':34} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'p95/goal':>8}")
    for label, part in [*sorted(samples.items()), ("all", total)]:
        if len(part.seconds) < 2:
            print(f"  {label:34} {len(part.seconds):>8} {'':>7} {'':>8} {'':>8} {part.errors:>6}")
            continue
        cuts = statistics.quantiles(part.seconds, n=100, method="inclusive")
        p50, p95 = cuts[49] * 1000, cuts[94] * 1000
        print(f"  {label:34} {len(part.seconds):>8} {len(part.seconds) / elapsed:>7.1f} {p50:>8.0f} {p95:>8.0f} "
              f"{part.errors:>6} {p95 / GOAL_MS:>8.2f}")
        if label == "all":
            p95_all = p95
    return p95_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: BHYT_DATABASE_URL or data/bhyt.db")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="server processes (bhyt serve --workers)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of each phase")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="the API's date and the dashboards' as_of (default: the pages' own, today)")
    parser.add_argument("--persons", type=int, default=None, help="people of the demo, if it has to be built")
    args = parser.parse_args()

    url = args.database_url or database_url()
    env = {**os.environ, "BHYT_DATABASE_URL": url}
    print(f"Web benchmark on {make_url(url).render_as_string(hide_password=True)}: {args.clients} clients, "
          f"{args.workers} server process(es), {args.duration:g} s per phase, goal p95 < {GOAL_MS} ms.")
    bhyt(env, "demo", "--if-absent", *(["--persons", str(args.persons)] if args.persons else []))
    tokens = {username: bhyt(env, "users", "token", username).strip() for username in API_ACCOUNTS}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="bhyt-bench-web-")) / "serve.log"
    started = time.perf_counter()
    server = start_server(env, port, log, args.workers)
    print(f"bhyt serve answered after {time.perf_counter() - started:.1f} s (snapshot built if needed)")
    clients: list[httpx2.Client] = []
    try:
        sessions = {username: signed_in(base, username) for username in DASHBOARD_ACCOUNTS}
        clients += [client for client, _ in sessions.values()]
        day = f"?as_of={args.as_of}" if args.as_of else ""
        started = time.perf_counter()
        for client, home in sessions.values():
            client.get(home + day).raise_for_status()
        print(f"Warm-up (each dashboard once): {time.perf_counter() - started:.1f} s")

        dashboards = []
        for number in range(args.clients):
            username = DASHBOARD_ACCOUNTS[number % len(DASHBOARD_ACCOUNTS)]
            if number < len(DASHBOARD_ACCOUNTS):
                client, home = sessions[username]
            else:
                client, home = signed_in(base, username)
                clients.append(client)
            dashboards.append((f"dashboard {username} {home}", client, home + day))
        dashboard_p95 = report("Dashboard pages", run_phase(dashboards, args.duration))

        as_of = args.as_of or date.today()
        api = []
        for number in range(args.clients):
            username = list(API_ACCOUNTS)[number % len(API_ACCOUNTS)]
            client = httpx2.Client(base_url=base, timeout=REQUEST_TIMEOUT,
                                   headers={"Authorization": f"Bearer {tokens[username]}"})
            clients.append(client)
            path = f"/api/coverage?as_of={as_of}&level={API_ACCOUNTS[username]}"
            api.append((f"api {username} level={API_ACCOUNTS[username]}", client, path))
        api_p95 = report("API /api/coverage", run_phase(api, args.duration))
        floor = [("healthz", client, "/healthz") for _, client, _ in api]
        healthz_p95 = report("Baseline /healthz", run_phase(floor, args.duration))
        if healthz_p95 and dashboard_p95 and api_p95:
            print(f"\np95 against the /healthz p95 of this run ({healthz_p95:.0f} ms): "
                  f"dashboards x{dashboard_p95 / healthz_p95:.1f}, API x{api_p95 / healthz_p95:.1f}")
    finally:
        for client in clients:
            client.close()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
