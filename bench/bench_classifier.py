"""Complaint classifier benchmark: model load time, texts/s at batch sizes 1 and 256, and the
mean milliseconds for one text classified on its own (targets: ≥ 2,000 texts/s batched,
≤ 5 ms per single text).

    .venv/bin/python -m bench.bench_classifier [--texts N]      (or `make bench`)

Texts are the generator's test split (repeated as needed); the batched rate is also measured on
the outside dev set's texts (data/dev/complaints.jsonl: longer, written by a person). Each rate
is given in wall-clock time and in CPU time of this process (`*_cpu`), which a busy shared
machine disturbs less. Results are printed and written to bench/results/classifier.json.
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


def throughput(classifier: ComplaintClassifier, texts: list[str], batch_size: int
               ) -> tuple[float, float]:
    """Texts per second of wall-clock time and of this process's CPU time."""
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), batch_size):
        classifier.classify(texts[start:start + batch_size], batch_size=batch_size)
    return (len(texts) / (time.perf_counter() - started),
            len(texts) / (time.process_time() - cpu))


def main(count: int = 2048) -> None:
    training.train()  # no-op when the model is up to date
    started = time.perf_counter()
    # includes jieba's dictionary
    classifier = ComplaintClassifier(spacy.load(MODEL_DIR), Decision.load(MODEL_DIR))
    load_seconds = time.perf_counter() - started
    test = [item.text for item in read_labelled(training.GENERATOR_TEST)]
    texts = list(islice(cycle(test), count))
    dev = list(islice(cycle(item.text for item in read_labelled(training.OUTSIDE_DEV_FILE)),
                      count))
    classifier.classify(texts[:256])  # warm caches
    single, single_cpu = throughput(classifier, texts[: count // 4], 1)
    batched, batched_cpu = throughput(classifier, texts, 256)
    dev_batched, dev_batched_cpu = throughput(classifier, dev, 256)
    results = {
        "model_load_s": round(load_seconds, 3),
        "texts_per_s_batch_1": round(single, 1),
        "texts_per_s_batch_1_cpu": round(single_cpu, 1),
        "ms_per_single_text": round(1000 / single, 3),
        "texts_per_s_batch_256": round(batched, 1),
        "texts_per_s_batch_256_cpu": round(batched_cpu, 1),
        "texts_per_s_batch_256_dev_texts": round(dev_batched, 1),
        "texts_per_s_batch_256_dev_texts_cpu": round(dev_batched_cpu, 1),
        "texts": count,
        "mean_text_chars": round(sum(map(len, texts)) / len(texts), 1),
        "mean_dev_text_chars": round(sum(map(len, dev)) / len(dev), 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
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
