"""Benchmark: latency of the main pages and API reads, and memory per worker.

Runs the site as in production (gtmp_site/local_site.py) and fetches each URL
sequentially from this process over loopback, after a warm-up. Targets are
for this 2-core machine; the run exits 1 if one is missed.

    make bench                      # 300 requests per URL
    BENCH_REQUESTS=50 make bench    # quicker
"""

import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
# (path, p95 target in milliseconds)
TARGETS = [
    ("/", 60),
    (REPORT, 120),
    (f"{REPORT}segments/cancer/", 120),
    (f"{REPORT}data.csv", 60),
    ("/companies/", 80),
    ("/faq/", 60),
    ("/api/v1/reports/", 120),
    ("/api/v1/reports/us-gene-therapy-medicinal-products-market/forecast/", 80),
    ("/api/v1/figures/", 80),
    ("/api/v1/companies/", 100),
]
WORKER_RSS_TARGET_MB = 150


def measure(base_url, path, requests):
    """Milliseconds per request for ``requests`` sequential GETs (after 5 warm-up ones)."""
    timings = []
    for n in range(requests + 5):
        started = time.perf_counter()
        with urllib.request.urlopen(base_url + path, timeout=10) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
        if n >= 5:
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def worker_rss_mb(server_pid):
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(server_pid):
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes


def main():
    from gtmp_site.local_site import running_site

    requests = int(os.environ.get("BENCH_REQUESTS", "300"))
    failures = []
    with (
        tempfile.TemporaryDirectory() as folder,
        running_site(
            folder,
            API_ANON_RATE="1000000/minute",  # measure the API, not its throttle
        ) as (url, server),
    ):
        print(f"{'path':<70} {'p50 ms':>7} {'p95 ms':>7} {'target':>7}")
        for path, target in TARGETS:
            timings = measure(url, path, requests)
            p50, p95 = statistics.median(timings), percentile(timings, 0.95)
            mark = "" if p95 <= target else "  MISSED"
            print(f"{path:<70} {p50:7.1f} {p95:7.1f} {target:7d}{mark}")
            if mark:
                failures.append(path)
        rss = worker_rss_mb(server.pid)
        print(f"worker memory (MB): {', '.join(f'{size:.0f}' for size in rss)}"
              f" (target {WORKER_RSS_TARGET_MB})")  # fmt: skip
        if any(size > WORKER_RSS_TARGET_MB for size in rss):
            failures.append("worker memory")
    if failures:
        print(f"Targets missed: {', '.join(failures)}")
        return 1
    print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
