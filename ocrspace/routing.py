"""Websocket URL patterns of every app, gathered in one place."""
from recognition.routing import websocket_urlpatterns as recognition_patterns

websocket_urlpatterns = [*recognition_patterns]
