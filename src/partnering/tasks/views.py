"""The signed-in home page: what is waiting for the reader, across their arrangements."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from partnering.core import pagecache
from partnering.core.policy import arrangements_for
from partnering.tasks.selectors import grouped, tasks_for


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])  # a page to read: nothing is written here
    return _home(request)


@pagecache.kept_for(lambda request: pagecache.member_scope(request.user))
def _home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    tasks = tasks_for(user=request.user, today=today)
    return render(
        request,
        "tasks/home.html",
        {
            "groups": grouped(tasks),
            "task_count": len(tasks),
            "overdue_count": sum(1 for t in tasks if t.overdue),
            "today": today,
            "arrangements": list(arrangements_for(request.user).only("slug", "title", "stage").order_by("title")),
        },
    )
