"""Pagination: playhouse.flask_utils.PaginatedQuery for queries, plus what the library lacks.

Our list pages ask more of a page than PaginatedQuery gives: the pager shows "21–40 of 57", so a page
knows its total; a page number past the end, below 1 or not a number shows the nearest page (the
library would 404 or start over at page 1); and some lists are computed by a report before they are
paged, where there is no query to hand the library (`page_of`, `Page`).
"""

from dataclasses import dataclass

from playhouse.flask_utils import PaginatedQuery


class Pager:
    """What the pager shows, from `number`, `per_page` and `total` (shared by both kinds of page)."""

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages

    @property
    def first_item(self):
        return 0 if not self.total else (self.number - 1) * self.per_page + 1

    @property
    def last_item(self):
        return min(self.total, self.number * self.per_page)


@dataclass
class Page(Pager):
    """A page of a list a report has already computed or counted (no query to paginate)."""

    number: int
    per_page: int
    total: int


class QueryPage(Pager, PaginatedQuery):
    """A page of a peewee query: `get_object_list()` is that page's rows (one count, one select)."""

    def __init__(self, query, page_arg, per_page):
        self.total = query.count()
        super().__init__(query, per_page, page=_number(page_arg, self.total, per_page))

    @property
    def number(self):
        return self.get_page()

    @property
    def per_page(self):
        return self.paginate_by

    def get_page_count(self):
        return self.pages


def _number(page_arg, total, per_page):
    """The page number asked for; a missing, bad or out-of-range one falls back to the nearest page."""
    try:
        number = max(1, int(page_arg or 1))
    except (TypeError, ValueError):
        number = 1
    return min(number, max(1, -(-total // per_page)))


def paginate(query, page_arg, per_page):
    """The QueryPage of `query` that `page_arg` (the raw ?page=) asks for."""
    return QueryPage(query, page_arg, per_page)


def page_of(items, page_arg, per_page):
    """(Page, the items of that page) for a list a report has already computed."""
    page = Page(number=_number(page_arg, len(items), per_page), per_page=per_page, total=len(items))
    return page, items[page.first_item - 1 : page.last_item] if items else []
