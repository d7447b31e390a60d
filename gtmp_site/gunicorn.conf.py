"""gunicorn settings for a small machine (2 cores), used by `make serve`.

Threads share a worker's memory while a request waits on the database; two
processes use both cores. Override any of these with GUNICORN_CMD_ARGS.
"""

workers = 2
worker_class = "gthread"
threads = 4
timeout = 30
graceful_timeout = 10
# Recycle a worker now and then, so memory cannot creep up over weeks.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
