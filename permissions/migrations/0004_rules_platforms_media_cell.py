"""The rules the portal cites, the platforms applicants choose from, and the
Establishment Division media cell group. All editable in the admin afterwards."""

from django.db import migrations

MEDIA_CELL_GROUP = "Establishment Division media cell"

RULES = [
    # number, title, summary, in declaration, grounds for rejection
    ("16", "Private trade or business",
     "No government servant may engage in any trade or undertake any employment or work "
     "other than official duties without the previous sanction of the Government.",
     False, True),
    ("18", "Communication of official information",
     "No government servant may, except in accordance with a general or special order of "
     "the Government or in performance of duties, communicate any official document or "
     "information to a government servant unauthorised to receive it, or to a non-official "
     "person, or to the press.",
     True, True),
    ("20", "Ownership of newspapers or periodicals",
     "No government servant may, except with the previous sanction of the Government, own "
     "wholly or in part, or conduct or participate in the editing or management of, any "
     "newspaper or other periodical publication.",
     False, True),
    ("21", "Radio broadcasts, television and communications to the press",
     "No government servant may, except with the previous sanction of the Government, "
     "participate in a radio broadcast or television programme, or contribute any article "
     "or write any letter to a newspaper or periodical, or take part in any media platform, "
     "save where the work is of a purely literary, artistic or scientific character.",
     True, True),
    ("22", "Criticism of the Government",
     "No government servant may, in any document published under their name, in any "
     "broadcast or on any media platform, make any statement of fact or opinion which is "
     "capable of embarrassing the Government.",
     True, True),
    ("24", "Taking part in politics",
     "No government servant may take part in, subscribe in aid of, or assist in any way "
     "any political movement in Pakistan or relating to its affairs.",
     True, True),
    ("25", "Propagation of sectarian creeds",
     "No government servant may propagate sectarian creeds or take part in sectarian "
     "controversies, or be partial or show favour to any sect.",
     True, True),
    ("25-A", "Ideology of Pakistan",
     "No government servant may express views detrimental to the Ideology or the integrity "
     "of Pakistan.",
     True, True),
    ("25-B", "Demonstrations against Government decisions",
     "No government servant may take part in a demonstration or other collective action "
     "against a decision of the Government, or publicly criticise it.",
     True, True),
]

PLATFORMS = [
    ("PTV (state television)", "television"),
    ("Private television channel", "television"),
    ("Radio Pakistan", "radio"),
    ("FM or private radio", "radio"),
    ("Newspaper", "print"),
    ("Magazine or journal", "print"),
    ("Book", "print"),
    ("Facebook", "social_media"),
    ("X (Twitter)", "social_media"),
    ("WhatsApp", "social_media"),
    ("Instagram", "social_media"),
    ("TikTok", "social_media"),
    ("LinkedIn", "social_media"),
    ("Blog or website", "social_media"),
    ("YouTube", "online_video"),
    ("Podcast", "online_video"),
    ("Press conference", "press_conference"),
    ("Media talk", "press_conference"),
    ("Business promotion or advertisement", "business_promotion"),
]


def seed(apps, schema_editor):
    ConductRule = apps.get_model("permissions", "ConductRule")
    Platform = apps.get_model("permissions", "Platform")
    Group = apps.get_model("auth", "Group")
    for index, (number, title, summary, declared, grounds) in enumerate(RULES):
        ConductRule.objects.get_or_create(
            number=number,
            defaults={
                "title": title,
                "summary": summary,
                "in_declaration": declared,
                "grounds_for_rejection": grounds,
                "sort_key": index,
            },
        )
    for index, (name, category) in enumerate(PLATFORMS):
        Platform.objects.get_or_create(
            name=name, defaults={"category": category, "sort_key": index}
        )
    Group.objects.get_or_create(name=MEDIA_CELL_GROUP)


class Migration(migrations.Migration):
    dependencies = [("permissions", "0003_requests_and_workflow")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
