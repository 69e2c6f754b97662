"""Build the complaint model: JSONL → .spacy corpora → spaCy's own trainer → models/complaints/.

    python -m complaints.training [--force]

`huifang models build` (and so `run` and `test`) calls train() when is_stale(): the model is
missing, or any file it was built from changed (sha256 stamp in models/complaints/).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import spacy
from rich.console import Console
from spacy.cli.train import train as spacy_train
from spacy.tokens import DocBin

from complaints.dataset import read_labelled
from complaints.pipeline import MODEL_DIR
from complaints.script import to_simplified
from huifang.model_build import inputs_digest
from huifang.settings import PROJECT_ROOT

CONFIG = Path(__file__).with_name("config.cfg")
DATA_DIR = PROJECT_ROOT / "data" / "complaints"
STAMP_NAME = "inputs.sha256"
INPUTS = ["complaints/config.cfg", "complaints/components.py", "complaints/ngrams.py",
          "complaints/tokenizer.py", "complaints/script.py", "complaints/dataset.py",
          "complaints/training.py", "data/complaints/train.jsonl", "data/complaints/dev.jsonl",
          "data/dict"]

console = Console(stderr=True)


def is_stale(model_dir: Path = MODEL_DIR) -> bool:
    stamp = model_dir / STAMP_NAME
    if not (model_dir / "config.cfg").exists() or not stamp.exists():
        return True
    return stamp.read_text().strip() != inputs_digest(INPUTS)


def build_corpus(source: Path, target: Path) -> int:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {
        "@tokenizers": "huifang.jieba_tokenizer.v1"}}})
    corpus = DocBin(store_user_data=False)
    items = read_labelled(source)
    for item, doc in zip(items, nlp.pipe(to_simplified(i.text) for i in items)):
        doc.cats = item.cats
        corpus.add(doc)
    corpus.to_disk(target)
    return len(items)


def train(force: bool = False, model_dir: Path = MODEL_DIR) -> Path:
    """Train into model_dir unless it is up to date; returns model_dir."""
    if not force and not is_stale(model_dir):
        return model_dir
    digest = inputs_digest(INPUTS)
    started = time.monotonic()
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model_dir.parent, prefix=".complaints-") as tmp:
        work = Path(tmp)
        for split in ("train", "dev"):
            count = build_corpus(DATA_DIR / f"{split}.jsonl", work / f"{split}.spacy")
            console.print(f"[cyan]complaints[/cyan]: {split} corpus, {count} texts")
        console.print("[cyan]complaints[/cyan]: training (spaCy) …")
        spacy_train(CONFIG, work / "output", use_gpu=-1,
                    overrides={"paths.train": str(work / "train.spacy"),
                               "paths.dev": str(work / "dev.spacy")})
        if model_dir.exists():
            shutil.rmtree(model_dir)
        shutil.move(work / "output" / "model-best", model_dir)
    (model_dir / STAMP_NAME).write_text(digest + "\n")
    console.print(f"[green]complaints[/green]: model saved to {model_dir} "
                  f"in {time.monotonic() - started:.0f} s")
    return model_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="retrain even if up to date")
    train(force=parser.parse_args().force)


if __name__ == "__main__":
    main()
