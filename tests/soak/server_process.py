"""`qwen-edge serve` as a child process on a free loopback port, for the soak and load tests.

Python's standard library only.
"""
import signal
import socket
import subprocess
import time

from http_exchange import exchange


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """Starts the server with the given options; stops it with SIGTERM when the block ends."""

    def __init__(self, binary, model, options, log=None):
        self.port = free_port()
        self.cmd = [binary, "serve", "--model", model, "--host", "127.0.0.1",
                    "--port", str(self.port)] + [str(o) for o in options]
        self.log = log

    def __enter__(self):
        out = open(self.log, "w") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=out)
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def alive(self):
        return self.proc.poll() is None

    def wait_ready(self, seconds=60):
        """True once /health answers 200; False if the server exits or the time runs out."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.alive():
            try:
                if exchange(self.port, "GET", "/health", patience=5).status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def metric(self, name):
        text = exchange(self.port, "GET", "/metrics").body.decode()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return -1.0

    def wait_idle(self, seconds=120):
        """Active slots and queue depth once both are 0, or as they are when the time runs out."""
        deadline = time.monotonic() + seconds
        while True:
            state = {"active_slots": self.metric("qwen_edge_active_slots"),
                     "queue_depth": self.metric("qwen_edge_queue_depth")}
            if state["active_slots"] == 0 and state["queue_depth"] == 0:
                return state
            if time.monotonic() > deadline:
                return state
            time.sleep(0.5)

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0
