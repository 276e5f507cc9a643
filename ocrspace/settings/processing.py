"""Work off the request path: the OCR engine, the worker cluster (django-q2),
the live feed (Channels) and outgoing webhooks."""

from __future__ import annotations

from ocrspace.config import engine_device, engine_profile, engine_profile_names, torch_threads, web_processes
from ocrspace.settings.core import REDIS_URL, env

# --- OCR engine ------------------------------------------------------------
# Profile for teams that have not chosen one (default: recognition.engine.profiles.DEFAULT_PROFILE).
OCRSPACE_PROFILES = engine_profile_names()
OCRSPACE_DEFAULT_PROFILE = engine_profile(env.str("OCRSPACE_DEFAULT_PROFILE", default=""))
# auto: CUDA when torch sees a GPU, else the CPU; or cpu, cuda, cuda:N.
OCRSPACE_DEVICE = engine_device(env.str("OCRSPACE_DEVICE", default="auto"))
# A worker keeps the engines of the profiles it has used; past this resident
# size it drops the least recently used ones (below the cluster's max_rss).
OCRSPACE_ENGINE_MEMORY_MB = env.int("OCRSPACE_ENGINE_MEMORY_MB", default=1200)
# Read one page before taking tasks, so the first upload is not the slow one.
OCRSPACE_WARM_UP = env.bool("OCRSPACE_WARM_UP", default=True)

# --- Teaching: fine-tuning a team's recognizer ------------------------------
# A run stops after this long (the best epoch so far is kept).
OCRSPACE_TRAINING_MAX_SECONDS = env.int("OCRSPACE_TRAINING_MAX_SECONDS", default=540)
# A team model may read everyday lines at most this much worse (CER; 0.002 = 0.2 points).
OCRSPACE_TRAINING_GENERAL_MARGIN = env.float("OCRSPACE_TRAINING_GENERAL_MARGIN", default=0.002)
# Fine-tuned recognizers a worker keeps loaded (about 25 MB each).
OCRSPACE_TEAM_MODELS_LOADED = env.int("OCRSPACE_TEAM_MODELS_LOADED", default=4)

# --- Queue (django-q2) -----------------------------------------------------
OCRSPACE_WORKERS = env.int("OCRSPACE_WORKERS", default=1)
# Default: the machine's CPUs shared between the workers (``config.torch_threads``).
OCRSPACE_TORCH_THREADS = torch_threads(env.str("OCRSPACE_TORCH_THREADS", default=""), OCRSPACE_WORKERS)
# Fair lanes (recognition.lanes): uploads from these sources wait in the bulk
# lane and go to the queue at most this many at a time, teams taking turns;
# everything else goes first. With several worker clusters, set it to their
# workers together.
OCRSPACE_BULK_SOURCES = ("zip", "hot_folder", "bulk")
OCRSPACE_BULK_IN_FLIGHT = env.int("OCRSPACE_BULK_IN_FLIGHT", default=OCRSPACE_WORKERS)
# Prometheus scrapers send it as a Bearer token to /metrics (staff sessions
# need none); empty: staff only.
OCRSPACE_METRICS_TOKEN = env.str("OCRSPACE_METRICS_TOKEN", default="")
Q_CLUSTER = {
    "name": "ocrspace",
    "workers": OCRSPACE_WORKERS,
    # A task may run this long before the worker is killed ...
    "timeout": env.int("OCRSPACE_TASK_TIMEOUT", default=300),
    # ... and is handed out again only after this long, which must exceed
    # the timeout or a slow task would be re-delivered while it still runs.
    "retry": env.int("OCRSPACE_TASK_RETRY", default=360),
    "max_attempts": 3,
    "ack_failures": True,
    # Loading the models costs seconds: recycle rarely, and on memory growth.
    "recycle": 1000,
    "max_rss": 1_500_000,
    "save_limit": 1000,
    "catch_up": False,
    "label": "Task queue",
    # The training lane: ``manage.py qcluster --name training`` (started by
    # ``serve`` beside the OCR cluster) takes only fine-tuning runs, one at
    # a time, so OCR never waits behind one.
    "ALT_CLUSTERS": {
        # A run takes minutes: a second's wait for it is nothing, and its
        # idle pusher then polls the database 20 times less often.
        "training": {"workers": 1, "timeout": 1800, "retry": 1900, "max_attempts": 1, "recycle": 20,
                     "max_rss": 3_000_000, "poll": 1.0},
    },
    # The broker: Redis when there is one, else the database, polled by the
    # cluster's pusher. Every 50 ms: an upload waits at most that long for
    # a worker (the embedded default's hand-over, 0.2 s before), and an idle
    # poll costs about 0.5 ms of CPU on the connection the broker keeps
    # (recognition.broker; python -m bench.idle_cpu).
    **({"redis": REDIS_URL} if REDIS_URL else {"orm": "default", "poll": 0.05,
                                                "broker_class": "recognition.broker.KeptConnectionORM"}),
}

# --- Web server ----------------------------------------------------------------
# daphne processes ``manage.py serve`` runs behind its one port; None: one
# per core on a production web machine (``--role web``), else one. More than
# one needs REDIS_URL (the live feed and the rate limits across them).
OCRSPACE_WEB_PROCESSES = web_processes(env.str("OCRSPACE_WEB_PROCESSES", default=""))

# --- Live feed (Channels) --------------------------------------------------
if REDIS_URL:
    # Each socket waits for its messages with a blocking BZPOPMIN of 5 s
    # (channels-redis's brpop_timeout); redis-py 8 reads with a default
    # socket timeout of 5 s too, so an idle socket's read timed out first, the
    # consumer died and every websocket closed with 1011 after 5 quiet
    # seconds. The socket timeout must exceed the blocking wait.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Integrations (hot folder, bulk import, webhooks) ----------------------------
# Absolute address of this server, for the links inside webhook payloads.
# ``manage.py serve`` sets it for its processes from the address it serves;
# elsewhere set it (start-up warns in production when it is not).
OCRSPACE_BASE_URL = env.str("OCRSPACE_BASE_URL", default="http://localhost:8000").rstrip("/")
# Webhook URLs resolving to loopback, private, link-local or reserved addresses
# are refused (SSRF); switch on only for receivers on a trusted local network.
OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = env.bool("OCRSPACE_WEBHOOKS_ALLOW_PRIVATE", default=False)
OCRSPACE_WEBHOOK_CONNECT_TIMEOUT = env.float("OCRSPACE_WEBHOOK_CONNECT_TIMEOUT", default=5.0)
OCRSPACE_WEBHOOK_READ_TIMEOUT = env.float("OCRSPACE_WEBHOOK_READ_TIMEOUT", default=10.0)
# Attempts per event (first try included); retry n waits RETRY_BASE * 2**(n-1) seconds.
OCRSPACE_WEBHOOK_MAX_ATTEMPTS = env.int("OCRSPACE_WEBHOOK_MAX_ATTEMPTS", default=6)
OCRSPACE_WEBHOOK_RETRY_BASE_SECONDS = env.int("OCRSPACE_WEBHOOK_RETRY_BASE_SECONDS", default=30)
# A webhook is switched off after this many failed attempts in a row.
OCRSPACE_WEBHOOK_MAX_FAILURES = env.int("OCRSPACE_WEBHOOK_MAX_FAILURES", default=10)
# Delivery log rows kept per webhook (older ones are pruned).
OCRSPACE_WEBHOOK_LOG_KEEP = env.int("OCRSPACE_WEBHOOK_LOG_KEEP", default=500)
