"""The per-process engine: built once, kept current by delta sync, rebuilt on a new
generation, and never trusted over the database."""

import pytest

from innolink.accounts.roles import Role
from innolink.challenges import services as board
from innolink.enterprises.testing import make_user
from innolink.matching import index, selectors, services
from innolink.matching.models import StoredEmbedding
from innolink.matching.tests.factories import make_challenge, make_profile, make_researcher_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return make_user(Role.ORGANIZER)


def _ids(recs):
    return [r.obj.pk for r in recs]


def test_editing_a_profile_shows_in_the_next_query_without_a_rebuild(staff):
    # given a warm engine where nobody matches 超临界发泡
    challenge = make_challenge(title="超临界发泡中底回弹提升", statement="超临界发泡鞋中底材料开发，要求回弹率不低于60%，兼顾轻量化与耐久性。",
                               keywords="超临界发泡 中底", indicators=[
                                   {"name": "回弹率", "comparator": "ge", "value": "60", "unit": "%"}])
    other = make_profile(keywords="锂电池", research_fields="电化学", domains=["energy"])
    profile = make_profile(keywords="陶瓷", research_fields="建筑陶瓷", domains=["materials"])
    first = selectors.recommendations_for_challenge(staff, challenge.pk)
    assert not any("超临界" in t for r in first for t in r.matched_terms)
    engine_before = index._cache.engine
    # when the researcher edits their keywords
    profile.keywords = "超临界发泡，鞋中底"
    profile.save()
    recs = selectors.recommendations_for_challenge(staff, challenge.pk)
    # then the same engine (no rebuild) ranks them first, on the new words
    assert index._cache.engine is engine_before
    assert _ids(recs)[0] == profile.pk
    # the battery researcher shares nothing with the listing: not recommended (ADR 0362)
    assert other.pk not in _ids(recs)
    assert {s["name"] for s in recs[0].signals} & {"lexical", "ngram"}  # the words lifted it
    assert any("超临界" in t for t in recs[0].matched_terms)


def test_a_new_profile_is_found_and_a_withdrawn_challenge_disappears(staff):
    user, profile = make_researcher_user(keywords="光刻胶，BCB", achievements="介电常数 2.5")
    keep = make_challenge(title="低介电常数光刻胶树脂开发")
    gone = make_challenge(title="BCB光刻胶介电常数优化")
    assert set(_ids(selectors.recommendations_for_researcher(user, profile.pk))) == {
        keep.pk, gone.pk}
    engine_before = index._cache.engine
    newcomer = make_profile(keywords="光刻胶")
    board.challenge_withdraw(actor=gone.created_by, challenge=gone, reason="需求变更")
    assert _ids(selectors.recommendations_for_researcher(user, profile.pk)) == [keep.pk]
    assert newcomer.pk in _ids(selectors.recommendations_for_challenge(staff, keep.pk))
    assert index._cache.engine is engine_before
    assert "challenges" in index._cache.engine._pools and \
        str(gone.pk) not in index._cache.engine.pool("challenges").pos


def test_a_generation_bump_rebuilds_the_engine_with_the_new_terms(staff):
    challenge = make_challenge()
    make_profile(keywords="光刻胶")
    selectors.recommendations_for_challenge(staff, challenge.pk)
    before = index._cache
    services.techterm_add(actor=staff, term="无盐染色")
    selectors.recommendations_for_challenge(staff, challenge.pk)
    after = index._cache
    assert after is not before and after.generation == before.generation + 1
    assert "无盐染色" in after.engine.tokenizer.terms
    assert after.engine.tokenizer.tokenize("无盐染色工艺")[0] == "无盐染色"


def test_an_id_the_database_no_longer_has_is_dropped_when_rendered(staff):
    challenge = make_challenge()
    keep = make_profile(keywords="光刻胶")
    stale = make_profile(keywords="光刻胶，BCB")
    assert stale.pk in _ids(selectors.recommendations_for_challenge(staff, challenge.pk))
    stale.delete()  # a delete leaves no updated_at for the sync to see
    recs = selectors.recommendations_for_challenge(staff, challenge.pk)
    assert _ids(recs) == [keep.pk] and [r.rank for r in recs] == [1]


def test_dense_vectors_are_stored_once_and_reused(settings, staff):
    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    challenge = make_challenge()
    profile = make_profile(keywords="光刻胶")
    selectors.recommendations_for_challenge(staff, challenge.pk)
    # a small pool keeps the n-grams next to the dense model (ADR 0360)
    assert {"dense", "ngram"} <= set(index._cache.engine.signal_names)
    row = StoredEmbedding.objects.get(kind="researcher", object_id=profile.pk)
    stamp = row.updated_at
    index.reset_index_cache()
    selectors.recommendations_for_challenge(staff, challenge.pk)
    row.refresh_from_db()
    assert row.updated_at == stamp  # read back, not recomputed
    assert len(row.as_array()) == row.dim == 128


def test_too_many_missing_vectors_build_without_the_dense_signal(settings, staff, monkeypatch):
    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    monkeypatch.setattr(index, "MAX_INLINE_ENCODE", 1)
    challenge = make_challenge()
    make_profile(keywords="光刻胶")
    make_profile(keywords="BCB")
    recs = selectors.recommendations_for_challenge(staff, challenge.pk)
    assert recs and "dense" not in {s["name"] for s in recs[0].signals}
    assert index.cache_info()["dense"] is False
    assert not StoredEmbedding.objects.exists()


def test_rebuild_job_encodes_changed_profiles_and_bumps_the_generation(
        settings, staff, django_capture_on_commit_callbacks):
    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    make_challenge()
    profile = make_profile(keywords="光刻胶")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.index_rebuild_start(actor=staff)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["encoded"] == 3  # one researcher, one challenge, one enterprise
    assert index.current_generation() == 1
    assert StoredEmbedding.objects.filter(kind="researcher", object_id=profile.pk).exists()
    # a second run finds nothing stale
    with django_capture_on_commit_callbacks(execute=True):
        job = services.index_rebuild_start(actor=staff)
    job.refresh_from_db()
    assert job.result["encoded"] == 0 and job.result["generation"] == 2


def test_encode_job_in_worker_processes_stores_the_same_vectors_as_in_process(
        settings, monkeypatch):
    """ADR 0340: above PARALLEL_FROM texts the job encodes in spawned worker processes, in
    order of text length; what it stores is what the in-process encoder computes."""
    from innolink.engines.matching.dense import HashingEncoder
    from innolink.matching import tasks

    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    settings.INNOLINK_MATCHING_ENCODE_WORKERS = 2
    monkeypatch.setattr(tasks, "BATCH", 2)
    monkeypatch.setattr(tasks, "PARALLEL_FROM", 1)
    profiles = [make_profile(keywords="光刻胶" * (i + 1), research_fields=f"方向{i}")
                for i in range(5)]
    seen = []
    result = tasks.encode_stale(lambda done, total, *a, **k: seen.append((done, total)))
    assert result["encoded"] == StoredEmbedding.objects.count() == 5  # profiles only
    enc = HashingEncoder(dim=128)
    from innolink.matching import fetch

    docs = {str(d.id): d for _, d in fetch.researcher_docs()}
    for p in profiles:
        row = StoredEmbedding.objects.get(kind="researcher", object_id=p.pk)
        text = fetch.doc_text(docs[str(p.pk)])
        assert row.text_hash == fetch.text_hash(text)
        assert abs(row.as_array() - enc.encode([text])[0]).max() < 1e-6
    done = [d for d, t in seen if t]
    assert done == sorted(done) and done[-1] == 5


def test_a_large_pool_with_a_dense_model_drops_the_ngrams(settings, staff, monkeypatch):
    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    monkeypatch.setattr(index, "NGRAM_AUTO_MAX_DOCS", 1)
    challenge = make_challenge()
    make_profile(keywords="光刻胶")
    selectors.recommendations_for_challenge(staff, challenge.pk)
    names = set(index._cache.engine.signal_names)
    assert "dense" in names and "ngram" not in names
    settings.INNOLINK_MATCHING_ENCODER = "none"
    index.reset_index_cache()
    selectors.recommendations_for_challenge(staff, challenge.pk)
    assert "ngram" in index._cache.engine.signal_names  # without a dense model: always on
