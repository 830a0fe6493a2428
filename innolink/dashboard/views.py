from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from innolink.accounts.navigation import workspace_panels_for


def home(request):
    return render(request, "dashboard/home.html")


@login_required
def workspace(request):
    return render(request, "dashboard/workspace.html",
                  {"panels": workspace_panels_for(request.user)})
