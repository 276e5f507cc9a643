from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams and accounts"

    def ready(self) -> None:
        from teams import receivers  # noqa: F401 - connects the sign-in audit
        from teams.sign_on import oidc  # noqa: F401 - connects the OpenID Connect team map
