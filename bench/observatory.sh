#!/usr/bin/env bash
# Mozilla HTTP Observatory grade of the site as deployed: gunicorn with the
# production settings of docs/deployment.md, HTTPS on 127.0.0.1:443 with a
# throw-away certificate and the HTTP redirect on :80 (the scanner wants both).
# Needs root (ports 80 and 443) and the npm registry. Usage: bash bench/observatory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=var/observatory
mkdir -p "$work"

# The scanner's install steps download certificate and HSTS lists from the
# internet; skip them and give it this run's certificate and empty lists.
if [ ! -x "$work/node_modules/.bin/mdn-http-observatory-scan" ]; then
  (cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
    --loglevel=error @mdn/mdn-http-observatory@1.4.8)
fi
scanner="$work/node_modules/@mdn/mdn-http-observatory"
echo '{}' > "$scanner/conf/hsts-preload.json"
echo '["LOCALHOST"]' > "$scanner/conf/tld-list.json"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
bundle="$work/node_modules/node_extra_ca_certs_mozilla_bundle/ca_bundle"
mkdir -p "$bundle" && cp "$work/cert.pem" "$bundle/ca_intermediate_bundle.pem"

export DATABASE_URL="sqlite:///$PWD/$work/db.sqlite3" DJANGO_DEBUG=0 REDIS_URL=
export DJANGO_SECRET_KEY=observatory-throw-away-key-0123456789-abcdefghijklmnopqrstuvwxyz
export DJANGO_ALLOWED_HOSTS=localhost DJANGO_SECURE_SSL_REDIRECT=1 DJANGO_HSTS_SECONDS=31536000
export DJANGO_HSTS_INCLUDE_SUBDOMAINS=1 DJANGO_HSTS_PRELOAD=1
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_report_content >/dev/null
.venv/bin/gunicorn gtmp_site.wsgi --bind 127.0.0.1:443 --certfile "$work/cert.pem" \
  --keyfile "$work/key.pem" --workers 1 --log-level warning & https_pid=$!
.venv/bin/gunicorn gtmp_site.wsgi --bind 127.0.0.1:80 --workers 1 --log-level warning & http_pid=$!
trap 'kill $https_pid $http_pid' EXIT
sleep 3
"$work/node_modules/.bin/mdn-http-observatory-scan" localhost 2>/dev/null \
  | .venv/bin/python -c 'import json, sys; s = json.load(sys.stdin)["scan"]
print("grade", s["grade"], "score", s["score"], "tests passed", s["testsPassed"], "of", s["testsQuantity"])'
