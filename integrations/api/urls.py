"""REST routes of the integrations app (included from ``ocrspace.api_urls``)."""

from django.urls import path

from integrations.api import views

urlpatterns = [
    path("api/teams/<slug:slug>/webhooks/", views.WebhookList.as_view(), name="api-webhook-list"),
    path("api/teams/<slug:slug>/webhooks/<int:pk>/", views.WebhookDetail.as_view(), name="api-webhook-detail"),
    path("api/teams/<slug:slug>/webhooks/<int:pk>/ping/", views.WebhookPing.as_view(), name="api-webhook-ping"),
    path("api/teams/<slug:slug>/webhooks/<int:pk>/deliveries/", views.WebhookDeliveries.as_view(),
         name="api-webhook-deliveries"),
]
