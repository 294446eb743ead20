"""Pieces of the self-contained HTML files (weekly report, evidence bundle report).

Charts are matplotlib figures written as inline SVG (no file beside the page, no script,
the same bytes for the same data) and pages are Jinja templates from
``graphfraud/templates``, escaped as HTML (``.html``, ``.j2``) but not as Markdown.
"""

import io
import re

__all__ = ["inline_svg", "templates"]


def inline_svg(fig, **savefig) -> str:
    """The figure as an ``<svg>`` element to paste into a page: no XML declaration, no
    DOCTYPE, no metadata (which would carry a date and change the bytes on every run)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, **savefig)
    text = buf.getvalue()
    return re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)


def templates(**filters):
    """The Jinja environment of graphfraud's templates, with the given filters."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("graphfraud", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(filters)
    return env
