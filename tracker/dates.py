"""Dates as people read them, the same on every platform and in every process locale.

strftime's `%-d` (day without a leading zero) exists only in glibc, and `%b` follows the process
locale; so the day is formatted as a number and month names come from a fixed English tuple. Dates
typed into forms stay ISO (<input type=date>); these functions are only for showing them.
"""

import datetime as dt

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# A person's choice of how dates are shown (the keys of models.DATE_FORMATS) -> how to write one.
STYLES = {
    "d_mon_y": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "iso": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "dd_mm_yyyy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}",
    "mm_dd_yyyy": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year:04d}",
}
DEFAULT_STYLE = "d_mon_y"


def format_date(value, style_key=DEFAULT_STYLE):
    """`value` (a date or datetime) in the style `style_key` ("d_mon_y" -> "3 Nov 2026", "iso" ->
    "2026-11-03", "dd_mm_yyyy" -> "03/11/2026", "mm_dd_yyyy" -> "11/03/2026"); an unknown key gets the
    default style."""
    return STYLES.get(style_key, STYLES[DEFAULT_STYLE])(value)


def format_month(value):
    """The month of a date as "Nov 2026"."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def add_working_days(day, n):
    """The date `n` working days (Monday to Friday) after `day` (before it when `n` is negative): the
    "logged on time" due date and the reviews running late of My work."""
    step = dt.timedelta(days=1 if n >= 0 else -1)
    left = abs(n)
    while left > 0:
        day += step
        left -= day.weekday() < 5
    return day
