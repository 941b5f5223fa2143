"""Load and fault test of "send to the clinic" against a real server on 127.0.0.1.

    .venv/bin/python bench/load.py                      # SQLite and PostgreSQL, both runs
    .venv/bin/python bench/load.py --backend sqlite --submissions 500

For each backend it starts `nervetjek serve` as a subprocess on a free loopback port,
with a fresh database, and sends submissions through the real patient path: the
questionnaire's encrypted answers cookie, GET /send (consent form, CSRF token,
idempotency key), POST /send with consent ticked.  A submission counts as acknowledged
when the server answers 303 to the receipt.  One in ten acknowledged submissions is
sent again with the same key (a double click) and must not be stored twice.

Two runs per backend:

* steady: N submissions from C concurrent clients;
* kill: the same, but the server is killed with SIGKILL when 40 % are acknowledged,
  then restarted; clients retry what was in flight with the same idempotency key.

Afterwards the database is read directly: every acknowledged submission must be there
exactly once, and the database must pass its integrity check (SQLite
`PRAGMA integrity_check` and `foreign_key_check`; PostgreSQL amcheck on every B-tree
index when available, plus orphan and duplicate queries).  Prints a table; exits 1 if
any check fails.  Traffic goes only to 127.0.0.1; count and time are bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nervetjek.interview.progress import SessionData
from nervetjek.web import session as patient_session

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
PG_ADMIN_URL = os.environ.get(
    "NERVETJEK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
RUN_DEADLINE_SECONDS = 600
REQUEST_TIMEOUT = 30.0
FALLBACK_ANSWERS = [
    {"back_pain": True, "locations": ["lower_back", "left.calf"], "pain_intensity": 6},
    {"bladder_bowel_change": True, "back_pain": True},
    {"burning": True, "numbness": True, "locations": ["left.toes", "right.toes"]},
]


def answer_sets() -> list[dict]:
    """Real answer sets: the shared clinical vignettes, or a few built-in ones."""
    try:
        from nervetjek.paths import shared_dir

        lines = (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
        return [json.loads(line)["answers"] for line in lines if line.strip()]
    except Exception:
        return FALLBACK_ANSWERS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ the server


class Server:
    def __init__(self, database_url: str, data_dir: Path, log: Path, workers: int = 1):
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "NERVETJEK_ENVIRONMENT": "test",
            "NERVETJEK_DATA_DIR": str(data_dir),
            "NERVETJEK_DATABASE_URL": database_url,
            "NERVETJEK_SECRET_KEY": SECRET,
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(Path(sys.executable).parent / "nervetjek"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        with self.log.open("ab") as log:
            # Own process group, so SIGKILL reaches every worker at once.
            self.process = subprocess.Popen(
                command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 180  # 4 workers each import the app; slow on a busy host
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 180 s")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


# ------------------------------------------------------------------ one submission


@dataclass
class Submission:
    number: int
    answers: dict
    key: str | None = None
    form: dict | None = None
    acked: bool = False
    attempts: int = 0
    latency: float | None = None


@dataclass
class RunResult:
    backend: str
    scenario: str
    submissions: int
    clients: int
    workers: int = 1
    acked: int = 0
    double_posts: int = 0
    retries: int = 0
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    stored: int = 0
    missing: int = 0
    duplicates: int = 0
    integrity: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.acked == self.submissions
            and self.missing == 0
            and self.duplicates == 0
            and self.integrity == "ok"
            and not self.errors
        )


FIELD = re.compile(r'name="(csrf_token|key)" value="([^"]+)"')


def submit_once(client: httpx.Client, base: str, cookie: str, item: Submission) -> bool:
    """One try: GET the form (first time only), POST it.  True when acknowledged."""
    client.cookies.set(patient_session.COOKIE_NAME, cookie)
    if item.form is None:
        page = client.get(base + "/send")
        if page.status_code != 200:
            return False
        fields = dict(FIELD.findall(page.text))
        item.key = fields["key"]
        item.form = {
            **fields,
            "name": f"Bench Person {item.number}",
            "phone": f"{20000000 + item.number}",
            "email": "",
            "consent": "ja",
        }
    response = client.post(base + "/send", data=item.form, follow_redirects=False)
    return response.status_code == 303 and response.headers.get("location") == "/send/kvittering"


def client_loop(
    server: Server,
    queue: list[Submission],
    lock: threading.Lock,
    fernet: Fernet,
    result: RunResult,
    on_ack,
    deadline: float,
) -> None:
    with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                item = queue.pop()
            cookie = patient_session.encode(fernet, SessionData(answers=item.answers))
            started = time.perf_counter()
            while time.monotonic() < deadline:
                item.attempts += 1
                try:
                    if submit_once(client, server.url, cookie, item):
                        break
                except httpx.HTTPError:
                    pass
                with lock:
                    result.retries += 1
                time.sleep(0.05 + random.random() * 0.2)  # server down: wait and retry
            else:
                return
            item.latency = time.perf_counter() - started
            item.acked = True
            on_ack(item)
            if item.number % 10 == 0:  # a double click: same key again
                try:
                    submit_once(client, server.url, cookie, item)
                    with lock:
                        result.double_posts += 1
                except httpx.HTTPError:
                    pass


# ------------------------------------------------------------------ checks


def check_database(url: str, items: list[Submission], result: RunResult) -> None:
    engine = create_engine(url)
    acked = {item.key for item in items if item.acked}
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT idempotency_key FROM intakes")).scalars().all()
        counts: dict[str, int] = {}
        for key in rows:
            counts[key] = counts.get(key, 0) + 1
        result.stored = len(rows)
        result.missing = sum(1 for key in acked if key not in counts)
        result.duplicates = sum(n - 1 for n in counts.values() if n > 1)
        if engine.dialect.name == "sqlite":
            integrity = connection.execute(text("PRAGMA integrity_check")).scalars().all()
            foreign = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            result.integrity = "ok" if integrity == ["ok"] and not foreign else str(integrity)
        else:
            result.integrity = postgres_integrity(connection)
    engine.dispose()


def postgres_integrity(connection) -> str:
    problems = []
    orphans = connection.execute(
        text(
            "SELECT count(*) FROM followups f LEFT JOIN intakes i ON i.id = f.intake_id "
            "WHERE i.id IS NULL"
        )
    ).scalar()
    if orphans:
        problems.append(f"{orphans} orphan follow-ups")
    duplicate_codes = connection.execute(
        text("SELECT count(*) - count(DISTINCT receipt_code) FROM intakes")
    ).scalar()
    if duplicate_codes:
        problems.append(f"{duplicate_codes} duplicate receipt codes")
    invalid = connection.execute(
        text(
            "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT (x.indisvalid AND x.indisready)"
        )
    ).scalar()
    if invalid:
        problems.append(f"{invalid} invalid indexes")
    try:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        indexes = connection.execute(
            text(
                "SELECT c.oid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
                "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND a.amname = 'btree'"
            )
        ).scalars()
        for oid in indexes:
            connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
        connection.commit()
    except Exception as exc:  # amcheck missing: the queries above still ran
        connection.rollback()
        problems.append(f"amcheck unavailable: {type(exc).__name__}")
        return "ok (no amcheck)" if len(problems) == 1 else "; ".join(problems)
    return "ok" if not problems else "; ".join(problems)


# ------------------------------------------------------------------ a run


def fresh_database(backend: str, workdir: Path) -> tuple[str, callable]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", lambda: None
    name = f"nervetjek_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def run(backend: str, scenario: str, submissions: int, clients: int, workers: int = 1) -> RunResult:
    result = RunResult(backend, scenario, submissions, clients, workers)
    answers = answer_sets()
    fernet = Fernet(patient_session.derive_key(SECRET))
    with tempfile.TemporaryDirectory(prefix="nervetjek-load-") as tmp:
        workdir = Path(tmp)
        url, drop = fresh_database(backend, workdir)
        server = Server(url, workdir, workdir / "server.log", workers)
        try:
            server.start()
            items = [Submission(n, answers[n % len(answers)]) for n in range(submissions)]
            queue = list(reversed(items))
            lock = threading.Lock()
            acked = [0]
            kill_at = int(submissions * 0.4) if scenario == "kill" else None
            killed = threading.Event()

            def on_ack(_item: Submission) -> None:
                with lock:
                    acked[0] += 1
                    should_kill = kill_at is not None and acked[0] >= kill_at
                if should_kill and not killed.is_set():
                    killed.set()
                    server.kill()
                    server.start()

            deadline = time.monotonic() + RUN_DEADLINE_SECONDS
            threads = [
                threading.Thread(
                    target=client_loop,
                    args=(server, queue, lock, fernet, result, on_ack, deadline),
                )
                for _ in range(clients)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            result.wall = time.perf_counter() - started
            result.acked = sum(1 for item in items if item.acked)
            result.latencies = sorted(item.latency for item in items if item.latency is not None)
            if scenario == "kill" and not killed.is_set():
                result.errors.append("the server was never killed")
            server.stop()
            check_database(url, items, result)
        except Exception as exc:
            result.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            server.stop()
            try:
                drop()
            except Exception as exc:
                result.errors.append(f"drop database: {exc}")
    return result


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, round(fraction * (len(values) - 1)))
    return values[index]


def report(results: list[RunResult]) -> Table:
    table = Table(title="Send to the clinic: load and fault runs (loopback)")
    for column in (
        "backend",
        "run",
        "clients",
        "workers",
        "acked/sent",
        "double posts",
        "retries",
        "stored",
        "missing",
        "twice",
        "integrity",
        "subs/s",
        "p50 ms",
        "p99 ms",
    ):
        table.add_column(column, justify="right" if column not in ("backend", "run") else "left")
    for r in results:
        rate = r.acked / r.wall if r.wall else 0
        table.add_row(
            r.backend,
            r.scenario,
            str(r.clients),
            str(r.workers),
            f"{r.acked}/{r.submissions}",
            str(r.double_posts),
            str(r.retries),
            str(r.stored),
            str(r.missing),
            str(r.duplicates),
            r.integrity or "-",
            f"{rate:.0f}",
            f"{1000 * percentile(r.latencies, 0.5):.0f}",
            f"{1000 * percentile(r.latencies, 0.99):.0f}",
        )
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scenario", choices=["steady", "kill", "both"], default="both")
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    if not 1 <= args.submissions <= 20_000 or not 1 <= args.clients <= 100:
        parser.error("keep it bounded: 1-20000 submissions, 1-100 clients")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    scenarios = ["steady", "kill"] if args.scenario == "both" else [args.scenario]
    console = Console(width=160)
    results = []
    for backend in backends:
        for scenario in scenarios:
            console.print(f"{backend} / {scenario}: {args.submissions} submissions ...")
            result = run(backend, scenario, args.submissions, args.clients, args.workers)
            for error in result.errors:
                console.print(f"  [red]{error}[/red]")
            results.append(result)
    console.print(report(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
