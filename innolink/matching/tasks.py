"""Background work of the matching app: encode stale profiles, rebuild the index."""

from __future__ import annotations

from django.db import transaction

from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.matching import fetch
from innolink.matching.index import POOLS, get_encoder, stale_documents, store_vectors
from innolink.matching.services import ENCODE_KIND, REBUILD_KIND, index_generation_bump

BATCH = 512


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
        progress(0, None, "读取画像文本", force=True)
    todo = []
    for name, kind in POOLS:
        docs = [d for _, d in loaders[name]()]
        todo.extend((kind, oid, text, h) for oid, text, h in stale_documents(kind, encoder.name,
                                                                             docs))
    total = len(todo)
    if progress:
        progress(0, total, f"需编码 {total} 条", force=True)
    for start in range(0, total, BATCH):
        batch = todo[start:start + BATCH]
        vecs = encoder.encode([t for _, _, t, _ in batch])
        with transaction.atomic():
            for kind in {k for k, _, _, _ in batch}:
                store_vectors(kind, encoder.name, [(oid, h, v) for (k, oid, _, h), v
                                                   in zip(batch, vecs) if k == kind])
        if progress:
            progress(start + len(batch), total, f"已编码 {start + len(batch)}/{total}",
                     force=True)
    return {"encoded": total, "dense": 1}


@job_runner(ENCODE_KIND)
def run_encode(job: Job, progress: Progress) -> dict:
    return encode_stale(progress)


@job_runner(REBUILD_KIND)
def run_rebuild(job: Job, progress: Progress) -> dict:
    result = encode_stale(progress)
    with transaction.atomic():
        state = index_generation_bump(actor=job.created_by, note="全量重建",
                                      source=f"job:{str(job.pk)[:8]}")
    progress(result["encoded"], result["encoded"], "已通知各进程重建索引", force=True)
    return {**result, "generation": state.generation}
