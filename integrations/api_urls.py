"""REST routes of the integrations app (included from ``ocrspace.api_urls``)."""

from django.urls import path

from integrations import api

urlpatterns = [
    path("api/teams/<slug:slug>/webhooks/", api.WebhookList.as_view(), name="api-webhook-list"),
    path("api/teams/<slug:slug>/webhooks/<int:pk>/", api.WebhookDetail.as_view(), name="api-webhook-detail"),
    path("api/teams/<slug:slug>/webhooks/<int:pk>/ping/", api.WebhookPing.as_view(), name="api-webhook-ping"),
    path("api/teams/<slug:slug>/webhooks/<int:pk>/deliveries/", api.WebhookDeliveries.as_view(),
         name="api-webhook-deliveries"),
]
