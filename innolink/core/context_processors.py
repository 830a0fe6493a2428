from django.conf import settings


def platform(request):
    from innolink.accounts.navigation import navigation_for

    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.INNOLINK["DEMO_MODE"],
        "CITY": settings.INNOLINK["CITY"],
        "nav_items": navigation_for(user, request.path) if user is not None else [],
    }
