from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams and accounts"

    def ready(self) -> None:
        from teams import receivers  # noqa: F401 - connects the sign-in audit
