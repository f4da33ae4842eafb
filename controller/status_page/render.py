"""HTML of the status page, rendered from its document with Jinja2.

One renderer for both ways the page is seen: ``render_page`` is the whole
page at load (it works without JavaScript), ``render_status`` the part of
it that ``status.js`` fetches from ``/status.html`` every 2 s and
swaps in. So the live page and the loaded page cannot drift apart, and
escaping happens in one place: autoescape is on for every template, and
nothing is marked safe, since job, node and label names and failure
reasons come from outside.
"""

from __future__ import annotations

import functools
import time
from importlib import resources
from typing import Any

import jinja2


@functools.cache
def environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, "."),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["duration"] = duration
    environment.filters["clock"] = clock
    environment.filters["busy_functions"] = busy_functions
    return environment


def render_page(document: dict[str, Any]) -> str:
    return environment().get_template("page.html.j2").render(document)


def render_status(document: dict[str, Any]) -> str:
    return environment().get_template("status.html.j2").render(document)


def asset(name: str) -> bytes:
    """A static file of the page (``status.js``, ``status.css``), beside this module."""
    return resources.files(__package__).joinpath(name).read_bytes()


def duration(seconds: float) -> str:
    """``75.4`` -> ``1:15``; ``3725`` -> ``1:02:05``."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clock(unix: float) -> str:
    """Unix time -> ``HH:MM:SS`` in UTC, as the page says."""
    return time.strftime("%H:%M:%S", time.gmtime(unix))


def busy_functions(functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The functions with jobs waiting or running: a farm registers thousands, most of them idle."""
    return [function for function in functions if function["queued"] or function["running"]]
