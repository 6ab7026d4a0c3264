"""Dates and times in English, as the portal writes them: day, short month name and year
("4 May 2026"), and the 24-hour clock ("4 May 2026, 09:30").

Only what the portal prints is set here; what people type (the *_INPUT_FORMATS) keeps
Django's English defaults.
"""

# A day: validity, periods, delegations, the day a step began to wait.
DATE_FORMAT = "j M Y"
# A moment: when something was submitted, decided, sent or uploaded.
DATETIME_FORMAT = "j M Y, H:i"
# A time of day to the second: the audit trail's own moments (see the `to_the_second`
# filter in permissions/templatetags/portal.py, which puts DATE_FORMAT before it).
TIME_FORMAT = "H:i:s"
# A month: the dashboard's monthly figures.
YEAR_MONTH_FORMAT = "M Y"
# The portal prints one form of each; the short names say the same, so that nothing
# (the admin, a widget) falls back to Django's American "m/d/Y".
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
