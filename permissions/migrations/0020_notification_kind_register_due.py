# The notification reminding a servant that their register of accounts and groups is due
# for its yearly confirmation (permissions/register/reminders.py).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0019_grounds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="emailpreference",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "A request awaits your decision"),
                    ("receipt", "Your request was submitted"),
                    ("forwarded", "A request was forwarded to the next step"),
                    ("approved", "Your request was approved"),
                    ("rejected", "Your request was rejected"),
                    ("returned", "Your request was returned for clarification"),
                    ("withdrawn", "A request was withdrawn"),
                    ("revoked", "Your approval was revoked"),
                    ("expired", "An approval expired"),
                    ("expiry_reminder", "An approval is about to expire"),
                    ("pending_reminder", "A request has waited long for your decision"),
                    ("escalated", "A request was escalated"),
                    ("delegation_started", "A delegation was given"),
                    ("delegation_ended", "A delegation ended"),
                    ("second_factor_reset", "Your second factor was reset"),
                    ("integrity_alert", "A record no longer matches the audit trail"),
                    ("audit_head", "The audit trail's daily head"),
                    ("export_ready", "An export is ready to download"),
                    (
                        "register_due",
                        "Your register of accounts and groups is due for confirmation",
                    ),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "A request awaits your decision"),
                    ("receipt", "Your request was submitted"),
                    ("forwarded", "A request was forwarded to the next step"),
                    ("approved", "Your request was approved"),
                    ("rejected", "Your request was rejected"),
                    ("returned", "Your request was returned for clarification"),
                    ("withdrawn", "A request was withdrawn"),
                    ("revoked", "Your approval was revoked"),
                    ("expired", "An approval expired"),
                    ("expiry_reminder", "An approval is about to expire"),
                    ("pending_reminder", "A request has waited long for your decision"),
                    ("escalated", "A request was escalated"),
                    ("delegation_started", "A delegation was given"),
                    ("delegation_ended", "A delegation ended"),
                    ("second_factor_reset", "Your second factor was reset"),
                    ("integrity_alert", "A record no longer matches the audit trail"),
                    ("audit_head", "The audit trail's daily head"),
                    ("export_ready", "An export is ready to download"),
                    (
                        "register_due",
                        "Your register of accounts and groups is due for confirmation",
                    ),
                ],
                max_length=30,
            ),
        ),
    ]
