"""Pagination: of peewee queries for list pages, and of lists a report has already counted (Page)."""

from dataclasses import dataclass

from peewee import Query


@dataclass
class Page:
    query: Query
    number: int
    per_page: int
    total: int

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


def _number(page_arg, total, per_page):
    """The page number asked for; a missing, bad or out-of-range one falls back to the nearest page."""
    try:
        number = max(1, int(page_arg or 1))
    except (TypeError, ValueError):
        number = 1
    return min(number, max(1, -(-total // per_page)))


def paginate(query, page_arg, per_page):
    """A Page of `query` (its `query` the rows of that page)."""
    total = query.count()
    number = _number(page_arg, total, per_page)
    return Page(query=query.paginate(number, per_page), number=number, per_page=per_page, total=total)


def page_of(items, page_arg, per_page):
    """(Page, the items of that page) for a list a report has already computed."""
    number = _number(page_arg, len(items), per_page)
    page = Page(query=None, number=number, per_page=per_page, total=len(items))
    return page, items[page.first_item - 1 : page.last_item] if items else []
