"""A private PostgreSQL cluster in a temporary directory, on a free port: the harness restarts
it without touching the machine's shared server.

PostgreSQL refuses to run as root; when the harness runs as root the cluster is created and run
as the `postgres` system user (through `runuser`), in a directory handed to that user."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import free_port

SERVICE_USER = "postgres"


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    return Path(on_path).parent


@dataclass(frozen=True)
class PrivateCluster:
    data_dir: Path
    port: int
    bin_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql://{SERVICE_USER}@127.0.0.1:{self.port}/huifang"

    def _run(self, tool: str, *args: str) -> None:
        argv = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", SERVICE_USER, "--", *argv]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.data_dir / "server.log"),
                  "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
                        "-c fsync=off -c max_connections=200")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "-m", mode, "stop")

    def restart(self) -> None:
        """Every connection is cut (`immediate`: as a crash would), then the server is back."""
        self.stop("immediate")
        self.start()


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A directory of its own (not under the caller's, which the service user may not enter)."""
    workdir = Path(tempfile.mkdtemp(prefix="huifang-chaos-pg-"))
    data_dir = workdir / "pgdata"
    data_dir.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam(SERVICE_USER)
        for path in (workdir, data_dir):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    cluster = PrivateCluster(data_dir, free_port(), _bin_dir())
    cluster._run("initdb", "-D", str(data_dir), "-U", SERVICE_USER, "-A", "trust",
                 "-E", "UTF8", "--no-sync")
    cluster.start()
    try:
        cluster._run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U",
                     SERVICE_USER, "huifang")
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(workdir, ignore_errors=True)
