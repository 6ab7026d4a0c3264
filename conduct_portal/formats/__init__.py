"""How the portal writes dates and times, per language (Django's FORMAT_MODULE_PATH).

Templates and Python code name a format (`|date:"DATETIME_FORMAT"`,
`date_format(value, "DATE_FORMAT")`) and never spell one out, so that a language gets
its own way of writing dates from one file: `<language>/formats.py` here.
"""
