"""Plain HTTP/1.1 over a socket for the soak and load tests: one request per connection, the
response read whole (de-chunked) or until a callback says stop; and the SSE stream check.

Python's standard library only.
"""
import json
import socket


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
