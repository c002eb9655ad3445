"""Pages of a list: the library's PaginatedQuery, clamped to the pages there are, with the pager's counts."""

import pytest
from playhouse.flask_utils import PaginatedQuery

from tracker.models import Organization
from tracker.paging import page_of, paginate

from . import factories


@pytest.fixture
def seven(app):
    for n in range(7):
        factories.organization(f"Org {n}")
    return Organization.select().order_by(Organization.name)


@pytest.mark.parametrize(
    ("asked", "number", "names"),
    [(None, 1, ["Org 0", "Org 1", "Org 2"]), ("2", 2, ["Org 3", "Org 4", "Org 5"]), ("3", 3, ["Org 6"])],
)
def test_a_page_of_a_query_has_its_rows_and_counts(seven, asked, number, names):
    page = paginate(seven, asked, 3)
    assert isinstance(page, PaginatedQuery)
    assert [o.name for o in page.get_object_list()] == names
    assert (page.number, page.pages, page.total) == (number, 3, 7)
    assert (page.first_item, page.last_item) == ((number - 1) * 3 + 1, min(7, number * 3))
    assert page.has_prev == (number > 1) and page.has_next == (number < 3)


@pytest.mark.parametrize(("asked", "number"), [("99", 3), ("0", 1), ("-2", 1), ("two", 1), ("", 1)])
def test_a_page_past_the_end_or_not_a_number_shows_the_nearest_page(seven, asked, number):
    assert paginate(seven, asked, 3).number == number


def test_an_empty_query_has_one_empty_page(app):
    page = paginate(Organization.select().where(Organization.id < 0), "5", 10)
    assert (page.number, page.pages, page.total, page.first_item, page.last_item) == (1, 1, 0, 0, 0)
    assert list(page.get_object_list()) == []


def test_a_computed_list_is_paged_the_same_way():
    page, items = page_of(list(range(1, 8)), "9", 3)
    assert items == [7]
    assert (page.number, page.pages, page.first_item, page.last_item) == (3, 3, 7, 7)
    assert page_of([], "2", 3)[1] == []
