"""Browser routes of the integrations app (included from ``ocrspace.urls``)."""

from django.urls import path

from integrations.web import views

urlpatterns = [
    path("t/<slug:slug>/webhooks/", views.webhooks, name="webhooks"),
    path("t/<slug:slug>/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("t/<slug:slug>/webhooks/<int:pk>/ping/", views.webhook_ping, name="webhook-ping"),
    path("t/<slug:slug>/webhooks/<int:pk>/active/", views.webhook_active, name="webhook-active"),
]
