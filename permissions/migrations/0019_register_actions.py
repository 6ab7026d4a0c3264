# The audit trail's words for the register of accounts and groups (permissions/register/).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0018_default_routing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("submit", "Submitted"),
                    ("approve", "Approved"),
                    ("reject", "Rejected"),
                    ("return", "Returned for clarification"),
                    ("resubmit", "Resubmitted"),
                    ("withdraw", "Withdrawn"),
                    ("revoke", "Revoked"),
                    ("expire", "Expired"),
                    ("escalate", "Escalated"),
                    ("amend", "Amended"),
                    ("delegation.create", "Delegation given"),
                    ("delegation.end", "Delegation ended"),
                    ("login", "Signed in"),
                    ("login.failed", "Sign-in refused"),
                    ("login.locked", "Signing in paused after repeated failures"),
                    ("login.unlocked", "Pause on signing in lifted"),
                    ("logout", "Signed out"),
                    ("session.timed_out", "Signed out by the session's time limit"),
                    ("password.change", "Password changed"),
                    ("second_factor.enrolled", "Second factor set up"),
                    ("second_factor.verified", "Second factor accepted"),
                    ("second_factor.failed", "Second-factor code refused"),
                    ("second_factor.backup_used", "Backup code used"),
                    ("second_factor.backup_renewed", "New backup codes issued"),
                    ("second_factor.reset", "Second factor reset by an administrator"),
                    ("access.denied", "Access refused"),
                    ("letter.downloaded", "Permission letter downloaded"),
                    ("integrity.mismatch", "Record no longer matches the audit trail"),
                    ("integrity.file_mismatch", "File no longer matches the one submitted"),
                    ("integrity.baseline", "Decision taken onto the audit trail as it stood"),
                    ("audit.key_rotated", "Audit key changed"),
                    ("export", "Exported"),
                    ("admin.add", "Added in the admin"),
                    ("admin.change", "Changed in the admin"),
                    ("admin.delete", "Deleted in the admin"),
                    ("audit.verify", "Audit chain verified"),
                    ("register.add", "Declared in the register of accounts and groups"),
                    ("register.change", "Changed in the register of accounts and groups"),
                    ("register.remove", "Removed from the register of accounts and groups"),
                    ("register.confirm", "Register of accounts and groups confirmed"),
                    ("register.permission", "Permission asked for a register entry"),
                ],
                max_length=40,
                verbose_name="action",
            ),
        ),
    ]
