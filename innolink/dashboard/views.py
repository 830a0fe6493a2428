from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from innolink.dashboard.selectors import workspace_context


def home(request):
    return render(request, "dashboard/home.html")


@login_required
def workspace(request):
    return render(request, "dashboard/workspace.html", workspace_context(request.user))
