from __future__ import annotations

from django.db import models

from qyzmet.core.crypto import EncryptedTextField


class SinkMessage(models.Model):
    """A message that a demo provider 'delivered': kept in the database, shown at /dev/outbox.

    Only demo mode writes here; production providers hand messages to real gateways. Even so,
    recipient and text (which holds one-time codes) are stored encrypted, like all personal data.
    """

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "E-mail"

    channel = models.CharField(max_length=16, choices=Channel.choices)
    recipient = EncryptedTextField()
    recipient_index = models.CharField(max_length=64, db_index=True)
    subject = EncryptedTextField(blank=True, default="")
    text = EncryptedTextField()
    provider = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}"
