"""ASGI entry point: HTTP through Django, websockets through Channels."""
import os

import django
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocrspace.settings")
django.setup(set_prefix=False)
from ocrspace import serving  # noqa: E402

serving.warn_if_base_url_unset()
# Refuse to start rather than answer every page with a 500 (checked before
# the middleware loads, so the one line is all that is printed).
serving.require_collected_static()
# Django must be set up before anything imports models.
django_http = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from ocrspace.routing import websocket_urlpatterns  # noqa: E402
from ocrspace.websocket import OriginValidator  # noqa: E402

# Over-long or unparsable requests get an answer with a message.
serving.answer_bad_requests()

application = ProtocolTypeRouter(
    {
        "http": django_http,
        # A foreign Origin is refused; none at all (API clients) is let through.
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
