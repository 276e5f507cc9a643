"""Platform benchmark: the real stack (daphne + django-q2 cluster) under load
from a separate client process on loopback.

    .venv/bin/python -m bench.platform_bench --stack pg-redis|embedded|both --out bench/out/platform

For each stack (``embedded``: SQLite, ORM broker, in-memory channel layer with
the outbox relay; ``pg-redis``: PostgreSQL and Redis), on a fresh throw-away
database (``ocrspace.stack.Stack``):

* upload API latency p50/p95/p99 with 1, 10 and 50 concurrent uploaders of
  distinct small screenshots, while the worker recognises in the background;
* a duplicate upload answered from the stored result (``POST /api/uploads/``
  and ``POST /ocr/recognize``);
* upload → ``upload.done`` on the team's websocket with an idle worker, and
  where that time goes (request, queue, worker, engine, delivery);
* ``POST /ocr/recognize`` end to end for a new image (the seed contract);
* backlog drain rate with 1 worker (all the cores' torch threads), with 2
  workers (the threads split between them, as the settings do by default)
  and with 1 worker of as many threads as each of those two: the ratio of
  the last two is what a second cluster adds at the same threads per image;
* memory: the web process's RSS and proof that torch is not mapped into it,
  each worker's RSS and PSS.

Writes ``report.md`` (machine named), ``platform.png`` and ``results.json``
into ``--out``. About 5 minutes per stack on 2 cores; ``--quick`` checks that
everything runs in about a minute and a half and measures nothing.
Counts and time are bounded: every wait has a timeout.

Nothing here is named ``platform`` at the top level on purpose: it would
shadow the standard library's module of that name.
"""
