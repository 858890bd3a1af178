"""tracehub runall: the web server and one background worker, as `make run` starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform (gunicorn) with a background worker beside it; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        # Two processes per core: capture and traces are Python CPU work, and the threads of one
        # process share its interpreter lock (bench.capture measured 4 x 1 a quarter faster than
        # 2 x 2 on two cores). A couple of threads each still cover slow clients.
        parser.add_argument(
            "--workers", type=int, default=2 * (os.cpu_count() or 1), help="web worker processes"
        )
        parser.add_argument("--threads", type=int, default=2, help="threads per web worker")

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="tracehub.settings")
        bin_dir = os.path.dirname(sys.executable)
        web = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                os.path.join(bin_dir, "gunicorn"),
                "tracehub.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "600",
                "--access-logfile",
                "-",
            ],
            env=env,
        )
        worker = subprocess.Popen([sys.executable, "-m", "tracehub", "worker"], env=env)  # noqa: S603
        self.stdout.write(f"TraceHub is serving at http://{host}:{port}/ (Ctrl-C stops it).")
        children = [web, worker]

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
