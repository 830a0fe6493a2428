from innolink.accounts.navigation import NavEntry  # noqa: F401

NAV_ITEMS: list = []
