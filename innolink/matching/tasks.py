"""Background work of the matching app: encode stale profiles, rebuild the index."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop as N_

from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.matching import fetch
from innolink.matching.index import (
    POOLS,
    encoder_factory,
    get_encoder,
    shared_enabled,
    stale_documents,
    store_vectors,
    write_machine_index,
)
from innolink.matching.services import ENCODE_KIND, REBUILD_KIND, index_generation_bump

logger = logging.getLogger(__name__)

BATCH = 512
#: with at least this many texts to encode, the encoder runs in worker processes (ADR 0340)
PARALLEL_FROM = 4096


def encode_workers() -> int:
    """``settings.INNOLINK_MATCHING_ENCODE_WORKERS`` (default 2: both cores of the reference
    machine; each worker runs one BLAS thread)."""
    return max(1, int(getattr(settings, "INNOLINK_MATCHING_ENCODE_WORKERS", 2)))


def encode_stale(progress: Progress | None = None) -> dict[str, int]:
    """Encode every profile whose stored vector is missing or stale; returns counts per kind.

    Reading and checking is one phase; each batch of vectors is stored in its own transaction,
    so an interrupted job keeps what it has done and progress is visible while it runs."""
    encoder = get_encoder()
    if encoder is None:
        return {"encoded": 0, "dense": 0}
    loaders = {"researchers": fetch.researcher_docs, "challenges": fetch.challenge_docs,
               "enterprises": fetch.enterprise_docs}
    if progress:
        progress(0, None, N_("读取画像文本"), force=True)
    todo = []
    for name, kind in POOLS:
        docs = [d for _, d in loaders[name]()]
        todo.extend((kind, oid, text, h) for oid, text, h in stale_documents(kind, encoder.name,
                                                                             docs))
    total = len(todo)
    if progress:
        progress(0, total, N_("需编码 %(n)s 条"), params={"n": total}, force=True)
    # shortest texts first: batches of similar length (ADR 0340); each batch is stored as
    # soon as it is encoded, so an interrupted job keeps its work
    todo.sort(key=lambda item: len(item[2]))
    bulk = total >= PARALLEL_FROM
    workers = encode_workers() if bulk else 1
    # a bulk job builds its own encoder (with the per-token-id cache, ADR 0702) in each worker,
    # or in this process for one worker; a few texts use the process's query encoder
    factory = encoder_factory() if bulk else None
    for start, vecs in _encoded_batches([t for _, _, t, _ in todo], encoder, factory, workers):
        batch = todo[start:start + BATCH]
        with transaction.atomic():
            for kind in {k for k, _, _, _ in batch}:
                store_vectors(kind, encoder.name, [(oid, h, v) for (k, oid, _, h), v
                                                   in zip(batch, vecs) if k == kind])
        if progress:
            progress(start + len(batch), total, N_("已编码 %(done)s/%(total)s"),
                     params={"done": start + len(batch), "total": total}, force=True)
    return {"encoded": total, "dense": 1}


def _encoded_batches(texts, encoder, factory, workers):
    """``(start, vectors)`` per batch of ``BATCH`` texts, in order; with a factory and more
    than one worker the batches are encoded by that many spawned processes, a few ahead of
    the batch being stored; with a factory and one worker, by an encoder built here."""
    starts = range(0, len(texts), BATCH)
    if factory is None or workers < 2:
        if factory is not None:
            encoder = factory()  # this job's own: its cache goes with it
        for start in starts:
            yield start, encoder.encode(texts[start:start + BATCH])
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from innolink.engines.matching import dense

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=dense._worker_init,
                             initargs=(factory,)) as ex:
        pending = []
        for start in starts:
            # the workers start at the first submissions: one BLAS thread each (ADR 0701)
            with dense.one_blas_thread_env():
                pending.append((start, ex.submit(dense._worker_encode,
                                                 texts[start:start + BATCH])))
            if len(pending) > 2 * workers:
                s0, fut = pending.pop(0)
                yield s0, fut.result()
        for s0, fut in pending:
            yield s0, fut.result()


@job_runner(ENCODE_KIND)
def run_encode(job: Job, progress: Progress) -> dict:
    return encode_stale(progress)


@job_runner(REBUILD_KIND)
def run_rebuild(job: Job, progress: Progress) -> dict:
    result = encode_stale(progress)
    with transaction.atomic():
        state = index_generation_bump(actor=job.created_by, note="全量重建",
                                      source=f"job:{str(job.pk)[:8]}")
    shared = None
    if shared_enabled() and result["dense"]:
        # the machine's shared vector file: every web process maps it instead of reading
        # 350k stored vectors into its own memory (ADR 0341); without it they still can
        try:
            shared = str(write_machine_index(state.generation))
        except OSError:
            logger.exception("could not write the shared matching index")
    progress(result["encoded"], result["encoded"], N_("已通知各进程重建索引"),
             force=True)
    return {**result, "generation": state.generation, "shared_index": shared}
