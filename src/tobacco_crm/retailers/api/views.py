"""The retailer archive API: scoped to what the caller may see, written through the services."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from tobacco_crm.core.api import UserMixin, request_user, service_errors

from ..filtersets import RetailerFilterSet
from ..models import Retailer
from ..querysets import RetailerQuerySet
from ..selectors import retailer_history
from ..services import retailer_create, retailer_update
from .serializers import RetailerChangeSerializer, RetailerSerializer


class CanEditArchive(permissions.BasePermission):
    """Writes need a role that edits the archive. Checked on the object for updates, so a
    retailer the caller cannot see answers 404 before any 403."""

    message = "Your role may not edit the retailer archive."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", None) != "create":
            return True
        return request_user(request).can_edit_archive

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or request_user(request).can_edit_archive


class RetailerViewSet(
    UserMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Retailers visible to the caller (own territories, assigned territories, or the whole
    company by role). No delete: a retailer leaves by status 注销 (cancelled)."""

    queryset = Retailer.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = RetailerSerializer
    permission_classes = [permissions.IsAuthenticated, CanEditArchive]
    # The filterset carries its own search (`q`) and `ordering`.
    filter_backends = [DjangoFilterBackend]
    filterset_class = RetailerFilterSet

    def get_queryset(self) -> RetailerQuerySet:
        return Retailer.objects.visible_to(self.user).select_related(
            "territory", "territory__customer_manager"
        )

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        with service_errors():
            serializer.instance = retailer_create(data=data, actor=self.user, reason=reason)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        assert isinstance(serializer.instance, Retailer)
        with service_errors():
            serializer.instance = retailer_update(
                retailer=serializer.instance, data=data, actor=self.user, reason=reason
            )

    @extend_schema(responses=RetailerChangeSerializer(many=True))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The retailer's change history, newest first: who, when, what kind, why, and the
        changed fields (phone and license values masked for roles that don't see them)."""
        retailer = self.get_object()
        serializer = RetailerChangeSerializer(
            retailer_history(retailer=retailer, user=self.user),
            many=True,
            context=self.get_serializer_context(),
        )
        return Response(serializer.data)
