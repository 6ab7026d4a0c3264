"""Dates, times and numbers in Urdu, as the portal writes them: day, month's name and
year ("4 مئی 2026"), the 24-hour clock after an Urdu comma ("4 مئی 2026، 09:30"), and
amounts grouped the Pakistani way, in thousands then lakhs (15,00,000).

Urdu names its months in full (Django's catalogue gives the names); the digits are the
Western ones the government's own Urdu papers print. What people type keeps Django's
input formats, as in English.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i:s"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
# Thousands, then lakhs and crores: 1,23,45,678.
NUMBER_GROUPING = (3, 2, 0)
FIRST_DAY_OF_WEEK = 1  # Monday
