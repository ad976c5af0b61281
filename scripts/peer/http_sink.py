#!/usr/bin/env python3
"""http_sink: a receiving end for footprint measurements. Accepts any POST
with 204 (HTTP/1.1 keep-alive) and appends "<unix_time> <body_bytes> <path>"
per request to a log file, so a run can report bytes sent per interval.

Usage: http_sink.py PORT LOGFILE
"""
import http.server
import sys
import time


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with open(sys.argv[2], "a") as log:
            log.write(f"{time.time():.3f} {length} {self.path}\n")
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
