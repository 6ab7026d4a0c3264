"""The grounds the Establishment Division's O.M. F. No. 14/3/2022-D-II of 2 September 2024
says a servant's media use must never touch, each under the rule that bars it and with the
paragraph that names it, and the instructions the memorandum builds on. Records, not code:
the administrators amend them in the admin, and the declaration and the officers' reasons
follow. Running the seed again (or the tests' reseeding) changes no ground an
administrator has edited, since each is looked up by its title."""

import datetime

import django.db.models.deletion
from django.db import migrations, models

PARA_2 = "O.M. of 2 September 2024, para 2"
PARA_3 = "O.M. of 2 September 2024, para 3"

# title, explanation, rule, paragraph, platform categories (none: every category)
GROUNDS = [
    (
        "National security",
        "Nothing that could harm the security of Pakistan, such as details of defence, "
        "security arrangements or operations.",
        "21",
        PARA_2,
        [],
    ),
    (
        "Friendly relations with foreign states",
        "Nothing that could harm Pakistan's relations with another country, such as remarks "
        "about a foreign government or its leaders.",
        "21",
        PARA_2,
        [],
    ),
    (
        "Public order",
        "Nothing that could stir up unrest, such as calls to protest, block roads or disobey "
        "lawful orders.",
        "21",
        PARA_2,
        [],
    ),
    (
        "Decency or morality",
        "Nothing indecent, obscene or offensive to public morals, in words, pictures or video.",
        "21",
        PARA_2,
        [],
    ),
    (
        "Contempt of court",
        "No comment that could prejudice a case before a court, and nothing that scandalises "
        "a court or a judge.",
        "21",
        PARA_2,
        [],
    ),
    (
        "Defamation",
        "Nothing that harms the good name of a person or an organisation by a claim you cannot "
        "prove.",
        "21",
        PARA_2,
        [],
    ),
    (
        "Incitement to an offence",
        "Nothing that encourages anyone to break the law.",
        "21",
        PARA_2,
        [],
    ),
    (
        "Misleading or wrong information",
        "Do not post, forward or repeat information that is wrong or misleading, or that you "
        "have not checked.",
        "22",
        PARA_3,
        [],
    ),
    (
        "Following trends",
        "Do not join or follow trends, hashtag campaigns or viral challenges.",
        "22",
        PARA_3,
        ["social_media", "online_video"],
    ),
    (
        "Comments based on caste and creed",
        "No comment for or against anyone because of their caste, creed, tribe or religion.",
        "25",
        PARA_3,
        [],
    ),
    (
        "Criticism of a government policy or decision",
        "Do not criticise in public any policy or decision of the Government, including by "
        "liking or sharing someone else's criticism.",
        "25-B",
        PARA_2,
        [],
    ),
    (
        "Statements that could embarrass the Government",
        "No statement of fact or opinion capable of embarrassing the Government.",
        "22",
        PARA_2,
        [],
    ),
    (
        "Propagating sectarian creeds",
        "Do not promote any sect or take part in sectarian controversy.",
        "25",
        PARA_2,
        [],
    ),
    (
        "Views against the ideology and integrity of Pakistan",
        "Nothing against the Ideology of Pakistan or its integrity as one country.",
        "25-A",
        PARA_2,
        [],
    ),
    (
        "Sharing official information",
        "Do not share any official document or information, even as a screenshot or a "
        "forwarded message, with the press, a private person or anyone not authorised to "
        "receive it.",
        "18",
        PARA_2,
        [],
    ),
    (
        "Affiliating with political parties",
        "Do not join, support or promote a political party or movement, or air political views.",
        "24",
        PARA_3,
        [],
    ),
    (
        "Press conferences or media talk without permission",
        "Do not hold or join a press conference, or talk to journalists, without prior permission.",
        "21",
        PARA_3,
        ["press_conference", "television", "radio", "print"],
    ),
    (
        "Business promotion without permission",
        "Do not promote a business, product or service, your own or anyone else's, without "
        "prior permission.",
        "16",
        PARA_3,
        ["business_promotion", "social_media", "online_video"],
    ),
]

# kind, reference, date, subject: the memorandum first, then what it cites (para 1).
INSTRUCTIONS = [
    (
        "O.M.",
        "F. No. 14/3/2022-D-II",
        datetime.date(2024, 9, 2),
        "Use of social media platform by government servants",
    ),
    (
        "Circular",
        "No. 1/20/1976-D:3",
        datetime.date(2020, 7, 23),
        "Participation of government servants in media forums, including social media",
    ),
    (
        "O.M.",
        "F.No. 14/04/2021-D-II",
        datetime.date(2021, 8, 25),
        "Participation of government servants in media forums, including social media",
    ),
]


def seed(apps, schema_editor):
    ConductRule = apps.get_model("permissions", "ConductRule")
    Ground = apps.get_model("permissions", "Ground")
    Instruction = apps.get_model("permissions", "Instruction")
    rules = {rule.number: rule for rule in ConductRule.objects.all()}
    for index, (title, explanation, number, paragraph, categories) in enumerate(GROUNDS):
        if number not in rules:  # the administrators removed the rule: nothing to hang it on
            continue
        Ground.objects.get_or_create(
            title=title,
            defaults={
                "explanation": explanation,
                "rule": rules[number],
                "paragraph": paragraph,
                "platform_categories": categories,
                "sort_key": index,
            },
        )
    for index, (kind, reference, dated, title) in enumerate(INSTRUCTIONS):
        Instruction.objects.get_or_create(
            reference=reference,
            defaults={"kind": kind, "dated": dated, "title": title, "sort_key": index},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0019_register_actions"),
    ]

    operations = [
        migrations.CreateModel(
            name="Instruction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        help_text="e.g. F.No. 14/04/2021-D-II",
                        max_length=100,
                        unique=True,
                        verbose_name="reference",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        help_text="e.g. Circular or O.M.", max_length=60, verbose_name="kind"
                    ),
                ),
                ("dated", models.DateField(verbose_name="dated")),
                ("title", models.CharField(max_length=200, verbose_name="subject")),
                (
                    "is_active",
                    models.BooleanField(default=True, verbose_name="shown to applicants"),
                ),
                ("sort_key", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
            ],
            options={
                "verbose_name": "instruction",
                "verbose_name_plural": "instructions",
                "ordering": ["sort_key", "dated", "id"],
            },
        ),
        migrations.CreateModel(
            name="Ground",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text="Short, e.g. National security.",
                        max_length=120,
                        unique=True,
                        verbose_name="title",
                    ),
                ),
                (
                    "explanation",
                    models.TextField(
                        help_text="One plain sentence the applicant will understand.",
                        verbose_name="explanation",
                    ),
                ),
                (
                    "paragraph",
                    models.CharField(
                        help_text="e.g. O.M. of 2 September 2024, para 2",
                        max_length=120,
                        verbose_name="where the instructions say it",
                    ),
                ),
                (
                    "platform_categories",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Shown beside requests for these; none ticked bears on every category.",
                        verbose_name="platform categories",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("sort_key", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="grounds",
                        to="permissions.conductrule",
                        verbose_name="rule",
                    ),
                ),
            ],
            options={
                "verbose_name": "ground",
                "verbose_name_plural": "grounds",
                "ordering": ["sort_key", "title"],
            },
        ),
        migrations.AddField(
            model_name="permissionrequest",
            name="decision_grounds",
            field=models.JSONField(blank=True, default=list, verbose_name="grounds cited"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
