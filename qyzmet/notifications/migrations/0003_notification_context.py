import qyzmet.core.crypto
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="context",
            field=qyzmet.core.crypto.EncryptedTextField(blank=True, default=""),
        ),
    ]
