"""The app served by `streamlit run` on a free loopback port, for the browser tests and the
benchmarks: started, polled on /_stcore/health until healthy, always stopped."""
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_app_config(folder):
    """Give `folder` the app's .streamlit/config.toml, so that a reference page served from it
    runs as the app does (no full garbage collection after each run, no file watcher...)."""
    (Path(folder) / ".streamlit").mkdir(exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", Path(folder) / ".streamlit" / "config.toml")
    return folder


def start_server(script="serve.py", cwd=ROOT, log=None, base_path=""):
    """`streamlit run` on a free loopback port (under server.baseUrlPath `base_path`, if
    given); returns (process, base URL) once healthy."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1",
         "--browser.gatherUsageStats=false"]
        + ([f"--server.baseUrlPath={base_path}"] if base_path else []),
        cwd=cwd, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}" + (f"/{base_path}" if base_path else "")
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError("streamlit did not become healthy within 120 s")
        time.sleep(0.1)


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
