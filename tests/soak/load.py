#!/usr/bin/env python3
"""Load test of `qwen-edge serve`: many streaming clients against a few slots, over loopback.

Starts the server on a free 127.0.0.1 port with --parallel slots, then:

  1. one streaming client alone for --single seconds: the single-stream tokens/s;
  2. --clients streaming clients at once for --duration seconds (more clients than slots, so
     requests wait in the queue or are refused with 429/503 + Retry-After, then retried).

Every stream must be well-formed (whole UTF-8, JSON chunks, a usage chunk, data: [DONE]); nothing
may fail other than those deliberate refusals; resident memory may grow less than
--max-rss-growth percent from after the warm-up to the end; slots and queue must be empty after.
Tokens are counted from each stream's usage chunk. The summary (JSON) gives both rates and their
ratio: how much batching the slots' decoding pays. The ratio is a figure to record, not a check
(timings belong to benchmarks), unless --min-speedup asks for one.

  tests/soak/load.py --binary build/bin/qwen-edge --model MODEL.gguf --duration 60

Exit status 0 when all hold, 1 otherwise. Python's standard library only.
"""
import argparse
import json
import random
import sys
import threading
import time

from http_exchange import exchange, stream_well_formed
from server_process import ServerProcess


def usage_of(body):
    """completion_tokens from the stream's usage chunk, or None."""
    for event in body.decode("utf-8").split("\n\n"):
        if event.startswith("data: {"):
            chunk = json.loads(event[6:])
            if chunk.get("usage"):
                return chunk["usage"]["completion_tokens"]
    return None


class Load:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.tokens = 0
        self.counts = {"ok": 0, "refused": 0, "failed": 0}
        self.failures = []

    def fail(self, what):
        with self.lock:
            self.counts["failed"] += 1
            if len(self.failures) < 20:
                self.failures.append(what)

    def one_stream(self, rnd):
        body = json.dumps({
            "messages": [{"role": "user", "content": "讲一个故事 %d" % rnd.randrange(1 << 20)}],
            "max_tokens": self.args.max_tokens, "stream": True,
            "stream_options": {"include_usage": True}, "seed": rnd.randrange(1 << 30)}).encode()
        r = exchange(self.port, "POST", "/v1/chat/completions", body)
        if r.status in (429, 503) and r.headers.get("retry-after"):
            with self.lock:
                self.counts["refused"] += 1
            # A polite client: back for another try within the time the server asked for.
            time.sleep(rnd.uniform(0.5, 1.0) * float(r.headers["retry-after"]))
            return 0
        if r.status != 200:
            self.fail(f"status {r.status}: {r.body[:200]!r}")
            return 0
        if not stream_well_formed(r.body):
            self.fail(f"malformed stream {r.body[-200:]!r}")
            return 0
        n = usage_of(r.body)
        if n is None:
            self.fail("a stream without its usage chunk")
            return 0
        with self.lock:
            self.counts["ok"] += 1
        return n

    def client(self, seed, end, counted_from):
        rnd = random.Random(seed)
        while time.monotonic() < end:
            try:
                started = time.monotonic()
                n = self.one_stream(rnd)
                # Streams that began before the measured window are not counted.
                if started >= counted_from:
                    with self.lock:
                        self.tokens += n
            except Exception as e:  # a hang (timeout) or a broken answer
                self.fail(f"{type(e).__name__}: {e}")

    def phase(self, clients, seconds, warmup):
        """tokens/s of `clients` streaming clients over `seconds` after `warmup` seconds."""
        self.tokens = 0
        start = time.monotonic()
        end = start + warmup + seconds
        threads = [threading.Thread(target=self.client, args=(self.args.seed + i, end,
                                                              start + warmup), daemon=True)
                   for i in range(clients)]
        for t in threads:
            t.start()
        time.sleep(warmup)
        rss_start = self.server.rss_kib()
        rss_peak = rss_start
        while time.monotonic() < end and self.server.alive():
            time.sleep(0.5)
            rss_peak = max(rss_peak, self.server.rss_kib())
        for t in threads:
            t.join(300)
        # The streams that started in the window ran to their end, past it: count their time.
        elapsed = time.monotonic() - (start + warmup)
        return {"clients": clients, "tokens": self.tokens,
                "tokens_per_second": round(self.tokens / elapsed, 2),
                "rss_kib": {"after_warmup": rss_start, "peak": rss_peak},
                "hung_clients": sum(t.is_alive() for t in threads)}

    def run(self):
        a = self.args
        options = ["--parallel", a.parallel, "--queue", a.queue, "--threads", a.threads,
                   "--ctx", 2048]
        with ServerProcess(a.binary, a.model, options, a.log) as server:
            self.server = server
            self.port = server.port
            return self.drive()

    def drive(self):
        a = self.args
        if not self.server.wait_ready():
            print(json.dumps({"ok": False, "why": "the server did not start"}))
            return 1

        single = self.phase(1, a.single, warmup=min(5.0, a.single / 2))
        many = self.phase(a.clients, a.duration, warmup=min(10.0, a.duration / 4))
        summary = {"parallel": a.parallel, "queue": a.queue, "threads": a.threads,
                   "single": single, "many": many}
        speedup = many["tokens_per_second"] / max(single["tokens_per_second"], 1e-9)
        summary["speedup"] = round(speedup, 2)

        alive = self.server.alive()
        summary["server_alive"] = alive
        leaked = None
        if alive:
            leaked = self.server.wait_idle()
            rss_end = self.server.rss_kib()
            start = many["rss_kib"]["after_warmup"]
            many["rss_kib"]["end"] = rss_end
            summary["rss_growth_percent"] = round(100.0 * (rss_end - start) / max(start, 1), 2)
        summary["leaked"] = leaked
        summary["counts"] = self.counts
        summary["failures"] = self.failures
        ok = (alive and not self.failures and single["hung_clients"] == 0
              and many["hung_clients"] == 0 and leaked is not None
              and leaked["active_slots"] == 0 and leaked["queue_depth"] == 0
              and summary["rss_growth_percent"] < a.max_rss_growth
              and single["tokens"] > 0 and many["tokens"] > 0
              and (a.min_speedup is None or speedup >= a.min_speedup))
        summary["ok"] = ok
        print(json.dumps(summary, indent=1))
        return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--duration", type=float, default=60, help="seconds of the many-client phase")
    p.add_argument("--single", type=float, default=20, help="seconds of the one-client phase")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--parallel", type=int, default=4)
    p.add_argument("--queue", type=int, default=8)
    p.add_argument("--threads", type=int, default=2, help="compute threads of the server")
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--max-rss-growth", type=float, default=5.0, help="percent")
    p.add_argument("--min-speedup", type=float, help="fail unless many/single reaches this")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log", help="the server's output goes here")
    sys.exit(Load(p.parse_args()).run())


if __name__ == "__main__":
    main()
