"""Benchmark: throughput of pages and API reads as ratios to a static file.

The site runs as in production (gtmp_site/local_site.py: gunicorn gthread,
1 worker x 2 threads, debug off) pinned to CPU core 0 with Varnish in front
on the same core; wrk (Debian's package) is pinned to core 1. The "cache
emptied" cases run while an editor (bench/editor.py, on core 1) renames a
company the page shows and publishes the report's next edition every
EDIT_INTERVAL seconds: each edit empties the cache of the URL, the next
request renders it again, and after the round the URL must show the last
edit. A second gunicorn on the same database and core keeps no response
(CONTENT_CACHE_SECONDS=0): every request to it renders, which measures a
render alone (of the report page: from its edition's document). After a warm-up,
three interleaved rounds measure every case; each case's req/s is divided by
the static file's (the ceiling) and the trivial view's of the same round, and
the median ratio is checked against its target, and worker memory from the end
of the warm-up to the end of the run. Then the report page and the
API list are measured again with 1,000 companies listed. Then an import, and
last the admin: the report back at its loaded size and grown ten times
(tests/factories.py grow_tenfold),
each page an editor uses on it (answer time, HTML size, inputs), a figure's
save, and the desk and the figures list loaded in Chromium.

    make bench                 # about two and a half minutes
    BENCH_SECONDS=1 make bench # quicker, noisier

Prints a table, writes var/bench/<time>.json and exits 1 when a target is
missed or a round is too noisy to trust (spread over 10 %: run it again).
docs/performance.md explains how to read it.
"""

import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gtmp_site.local_site import (  # noqa: E402 - after the path is set
    _free_port,
    manage,
    pinned,
    running_site,
    serving,
    site_env,
    stop_on_sigterm,
    varnish_in_front,
)
from tests.admin_forms import AdminSession, form_fields  # noqa: E402

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
SERVER_CPU, LOAD_CPU = 0, 1
CONNECTIONS = 8
ROUNDS = 3
NOISY = 0.10
# (name, path, base "site", "edited" (the site while an editor works),
# "uncached" or "varnish", extra header, target ratio to static)
CASES = [
    ("static file", "{static}", "site", None, None),
    ("trivial view", "/robots.txt", "site", None, None),
    ("report page, cached", REPORT, "site", None, 0.8),
    ("report page, 304", REPORT, "site", "If-None-Match: {etag}", 0.9),
    ("report page, cache emptied 4/s", REPORT, "edited", None, 0.2),
    ("report page rendered each time (from its edition)", REPORT, "uncached", None, 0.2),
    ("segment page, cached", f"{REPORT}segments/cancer/", "site", None, 0.8),
    ("API report detail, cached", "/api/v1/reports/us-gene-therapy-medicinal-products-market/",
     "site", None, 0.6),
    ("API companies list, cached", "/api/v1/companies/", "site", None, 0.6),
    ("API companies list, cache emptied 4/s", "/api/v1/companies/", "edited", None, 0.35),
    ("API companies list, rendered each time", "/api/v1/companies/", "uncached", None, None),
    ("API forecast, cached",
     "/api/v1/reports/us-gene-therapy-medicinal-products-market/forecast/", "site", None,
     0.6),
    ("static file via Varnish", "{static}", "varnish", None, None),
    ("report page via Varnish", REPORT, "varnish", None, None),
    ("edition page via Varnish", f"{REPORT}editions/1/", "varnish", None, 0.9),
]  # fmt: skip
GROWN = ["report page, cached", "API companies list, cached"]
EDITED_COMPANY = "bluebird-bio"  # listed on the report page and the API list's first page
EDIT_INTERVAL = 0.25
DRAIN_SECONDS = 1
VARNISH_TARGET = 0.9  # report page through Varnish, to a static file through Varnish
MEMORY_DRIFT = 0.05
# Edit-to-fresh: admin saves of a company's headquarters, each followed by reads
# of a URL that shows it until one does, through each cache tier.
FRESH_EDITS = int(os.environ.get("BENCH_FRESH_EDITS", "50"))
FRESH_COMPANY = "sarepta"
FRESH_URL = f"/api/v1/companies/{FRESH_COMPANY}/"
FRESH_TARGET_MS = 50
EDITOR = ("bench-editor", "bench-editor-password-1")

# An import of IMPORT_MAX_ROWS new figures into the published report, through the
# admin as the browser uploads the file: preview, then confirmation. The report's
# five segments have figures to spare in only 109 years, so the run adds five.
IMPORT_SEGMENTS = 10
IMPORT_TARGET_S = 15  # each request within half of gunicorn's 30 s timeout
IMPORT_YEARS = [y for y in range(1991, 2101) if y not in (2022, 2030)]  # years with no total
ADD_SEGMENTS = f"""
from market.models import Report, Segment
report = Report.objects.get()
for n in range(report.segments.count(), {IMPORT_SEGMENTS}):
    Segment.objects.create(report=report, name=f"Bench segment {{n}}",
                           slug=f"bench-segment-{{n}}", position=n + 1)
print(",".join(report.segments.values_list("slug", flat=True)))
"""

ADD_COMPANIES = """
from companies.models import Company, ReportCompany
from gtmp_site.core.cache import changes_batched
from market.models import Report
report = Report.objects.get()
start = Company.objects.count()
with changes_batched():
    for n in range(start, 1000):
        company = Company.objects.create(name=f"Bench Company {n}", slug=f"bench-company-{n}")
        ReportCompany.objects.create(report=report, company=company, position=n + 1)
"""


def wrk(url, seconds, header=None):
    """Requests per second, median and p99 latency (ms), and errors of one wrk run."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    out = subprocess.run(pinned(command, LOAD_CPU), capture_output=True, text=True).stdout
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|Socket errors).*?(\d+)",
                                            out))  # fmt: skip
    errors += sum(int(n) for n in re.findall(r"(?:read|write|timeout) (\d+)", out))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "errors": errors,
    }


def _ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def worker_rss_mb(server_pid):
    """Resident memory of the gunicorn workers (children of ``server_pid``), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
            fields = dict(line.split(":", 1) for line in lines if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(server_pid):
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes


class Editor:
    """bench/editor.py, renaming EDITED_COMPANY while ``editing()`` runs."""

    def __init__(self, env):
        command = [sys.executable, str(ROOT / "bench" / "editor.py"), EDITED_COMPANY,
                   str(EDIT_INTERVAL)]  # fmt: skip
        self.process = subprocess.Popen(
            pinned(command, LOAD_CPU), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self.process.stdout.readline().strip() == "ready", "the editor did not start"

    @contextlib.contextmanager
    def editing(self, url):
        """Edits while the block runs; then ``url`` must show the last edit (the
        name given back): yields a list that then holds ``url`` if it does not."""
        stale = []
        self._say("go")
        try:
            yield stale
        finally:
            self._say("stop")
            edits = int(self.process.stdout.readline())
        page = urllib.request.urlopen(url).read().decode()
        if not edits or "(edit " in page:
            stale.append(url)
            print(f"{url} does not show the last edit", file=sys.stderr)

    def _say(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self):
        self.process.communicate(timeout=30)  # closes its input: it exits


def edit_to_fresh(admin, read_base, edits=FRESH_EDITS):
    """For each of ``edits`` admin saves (as the browser posts the change form), the
    milliseconds from the save's response to the start of the first read of
    FRESH_URL at ``read_base`` that shows the new value (0 when the first read
    after the save does), and to the end of that read."""
    [path] = admin.change_paths("companies/company", f"?q={FRESH_COMPANY}")
    stale_ms, shown_ms = [], []
    for i in range(edits):
        value = f"Fresh Town {i}-{time.time_ns()}"
        fields = [(n, value if n == "headquarters" else v) for n, v in admin.form(path)]
        status, _ = admin.post(path, [*fields, ("_save", "Save")])
        saved = time.perf_counter()
        if status != 302:
            raise RuntimeError(f"the admin save answered {status}")
        first = None
        while True:
            started = time.perf_counter()
            first = started if first is None else first
            with urllib.request.urlopen(read_base + FRESH_URL, timeout=10) as response:
                shows = value in response.read().decode()
            if shows:
                stale_ms.append(0 if started == first else (started - saved) * 1000)
                shown_ms.append((time.perf_counter() - saved) * 1000)
                break
            if started - saved > 10:
                raise RuntimeError(f"{read_base}{FRESH_URL} never showed the edit")
    return {"stale_ms": stale_ms, "shown_ms": shown_ms}


def fresh_rows(folder, settings, site, front):
    """Edit-to-fresh through the default cache, Redis shared by two servers (the
    save on one, the reads on the other) and Varnish: p50 and p99 of each."""
    manage(folder, "create_editor", EDITOR[0], DJANGO_EDITOR_PASSWORD=EDITOR[1], **settings)
    tiers = {"default cache (files)": (site, site), "Varnish in front": (site, front)}
    results = {}
    redis = {**settings, "REDIS_URL": "redis://127.0.0.1:6379/8", "VARNISH_URLS": ""}
    with (
        serving(folder, workers=1, cpu=SERVER_CPU, **redis) as (first, _),
        serving(folder, workers=1, cpu=SERVER_CPU, **redis) as (second, _),
    ):
        for name, (save_on, read_on) in [*tiers.items(), ("Redis, two servers", (first, second))]:
            results[name] = edit_to_fresh(AdminSession(save_on, *EDITOR), read_on)

    def p99(values):
        return statistics.quantiles(values, n=100, method="inclusive")[98]

    return {
        name: {
            "edits": len(lags["stale_ms"]),
            "stale_p50_ms": statistics.median(lags["stale_ms"]),
            "stale_p99_ms": p99(lags["stale_ms"]),
            "shown_p50_ms": statistics.median(lags["shown_ms"]),
            "shown_p99_ms": p99(lags["shown_ms"]),
            "fresh_on_first_read": lags["stale_ms"].count(0),
        }
        for name, lags in results.items()
    }


# The report back at its loaded size (the steps before listed 1,000 companies and
# imported 1,000 figures into five more segments), then grown ten times: the
# fixture [editor-desk] names, not three times its size.
ADMIN_GROW = f"""
from companies.models import Company, ReportCompany
from market.models import Report
from tests.factories import grow_tenfold
report = Report.objects.get(slug="{REPORT.strip("/").split("/")[-1]}")
ReportCompany.objects.filter(company__slug__startswith="bench-company-").delete()
Company.objects.filter(slug__startswith="bench-company-").delete()
report.figures.filter(source="Bench").delete()
report.segments.filter(slug__startswith="bench-segment-").delete()
grow_tenfold(report)
print(report.pk)
"""
ADMIN_READS = 5
ADMIN_PAGE_TARGET_MS = 300  # server answer of each page ([editor-desk])
ADMIN_SAVE_TARGET_MS = 1000
ADMIN_BROWSER_TARGET_MS = 1000  # Chromium: request to the load event
ADMIN_MAX_INPUTS = 200
ADMIN_MAX_KB = 150
ROW_LINK = re.compile(r'href="(/admin/[a-z_]+/[a-z_]+/\d+/change/)')


def admin_rows(folder, settings, site):
    """The editor's pages on a report ten times the loaded one: the desk, each
    part's list and one row's page of each; median answer, size and inputs of
    each; one figure's save; the desk and the figures list loaded in Chromium."""
    shell = manage(folder, "shell", "-c", ADMIN_GROW, **settings)
    report_pk = shell.strip().splitlines()[-1]
    admin = AdminSession(site, *EDITOR)
    desk = f"/admin/market/report/{report_pk}/change/"
    html = admin.get(desk)
    pages = {"desk": desk}
    for path in re.findall(r'href="([^"]+\?report=\d+)">([^<]+)</a></th>', html):
        name = path[1].lower()
        pages[f"{name}: list"] = path[0]
        row = ROW_LINK.search(admin.get(path[0]).split('id="result_list"')[1])
        pages[f"{name}: one row"] = row.group(1)
    rows = {}
    for name, path in pages.items():
        times = []
        for _ in range(ADMIN_READS):
            started = time.perf_counter()
            page = admin.get(path)
            times.append((time.perf_counter() - started) * 1000)
        rows[name] = {"path": path, "median_ms": statistics.median(times),
                      "kb": len(page.encode()) / 1000,
                      "inputs": len(re.findall(r"<(?:input|select|textarea)\b", page))}  # fmt: skip
    figure = next(p for n, p in pages.items() if n == "market figures: one row")
    fields = form_fields(admin.get(figure), "auto")
    fields = [
        (n, "5.000" if n == "value" else v) for n, v in fields
    ]  # the total: a sum stays under it
    started = time.perf_counter()
    status, _ = admin.post(figure, fields)
    save_ms = (time.perf_counter() - started) * 1000
    if status != 302:
        raise RuntimeError(f"the figure's save answered {status}")
    return rows, save_ms, browser_ms(site, [desk, pages["market figures: list"]])


def browser_ms(site, paths):
    """{path: ms from the request to the load event} in Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        page.goto(site + "/admin/login/")
        page.fill("#id_username", EDITOR[0])
        page.fill("#id_password", EDITOR[1])
        with page.expect_navigation():
            page.click("input[type=submit]")
        found = {}
        for path in paths:
            page.goto(site + path)
            found[path] = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return n.loadEventEnd - n.startTime; }"
            )
        browser.close()
    return found


def admin_failures(rows, save_ms, loads):
    failures = [
        f"admin {name}: {row[key]:.0f} {unit} > {limit}"
        for name, row in rows.items()
        for key, unit, limit in [("median_ms", "ms", ADMIN_PAGE_TARGET_MS),
                                 ("kb", "KB", ADMIN_MAX_KB), ("inputs", "inputs", ADMIN_MAX_INPUTS)]
        if row[key] > limit
    ]  # fmt: skip
    if save_ms > ADMIN_SAVE_TARGET_MS:
        failures.append(f"admin figure save: {save_ms:.0f} ms > {ADMIN_SAVE_TARGET_MS}")
    failures += [
        f"admin in Chromium, {path}: {ms:.0f} ms > {ADMIN_BROWSER_TARGET_MS}"
        for path, ms in loads.items()
        if ms > ADMIN_BROWSER_TARGET_MS
    ]
    return failures


def import_seconds(folder, settings, site):
    """Seconds the admin takes to preview and to confirm an import of
    IMPORT_MAX_ROWS new figures (a CSV, as the browser uploads it)."""

    def shell(code):  # the last line the code prints
        return manage(folder, "shell", "-c", code, **settings).strip().splitlines()[-1]

    slugs = shell(ADD_SEGMENTS).split(",")
    rows = int(shell("from django.conf import settings; print(settings.IMPORT_MAX_ROWS)"))
    report = REPORT.strip("/").split("/")[-1]
    lines = ["report,segment,year,value,kind,source,source_url,note,version"]
    lines += [f"{report},{slug},{year},0.001,forecast,Bench,,,"
              for slug in slugs for year in IMPORT_YEARS][:rows]  # fmt: skip
    assert len(lines) == rows + 1, "not enough segment-years for a full import"
    admin = AdminSession(site, *EDITOR)
    path = "/admin/market/marketfigure/import/"
    fields = [(n, v) for n, v in form_fields(admin.get(path), None) if n != "format"]
    started = time.perf_counter()
    upload = ("import_file", "figures.csv", "\n".join(lines).encode())
    status, page = admin.post(path, [*fields, ("format", "0")], [upload])
    previewed = time.perf_counter()
    if status != 200 or "Confirm import" not in page:
        raise RuntimeError(f"the import preview answered {status} without a confirmation")
    status, _ = admin.post("/admin/market/marketfigure/process_import/", form_fields(page, None))
    confirmed = time.perf_counter()
    if status != 302:
        raise RuntimeError(f"the import confirmation answered {status}")
    return {"rows": rows, "preview_s": previewed - started, "confirm_s": confirmed - previewed}


PDF_TARGET_S = 5  # [pdf-enquiries]: an edition's PDF renders in under 5 s


def pdf_seconds(site):
    """Seconds to the PDF of the report's latest edition when it is made (the
    first request) and once it is kept (the second), and its size."""
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        with urllib.request.urlopen(f"{site}{REPORT}report.pdf", timeout=60) as response:
            body = response.read()
        timings.append(time.perf_counter() - started)
    return {"made_s": timings[0], "kept_s": timings[1], "kb": len(body) / 1024}


def static_path():
    manifest = json.loads((ROOT / "var" / "static" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["vendor/chart.js/chart.umd.min.js"]


def measure(bases, names, seconds, editor, after_warmup=lambda: None):
    """Three interleaved rounds over the cases ``names``: {name: [round results]}.
    ``after_warmup`` is called once every case has run once, the cases with edits
    for a full round (the renders after edits take the worker's memory to its
    working size)."""
    etag = urllib.request.urlopen(bases["site"] + REPORT).headers["ETag"]
    cases = [c for c in CASES if c[0] in names]

    def run(case, secs):
        _name, path, base, header, _target = case
        url = bases[base] + path.format(static=static_path())
        if base == "edited":
            with editor.editing(url) as stale:
                result = wrk(url, secs)
            result["errors"] += len(stale)
        else:
            result = wrk(url, secs, header and header.format(etag=etag))
        if base in ("edited", "uncached"):
            # wrk stops with up to CONNECTIONS renders still queued on the server's
            # core; let them finish before the next case is measured.
            time.sleep(DRAIN_SECONDS)
        return result

    for case in cases:  # warm-up: caches filled, code loaded
        run(case, seconds if case[2] == "edited" else 1)
    after_warmup()
    results = {case[0]: [] for case in cases}
    for _ in range(ROUNDS):
        for case in cases:
            results[case[0]].append(run(case, seconds))
    return results


def summarise(results, ceiling="static file", trivial="trivial view"):
    rows = {}
    for name, rounds in results.items():
        rps = [r["rps"] for r in rounds]
        base = "static file via Varnish" if "Varnish" in name else ceiling
        rows[name] = {
            "rps": statistics.median(rps),
            "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
            "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
            "errors": sum(r["errors"] for r in rounds),
            "spread": (max(rps) - min(rps)) / statistics.median(rps),
            "to_static": statistics.median(
                r["rps"] / s["rps"] for r, s in zip(rounds, results[base], strict=True)
            ),
            "to_trivial": statistics.median(
                r["rps"] / t["rps"] for r, t in zip(rounds, results[trivial], strict=True)
            )
            if trivial in results
            else None,
            "rounds": rounds,
        }
    return rows


def check(rows, grown):
    failures = []
    targets = {c[0]: c[4] for c in CASES}
    for name, row in rows.items():
        if row["errors"]:
            failures.append(f"{name}: {row['errors']} errors")
        if row["spread"] > NOISY:
            failures.append(f"{name}: rounds spread {row['spread']:.0%}, rerun on a quiet machine")
        if targets.get(name) and row["to_static"] < targets[name]:
            failures.append(f"{name}: {row['to_static']:.2f} x static < {targets[name]}")
    varnish = rows.get("report page via Varnish")
    if varnish and varnish["to_static"] < VARNISH_TARGET:
        failures.append(f"report page via Varnish: {varnish['to_static']:.2f} < {VARNISH_TARGET}")
    for name, row in grown.items():
        if row["to_static"] < 0.9 * rows[name]["to_static"]:
            failures.append(f"{name} at 1,000 companies: {row['to_static']:.2f} x static, "
                            f"below 0.9 x {rows[name]['to_static']:.2f}")  # fmt: skip
    return failures


def print_table(title, rows):
    print(f"\n{title}")
    print(f"{'case':<32} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
          f"{'spread':>6} {'/static':>7} {'/trivial':>8}")  # fmt: skip
    for name, row in rows.items():
        trivial = f"{row['to_trivial']:8.2f}" if row["to_trivial"] is not None else " " * 8
        print(f"{name:<32} {row['rps']:8.0f} {row['p50_ms']:7.2f} {row['p99_ms']:7.2f} "
              f"{row['errors']:6d} {row['spread']:6.0%} {row['to_static']:7.2f} "
              f"{trivial}")  # fmt: skip


def main():
    stop_on_sigterm()
    seconds = int(os.environ.get("BENCH_SECONDS", "2"))
    out = ROOT / "var" / "bench"
    folder = out / "site"
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)
    port = _free_port()
    settings = {"API_ANON_RATE": "100000000/minute",  # measure the site, not its throttle
                "VARNISH_URLS": f"http://127.0.0.1:{port}/"}  # fmt: skip
    started = time.time()
    load_before = os.getloadavg()
    gunicorn = ["-k", "gthread", "--threads", "2"]
    with (
        running_site(folder, workers=1, gunicorn_args=gunicorn, cpu=SERVER_CPU, **settings) as (
            site,
            server,
        ),
        varnish_in_front(folder, site, port=port, cpu=SERVER_CPU) as (front, _),
        serving(folder, workers=1, gunicorn_args=gunicorn, cpu=SERVER_CPU,
                CONTENT_CACHE_SECONDS="0", CACHE_DIR=str(folder / "cache-off"),
                **settings) as (uncached, _),
    ):  # fmt: skip
        bases = {"site": site, "edited": site, "varnish": front, "uncached": uncached}
        editor = Editor(site_env(folder, **settings))
        memory = {}

        def warmed_up():
            memory.setdefault("before", worker_rss_mb(server.pid))

        rows = summarise(measure(bases, [c[0] for c in CASES], seconds, editor, warmed_up))
        manage(folder, "shell", "-c", ADD_COMPANIES, **settings)
        grown_names = ["static file", "trivial view", *GROWN]
        grown = summarise(measure(bases, grown_names, seconds, editor))
        editor.close()
        memory_before, memory_after = memory["before"], worker_rss_mb(server.pid)
        fresh = fresh_rows(folder, settings, site, front)
        made_pdf = pdf_seconds(site)
        imported = import_seconds(folder, settings, site)  # it adds 1,000 figures
        admin, save_ms, loads = admin_rows(folder, settings, site)  # last: it grows the report
    grown = {name: grown[name] for name in GROWN}
    failures = check(rows, grown)
    failures += [
        f"edit-to-fresh, {name}: p99 {row['stale_p99_ms']:.0f} ms > {FRESH_TARGET_MS}"
        for name, row in fresh.items()
        if row["stale_p99_ms"] > FRESH_TARGET_MS
    ]
    failures += [
        f"import of {imported['rows']:,} rows: {step} took {imported[key]:.1f} s > "
        f"{IMPORT_TARGET_S} s"
        for step, key in [("preview", "preview_s"), ("confirmation", "confirm_s")]
        if imported[key] > IMPORT_TARGET_S
    ]
    failures += admin_failures(admin, save_ms, loads)
    if made_pdf["made_s"] > PDF_TARGET_S:
        failures.append(f"the PDF took {made_pdf['made_s']:.1f} s to make > {PDF_TARGET_S} s")
    drift = max(abs(a - b) / b for a, b in zip(memory_after, memory_before, strict=True))
    if drift > MEMORY_DRIFT:
        failures.append(f"worker memory moved {drift:.0%} over the run")

    print_table("10 companies", rows)
    print_table("1,000 companies", grown)
    print(f"\nedit-to-fresh ({FRESH_EDITS} admin saves each; ms from the save's response to "
          "the first read that shows it: its start / its end)")  # fmt: skip
    for name, row in fresh.items():
        print(f"{name:<24} p50 {row['stale_p50_ms']:6.1f} / {row['shown_p50_ms']:6.1f}   "
              f"p99 {row['stale_p99_ms']:6.1f} / {row['shown_p99_ms']:6.1f}   "
              f"fresh on the first read {row['fresh_on_first_read']}/{row['edits']}")  # fmt: skip
    print(
        f"\nreport PDF ({made_pdf['kb']:.0f} KB): made in {made_pdf['made_s']:.2f} s "
        f"(target {PDF_TARGET_S} s), then served in {made_pdf['kept_s'] * 1000:.0f} ms"
    )
    print(f"\nadmin import of {imported['rows']:,} new figures (CSV): preview "
          f"{imported['preview_s']:.1f} s, confirmation {imported['confirm_s']:.1f} s")  # fmt: skip
    print("\nadmin, report ten times the loaded one (median of "
          f"{ADMIN_READS} reads; targets {ADMIN_PAGE_TARGET_MS} ms, {ADMIN_MAX_KB} KB, "
          f"{ADMIN_MAX_INPUTS} inputs)")  # fmt: skip
    for name, row in admin.items():
        print(
            f"{name:<34} {row['median_ms']:6.1f} ms {row['kb']:6.1f} KB {row['inputs']:4d} inputs"
        )
    print(f"figure save {save_ms:.0f} ms (target {ADMIN_SAVE_TARGET_MS}); in Chromium: "
          + ", ".join(f"{path} {ms:.0f} ms" for path, ms in loads.items()))  # fmt: skip
    load_after = os.getloadavg()
    print(f"\nworker memory MB: {memory_before} -> {memory_after}; load average "
          f"{load_before[0]:.2f} -> {load_after[0]:.2f}; "
          f"{time.time() - started:.0f} s")  # fmt: skip
    record = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname())},
        "load_average": {"before": load_before, "after": load_after},
        "memory_mb": {"before": memory_before, "after": memory_after},
        "seconds_per_round": seconds,
        "cases": rows,
        "with_1000_companies": grown,
        "edit_to_fresh": fresh,
        "import": imported,
        "admin": {"pages": admin, "figure_save_ms": save_ms, "chromium_load_ms": loads},
        "failures": failures,
    }
    path = out / time.strftime("%Y%m%d-%H%M%S.json")
    path.write_text(json.dumps(record, indent=2))
    print(f"written {path.relative_to(ROOT)}")
    if failures:
        print("Targets missed:\n  " + "\n  ".join(failures))
        return 1
    print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
