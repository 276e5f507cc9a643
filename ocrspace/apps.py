from django.apps import AppConfig


class OcrspaceConfig(AppConfig):
    """The project package as an app: it holds the platform-wide commands
    (``manage.py serve``), no models."""

    name = "ocrspace"
    verbose_name = "ocrspace platform"

    def ready(self) -> None:
        from ocrspace import database

        # Worker processes are forked: each must open its own connection pool.
        database.register()
