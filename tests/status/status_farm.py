"""The status page's farm: one Jenkins double, gearmand, the real controller with its metrics port."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.controller_plugin import Farm

# Distinctive, so that a test can tell it never reaches the page.
ADMIN_USER = "status-operator-7f3a"
# A build waits until the file its GATE parameter names exists: the test says when it ends.
GATED = 'while [ ! -e "$GATE" ]; do sleep 0.1; done'
NODE = "linux-1"


@dataclass
class StatusFarm:
    farm: Farm
    port: int
    gates: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def double(self) -> Any:
        return self.farm.doubles["jenkins1"]

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as answer:
            return answer.read().decode()

    def document(self) -> dict[str, Any]:
        return json.loads(self.get("status.json"))

    def gated(self, name: str, **parameters: str) -> tuple[Any, Path]:
        """Submits build:gated; returns its client record and the gate that ends it."""
        gate = self.gates / name
        record = self.farm.client.submit("build:gated", {"GATE": str(gate), **parameters})
        return record, gate
