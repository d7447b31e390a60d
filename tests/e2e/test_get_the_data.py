"""The code on the report page runs as a reader would run it, against the site
as deployed: curl fetches the CSV, pandas prints its numbers, and the R snippet
runs in R (.ci/run installs R)."""

import html
import os
import re
import shutil
import subprocess
import sys
import urllib.request

import pytest

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"


@pytest.fixture(scope="module")
def snippets(site_url):
    with urllib.request.urlopen(site_url + REPORT, timeout=20) as response:
        page = response.read().decode()
    found = re.findall(r'<code class="language-(\w+)">(.*?)</code>', page, re.S)
    return {language: html.unescape(code) for language, code in found}


def test_the_curl_and_python_snippets_read_the_latest_numbers(snippets, site_url, tmp_path):
    assert set(snippets) == {"shell", "python", "r"}
    assert f'"{site_url}{REPORT}data.csv"' in snippets["python"]  # the absolute address
    subprocess.run(snippets["shell"], shell=True, cwd=tmp_path, check=True, timeout=30)
    assert (tmp_path / "data.csv").read_text().startswith("scope,segment,")
    run = subprocess.run([sys.executable, "-c", snippets["python"]], capture_output=True,
                         text=True, timeout=60, check=True)  # fmt: skip
    assert "2030" in run.stdout and "14.4" in run.stdout and "USD billion" in run.stdout


def test_the_r_snippet_reads_the_latest_numbers(snippets):
    rscript = shutil.which("Rscript")
    if rscript is None:
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail("E2E_REQUIRED=1 but R is missing: apt-get install r-base-core")
        pytest.skip("R is not installed: the R snippet is not run (apt-get install r-base-core)")
    run = subprocess.run([rscript, "-e", snippets["r"]], capture_output=True, text=True,
                         timeout=60, check=True)  # fmt: skip
    assert "2030" in run.stdout and "14.4" in run.stdout and "USD billion" in run.stdout
