"""The machine's shared vector index (ADR 0341): written once by the rebuild job, mapped by
every process with identical results, checked row by row, refused when it does not fit."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.matching import index, selectors, services, shared_index
from innolink.matching.tests.factories import make_challenge, make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return make_user(Role.ORGANIZER)


@pytest.fixture
def corpus(settings):
    settings.INNOLINK_MATCHING_ENCODER = "hashing"
    challenge = make_challenge()
    profiles = [make_profile(keywords=k, research_fields=f)
                for k, f in [("光刻胶", "半导体材料"), ("锂电池回收", "电化学"), ("鞋中底发泡", "高分子"),
                             ("中药提取", "药学"), ("纺织印染废水", "环境工程")]]
    return challenge, profiles


def _rebuild(staff, capture):
    with capture(execute=True):
        job = services.index_rebuild_start(actor=staff)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return job


def _ranking(staff, challenge):
    recs = selectors.recommendations_for_challenge(staff, challenge.pk)
    return [(r.obj.pk, round(r.score, 6)) for r in recs]


def test_rebuild_writes_the_index_and_a_new_process_maps_it_with_identical_results(
        settings, staff, corpus, django_capture_on_commit_callbacks):
    challenge, profiles = corpus
    job = _rebuild(staff, django_capture_on_commit_callbacks)
    path = Path(job.result["shared_index"])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["generation"] == job.result["generation"] == index.current_generation()
    assert manifest["counts"]["researchers"] == len(profiles)

    index.reset_index_cache()
    mapped = _ranking(staff, challenge)
    pool = index._cache.engine._pools["researchers"]
    assert isinstance(pool.emb, np.memmap) and Path(pool.emb.filename).parent == path

    # the same process without the shared file: vectors read from the database
    settings.INNOLINK_MATCHING_SHARED_INDEX = False
    index.reset_index_cache()
    from_db = _ranking(staff, challenge)
    assert not isinstance(index._cache.engine._pools["researchers"].emb, np.memmap)
    assert mapped == from_db and mapped  # same ranking, scores to 6 places


def test_an_edit_after_the_index_was_written_is_not_hidden(
        staff, corpus, django_capture_on_commit_callbacks):
    challenge, profiles = corpus
    _rebuild(staff, django_capture_on_commit_callbacks)
    edited = profiles[0]
    edited.keywords = "超临界发泡，鞋中底"
    edited.save()
    index.reset_index_cache()
    _ranking(staff, challenge)
    pool = index._cache.engine._pools["researchers"]
    # the stale row is refused: the pool is a private matrix with the new text's vector
    assert not isinstance(pool.emb, np.memmap)
    from innolink.matching import fetch

    p = pool.pos[str(edited.pk)]
    expected = index.get_encoder().encode([fetch.doc_text(pool.docs[p])])[0]
    row = pool.emb[p]
    assert abs(row - expected).max() < 1e-6


def test_an_upsert_on_a_mapped_pool_never_writes_the_file(
        staff, corpus, django_capture_on_commit_callbacks):
    challenge, profiles = corpus
    job = _rebuild(staff, django_capture_on_commit_callbacks)
    vec_file = Path(job.result["shared_index"]) / "researchers.vectors.npy"
    before = vec_file.read_bytes()
    index.reset_index_cache()
    _ranking(staff, challenge)
    assert isinstance(index._cache.engine._pools["researchers"].emb, np.memmap)
    profiles[1].keywords = "光刻胶，光刻胶"
    profiles[1].save()
    newcomer = make_profile(keywords="光刻胶")
    ranked = _ranking(staff, challenge)  # delta sync: one replaced row, one appended row
    assert newcomer.pk in [pk for pk, _ in ranked]
    assert vec_file.read_bytes() == before


def test_a_set_of_another_encoder_or_a_broken_set_is_refused(
        settings, staff, corpus, django_capture_on_commit_callbacks):
    challenge, _ = corpus
    job = _rebuild(staff, django_capture_on_commit_callbacks)
    path = Path(job.result["shared_index"])
    root = Path(settings.INNOLINK_MATCHING_INDEX_DIR)
    enc = index.get_encoder()
    assert shared_index.open_shared_index(encoder=enc.name, dim=enc.dim, directory=root)
    assert shared_index.open_shared_index(encoder="other-model", dim=enc.dim,
                                          directory=root) is None
    assert shared_index.open_shared_index(encoder=enc.name, dim=enc.dim + 1,
                                          directory=root) is None
    # a manifest that does not match its arrays
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["counts"]["researchers"] += 1
    (path / "manifest.json").write_text(json.dumps(manifest))
    assert shared_index.open_shared_index(encoder=enc.name, dim=enc.dim, directory=root) is None
    # and a process then builds from the database, with the same results as before
    index.reset_index_cache()
    ranked = _ranking(staff, challenge)
    assert ranked and not isinstance(index._cache.engine._pools["researchers"].emb, np.memmap)


def test_a_new_rebuild_replaces_the_set_and_removes_the_old_one(
        settings, staff, corpus, django_capture_on_commit_callbacks):
    first = Path(_rebuild(staff, django_capture_on_commit_callbacks).result["shared_index"])
    second = Path(_rebuild(staff, django_capture_on_commit_callbacks).result["shared_index"])
    root = Path(settings.INNOLINK_MATCHING_INDEX_DIR)
    assert (root / "CURRENT").read_text() == second.name
    assert not first.exists() and second.exists()
    assert json.loads((second / "manifest.json").read_text())["generation"] == 2


_READER = textwrap.dedent("""
    import json, sys
    import numpy as np
    from innolink.engines.matching.dense import DenseIndex
    root, query = sys.argv[1], np.array(json.loads(sys.argv[2]), np.float32)
    name = open(root + "/CURRENT").read().strip()
    vecs = np.load(f"{root}/{name}/researchers.vectors.npy", mmap_mode="c")
    ids = np.load(f"{root}/{name}/researchers.ids.npy")
    maps = [l for l in open("/proc/self/maps") if "researchers.vectors.npy" in l]
    res = DenseIndex(vecs, ids).search(query, k=3)
    print(json.dumps({"ids": res.ids.tolist(), "scores": res.scores.tolist(),
                      "mapped": bool(maps), "memmap": isinstance(vecs, np.memmap)}))
""")


def test_two_processes_read_the_one_index_with_identical_results(
        settings, staff, corpus, django_capture_on_commit_callbacks):
    _rebuild(staff, django_capture_on_commit_callbacks)
    root = settings.INNOLINK_MATCHING_INDEX_DIR
    enc = index.get_encoder()
    query = enc.encode(["光刻胶 半导体材料"])[0]
    outs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", _READER, root, json.dumps(query.tolist())],
                              capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parents[3])
        outs.append(json.loads(done.stdout))
    assert outs[0] == outs[1]
    assert outs[0]["mapped"] and outs[0]["memmap"]
    # and they agree with this process's engine over the database's vectors
    from innolink.matching.models import StoredEmbedding

    rows = StoredEmbedding.objects.filter(kind="researcher", model=enc.name)
    ids = np.array([r.object_id for r in rows])
    mat = np.vstack([r.as_array() for r in rows])
    s = mat @ query
    order = np.lexsort((ids, -s))[:3]
    assert outs[0]["ids"] == ids[order].tolist()
    np.testing.assert_allclose(outs[0]["scores"], s[order], atol=1e-6)


def test_the_writer_stores_unit_rows_and_a_process_maps_them_without_reading_them_all(
        tmp_path, monkeypatch):
    """Format 3 (ADR 0342): rows scaled once by the writer; a reader checks a sample only, so a
    new process's first query does not read 350,000 × 512 floats to normalise them."""
    vecs = np.array([[3, 4, 0], [0, 0, 0], [1, 1, 1], [0, 0, 2]], np.float32)
    shared_index.write_shared_index(generation=1, encoder="e", dim=3, directory=tmp_path,
                                    pools={"researchers": ([1, 2, 3, 4], ["a" * 40] * 4, vecs)})
    opened = shared_index.open_shared_index(encoder="e", dim=3, directory=tmp_path)
    stored = np.asarray(opened.pools["researchers"].vectors)
    assert np.allclose(np.linalg.norm(stored, axis=1), [1, 0, 1, 1], atol=1e-6)
    assert np.allclose(stored[0], [0.6, 0.8, 0]) and np.allclose(stored[3], [0, 0, 1])

    # the engine uses the mapping as it is (no private normalised copy, no full read)
    from innolink.engines.matching.engine import MatchingEngine, _Pool

    def refuse_full_read(m):
        raise AssertionError("every row read to normalise a unit-row mapping")

    monkeypatch.setattr("innolink.engines.matching.engine._normalize_rows", refuse_full_read)

    class Docs(list):
        def prefetch(self, pos):
            return None

    pool = _Pool.attached(MatchingEngine(ngram_factory=None, encoder=_Encoder()),
                          ["1", "2", "3", "4"], Docs([None] * 4),
                          _lexical(4), frozenset(), opened.pools["researchers"].vectors,
                          unit_rows=True)
    assert pool.emb is opened.pools["researchers"].vectors


def test_a_set_whose_vectors_are_not_unit_rows_is_refused(tmp_path):
    vecs = np.eye(3, dtype=np.float32)
    path = shared_index.write_shared_index(
        generation=1, encoder="e", dim=3, directory=tmp_path,
        pools={"researchers": ([1, 2, 3], ["a" * 40] * 3, vecs)})
    assert shared_index.open_shared_index(encoder="e", dim=3, directory=tmp_path)
    np.save(path / "researchers.vectors.npy", vecs * 2)  # damaged, or written by an old writer
    assert shared_index.open_shared_index(encoder="e", dim=3, directory=tmp_path) is None
    manifest = json.loads((path / "manifest.json").read_text())
    np.save(path / "researchers.vectors.npy", vecs)
    manifest["format"] = 2  # a set from before unit rows were guaranteed
    (path / "manifest.json").write_text(json.dumps(manifest))
    assert shared_index.open_shared_index(encoder="e", dim=3, directory=tmp_path) is None


class _Encoder:
    name, dim = "e", 3

    def encode(self, texts):
        return np.ones((len(texts), 3), np.float32)


def _lexical(n):
    from innolink.engines.matching.lexical import LexicalIndex

    return LexicalIndex.build([["词"] for _ in range(n)])
