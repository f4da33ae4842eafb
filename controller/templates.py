"""Renders the Groovy scripts in ``groovy_templates/`` with Jinja2.

The only thing a template receives is the call's data as base64 of JSON,
split into chunks, plus the reply marker constant. Base64 is
``[A-Za-z0-9+/=]`` only, so it can sit in a single-quoted Groovy literal
without escaping and without ever becoming code (docs/design.md, the agent).
Nothing here may pass any other value into a template.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from importlib import resources
from typing import Any

import jinja2

from controller import __version__

TEMPLATE_PACKAGE = "groovy_templates"
REPLY_MARKER = "gearman-jenkins-reply"
# The JVM limits one string constant to 65535 bytes; base64 is ASCII.
PAYLOAD_CHUNK = 60000
_BASE64 = re.compile(r"^[A-Za-z0-9+/=]*$")


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja environment of ``groovy_templates/``: strict about missing values, no escaping."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(TEMPLATE_PACKAGE, "."),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def encode_payload(payload: Any) -> list[str]:
    """JSON -> UTF-8 -> base64, in chunks that each fit one Groovy string constant."""
    text = base64.b64encode(json.dumps(payload, ensure_ascii=False).encode("utf-8")).decode("ascii")
    assert _BASE64.match(text)
    return [text[i : i + PAYLOAD_CHUNK] for i in range(0, len(text), PAYLOAD_CHUNK)] or [""]


def render(name: str, payload: dict[str, Any]) -> str:
    """The Groovy source of template ``name`` carrying ``payload`` as data."""
    template = environment().get_template(name)
    return template.render(payload_chunks=encode_payload(payload), reply_marker=REPLY_MARKER)


@functools.cache
def template_hash() -> str:
    """A digest of every template's source: part of the agent version."""
    digest = hashlib.sha256()
    # Every template, the _agent_*.groovy parts that agent.groovy includes among them.
    for entry in sorted(resources.files(TEMPLATE_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".groovy"):
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def agent_version() -> str:
    """Package version plus template hash: any change to a script is a new agent."""
    return f"{__version__}+{template_hash()}"
