"""What the platform already knows about the person behind an account, as the initial values of
contact fields (联系人, 联系电话, 联系邮箱) on every form that asks for them: a page never asks
for something the platform already knows.

The contact an account gave last (passed in by the app that stored it) comes first; then the
account's own name, phone and e-mail. An account "name" that is no person's name (the login
name, a role label such as ``企业用户 · 某公司``) is not offered as a contact person.
"""

from __future__ import annotations

from typing import Any


def is_person_name(user, name: str) -> bool:
    """A display name that names a person: not blank, not the login name, not a label
    composed with ``·`` (role · organisation) and not a role's own name."""
    from innolink.accounts.roles import Role

    name = (name or "").strip()
    if not name or name == user.username or "·" in name:
        return False
    return name not in {str(label) for label in Role.labels}


def account_contact(user) -> dict[str, str]:
    """``{contact_name, contact_phone, contact_email}`` from the account itself."""
    if not getattr(user, "is_authenticated", False):
        return {"contact_name": "", "contact_phone": "", "contact_email": ""}
    name = user.display_name if is_person_name(user, user.display_name) else ""
    return {"contact_name": name, "contact_phone": user.phone or "",
            "contact_email": user.email or ""}


def contact_initial(user, *earlier: Any) -> dict[str, str]:
    """Contact initials: for each field, the first value given on an ``earlier`` record
    (newest first; records or ``None``) that has one, else the account's own.

    >>> from types import SimpleNamespace as R
    >>> u = R(is_authenticated=True, username="e1", display_name="企业用户 · 甲公司",
    ...       phone="0595-1", email="")
    >>> contact_initial(u)
    {'contact_name': '', 'contact_phone': '0595-1', 'contact_email': ''}
    >>> contact_initial(u, R(contact_name="陈立新", contact_phone="138"))["contact_name"]
    '陈立新'
    """
    out = account_contact(user)
    for key in out:
        for record in earlier:
            value = getattr(record, key, "") if record is not None else ""
            if key == "contact_name" and not is_person_name(user, value):
                continue  # a label stored by older forms is no better the second time
            if value:
                out[key] = value
                break
    return out
