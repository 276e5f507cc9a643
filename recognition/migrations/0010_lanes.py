# Fair lanes (recognition.lanes): which lane an upload waits in.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('recognition', '0009_documents'),
    ]

    operations = [
        migrations.AddField(
            model_name='upload',
            name='lane',
            field=models.CharField(choices=[('interactive', 'Interactive'), ('bulk', 'Bulk')], default='interactive', max_length=12),
        ),
        migrations.AddIndex(
            model_name='upload',
            index=models.Index(fields=['lane', 'status', 'enqueued_at'], name='upload_lane_waiting'),
        ),
    ]
