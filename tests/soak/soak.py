#!/usr/bin/env python3
"""Soak test of `qwen-edge serve`: mixed traffic at the concurrency limit over loopback.

Starts the server on a free 127.0.0.1 port and, for --duration seconds, keeps parallel + queue + 2
clients busy with a mix of: streaming and non-streaming chat, raw completions, clients that cancel
mid-stream, clients that read nothing of their stream for a while, malformed JSON, wrong types,
oversized bodies, and slowloris clients that trickle their headers. Then it checks:

  - the server is alive and answers /health;
  - every valid request was answered (200) or refused clearly (503/429 with Retry-After);
  - every bad request got its 4xx; every stream was well-formed and ended with data: [DONE];
  - no slot or queue place leaked (/metrics: active slots and queue depth back to 0);
  - resident memory grew less than --max-rss-growth percent from after the warm-up to the end.

  tests/soak/soak.py --binary build/bin/qwen-edge --model MODEL.gguf --duration 1800

Exit status 0 when all hold, 1 otherwise; a summary (JSON) is printed either way.
Python's standard library only.
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self):
        self.status = 0
        self.headers = {}
        self.body = b""


def read_response(sock, on_body=None, patience=120):
    """Reads one HTTP response (Connection: close); de-chunks the body."""
    sock.settimeout(patience)
    raw = b""
    r = Response()
    while b"\r\n\r\n" not in raw:
        piece = sock.recv(65536)
        if not piece:
            return r
        raw += piece
    head, rest = raw.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    r.status = int(lines[0].split(" ")[1])
    for line in lines[1:]:
        name, _, value = line.partition(":")
        r.headers[name.strip().lower()] = value.strip()
    chunked = r.headers.get("transfer-encoding") == "chunked"
    length = int(r.headers.get("content-length", "-1"))
    data = rest
    while True:
        if chunked and data.endswith(b"0\r\n\r\n"):
            break
        if not chunked and length >= 0 and len(data) >= length:
            break
        if on_body and not on_body(data):
            r.body = data
            return r
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    if chunked:
        body, at = b"", 0
        while True:
            eol = data.find(b"\r\n", at)
            if eol < 0:
                break
            size = int(data[at:eol].split(b";")[0] or b"0", 16)
            if size == 0:
                break
            body += data[eol + 2 : eol + 2 + size]
            at = eol + 2 + size + 2
        data = body
    r.body = data
    return r


def request_bytes(method, path, body=b"", extra=""):
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}"
    if method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def exchange(port, method, path, body=b"", on_body=None, patience=120):
    with socket.create_connection(("127.0.0.1", port), timeout=patience) as s:
        s.sendall(request_bytes(method, path, body))
        return read_response(s, on_body, patience)


def stream_well_formed(body):
    text = body.decode("utf-8")  # raises on broken UTF-8
    events = [e for e in text.split("\n\n") if e]
    if not events or events[-1] != "data: [DONE]":
        return False
    for e in events[:-1]:
        if e.startswith(":"):
            continue
        if not e.startswith("data: "):
            return False
        json.loads(e[6:])
    return True


def chat(content, max_tokens, stream, **extra):
    body = {"messages": [{"role": "user", "content": content}], "max_tokens": max_tokens,
            "stream": stream, "temperature": 0.9}
    body.update(extra)
    return json.dumps(body).encode()


class Soak:
    def __init__(self, args):
        self.args = args
        self.counts = {}
        self.failures = []
        self.lock = threading.Lock()
        self.port = free_port()

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def fail(self, what):
        with self.lock:
            self.counts["failed"] = self.counts.get("failed", 0) + 1
            if len(self.failures) < 20:
                self.failures.append(what)

    def answered_or_refused(self, kind, r, check_body):
        if r.status == 200:
            if check_body(r.body):
                self.count(kind + ".ok")
            else:
                self.fail(f"{kind}: malformed answer {r.body[:200]!r}")
        elif r.status in (429, 503) and r.headers.get("retry-after"):
            self.count(kind + ".refused")
        else:
            self.fail(f"{kind}: status {r.status} {r.body[:200]!r}")

    # The kinds of traffic, chosen at random.
    def streaming(self, rnd):
        r = exchange(self.port, "POST", "/v1/chat/completions",
                     chat("Tell me about 春天 %d." % rnd.randrange(1000), rnd.randrange(8, 64), True,
                          seed=rnd.randrange(1 << 30)))
        self.answered_or_refused("stream", r, stream_well_formed)

    def whole(self, rnd):
        r = exchange(self.port, "POST", "/v1/chat/completions",
                     chat("Hello number %d" % rnd.randrange(1000), rnd.randrange(4, 48), False))
        self.answered_or_refused("chat", r, lambda b: json.loads(b)["object"] == "chat.completion")

    def completion(self, rnd):
        body = json.dumps({"prompt": "Once upon a time", "max_tokens": rnd.randrange(4, 32),
                           "stream": rnd.random() < 0.5}).encode()
        r = exchange(self.port, "POST", "/v1/completions", body)
        self.answered_or_refused("completion", r,
                                 lambda b: stream_well_formed(b) if b.startswith(b"data:")
                                 else json.loads(b)["object"] == "text_completion")

    def cancel(self, rnd):
        def until_first_token(body):
            return b'"delta":{"content"' not in body
        r = exchange(self.port, "POST", "/v1/chat/completions",
                     chat("A long story please", self.args.max_tokens, True), until_first_token)
        if r.status == 200:
            self.count("cancel.ok")
        elif r.status in (429, 503):
            self.count("cancel.refused")
        else:
            self.fail(f"cancel: status {r.status}")

    def reads_nothing(self, rnd):
        # Asks for a stream and reads none of it for a while, then hangs up.
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(request_bytes("POST", "/v1/chat/completions",
                                    chat("Write a lot.", self.args.max_tokens, True)))
            time.sleep(rnd.uniform(1, 4))
        self.count("reads_nothing.done")

    def malformed(self, rnd):
        body = rnd.choice([b'{"messages": [', b"\xff\xfe", b"[1,2]", b'{"messages":"hi"}',
                           b'{"messages":[{"role":"user","content":"x"}],"max_tokens":"ten"}',
                           b'{"messages":[{"role":"wizard","content":"x"}]}'])
        r = exchange(self.port, "POST", "/v1/chat/completions", body)
        if r.status == 400 and b'"error"' in r.body:
            self.count("malformed.400")
        else:
            self.fail(f"malformed: status {r.status} for {body!r}")

    def oversized(self, rnd):
        body = chat("x" * (self.args.max_body + 1000), 4, False)
        try:
            r = exchange(self.port, "POST", "/v1/chat/completions", body)
        except (BrokenPipeError, ConnectionResetError):
            self.count("oversized.dropped")  # refused before the body was all sent
            return
        if r.status == 413:
            self.count("oversized.413")
        else:
            self.fail(f"oversized: status {r.status}")

    def slowloris(self, rnd):
        # Trickles its headers; the request deadline must drop it.
        req = request_bytes("GET", "/health", extra="X-Pad: " + "a" * 400 + "\r\n")
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.settimeout(0.25)
            for i in range(len(req)):
                try:
                    s.send(req[i : i + 1])
                    if s.recv(1) == b"":
                        self.count("slowloris.dropped")
                        return
                except socket.timeout:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    self.count("slowloris.dropped")
                    return
        self.fail("slowloris: a trickling client was never dropped")

    def metric(self, name):
        text = exchange(self.port, "GET", "/metrics").body.decode()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return -1.0

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def worker(self, seed, end):
        rnd = random.Random(seed)
        kinds = [(self.streaming, 30), (self.whole, 20), (self.completion, 10), (self.cancel, 10),
                 (self.reads_nothing, 5), (self.malformed, 10), (self.oversized, 5),
                 (self.slowloris, 2)]
        funcs = [k for k, _ in kinds]
        weights = [w for _, w in kinds]
        while time.monotonic() < end:
            f = rnd.choices(funcs, weights)[0]
            try:
                f(rnd)
            except Exception as e:  # a hang (timeout) or a broken answer
                self.fail(f"{f.__name__}: {type(e).__name__}: {e}")

    def run(self):
        a = self.args
        cmd = [a.binary, "serve", "--model", a.model, "--host", "127.0.0.1", "--port",
               str(self.port), "--parallel", str(a.parallel), "--queue", str(a.queue),
               "--threads", str(a.threads), "--max-tokens", str(a.max_tokens), "--max-body",
               str(a.max_body), "--request-timeout", "5", "--ctx", "2048"]
        log = open(a.log, "w") if a.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        try:
            return self.drive()
        finally:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(60)
                except subprocess.TimeoutExpired:
                    self.proc.kill()

    def drive(self):
        a = self.args
        deadline = time.monotonic() + 60
        while True:
            try:
                if exchange(self.port, "GET", "/health", patience=5).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                print(json.dumps({"ok": False, "why": "the server did not start"}))
                return 1
            time.sleep(0.2)

        start = time.monotonic()
        end = start + a.duration
        clients = a.parallel + a.queue + 2
        threads = [threading.Thread(target=self.worker, args=(a.seed + i, end), daemon=True)
                   for i in range(clients)]
        for t in threads:
            t.start()
        warmup = min(a.duration * 0.2, 60)
        time.sleep(warmup)
        rss_start = self.rss_kib()
        rss_peak = rss_start
        while time.monotonic() < end and self.proc.poll() is None:
            time.sleep(1)
            rss_peak = max(rss_peak, self.rss_kib())
        for t in threads:
            t.join(180)
        hung = sum(t.is_alive() for t in threads)

        summary = {"duration_s": a.duration, "clients": clients, "parallel": a.parallel,
                   "queue": a.queue}
        alive = self.proc.poll() is None
        summary["server_alive"] = alive
        leaked = None
        if alive:
            idle_deadline = time.monotonic() + 120
            while time.monotonic() < idle_deadline:
                active, queued = self.metric("qwen_edge_active_slots"), self.metric("qwen_edge_queue_depth")
                if active == 0 and queued == 0:
                    break
                time.sleep(0.5)
            leaked = {"active_slots": active, "queue_depth": queued}
            rss_end = self.rss_kib()
            summary["rss_kib"] = {"after_warmup": rss_start, "peak": rss_peak, "end": rss_end}
            summary["rss_growth_percent"] = round(100.0 * (rss_end - rss_start) / max(rss_start, 1), 2)
            summary["generated_tokens"] = self.metric("qwen_edge_generated_tokens_total")
        summary["leaked"] = leaked
        summary["hung_clients"] = hung
        summary["counts"] = dict(sorted(self.counts.items()))
        summary["failures"] = self.failures
        ok = (alive and hung == 0 and not self.failures and leaked is not None
              and leaked["active_slots"] == 0 and leaked["queue_depth"] == 0
              and summary["rss_growth_percent"] < a.max_rss_growth
              and sum(v for k, v in self.counts.items() if k.endswith(".ok")) > 0)
        summary["ok"] = ok
        print(json.dumps(summary, indent=1))
        return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--duration", type=float, default=120, help="seconds of traffic")
    p.add_argument("--parallel", type=int, default=4)
    p.add_argument("--queue", type=int, default=4)
    p.add_argument("--threads", type=int, default=1, help="compute threads of the server")
    p.add_argument("--max-tokens", type=int, default=512)
    p.add_argument("--max-body", type=int, default=65536)
    p.add_argument("--max-rss-growth", type=float, default=5.0, help="percent")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log", help="the server's output goes here")
    sys.exit(Soak(p.parse_args()).run())


if __name__ == "__main__":
    main()
