"""Dates are shown the same way on every platform and whatever the process locale."""

import datetime as dt
import locale

import pytest

from tracker.dates import STYLES, format_date, format_month
from tracker.models import DATE_FORMATS

NOV_3 = dt.date(2026, 11, 3)


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("d_mon_y", "3 Nov 2026"),
        ("iso", "2026-11-03"),
        ("dd_mm_yyyy", "03/11/2026"),
        ("mm_dd_yyyy", "11/03/2026"),
    ],
)
def test_each_style_writes_the_date_as_its_example_says(style, expected):
    assert format_date(NOV_3, style) == expected


def test_a_datetime_is_shown_as_its_date():
    assert format_date(dt.datetime(2026, 1, 9, 23, 59), "d_mon_y") == "9 Jan 2026"


def test_an_unknown_style_falls_back_to_the_default():
    assert format_date(NOV_3, "no-such-style") == "3 Nov 2026"
    assert format_date(NOV_3) == "3 Nov 2026"


def test_every_choice_a_person_can_make_has_a_style():
    assert {key for key, _ in DATE_FORMATS} == set(STYLES)


def test_the_examples_in_the_choices_are_what_the_style_writes():
    """The account page offers "23 Nov 2026" and so on: the styles write exactly that for 23 Nov 2026."""
    day = dt.date(2026, 11, 23)
    for key, example in DATE_FORMATS:
        assert example.startswith(format_date(day, key)), key


def test_month_names_do_not_follow_the_process_locale():
    before = locale.setlocale(locale.LC_TIME)
    try:
        for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            assert format_date(dt.date(2026, 5, 1), "d_mon_y") == "1 May 2026"
            assert format_month(dt.date(2026, 12, 31)) == "Dec 2026"
    finally:
        locale.setlocale(locale.LC_TIME, before)


def test_every_month_has_its_english_short_name():
    names = [format_month(dt.date(2026, m, 1)).split()[0] for m in range(1, 13)]
    assert names == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
