"""A small web app: GET / says hello (and which pod answered), /healthz is for probes."""
import http.server
import os
import socket

PORT = int(os.environ.get("PORT", "8000"))
GREETING = os.environ.get("GREETING", "hello from skiff")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok\n"
        else:
            body = f"{GREETING} (pod {socket.gethostname()})\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print(f"{self.address_string()} {fmt % args}", flush=True)


if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    print(f"serving on 0.0.0.0:{PORT}", flush=True)
    server.serve_forever()
