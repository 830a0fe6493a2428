"""The encode job's worker processes run their BLAS with one thread each (ADR 0701): the
encoder's own limit needs threadpoolctl, which is not installed, so ``encode_corpus`` sets the
libraries' thread variables for the workers it starts, and only for them."""

import os

import numpy as np

from innolink.engines.matching.dense import _BLAS_ENV, encode_corpus


class EnvEncoder:
    """Encodes every text as the worker's BLAS thread settings (as numbers, 0 when unset)."""

    dim = len(_BLAS_ENV)

    def encode(self, texts):
        row = [float(os.environ.get(k, 0)) for k in _BLAS_ENV]
        return np.tile(np.asarray(row, np.float32), (len(texts), 1))


def test_workers_get_one_blas_thread_and_the_parent_keeps_its_settings(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    out = encode_corpus(EnvEncoder(), ["甲", "乙", "丙", "丁"], batch_size=1, workers=2,
                        encoder_factory=EnvEncoder)
    assert out.tolist() == [[1.0, 1.0, 1.0]] * 4
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2" and "OMP_NUM_THREADS" not in os.environ
