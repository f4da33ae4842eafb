"""The management functions: ``stop:{manager}`` and ``set_description:{manager}``.

stop with ``{"name", "number"}``: a running build is aborted (WORK_COMPLETE),
a build that exists but is not running gives WORK_FAIL, no such build gives
WORK_EXCEPTION. stop with ``{"uuid"}`` cancels wherever the build is: in the
Jenkins queue it is removed, running it is aborted, and a job that no
worker has received yet is remembered, so that it completes as ABORTED
without running when one does. set_description sets the build description.

Every reply's data is one line of text for humans; failures a client can
cause are WORK_EXCEPTION with a one-line reason.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from controller import errors
from controller.contract import payloads
from controller.dispatch.builds import GearmanBuild, Phase
from controller.gearman.worker import Assignment, Worker

if TYPE_CHECKING:
    from controller.dispatch.dispatcher import Dispatcher
    from controller.masters.session import MasterSession

log = logging.getLogger("gearman_jenkins.management")


class NotRunning(Exception):
    """The build exists but is not running: WORK_FAIL."""


class Management:
    def __init__(self, dispatcher: Dispatcher):
        self.dispatcher = dispatcher

    def handle(self, worker: Worker, job: Assignment) -> None:
        self.dispatcher.loop.create_task(self._handle(worker, job))

    async def _handle(self, worker: Worker, job: Assignment) -> None:
        master = worker.key[1]
        try:
            if job.function.startswith("stop:"):
                message = await self._stop(master, job)
            elif job.function.startswith("set_description:"):
                message = await self._describe(master, job)
            else:
                raise payloads.BadArguments(f"{job.function}: not a function of gearman-jenkins")
            log.info("%s: %s", job.function, message)
            worker.send_complete(job, message.encode("utf-8"))
        except NotRunning as exc:
            log.info("%s: %s", job.function, exc)
            worker.send_data(job, str(exc).encode("utf-8"))
            worker.send_fail(job)
        except (payloads.BadArguments, errors.GearmanJenkinsError) as exc:
            log.warning("%s: %s", job.function, exc)
            worker.send_exception(job, str(exc))
        except Exception as exc:
            log.exception("%s failed", job.function)
            worker.send_exception(job, f"{job.function}: internal error in gearman-jenkins: {exc}")

    def _session(self, master: str) -> MasterSession:
        session = self.dispatcher.sessions[master]
        if not session.live:
            reason = session.last_error or "not in sync yet"
            raise errors.MasterUnreachable(master, f"cannot act on it now: {reason}")
        return session

    async def _one(self, master: str, op: dict) -> dict:
        results = await self._session(master).submit([op])
        return results[0]

    async def _stop(self, manager: str, job: Assignment) -> str:
        ref = payloads.stop_target(job.arguments, job.function)
        if ref.uuid is not None:
            return await self.stop_uuid(manager, ref.uuid)
        result = await self._one(manager, {"op": "stop", "job": ref.job, "number": ref.number})
        build = f"{ref.job} #{ref.number} on {manager}"
        if result["status"] == "aborted":
            return f"aborted build {build}"
        if result["status"] == "not_running":
            raise NotRunning(f"build {build} is not running (result {result.get('result')})")
        raise payloads.BadArguments(f"{job.function}: no build {build}")

    async def stop_uuid(self, manager: str, uuid: str) -> str:
        dispatcher = self.dispatcher
        build = dispatcher.book.get(uuid)
        if build is not None and build.phase is Phase.DONE:
            return f"build {build.job} #{build.number} (uuid {uuid}) already finished: {build.result}"
        if build is not None and build.phase is Phase.HELD:
            dispatcher.cancel_held(build)
            return f"build {build.job} (uuid {uuid}) was held, not yet scheduled: completed as ABORTED"
        if build is not None and build.phase is Phase.SCHEDULING:
            build.cancel_requested = True
            return f"build {build.job} (uuid {uuid}) will be removed from the queue of {build.master} as it arrives"
        master = build.master if build is not None else self._master_of(uuid) or manager
        result = await self._one(master, {"op": "stop", "uuid": uuid})
        status = result["status"]
        if status == "dequeued":
            return f"removed {result['build']['job']} (uuid {uuid}) from the queue of {master}"
        if status == "aborted":
            record = result["build"]
            return f"aborted build {record['job']} #{record.get('number')} on {master} (uuid {uuid})"
        if status == "finished":
            record = result["build"]
            return (
                f"build {record['job']} #{record.get('number')} (uuid {uuid}) already finished: {record.get('result')}"
            )
        dispatcher.book.bury(uuid)
        return f"no build has uuid {uuid} yet: it will complete as ABORTED, without running, when a worker receives it"

    def _master_of(self, uuid: str) -> str | None:
        for name, session in self.dispatcher.sessions.items():
            if uuid in session.view.gearman_builds:
                return name
        return None

    async def _describe(self, manager: str, job: Assignment) -> str:
        ref, description = payloads.description_target(job.arguments, job.function)
        op = {"op": "describe", "job": ref.job, "number": ref.number, "description": description}
        result = await self._one(manager, op)
        if result["status"] != "ok":
            raise payloads.BadArguments(f"{job.function}: no build {ref.job} #{ref.number} on {manager}")
        return f"description of {ref.job} #{ref.number} on {manager} set"

    def cancel(self, build: GearmanBuild) -> None:
        """A stop by uuid that arrived while the build was being scheduled."""
        self.dispatcher.loop.create_task(self._quietly(self.stop_uuid(build.master, build.uuid)))

    def abort_orphan(self, build: GearmanBuild, grace: float) -> None:
        """Abort a build whose Gearman job is gone, saying why in its description."""
        log.warning(
            "build %s #%s on %s (uuid %s) is an orphan: no Gearman job for %.0f s; aborting it",
            build.job,
            build.number,
            build.master,
            build.uuid,
            grace,
        )
        ops = []
        if build.number is not None:
            ops.append(
                {
                    "op": "describe",
                    "job": build.job,
                    "number": build.number,
                    "description": f"Aborted by gearman-jenkins: its Gearman job (uuid {build.uuid}) was lost "
                    f"and not handed out again within {grace:.0f} s.",
                }
            )
        ops.append({"op": "stop", "uuid": build.uuid})
        self.dispatcher.loop.create_task(self._quietly(self._session(build.master).submit(ops)))

    @staticmethod
    async def _quietly(awaitable) -> None:
        try:
            await awaitable
        except errors.GearmanJenkinsError as exc:
            log.warning("%s", exc)
        except asyncio.CancelledError:
            raise
