"""A labelled set of short request texts, in English and Urdu, written for measuring the
pre-screening: each with the grounds of the memorandum a careful reader would say it
touches (none for the benign ones). Some are written to be missed (the lists do not
know the words) and some benign ones to be wrongly flagged (a listed word in an
innocent sense), so the figures say what the lists do and do not do.

`evaluate` scores a phrase list against them; the tests hold the figures to a floor and
`bench/screening.py` prints them."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from permissions.models import ConductRule, Ground
from permissions.screening.checks import CompiledPhrase, compiled, screen
from permissions.screening.models import Phrase

SECURITY = "National security"
FOREIGN = "Friendly relations with foreign states"
ORDER = "Public order"
DECENCY = "Decency or morality"
CONTEMPT = "Contempt of court"
DEFAMATION = "Defamation"
INCITEMENT = "Incitement to an offence"
MISLEADING = "Misleading or wrong information"
TRENDS = "Following trends"
CASTE = "Comments based on caste and creed"
CRITICISM = "Criticism of a government policy or decision"
EMBARRASS = "Statements that could embarrass the Government"
SECTARIAN = "Propagating sectarian creeds"
IDEOLOGY = "Views against the ideology and integrity of Pakistan"
OFFICIAL = "Sharing official information"
POLITICS = "Affiliating with political parties"
BUSINESS = "Business promotion without permission"


@dataclass(frozen=True)
class Sample:
    language: str
    text: str
    grounds: frozenset[str] = field(default_factory=frozenset)


def _en(text: str, *grounds: str) -> Sample:
    return Sample("en", text, frozenset(grounds))


def _ur(text: str, *grounds: str) -> Sample:
    return Sample("ur", text, frozenset(grounds))


SAMPLES = [
    # English, touching a ground
    _en(
        "Talk show on the wheat crisis: I will say the government's policy has failed farmers.",
        CRITICISM,
    ),
    _en("I will explain on air why the security forces were late to respond in Kurram.", SECURITY),
    _en("Column on how our intelligence agencies choose whom to watch.", SECURITY),
    _en("Interview about the Indian government's water aggression.", FOREIGN),
    _en("Post urging colleagues to join the protest outside the secretariat on Friday.", ORDER),
    _en("Tweet calling on traders to observe a shutter down on Monday.", ORDER),
    _en("I will discuss the verdict in the pension case that is still being heard.", CONTEMPT),
    _en("Facebook post saying the DG is corrupt and took bribes for postings.", DEFAMATION),
    _en("Vlog showing how to burn down the gates of the tax office.", INCITEMENT),
    _en("Sharing unverified reports that the dam has cracked.", MISLEADING),
    _en("Post #JusticeForClerks and make it the top trend by evening.", TRENDS),
    _en("Talk on why people of a lower caste should not be officers.", CASTE),
    _en("Lecture explaining why the Deobandi school is misguided.", SECTARIAN),
    _en("Article arguing that the two nation theory no longer holds.", IDEOLOGY),
    _en("I will read out the minutes of the meeting of the provincial cabinet.", OFFICIAL),
    _en("Speech at a PTI rally in my home town.", POLITICS),
    _en("Instagram reel with a promo code for my wife's boutique.", BUSINESS),
    _en("Post on the inside story of the transfer scandal in our ministry.", EMBARRASS),
    _en("Panel on why the judiciary is biased against the bureaucracy.", CONTEMPT),
    _en("Forward a rumour that the finance minister has resigned.", MISLEADING),
    _en("Video of an obscene dance at a wedding, with my commentary.", DECENCY),
    _en("Explain why the Baloch separatists have a point.", IDEOLOGY),
    _en("I will show screenshots of the confidential summary.", OFFICIAL),
    _en("A thread condemning the budget and its new taxes.", CRITICISM),
    # ... written to be missed: the lists do not have these words
    _en("I will tell viewers what the army is doing in the tribal districts.", SECURITY),
    _en("My remarks on how our neighbour's prime minister stirs up hatred.", FOREIGN),
    _en("Video urging people to stop paying their electricity bills.", ORDER),
    # English, benign
    _en("Seminar on food security and climate change in Sindh."),
    _en("Radio talk on the trends in wheat prices over ten years."),
    _en("Television programme on the new badminton court at the sports complex."),
    _en("Article on the history of the Mughal courts of Lahore."),
    _en("Programme on the national vaccination campaign for children."),
    _en("Lecture on Allama Iqbal's poetry for students."),
    _en("Training session on disaster preparedness for district officers."),
    _en("Newspaper article on the cricket season and the final's result."),
    _en("Radio talk on keeping office computers safe from viruses."),
    # ... written to be wrongly flagged: a listed word in an innocent sense
    _en("Talk on protest songs in Punjabi folk poetry."),
    _en("Interview on the secret of a good harvest."),
    _en("Webinar on public-private partnership (PPP) projects for roads."),
    _en("Podcast on the discount rate and inflation."),
    # Urdu, touching a ground
    _ur("ٹاک شو میں کہوں گا کہ گندم کے بارے میں حکومت کی پالیسی ناکام ہو گئی ہے۔", CRITICISM),
    _ur("کرم میں سیکیورٹی فورسز کی تعیناتی پر بات کروں گا۔", SECURITY),
    _ur("بھارتی حکومت کی آبی جارحیت پر انٹرویو۔", FOREIGN),
    _ur("جمعہ کو سیکرٹریٹ کے سامنے احتجاج میں شرکت کی اپیل۔", ORDER),
    _ur("تاجروں سے پیر کو شٹر ڈاؤن کی اپیل۔", ORDER),
    _ur("پنشن کے مقدمے پر بات جو ابھی زیر سماعت ہے۔", CONTEMPT),
    _ur("فیس بک پوسٹ کہ ڈائریکٹر جنرل کرپٹ ہے اور تبادلوں کے لیے رشوت لیتا ہے۔", DEFAMATION),
    _ur("ٹیکس دفتر کو آگ لگانے کا طریقہ بتانے والی ویڈیو۔", INCITEMENT),
    _ur("غیر مصدقہ اطلاعات کہ ڈیم میں دراڑ پڑ گئی ہے۔", MISLEADING),
    _ur("کلرکوں کے حق میں ہیش ٹیگ کو ٹاپ ٹرینڈ بنانے کی اپیل۔", TRENDS),
    _ur("نیچ ذات کے لوگوں کو افسر نہیں ہونا چاہیے۔", CASTE),
    _ur("بریلوی مسلک کی غلطیوں پر لیکچر۔", SECTARIAN),
    _ur("مضمون کہ دو قومی نظریہ اب بے معنی ہے۔", IDEOLOGY),
    _ur("صوبائی کابینہ کے اجلاس کی کارروائی پڑھ کر سناؤں گا۔", OFFICIAL),
    _ur("اپنے شہر میں پی ٹی آئی کے جلسہ عام سے خطاب۔", POLITICS),
    _ur("بیوی کے بوتیک پر خصوصی رعایت کی ریل۔", BUSINESS),
    _ur("وزارت میں تبادلوں کے اسکینڈل کی اندر کی کہانی۔", EMBARRASS),
    _ur("عدلیہ بیوروکریسی کے خلاف جانبدار ہے، اس پر پروگرام۔", CONTEMPT),
    _ur("یہ افواہ آگے بھیجوں گا کہ وزیر خزانہ مستعفی ہو گئے۔", MISLEADING),
    _ur("شادی میں فحش رقص کی ویڈیو پر تبصرہ۔", DECENCY),
    # ... typed on an Arabic keyboard (ي for ی, ك for ک)
    _ur("قومي سلامتي كے بارے ميں گفتگو۔", SECURITY),
    _ur("وزارت کے خفیہ خط کے سکرین شاٹ دکھاؤں گا۔", OFFICIAL),
    # ... written to be missed
    _ur("قبائلی اضلاع میں فوج کیا کر رہی ہے، ناظرین کو بتاؤں گا۔", SECURITY),
    _ur("بجلی کے بل ادا نہ کرنے کی اپیل۔", ORDER),
    _ur("ہمسایہ ملک کے وزیر اعظم نفرت پھیلاتے ہیں۔", FOREIGN),
    # Urdu, benign
    _ur("سندھ میں غذائی تحفظ اور موسمیاتی تبدیلی پر سیمینار۔"),
    _ur("دس سال میں گندم کی قیمتوں کے رجحانات پر ریڈیو گفتگو۔"),
    _ur("کھیلوں کے کمپلیکس میں بیڈمنٹن کورٹ کا افتتاح۔"),
    _ur("بچوں کی قومی ویکسینیشن مہم پر پروگرام۔"),
    _ur("علامہ اقبال کی شاعری پر طلبہ کے لیے لیکچر۔"),
    _ur("تاجر برادری کے ساتھ ٹیکس آگاہی نشست۔"),
    _ur("ضلعی افسران کے لیے آفات سے نمٹنے کی تربیت۔"),
    _ur("کرکٹ سیزن اور فائنل کے نتیجے پر اخبار کا مضمون۔"),
    _ur("دفتری کمپیوٹروں کی سائبر حفاظت پر ریڈیو گفتگو۔"),
    _ur("سنی سنائی باتوں پر یقین نہ کرنے پر لیکچر۔"),
    _ur("اچھی فصل کا راز، کسانوں کے لیے پروگرام۔"),
    # ... written to be wrongly flagged
    _ur("پنجابی شاعری میں احتجاج کی روایت پر گفتگو۔"),
    _ur("جیولری کی دکان پر بیس فیصد ڈسکاؤنٹ کے بارے میں خبر۔"),
]


@dataclass
class Figures:
    """How a phrase list fares on the samples of one language (or all)."""

    touching: int = 0  # samples that touch a ground
    caught: int = 0  # ... of which at least one right ground was flagged
    caught_fully: int = 0  # ... every ground they touch flagged
    benign: int = 0  # samples that touch none
    falsely_flagged: int = 0  # ... of which any ground was flagged
    flags: int = 0  # flags raised on all samples
    wrong_flags: int = 0  # ... naming a ground the sample does not touch
    missed: list[Sample] = field(default_factory=list)
    false: list[tuple[Sample, set[str]]] = field(default_factory=list)
    by_ground: Counter[str] = field(default_factory=Counter)  # right flags by ground

    @property
    def recall(self) -> float:
        return self.caught / self.touching if self.touching else 0.0

    @property
    def false_flag_rate(self) -> float:
        return self.falsely_flagged / self.benign if self.benign else 0.0


def evaluate(
    phrases: list[CompiledPhrase], samples: Iterable[Sample] = SAMPLES
) -> dict[str, Figures]:
    """Figures per language ("en", "ur") and for both ("all")."""
    figures = {"en": Figures(), "ur": Figures(), "all": Figures()}
    for sample in samples:
        raised = screen({"summary": sample.text}, phrases)
        flagged = {flag.title for flag in raised}
        for each in (figures[sample.language], figures["all"]):
            each.flags += len(raised)
            each.wrong_flags += sum(1 for flag in raised if flag.title not in sample.grounds)
            if sample.grounds:
                each.touching += 1
                right = flagged & sample.grounds
                each.by_ground.update(right)
                if right:
                    each.caught += 1
                else:
                    each.missed.append(sample)
                if sample.grounds <= flagged:
                    each.caught_fully += 1
            else:
                each.benign += 1
                if flagged:
                    each.falsely_flagged += 1
                    each.false.append((sample, flagged))
    return figures


def phrases_in_database() -> list[CompiledPhrase]:
    return compiled(Phrase.objects.in_force())


def phrases_as_seeded() -> list[CompiledPhrase]:
    """The lists as the migrations seed them, without a database: for the benchmark."""
    grounds_seed = importlib.import_module("permissions.migrations.0019_grounds")
    phrases_seed = importlib.import_module("permissions.screening.migrations.0002_seed_phrases")
    grounds = {
        title: Ground(pk=index, title=title, rule=ConductRule(number=number))
        for index, (title, _explanation, number, _paragraph, _categories) in enumerate(
            grounds_seed.GROUNDS, start=1
        )
    }
    return compiled(
        Phrase(ground=grounds[title], language=language, phrase=words, example=example)
        for title, rows in phrases_seed.PHRASES.items()
        for language, words, example in rows
    )
