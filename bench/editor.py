"""An editor at work during benchmark rounds: while told to, renames a listed
company every INTERVAL seconds through the model's save, as the admin does,
and publishes the report's next edition, as a Publisher does (so every edit
empties the cache of every URL that shows the company or the report, and
purges Varnish).

    python bench/editor.py SLUG INTERVAL

Prints "ready" once it can edit. Each line "go" on its standard input starts
a run of edits; the next line ends it, gives the company its name back and
prints the number of edits made. bench/bench.py starts it with the site's
environment, once per benchmark.
"""

import os
import select
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmp_site.settings")

import django

django.setup()

from companies.models import Company  # noqa: E402 - after django.setup()
from market import editions  # noqa: E402
from market.models import Report  # noqa: E402


def rename(company, name):
    company.name = name
    company.save()
    for report in Report.objects.filter(top_companies__company=company):
        editions.publish(report, note=f"{name} renamed.", reviewed_on=date.today())


def main(slug, interval):
    company = Company.objects.get(slug=slug)
    name = company.name
    print("ready", flush=True)
    # Lines come one at a time, seconds apart, so none waits in Python's buffer
    # while select() looks at the pipe.
    while sys.stdin.readline():
        edits = 0
        while not select.select([sys.stdin], [], [], interval)[0]:
            edits += 1
            rename(company, f"{name} (edit {edits})")
        sys.stdin.readline()
        rename(company, name)
        print(edits, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
