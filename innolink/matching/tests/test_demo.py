import pytest

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.matching import demo
from innolink.matching.models import AssignmentRun, TechTerm
from innolink.matching.tests.factories import make_challenge, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.demo_seed]


def test_demo_seed_is_idempotent():
    staff = make_user(Role.ORGANIZER, username="organizer")
    challenge = make_challenge(staff=staff)
    challenge.is_demo = True
    challenge.save()
    make_profile(keywords="光刻胶，BCB")
    first = demo.seed(seed=2026)
    assert "16 terms added" in first and "1 invitation run" in first
    assert TechTerm.objects.count() == len(demo.TERMS)
    run = AssignmentRun.objects.get()
    assert run.challenge_ids == [challenge.pk] and len(run.pairs) == 1
    second = demo.seed(seed=2026)
    assert "0 terms added" in second and "0 invitation run" in second
    assert AssignmentRun.objects.count() == 1
