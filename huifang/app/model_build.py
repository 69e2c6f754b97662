"""Train the models when they are missing or their inputs changed (run and test call this).

Both models are rebuilt from files in the repository only; a hash of the inputs is stored next
to each model so a stale model is detected without retraining on every start.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from huifang.settings import PROJECT_ROOT

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_MODEL_DIR = PROJECT_ROOT / "models" / "rasa"
RASA_MODEL = RASA_MODEL_DIR / "huifang.tar.gz"
RASA_INPUTS = ["config.yml", "domain.yml", "data/nlu", "data/rules", "data/dict",
               "nlu_components", "requirements/rasa.lock"]
RASA_DATA = ["data/nlu", "data/rules"]


def inputs_digest(paths: list[str], root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in paths:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelStamp:
    """A built model and the repository files it is built from: stale when `required` is
    missing or any input changed since the build (their sha256, stored in `stamp_file`)."""

    required: Path
    stamp_file: Path
    inputs: tuple[str, ...]

    def digest(self) -> str:
        return inputs_digest(list(self.inputs))

    def is_stale(self) -> bool:
        if not self.required.exists() or not self.stamp_file.exists():
            return True
        return self.stamp_file.read_text().strip() != self.digest()

    def write(self, digest: str) -> None:
        """`digest` as computed before the build, so an input edited during it stays stale."""
        self.stamp_file.write_text(digest + "\n")


RASA_STAMP = ModelStamp(RASA_MODEL, RASA_MODEL_DIR / "inputs.sha256", tuple(RASA_INPUTS))


def train_rasa(force: bool = False) -> Path:
    if not force and not RASA_STAMP.is_stale():
        return RASA_MODEL
    digest = RASA_STAMP.digest()
    subprocess.run(
        [str(RASA_BIN), "train", "--config", "config.yml", "--domain", "domain.yml",
         "--data", *RASA_DATA, "--out", str(RASA_MODEL_DIR), "--fixed-model-name", "huifang",
         "--force"],
        cwd=PROJECT_ROOT, check=True,
    )
    RASA_STAMP.write(digest)
    return RASA_MODEL


@contextmanager
def _build_lock(model: str) -> Iterator[None]:
    """Concurrent builders of one model (two test runs, `run` beside `test`) train it one at a
    time; the second then finds it fresh and trains nothing."""
    lock_path = PROJECT_ROOT / "models" / f".{model}.build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_complaint_model(force: bool = False) -> None:
    """Only the complaint classifier (its tests need no Rasa model)."""
    from complaints import training

    with _build_lock("complaints"):
        training.train(force=force)  # a no-op when the model is up to date


def build_rasa_model(force: bool = False) -> None:
    with _build_lock("rasa"):
        train_rasa(force)


def build_all(force: bool = False) -> None:
    """Both models at once when both are stale: Rasa trains in its own process (TensorFlow)
    while spaCy trains the classifier here, one core each."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rasa-build") as rasa:
        rasa_built = rasa.submit(build_rasa_model, force)
        build_complaint_model(force)
        rasa_built.result()
