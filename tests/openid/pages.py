"""Reading forms out of HTML pages the way a browser submits them (hidden fields included)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = Form(values.get("action", ""), values.get("method", "get").lower())
            self.forms.append(self._current)
        elif (
            tag == "input"
            and self._current is not None
            and "name" in values
            and values.get("type", "text") not in {"submit", "checkbox", "radio"}
        ):
            self._current.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def form_posting_to(html: str, path: str) -> Form:
    """The page's POST form whose action begins with ``path``."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form.method == "post" and form.action.startswith(path):
            return form
    raise AssertionError(f"no form posting to {path} on the page")
