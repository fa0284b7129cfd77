"""The accounts API: who am I, and which territories may I see."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tobacco_crm.core.api import UserMixin

from ..models import Territory, TerritoryQuerySet
from .serializers import MeSerializer, TerritorySerializer


class MeView(UserMixin, generics.GenericAPIView):
    """The signed-in user: name, role and what the role allows."""

    serializer_class = MeSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(self.user).data)


class TerritoryViewSet(UserMixin, viewsets.ReadOnlyModelViewSet):
    """Territories visible to the caller: all for company-wide roles, else his own (customer
    manager) or his assigned ones (inspector)."""

    queryset = Territory.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = TerritorySerializer
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    filterset_fields = ["customer_manager"]

    def get_queryset(self) -> TerritoryQuerySet:
        return Territory.objects.visible_to(self.user).select_related("customer_manager")
