"""Complaint classifier benchmark: model load time, texts/s at batch sizes 1 and 256, and the
mean milliseconds for one text classified on its own (targets: ≥ 2,000 texts/s batched,
≤ 5 ms per single text).

    .venv/bin/python -m bench.bench_classifier [--texts N]      (or `make bench`)

Texts are the held-out test split (repeated as needed). Results are printed and written to
bench/results/classifier.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from itertools import cycle, islice

import spacy

from complaints import training
from complaints.dataset import read_labelled
from complaints.decision import Decision
from complaints.pipeline import MODEL_DIR, ComplaintClassifier
from huifang.settings import PROJECT_ROOT


def throughput(classifier: ComplaintClassifier, texts: list[str], batch_size: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        classifier.classify(texts[start:start + batch_size], batch_size=batch_size)
    return len(texts) / (time.perf_counter() - started)


def main(count: int = 2048) -> None:
    training.train()  # no-op when the model is up to date
    started = time.perf_counter()
    # includes jieba's dictionary
    classifier = ComplaintClassifier(spacy.load(MODEL_DIR), Decision.load(MODEL_DIR))
    load_seconds = time.perf_counter() - started
    test = [item.text for item in read_labelled(training.DATA_DIR / "test.jsonl")]
    texts = list(islice(cycle(test), count))
    classifier.classify(texts[:256])  # warm caches
    single = throughput(classifier, texts[: count // 4], 1)
    results = {
        "model_load_s": round(load_seconds, 3),
        "texts_per_s_batch_1": round(single, 1),
        "ms_per_single_text": round(1000 / single, 3),
        "texts_per_s_batch_256": round(throughput(classifier, texts, 256), 1),
        "texts": count,
        "mean_text_chars": round(sum(map(len, texts)) / len(texts), 1),
        "machine": f"{platform.processor() or platform.machine()}, "
                   f"{os.cpu_count()} cores",
    }
    for key, value in results.items():
        print(f"{key:24} {value}")
    out = PROJECT_ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "classifier.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2048, help="texts per measurement")
    main(parser.parse_args().texts)
