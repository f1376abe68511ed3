"""Starting and stopping `touchstone emulate NAME --port 0`, and reading what it prints."""

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass


@dataclass
class Served:
    """One running emulator: its process, base URL, models and key."""

    name: str
    process: subprocess.Popen
    base_url: str
    model: str
    embedding_model: str | None
    api_key: str | None

    def stop(self) -> None:
        """SIGTERM to the emulator's own process group (started with setsid), then SIGKILL."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start(touchstone: str, name: str, timeout: float = 20) -> Served:
    """Starts the personality NAME and waits for the lines that say where it serves."""
    process = subprocess.Popen(
        [touchstone, "emulate", name, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base_url = model = key = None
    embedding = None
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if m := re.match(r"serving `[^`]+` at (\S+)", line):
            base_url = m.group(1)
        elif m := re.match(r"model: ([^,\s]+)(?:, embedding model: (\S+))?", line):
            model, embedding = m.group(1), m.group(2)
        elif m := re.match(r"bearer key \(an emulator key, not a secret\): (\S+)", line):
            key = m.group(1)
        elif line.startswith("press Ctrl-C"):
            return Served(name, process, base_url, model, embedding, key)
    served = Served(name, process, base_url or "", model or "", embedding, key)
    served.stop()
    raise RuntimeError(f"emulate {name}: no base URL within {timeout} s; it printed: {' | '.join(lines)}")
