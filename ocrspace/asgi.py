"""ASGI entry point: HTTP through Django, websockets through Channels."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocrspace.settings")
# Django must be set up before anything imports models.
django_http = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from ocrspace.routing import websocket_urlpatterns  # noqa: E402
from ocrspace.websocket import OriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http,
        # A foreign Origin is refused; none at all (API clients) is let through.
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
