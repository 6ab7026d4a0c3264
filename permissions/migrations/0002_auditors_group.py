from django.db import migrations

AUDITORS_GROUP = "Establishment Division auditors"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=AUDITORS_GROUP)


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=AUDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0001_people_and_organisations"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
