"""The whole index shared per machine (ADR 0700): the rebuild job writes each pool's BM25
arrays beside the vectors; a new process maps them, reads only the candidates' records and
applies the rows changed since the worker read them. Its recommendations equal those of the
engine a process builds from the database, before and after edits."""

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from innolink.accounts.roles import Role
from django.utils import timezone

from innolink.challenges.models import Challenge, ChallengeState, ResearcherProfile
from innolink.enterprises.testing import make_user
from innolink.enterprises.models import Enterprise
from innolink.matching import index, selectors, services, shared_index
from innolink.matching.tests.factories import make_challenge, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # its file starts first (decision 0797)

WORDS = ["光刻胶", "锂电池", "回收", "鞋中底", "发泡", "中药", "提取", "印染", "废水", "芯片",
         "封装", "陶瓷", "涂层", "纺织", "石墨烯", "传感器", "电机", "高分子", "半导体材料", "电化学"]


@pytest.fixture
def corpus(settings):
    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    settings.INNOLINK_MATCHING_NGRAMS = "off"  # as at 350,000 profiles with a dense model
    challenges = [make_challenge(), make_challenge(title="锂电池回收涂层工艺")]
    profiles = [make_profile(keywords="，".join(WORDS[(i * 7 + j * 3) % len(WORDS)]
                                                for j in range(3)),
                             research_fields=WORDS[(i * 5) % len(WORDS)],
                             achievements=f"{WORDS[i % len(WORDS)]}中试，规模 {i} 吨")
                for i in range(130)]  # more than the engine's 100 candidates: search runs
    return challenges, profiles


@pytest.fixture
def staff():
    return make_user(Role.ORGANIZER)


def _an_hour_ago():
    """Records written an hour ago: nothing for a new process's first delta sync to apply
    but what changes after the write (rows inside the sync's overlap are applied again)."""
    hour_ago = timezone.now() - timedelta(hours=1)
    for model in (ResearcherProfile, Challenge, Enterprise):
        model.objects.update(updated_at=hour_ago)


def _rebuild(staff, capture):
    with capture(execute=True):
        job = services.index_rebuild_start(actor=staff)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return job


def _recs(staff, challenges, profile):
    out = []
    for c in challenges:
        out.append([(r.obj.pk, round(r.score, 9), json.dumps(r.as_api(), sort_keys=True,
                                                            default=str))
                    for r in selectors.recommendations_for_challenge(staff, c.pk)])
    out.append([(r.obj.pk, round(r.score, 9))
                for r in selectors.recommend_challenges(profile)])
    return out


def _same(got, want):
    """Equal recommendations; on a difference, say which row and which field differ."""
    assert len(got) == len(want)
    for part, (g, w) in enumerate(zip(got, want)):
        assert [row[0] for row in g] == [row[0] for row in w], (
            part, [row[:2] for row in g][:12], [row[:2] for row in w][:12])
        for a, b in zip(g, w):
            if a != b and len(a) == 3:
                da, db = json.loads(a[2]), json.loads(b[2])
                diff = {k: (da[k], db.get(k)) for k in da if da[k] != db.get(k)}
                raise AssertionError(f"list {part}, id {a[0]}: {a[1]} vs {b[1]}; {diff}")
            assert a == b, (part, a, b)


def _fresh(settings, shared: bool):
    """A new process: with the shared lexical index, or building its own (the vectors are
    mapped from the same set either way, as before this change)."""
    settings.INNOLINK_MATCHING_SHARED_LEXICAL = shared
    index.reset_index_cache()


def test_a_new_process_maps_the_lexical_index_and_ranks_as_a_database_build(
        settings, staff, corpus, django_capture_on_commit_callbacks):
    challenges, profiles = corpus
    _an_hour_ago()
    job = _rebuild(staff, django_capture_on_commit_callbacks)
    path = Path(job.result["shared_index"])
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(manifest["lexical"]) == {"researchers", "challenges", "enterprises"}
    assert manifest["terms_hash"] and manifest["watermark"]

    _fresh(settings, True)
    mapped = _recs(staff, challenges, profiles[0])
    cache = index._cache
    assert cache.stats.get("shared") == 1
    pool = cache.engine._pools["researchers"]
    assert isinstance(pool.lexical.t_imp.base, np.memmap)
    assert Path(pool.lexical.t_imp.base.filename).parent == path
    assert len(pool.docs._docs) < len(profiles)  # only candidates were read

    _fresh(settings, False)
    built = _recs(staff, challenges, profiles[0])
    assert index._cache.stats.get("shared") is None
    _same(mapped, built)
    assert all(mapped)

    # a profile deleted after the write: dropped when the new process fetches it
    gone = mapped[0][0][0]
    ResearcherProfile.objects.filter(pk=gone).delete()
    _fresh(settings, True)
    again = _recs(staff, challenges, profiles[0])
    assert all(row[0] != gone for part in again for row in part) and all(again)


def test_changes_after_the_write_are_applied_as_the_per_process_engine_applies_them(
        settings, staff, corpus, django_capture_on_commit_callbacks):
    challenges, profiles = corpus
    _an_hour_ago()
    _rebuild(staff, django_capture_on_commit_callbacks)
    # a process that built its own engine before the changes, then syncs them
    _fresh(settings, False)
    _recs(staff, challenges, profiles[0])
    old_cache = index._cache

    edited = profiles[5]
    edited.keywords = "锂电池回收，陶瓷涂层，石墨烯"
    edited.save()
    newcomer = make_profile(keywords="锂电池回收，全新工艺", research_fields="电化学")
    withdrawn = make_challenge(title="纺织印染废水处理")
    _rebuild_free = withdrawn  # published after the write: reaches the shared process by sync
    Challenge.objects.filter(pk=challenges[1].pk).update(state=ChallengeState.CLOSED,
                                                         updated_at=timezone.now())

    _fresh(settings, True)
    mapped = _recs(staff, [challenges[0], _rebuild_free], profiles[0])
    assert index._cache.stats.get("shared") == 1
    pool = index._cache.engine._pools["researchers"]
    assert str(newcomer.pk) in pool.pos and str(edited.pk) in pool.pos

    index._cache = old_cache  # the old process, after its delta sync
    settings.INNOLINK_MATCHING_SHARED_LEXICAL = False
    old_cache.synced_at = 0.0
    synced = _recs(staff, [challenges[0], _rebuild_free], profiles[0])
    _same(mapped, synced)
    assert challenges[1].pk not in [pk for pk, _ in mapped[-1]]


def test_a_set_for_another_generation_or_term_dictionary_is_not_attached(
        settings, staff, corpus, django_capture_on_commit_callbacks):
    challenges, profiles = corpus
    _rebuild(staff, django_capture_on_commit_callbacks)
    enc = index.get_encoder()
    shared = shared_index.open_shared_index(encoder=enc.name, dim=enc.dim)
    assert shared.has_lexical
    gen = index.current_generation()
    assert index._attach_shared(shared, gen + 1, [], enc) is None
    assert index._attach_shared(shared, gen, ["新术语"], enc) is None
    assert index._attach_shared(shared, gen, [], enc) is not None
    settings.INNOLINK_MATCHING_NGRAMS = "on"  # a configuration with n-grams builds its own
    assert index._attach_shared(shared, gen, [], enc) is None


def test_with_ngrams_on_the_set_carries_vectors_only(
        settings, staff, corpus, django_capture_on_commit_callbacks):
    settings.INNOLINK_MATCHING_NGRAMS = "auto"  # 130 profiles: n-grams on
    job = _rebuild(staff, django_capture_on_commit_callbacks)
    manifest = json.loads((Path(job.result["shared_index"]) / "manifest.json").read_text())
    assert "lexical" not in manifest
