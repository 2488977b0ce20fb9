"""Read what a console page shows: data-field values and table rows."""

from __future__ import annotations

from html.parser import HTMLParser


class _Fields(HTMLParser):
    """Collect the text of every element with a data-field attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open = dict(attrs).get("data-field") or self._open

    def handle_data(self, data: str) -> None:
        if self._open is not None and data.strip():
            self.found[self._open] = data.strip()
            self._open = None


def fields(html: str) -> dict[str, str]:
    """Return data-field name -> the text the page shows for it."""
    parser = _Fields()
    parser.feed(html)
    return parser.found


class _Table(HTMLParser):
    """Collect the cells of each body row that has an id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and dict(attrs).get("id"):
            self.rows.append([])
        elif tag == "td" and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rows(html: str) -> list[list[str]]:
    """Return the cells' text of each table body row that has an id."""
    parser = _Table()
    parser.feed(html)
    return parser.rows


class _Ids(HTMLParser):
    """Collect the text of every element with an id (its first run of text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open = dict(attrs).get("id") or self._open

    def handle_data(self, data: str) -> None:
        if self._open is not None and data.strip():
            self.found[self._open] = data.strip()
            self._open = None


def texts_by_id(html: str) -> dict[str, str]:
    """Return element id -> the first text the page shows inside it."""
    parser = _Ids()
    parser.feed(html)
    return parser.found
