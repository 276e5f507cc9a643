"""``python manage.py finetune --team SLUG``: fine-tune the team's recognizer now.

The same run the team page's "Train" button queues on the training lane,
here in this process, printing each epoch. The run is recorded with the
team's models (adopted or not, with the reason) like a queued one.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ocrspace.errors import DomainError
from teams.models import Team


class Command(BaseCommand):
    help = "Fine-tune a team's recognizer on its corrected lines and vocabulary, and adopt it if it reads better."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--team", required=True, metavar="SLUG", help="The team's slug.")
        parser.add_argument("--max-epochs", type=int, default=None, help="Stop after this many epochs.")
        parser.add_argument("--max-seconds", type=float, default=None, help="Stop after this long.")

    def handle(self, *args, team: str, max_epochs: int | None, max_seconds: float | None, **options):
        from django.conf import settings

        from recognition.engine.training.trainer import TrainingOptions
        from recognition.teaching import services

        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team with the slug {team!r}.")
        try:
            model = services.request_training(found, None, queue=False)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Training model {model.number} of {found.name} ({model.profile}, {model.family})")
        defaults = TrainingOptions(max_seconds=settings.OCRSPACE_TRAINING_MAX_SECONDS)
        run_options = TrainingOptions(max_epochs=max_epochs or defaults.max_epochs,
                                      max_seconds=max_seconds or defaults.max_seconds)
        model = services.run_training(model.pk, run_options, on_epoch=self._epoch)
        self.stdout.write(f"{model.get_status_display()}: {model.reason}")
        if model.status == "failed":
            raise CommandError("The run failed.")

    def _epoch(self, report) -> None:
        self.stdout.write(f"  epoch {report.epoch}: loss {report.loss:.4f}, "
                          f"held-out CER {report.validation_cer:.2%} ({report.seconds:.1f} s)")
