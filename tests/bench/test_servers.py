"""A benchmarked server runs in the bench's session, in a process group of its own, and
stopping it stops what it forked."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bench.servers import started
from mock_server.process import free_port

SERVER = """
import http.server, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(sys.argv[2], "w").write(str(child.pid))

class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is not running
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_server_shares_the_session_has_its_group_and_takes_its_children_when_stopped(
    tmp_path: Path,
) -> None:
    port, child_file = free_port(), tmp_path / "child"
    command = [sys.executable, "-c", SERVER, str(port), str(child_file)]
    with started(command, f"http://127.0.0.1:{port}/", headers={}):
        child = int(child_file.read_text())
        assert alive(child)
        group = os.getpgid(child)
        assert group != os.getpgid(0)  # a group of its own, so that it is stopped whole
        assert os.getsid(child) == os.getsid(0)  # the scheduler's share of the cores: ours
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)
