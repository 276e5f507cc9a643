from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('teams', '0006_allow_sharing'),
    ]

    operations = [
        migrations.AddField(
            model_name='team',
            name='max_queued_uploads',
            field=models.PositiveIntegerField(blank=True, help_text="Uploads waiting or being read at once; empty: the server's default, 0: unlimited.", null=True, verbose_name='max. queued uploads'),
        ),
        migrations.AddField(
            model_name='team',
            name='max_stored_bytes',
            field=models.PositiveBigIntegerField(blank=True, help_text="Sum of the team's upload file sizes; empty: the server's default, 0: unlimited.", null=True, verbose_name='max. stored bytes'),
        ),
    ]
