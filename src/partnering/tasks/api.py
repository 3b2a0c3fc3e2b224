"""GET /api/v1/me/tasks/: what is waiting for the caller, as on the home page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partnering.api.views_base import ApiMixin, kept_answer, member_scope
from partnering.tasks.selectors import GROUPS, tasks_for


class TaskArrangementSerializer(serializers.Serializer):
    slug = serializers.CharField(source="arrangement_slug")
    title = serializers.CharField(source="arrangement_title")


class TaskSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=list(GROUPS), help_text="Which heading of the list it falls under.")
    heading = serializers.CharField(help_text="The group's heading, in words.")
    kind = serializers.CharField(
        help_text="answer, agree_side, openness, outcomes, charter, kpi_baseline, kpi_target, gain_share, exit_plan, concern, action, risk_review or charter_review."
    )
    what = serializers.CharField(help_text="What to do, in words.")
    title = serializers.CharField(help_text="The record's own title.")
    detail = serializers.CharField()
    arrangement = TaskArrangementSerializer(source="*")
    url = serializers.SerializerMethodField(help_text="The page where it is done (absolute).")
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()

    def get_url(self, task: Any) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(task.path) if request is not None else task.path


class MyTasksView(ApiMixin, APIView):
    """What is waiting for you across your arrangements: the list on the home page.

    Answers to give, your side's answers to agree, agreements waiting for your side, concerns to
    answer, and actions and reviews due within a week or overdue; overdue first in each group.
    """

    @extend_schema(responses=TaskSerializer(many=True), operation_id="me_tasks_list")
    @kept_answer(member_scope)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tasks = tasks_for(user=request.user, today=timezone.localdate())
        return Response(TaskSerializer(tasks, many=True, context={"request": request}).data)
