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
import random
import socket
import sys
import threading
import time

from http_exchange import exchange, request_bytes, stream_well_formed
from server_process import ServerProcess


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
        options = ["--parallel", a.parallel, "--queue", a.queue, "--threads", a.threads,
                   "--max-tokens", a.max_tokens, "--max-body", a.max_body,
                   "--request-timeout", 5, "--ctx", 2048]
        with ServerProcess(a.binary, a.model, options, a.log) as server:
            self.server = server
            self.port = server.port
            return self.drive()

    def drive(self):
        a = self.args
        server = self.server
        if not server.wait_ready():
            print(json.dumps({"ok": False, "why": "the server did not start"}))
            return 1

        start = time.monotonic()
        end = start + a.duration
        clients = a.parallel + a.queue + 2
        threads = [threading.Thread(target=self.worker, args=(a.seed + i, end), daemon=True)
                   for i in range(clients)]
        for t in threads:
            t.start()
        warmup = min(a.duration * 0.2, 60)
        time.sleep(warmup)
        rss_start = server.rss_kib()
        rss_peak = rss_start
        while time.monotonic() < end and server.alive():
            time.sleep(1)
            rss_peak = max(rss_peak, server.rss_kib())
        for t in threads:
            t.join(180)
        hung = sum(t.is_alive() for t in threads)

        summary = {"duration_s": a.duration, "clients": clients, "parallel": a.parallel,
                   "queue": a.queue}
        alive = server.alive()
        summary["server_alive"] = alive
        leaked = None
        if alive:
            leaked = server.wait_idle()
            rss_end = server.rss_kib()
            summary["rss_kib"] = {"after_warmup": rss_start, "peak": rss_peak, "end": rss_end}
            summary["rss_growth_percent"] = round(100.0 * (rss_end - rss_start) / max(rss_start, 1), 2)
            summary["generated_tokens"] = server.metric("qwen_edge_generated_tokens_total")
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
