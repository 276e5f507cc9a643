from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Ways in and out besides the browser and the API: hot folder, bulk
    import, outgoing webhooks."""

    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations import receivers  # noqa: F401 - connects the outbox receiver
