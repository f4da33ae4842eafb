"""The management functions: ``stop:{manager}`` and ``set_description:{manager}``.

stop with ``{"name", "number"}``: a running build is aborted (WORK_COMPLETE),
a build that exists but is not running gives WORK_FAIL, no such build gives
WORK_EXCEPTION. stop with ``{"uuid"}`` cancels wherever the build is: in the
Jenkins queue it is removed, running it is aborted, and a job that no
worker has received yet is remembered, so that it completes as ABORTED
without running when one does. set_description sets the build description.

Every reply's data is one line of text for humans; failures a client can
cause are WORK_EXCEPTION with a one-line reason. The management workers'
packets come here directly (this is their ``WorkerListener``): each takes
its next job as soon as it has one, whatever the executors do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from controller import errors
from controller.config import GearmanServer
from controller.contract import payloads
from controller.dispatch.builds import BuildBook, Phase
from controller.dispatch.lifecycle import BuildLifecycle
from controller.dispatch.roster import ManagerKey
from controller.gearman.worker import Assignment, Worker
from controller.masters.agent_protocol import (
    Aborted,
    AlreadyFinished,
    Dequeued,
    Describe,
    Described,
    NotRunning,
    Operation,
    Outcome,
    Stop,
    StopUuid,
)
from controller.masters.session import MasterSession

log = logging.getLogger("gearman_jenkins.management")


class NotRunningError(Exception):
    """The build exists but is not running: WORK_FAIL."""


class Management:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sessions: Mapping[str, MasterSession],
        book: BuildBook,
        lifecycle: BuildLifecycle,
    ):
        self.loop = loop
        self.sessions = sessions
        self.book = book
        self.lifecycle = lifecycle

    # ---- the management workers' packets ------------------------------------------------

    def worker_connected(self, worker: Worker, server: GearmanServer) -> None:
        pass

    def worker_woken(self, worker: Worker, server: GearmanServer) -> None:
        worker.grab(server)

    def worker_no_job(self, worker: Worker, server: GearmanServer) -> None:
        worker.sleep(server)

    def worker_disconnected(self, worker: Worker, server: GearmanServer) -> None:
        pass

    def worker_assigned(self, worker: Worker, job: Assignment) -> None:
        self.loop.create_task(self._handle(worker, job))
        worker.grab(job.server)

    # ---- the functions ------------------------------------------------------------------------

    async def _handle(self, worker: Worker, job: Assignment) -> None:
        key: ManagerKey = worker.key
        try:
            if job.function.startswith("stop:"):
                message = await self._stop(key.master, job)
            elif job.function.startswith("set_description:"):
                message = await self._describe(key.master, job)
            else:
                raise payloads.BadArguments(f"{job.function}: not a function of gearman-jenkins")
            log.info("%s: %s", job.function, message)
            worker.send_complete(job, message.encode("utf-8"))
        except NotRunningError as exc:
            log.info("%s: %s", job.function, exc)
            worker.send_data(job, str(exc).encode("utf-8"))
            worker.send_fail(job)
        except (payloads.BadArguments, errors.GearmanJenkinsError) as exc:
            log.warning("%s: %s", job.function, exc)
            worker.send_exception(job, str(exc))
        except Exception as exc:
            log.exception("%s failed", job.function)
            worker.send_exception(job, f"{job.function}: internal error in gearman-jenkins: {exc}")

    async def _one(self, master: str, op: Operation) -> Outcome:
        session = self.sessions[master]
        if not session.live:
            reason = session.last_error or "not in sync yet"
            raise errors.MasterUnreachable(master, f"cannot act on it now: {reason}")
        [outcome] = await session.submit([op])
        return outcome

    async def _stop(self, manager: str, job: Assignment) -> str:
        ref = payloads.stop_target(job.arguments, job.function)
        if ref.uuid is not None:
            return await self._stop_uuid(manager, ref.uuid)
        build = f"{ref.job} #{ref.number} on {manager}"
        match await self._one(manager, Stop(ref.job, ref.number)):
            case Aborted():
                return f"aborted build {build}"
            case NotRunning(result=result):
                raise NotRunningError(f"build {build} is not running (result {result})")
        raise payloads.BadArguments(f"{job.function}: no build {build}")

    async def _stop_uuid(self, manager: str, uuid: str) -> str:
        build = self.book.get(uuid)
        if build is not None and build.phase is Phase.DONE:
            return f"build {build.job} #{build.number} (uuid {uuid}) already finished: {build.result}"
        if build is not None and build.phase is Phase.HELD:
            self.lifecycle.cancel_held(build)
            return f"build {build.job} (uuid {uuid}) was held, not yet scheduled: completed as ABORTED"
        if build is not None and build.phase is Phase.SCHEDULING:
            build.cancel_requested = True
            return f"build {build.job} (uuid {uuid}) will be removed from the queue of {build.master} as it arrives"
        located = self.lifecycle.locate(uuid)
        master = build.master if build is not None else located[0] if located else manager
        match await self._one(master, StopUuid(uuid)):
            case Dequeued(build=info):
                return f"removed {info.job} (uuid {uuid}) from the queue of {master}"
            case Aborted(build=info):
                return f"aborted build {info.job} #{info.number} on {master} (uuid {uuid})"
            case AlreadyFinished(build=info):
                return f"build {info.job} #{info.number} (uuid {uuid}) already finished: {info.result}"
        self.book.bury(uuid)
        return f"no build has uuid {uuid} yet: it will complete as ABORTED, without running, when a worker receives it"

    async def _describe(self, manager: str, job: Assignment) -> str:
        ref, description = payloads.description_target(job.arguments, job.function)
        outcome = await self._one(manager, Describe(ref.job, ref.number, description))
        if not isinstance(outcome, Described):
            raise payloads.BadArguments(f"{job.function}: no build {ref.job} #{ref.number} on {manager}")
        return f"description of {ref.job} #{ref.number} on {manager} set"
