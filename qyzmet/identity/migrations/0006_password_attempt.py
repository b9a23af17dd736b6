from django.db import migrations, models


class Migration(migrations.Migration):
    """Wrong passwords become password attempts, recorded before the hash with their outcome
    (the rows kept so far were all wrong ones); sessions remember the device that signed in."""

    dependencies = [
        ("identity", "0005_person_spouse"),
    ]

    operations = [
        migrations.RenameModel(old_name="SignInFailure", new_name="PasswordAttempt"),
        migrations.AddField(
            model_name="passwordattempt",
            name="device_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="passwordattempt",
            name="outcome",
            field=models.CharField(
                choices=[("checking", "Checking"), ("wrong", "Wrong"), ("right", "Right"),
                         ("busy", "Busy")],
                default="wrong",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="authsession",
            name="device_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RenameIndex(
            model_name="passwordattempt",
            new_name="identity_pa_iin_ind_409924_idx",
            old_name="identity_si_iin_ind_31cedf_idx",
        ),
        migrations.AddIndex(
            model_name="authsession",
            index=models.Index(fields=["account", "device_hash"], name="identity_au_account_c75632_idx"),
        ),
        migrations.AddIndex(
            model_name="passwordattempt",
            index=models.Index(fields=["client_hash", "created_at"], name="identity_pa_client__b09e3e_idx"),
        ),
        migrations.AddIndex(
            model_name="passwordattempt",
            index=models.Index(fields=["device_hash", "created_at"], name="identity_pa_device__8648ca_idx"),
        ),
        migrations.AddIndex(
            model_name="passwordattempt",
            index=models.Index(fields=["created_at"], name="identity_pa_created_idx"),
        ),
    ]
