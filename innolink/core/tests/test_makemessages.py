"""``make messages`` keeps the msgids marked ``N_("…")`` (gettext_noop by its short name)."""

from django.core.management import call_command, get_commands


def test_the_project_makemessages_is_the_one_manage_py_runs():
    assert get_commands()["makemessages"] == "innolink.core"


def test_n_underscore_msgids_are_extracted(tmp_path, monkeypatch, settings):
    settings.LOCALE_PATHS = []
    (tmp_path / "locale").mkdir()
    (tmp_path / "jobs.py").write_text(
        'from django.utils.translation import gettext_noop as N_\n'
        'TITLE = N_("只用短名标记的作业标题")\n'
        'from django.utils.translation import gettext as _\n'
        'LABEL = _("普通标记的文字")\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["en"], verbosity=0)
    po = (tmp_path / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    assert 'msgid "只用短名标记的作业标题"' in po
    assert 'msgid "普通标记的文字"' in po
