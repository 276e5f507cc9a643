from django.urls import path

from recognition.consumers import TeamFeedConsumer

websocket_urlpatterns = [
    path("ws/teams/<slug:slug>/feed/", TeamFeedConsumer.as_asgi()),
]
