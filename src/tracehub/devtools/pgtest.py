"""Run a command (the test suite) against a PostgreSQL server named by URL.

``python -m tracehub.devtools.pgtest URL -- CMD…``: checks the server answers (a named server
that does not answer fails the run rather than being skipped), then runs CMD with
DATABASE_URL pointing at a database name of its own; pytest-django creates ``test_<name>`` from
it and drops it at the end, so each run starts fresh and leaves nothing behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m tracehub.devtools.pgtest POSTGRES_URL -- COMMAND [ARG…]", file=sys.stderr)
        return 2
    url, command = argv[0], argv[2:]
    parts = urlsplit(url)
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        print(f"PostgreSQL at {parts.hostname}:{parts.port or 5432} does not answer: {exc}", file=sys.stderr)
        return 1
    name = f"tracehub_{uuid.uuid4().hex[:10]}"
    test_url = urlunsplit(parts._replace(path="/" + name))
    print(
        f"Running the suite on PostgreSQL {version} at {parts.hostname}:{parts.port or 5432} "
        f"(database test_{name}, dropped afterwards).",
        flush=True,
    )
    env = dict(os.environ, DATABASE_URL=test_url)
    result = subprocess.run(command, env=env, check=False)  # noqa: S603 - the caller's own command
    # pytest-django drops its test database; make sure nothing is left if the run was killed.
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "test_{name}"')
    except psycopg.Error:
        pass
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
