"""Routing a fresh install starts with, so that a request reaches more than its reporting
officer without anyone having to write rules first. The administrators edit, deactivate or
add to them in the admin; running this again (or the tests' reseeding) changes no rule an
administrator has edited, since each is looked up by its name."""

from django.db import migrations

MEDIA_CELL_GROUP = "Establishment Division media cell"

# The reporting officer always holds step 1 (permissions/routing.py); these add the rest.
# Rule 21: broadcasts and communications to the press go up to the countersigning officer;
# Rule 18: official information does too; press conferences also pass the media cell.
DEFAULT_RULES = [
    {
        "name": "Television, radio or press conference: countersigning officer",
        "priority": 10,
        "platform_categories": ["television", "radio", "press_conference"],
        "target": "countersigning_officer",
    },
    {
        "name": "Official information involved (Rule 18): countersigning officer",
        "priority": 20,
        "official_information": "yes",
        "target": "countersigning_officer",
    },
    {
        "name": "Press conference or media talk: Establishment Division media cell",
        "priority": 30,
        "platform_categories": ["press_conference"],
        "target": "group",
    },
]


def seed(apps, schema_editor):
    RoutingRule = apps.get_model("permissions", "RoutingRule")
    Group = apps.get_model("auth", "Group")
    media_cell, _ = Group.objects.get_or_create(name=MEDIA_CELL_GROUP)
    for rule in DEFAULT_RULES:
        RoutingRule.objects.get_or_create(
            name=rule["name"],
            defaults={
                **{key: value for key, value in rule.items() if key != "name"},
                "group": media_cell if rule["target"] == "group" else None,
            },
        )


def unseed(apps, schema_editor):
    RoutingRule = apps.get_model("permissions", "RoutingRule")
    RoutingRule.objects.filter(name__in=[rule["name"] for rule in DEFAULT_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("permissions", "0017_capacity_chosen_by_applicant")]

    operations = [migrations.RunPython(seed, unseed)]
