"""The API's authentication classes live with the accounts they read (``innolink.accounts``),
so an app can name them without importing the package that assembles the routers."""

from innolink.accounts.api_auth import (  # noqa: F401
    ActiveSessionAuth,
    TokenAuth,
    anonymous_without_credentials,
)
