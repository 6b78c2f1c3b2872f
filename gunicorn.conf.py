"""gunicorn's settings for the web process (docker-compose runs it; gunicorn also reads this
file by itself when started from the project folder). Each value can be overridden with
GUNICORN_CMD_ARGS, e.g. GUNICORN_CMD_ARGS="--workers 8"."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Processes for the CPU (the usual 2 x cores + 1), each with a few threads: most of a request's
# time is spent waiting for PostgreSQL, and a slow request (a bulk action of the back office,
# a PDF) then holds one thread instead of a whole process.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker that stops answering gunicorn's heartbeat for 2 minutes is restarted. With threads
# this guards against a stuck process, it does not cut off a long request: the back office's
# bulk close/process of a whole week (issue 10.13) may take tens of seconds.
timeout = 120
# On a deploy or restart, requests in flight get this long to finish (the same bulk actions),
# so nobody's "process week" is cut off halfway.
graceful_timeout = 90
# Each worker is replaced after about a thousand requests, at slightly different moments
# (jitter), so memory that PDF rendering or spreadsheet exports leave behind does not pile up
# and the workers never restart all at once.
max_requests = 1000
max_requests_jitter = 100
# Behind a reverse proxy that keeps connections open.
keepalive = 5

accesslog = "-"
