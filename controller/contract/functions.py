"""Which Gearman functions an executor worker registers (docs/contract.md).

A node offline or temporarily offline registers nothing. Otherwise, for each
buildable, enabled job, named by its full name (``folder/sub/job``; no short
name is registered for a job in a folder):

- a Pipeline: ``build:{job}``, on every node, EXCLUSIVE ones included. Its
  script's node blocks name the labels it needs and the job names none, so
  any node may be the one its first block runs on (README: Pipeline jobs);
- no label: ``build:{job}``, unless the node is EXCLUSIVE;
- a label expression the node satisfies (``Label.getNodes()``): ``build:{job}``
  plus ``build:{job}:{atom}`` for each atom both in the expression and
  assigned to the node (the node's own name is one of its atoms).

Names the protocol cannot carry, or that would be ambiguous, are skipped and
reported so that the caller can warn once per name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from controller.contract.labels import get_label
from controller.contract.model import EXCLUSIVE, Job, Node

# gearmand refuses longer function names (GEARMAN_FUNCTION_MAX_SIZE).
MAX_FUNCTION_BYTES = 512
# Characters Gearman's packets or its admin protocol cannot carry in a name.
_UNCARRIABLE = ("\0", "\t", "\n", "\r")


def build_function(job: str, atom: str | None = None) -> str:
    return f"build:{job}" if atom is None else f"build:{job}:{atom}"


def stop_function(manager: str) -> str:
    return f"stop:{manager}"


def set_description_function(manager: str) -> str:
    return f"set_description:{manager}"


def unusable_job_name(name: str) -> str | None:
    """Why a job's name can't become a function name, or None if it can."""
    if not name:
        return "the name is empty"
    if any(char in name for char in _UNCARRIABLE):
        return "the name contains NUL, tab or a line break, which Gearman cannot carry"
    if ":" in name:
        return "the name contains ':', which would make build:JOB:LABEL ambiguous"
    if len(build_function(name).encode()) > MAX_FUNCTION_BYTES:
        return f"build:{name} is longer than Gearman's {MAX_FUNCTION_BYTES}-byte limit for function names"
    return None


def unusable_atom(job: str, atom: str) -> str | None:
    """Why ``build:{job}:{atom}`` can't be registered, or None if it can."""
    if not atom or any(char in atom for char in _UNCARRIABLE):
        return f"label {atom!r} contains NUL, tab or a line break, which Gearman cannot carry"
    if len(build_function(job, atom).encode()) > MAX_FUNCTION_BYTES:
        return f"build:{job}:{atom} is longer than Gearman's {MAX_FUNCTION_BYTES}-byte limit"
    return None


@dataclass(frozen=True)
class Skipped:
    """A job or label left out of registration, and why (warned about once)."""

    name: str
    reason: str


def function_set_for(node: Node, jobs: Iterable[Job], skipped: set[Skipped] | None = None) -> frozenset[str]:
    """The functions an executor worker of ``node`` registers, given the master's jobs."""
    if not node.accepting:
        return frozenset()
    functions = set()
    for job in jobs:
        if job.disabled or not job.buildable:
            continue
        reason = unusable_job_name(job.name)
        if reason:
            if skipped is not None:
                skipped.add(Skipped(job.name, reason))
            continue
        if job.pipeline:
            functions.add(build_function(job.name))
            continue
        if job.label is None:
            if node.mode != EXCLUSIVE:
                functions.add(build_function(job.name))
            continue
        label = get_label(job.label)
        if not label.matches(node.labels):
            continue
        functions.add(build_function(job.name))
        for atom in label.atoms & node.labels:
            reason = unusable_atom(job.name, atom)
            if reason:
                if skipped is not None:
                    skipped.add(Skipped(f"{job.name} label {atom}", reason))
                continue
            functions.add(build_function(job.name, atom))
    return frozenset(functions)


@dataclass
class FunctionTable:
    """Function sets for every node of one master, computed once per distinct node shape.

    Thousands of nodes usually share a few label sets, so sets are cached by
    (labels, mode, accepting). A node's labels (its own name is one of them)
    only matter where some job's label mentions them: a label expression
    depends on the atoms it names and no others, so the shape keeps only
    those. Nodes that differ by name or by labels no job mentions share one
    entry, and single-use nodes with labels of their own (Nodepool's) do not
    grow the cache as they come and go.
    """

    jobs: dict[str, Job] = field(default_factory=dict)
    skipped: set[Skipped] = field(default_factory=set)
    _atoms_in_labels: frozenset[str] = frozenset()
    _by_shape: dict[tuple[frozenset[str], str, bool], frozenset[str]] = field(default_factory=dict)

    def set_jobs(self, jobs: Iterable[Job]) -> None:
        self.jobs = {job.name: job for job in jobs}
        self._jobs_changed()

    def put_job(self, job: Job) -> None:
        self.jobs[job.name] = job
        self._jobs_changed()

    def remove_job(self, name: str) -> None:
        if self.jobs.pop(name, None) is not None:
            self._jobs_changed()

    def _jobs_changed(self) -> None:
        self._by_shape.clear()
        self._atoms_in_labels = frozenset(
            atom for job in self.jobs.values() if job.label is not None for atom in get_label(job.label).atoms
        )

    def for_node(self, node: Node) -> frozenset[str]:
        labels = node.labels & self._atoms_in_labels
        shape = (labels, node.mode, node.accepting)
        functions = self._by_shape.get(shape)
        if functions is None:
            functions = function_set_for(replace(node, labels=labels), self.jobs.values(), self.skipped)
            self._by_shape[shape] = functions
        return functions
