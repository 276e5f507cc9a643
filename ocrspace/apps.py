from django.apps import AppConfig


class OcrspaceConfig(AppConfig):
    """The project package as an app: it holds the platform-wide commands
    (``manage.py serve``), no models."""

    name = "ocrspace"
    verbose_name = "ocrspace platform"
