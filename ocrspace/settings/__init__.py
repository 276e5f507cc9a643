"""Django settings for ocrspace, read from the environment.

Embedded default (no variables set): SQLite under ``var/``, the django-q2 ORM
broker and an in-process channel layer, so the platform runs with no other
service. ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` moves the
queue broker and the channel layer to Redis.

Each setting is defined once, in the module of its concern:

* ``core``: paths, apps, middleware, templates, data stores, languages,
  files and upload limits, logging;
* ``sign_on``: local password switch, OpenID Connect providers, LDAP;
* ``security``: accounts, login limits, HTTPS, headers, the proxy;
* ``api``: the REST API, tokens, OpenAPI, rate limits;
* ``processing``: the OCR engine, the worker cluster, the live feed,
  webhooks.
"""

from ocrspace.settings.core import *  # noqa: F401,F403
from ocrspace.settings.sign_on import *  # noqa: F401,F403
from ocrspace.settings.security import *  # noqa: F401,F403
from ocrspace.settings.api import *  # noqa: F401,F403
from ocrspace.settings.processing import *  # noqa: F401,F403
