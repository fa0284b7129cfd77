"""Serializers of the accounts API: the signed-in user and the territories he may see."""

from __future__ import annotations

from rest_framework import serializers

from ..choices import Role
from ..models import Territory, User


class CapabilitiesSerializer(serializers.Serializer):
    """What the user's role allows (`tobacco_crm.accounts.choices`)."""

    sees_whole_company = serializers.BooleanField(read_only=True)
    can_edit_archive = serializers.BooleanField(read_only=True)
    can_import_archive = serializers.BooleanField(read_only=True)
    sees_full_phone = serializers.BooleanField(read_only=True)
    sees_full_license = serializers.BooleanField(read_only=True)


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user; `role` is the effective role (superusers act as administrators)."""

    name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(source="effective_role", choices=Role.choices, read_only=True)
    role_label = serializers.SerializerMethodField()
    capabilities = CapabilitiesSerializer(source="*", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "role_label", "capabilities"]
        read_only_fields = fields

    def get_name(self, user: User) -> str:
        return str(user)

    def get_role_label(self, user: User) -> str:
        return str(Role(user.effective_role).label)


class TerritorySerializer(serializers.ModelSerializer):
    """A territory (片区/访销线) with its customer manager."""

    customer_manager_name = serializers.SerializerMethodField()

    class Meta:
        model = Territory
        fields = ["id", "code", "name", "company", "customer_manager", "customer_manager_name"]
        read_only_fields = fields

    def get_customer_manager_name(self, territory: Territory) -> str | None:
        manager = territory.customer_manager
        return str(manager) if manager else None
