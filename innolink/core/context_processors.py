from django.conf import settings


def platform(request):
    from innolink.accounts.navigation import grouped, navigation_for

    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from innolink.core.models import Notification

        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    items = navigation_for(user, request.path) if user is not None else []
    return {
        "unread_notifications": unread,
        "DEMO_MODE": settings.INNOLINK["DEMO_MODE"],
        "CITY": settings.INNOLINK["CITY"],
        "nav_items": items,
        "nav_groups": grouped(items),
    }
