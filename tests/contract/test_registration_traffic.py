"""Registration traffic of one worker (docs/contract.md: send only differences, batched)."""

from gear import constants

from controller.config import GearmanServer
from controller.gearman.protocol import Packet, packet_type
from controller.gearman.worker import Assignment, Worker

SERVER = GearmanServer("127.0.0.1", 4730)


class FakeLink:
    """Stands in for a connection: records every write; ``come_up`` and ``receive`` play the server."""

    def __init__(self, server, on_up, on_packet, on_down):
        self.up = False
        self.server = server
        self.writes: list[bytes] = []
        self._on_up = on_up
        self._on_packet = on_packet

    def start(self) -> None:
        pass

    def come_up(self) -> None:
        self.up = True
        self._on_up(self)

    def receive(self, packet: Packet) -> None:
        self._on_packet(self, packet)

    def send(self, data: bytes) -> None:
        self.writes.append(data)


class FakeConnector:
    """Makes FakeLinks where the real Connector opens sockets."""

    def link(self, server, client_id, on_up, on_packet, on_down) -> FakeLink:
        self.made = FakeLink(server, on_up, on_packet, on_down)
        return self.made


class Listener:
    def __getattr__(self, name):
        return lambda *args: None


def packets(data: bytes) -> list[tuple[str, bytes]]:
    found = []
    while data:
        size = int.from_bytes(data[8:12], "big")
        found.append((constants.types[packet_type(data)], data[12 : 12 + size]))
        data = data[12 + size :]
    return found


def worker_with(functions) -> tuple[Worker, FakeLink]:
    connector = FakeConnector()
    worker = Worker("key", "n1_exec-0", connector, (SERVER,), Listener(), frozenset(functions))
    worker.start()
    connector.made.come_up()
    return worker, connector.made


def test_connect_sends_the_whole_set_in_one_write():
    _, link = worker_with({"build:a", "build:b"})
    assert len(link.writes) == 1
    assert [name for name, _ in packets(link.writes[0])] == [
        "SET_CLIENT_ID",
        "RESET_ABILITIES",
        "CAN_DO",
        "CAN_DO",
        "PRE_SLEEP",
    ]


def test_an_unchanged_set_sends_nothing():
    worker, link = worker_with({"build:a"})
    worker.set_functions(frozenset({"build:a"}))
    assert len(link.writes) == 1


def test_a_change_sends_only_the_difference_in_one_write():
    worker, link = worker_with({"build:a", "build:b"})
    worker.set_functions(frozenset({"build:b", "build:c"}))
    assert len(link.writes) == 2
    assert packets(link.writes[1]) == [("CANT_DO", b"build:a"), ("CAN_DO", b"build:c"), ("PRE_SLEEP", b"")]


def test_losing_every_function_is_one_reset():
    worker, link = worker_with({"build:a", "build:b"})
    worker.set_functions(frozenset())
    assert packets(link.writes[1]) == [("RESET_ABILITIES", b"")]


def test_a_running_jobs_function_stays_until_its_final_packet():
    worker, link = worker_with({"build:a", "build:b"})
    # The server hands it a job of build:a (as if JOB_ASSIGN_UNIQ came in).
    link.receive(Packet(constants.JOB_ASSIGN_UNIQ, (b"H:1", b"build:a", b"u1", b"{}")))
    job = Assignment(SERVER, b"H:1", "build:a", "u1", b"{}")
    worker.set_functions(frozenset({"build:b"}))
    assert len(link.writes) == 1  # build:a is held: nothing to send yet
    worker.send_data(job, b"{}")
    assert len(link.writes) == 2 and [n for n, _ in packets(link.writes[1])] == ["WORK_DATA"]
    worker.send_complete(job, b"{}")
    assert [n for n, _ in packets(link.writes[2])] == ["WORK_COMPLETE"]
    assert packets(link.writes[3]) == [("CANT_DO", b"build:a")]
