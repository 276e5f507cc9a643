"""``manage.py qcluster``: django-q2's cluster, with two fixes for stopping
and starting it. Found before django-q2's own command because ``recognition``
comes before ``django_q`` in INSTALLED_APPS.

* Before the cluster starts, the uploads waiting in the queue are sent again:
  a previously stopped cluster may have taken their messages with it (see
  ``maintenance.requeue_waiting``).
* ``--name NAME`` (the training lane: ``--name training``) starts the
  process again with ``Q_CLUSTER_NAME`` set, the only way django-q2 takes
  another queue; that cluster does not re-queue uploads.
* SIGTERM to the whole process group (what a service manager sends when it
  stops a service) made django-q2's main process hang until it was killed:
  its handler sets the stop event, whose ``notify`` waits for the sentinel
  process blocked on that event to wake up, but the sentinel was killed by
  the same signal and never does. The handler below first gives the
  sentinel a moment to die; if it did, there is nothing left to stop and the
  main process exits. SIGTERM sent to the main process alone still stops the
  cluster gracefully (running tasks finish first).
"""

from __future__ import annotations

import logging
import os
import signal
import sys

from django.conf import settings
from django_q.cluster import Cluster
from django_q.conf import Conf
from django_q.management.commands.qcluster import Command as ClusterCommand

from ocrspace import serving
from recognition import maintenance

log = logging.getLogger(__name__)


class Command(ClusterCommand):
    def handle(self, *args, **options):
        name = options.get("cluster_name")
        if name and Conf.CLUSTER_NAME != name:
            # django-q2 reads the cluster name (its queue) from Q_CLUSTER_NAME
            # when it is imported, before any command runs: setting it here
            # would leave this process serving the default queue. Start
            # again with it in the environment.
            os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "Q_CLUSTER_NAME": name})
        serving.warn_if_base_url_unset()  # the worker writes the webhook payloads
        if Conf.CLUSTER_NAME == settings.Q_CLUSTER["name"]:  # the OCR cluster, not the training lane
            try:
                maintenance.requeue_waiting()
            except Exception:  # noqa: BLE001 - never keep the cluster from starting; the sweeper still recovers them
                log.exception("Could not re-queue waiting uploads at start")

        settings.SECRET_KEY  # noqa: B018 - signing needs it; fail before starting (as django-q2's own command does)
        cluster = Cluster()

        def on_sigterm(signum, frame):
            if cluster.sentinel is not None:
                # Killed by the same signal? On a loaded machine it took
                # more than 3 s to go.
                cluster.sentinel.join(timeout=15)
            cluster.sig_handler(signum, frame)  # returns at once when it is gone

        signal.signal(signal.SIGTERM, on_sigterm)
        cluster.start()
        if options.get("run_once", False):
            cluster.stop()
