#!/usr/bin/env python3
"""Generation speed with and without a JSON schema, through a running server (docs/PERFORMANCE.md,
"Constrained decoding"): the same prompt and max_tokens, free text and under each schema, in
alternating rounds; prints the median decode tokens/s of each.

    qwen-edge serve --model M --port 8080 &
    bench/grammar_speed.py --url http://localhost:8080 --rounds 5 --tokens 128
"""
import argparse
import json
import statistics
import urllib.request


def nested(depth):
    schema = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {
            "id": {"type": "integer"}, "label": {"type": "string", "maxLength": 40},
            "child": {"type": "array", "items": schema, "maxItems": 2}},
            "required": ["id", "label", "child"]}
    return schema


FORMATS = {
    "text": None,
    "json_object": {"type": "json_object"},
    "plain schema": {"type": "json_schema", "json_schema": {"name": "p", "schema": {
        "type": "object", "properties": {
            "name": {"type": "string"}, "age": {"type": "integer", "minimum": 0, "maximum": 150},
            "email": {"type": "string", "format": "email"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "bio": {"type": "string"}},
        "required": ["name", "age", "email", "tags", "bio"]}}},
    "nested schema (8 deep)": {"type": "json_schema",
                               "json_schema": {"name": "n", "schema": nested(8)}},
    "enum of 200": {"type": "json_schema", "json_schema": {"name": "e", "schema": {
        "type": "array", "items": {"enum": [f"option {i * 37 % 1000}" for i in range(200)]},
        "minItems": 40}}},
}


def run(url, fmt, tokens):
    body = {"messages": [{"role": "user", "content":
                          "Reply with JSON only: a JSON object that describes three "
                          "people, with long biographies, their friends and their pets."}],
            "max_tokens": tokens, "temperature": 0.7, "seed": 1}
    if fmt:
        body["response_format"] = fmt
    req = urllib.request.Request(url + "/v1/chat/completions", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        answer = json.load(r)
    return answer["timings"]["tokens_per_second"], answer["usage"]["completion_tokens"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="http://localhost:8080")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--tokens", type=int, default=128)
    a = p.parse_args()
    rates = {name: [] for name in FORMATS}
    counts = {name: [] for name in FORMATS}
    for _ in range(a.rounds):
        for name, fmt in FORMATS.items():
            tps, n = run(a.url, fmt, a.tokens)
            rates[name].append(tps)
            counts[name].append(n)
    base = statistics.median(rates["text"])
    for name in FORMATS:
        m = statistics.median(rates[name])
        print(f"{name:24} {m:6.1f} tokens/s  ({m / base:5.1%} of text; "
              f"{statistics.median(counts[name]):.0f} tokens)")


if __name__ == "__main__":
    main()
