"""The cluster's periodic jobs, created idempotently (update_or_create by name)."""

from django.db import migrations

SCHEDULES = [
    # name, task, schedule type, minutes
    ("ocrspace: retention", "recognition.tasks.apply_retention", "H", None),
    ("ocrspace: sweep stale uploads", "recognition.tasks.sweep_stale", "I", 1),
]


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, schedule_type, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": schedule_type, "minutes": minutes, "repeats": -1}
        )


def remove_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
