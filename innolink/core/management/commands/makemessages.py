"""``makemessages`` that also extracts ``N_("…")``: the project's short name for
``gettext_noop`` (job titles, stored reasons). Django's own command knows only the full name, so
``make messages`` (which runs with ``--no-obsolete``) used to delete those entries."""

from django.core.management.commands.makemessages import Command as DjangoMakeMessages


class Command(DjangoMakeMessages):
    xgettext_options = [*DjangoMakeMessages.xgettext_options, "--keyword=N_"]
