"""Serializers of the retailer archive API. They parse and present; every write goes through
`tobacco_crm.retailers.services`."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tobacco_crm.accounts.models import Territory
from tobacco_crm.core.api import MaskedCharField, choice_label
from tobacco_crm.core.history import KIND_LABELS
from tobacco_crm.core.masking import license_no_for, phone_for

from ..models import Retailer

# Fields shown masked to roles that don't need them in full, with their mask.
MASKED_FIELDS = {"phone": phone_for, "license_no": license_no_for}


class ImportantDateSerializer(serializers.Serializer):
    """One entry of `important_dates`: a date and what it is (e.g. the shop's anniversary)."""

    date = serializers.DateField()
    label = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.label
        max_length=64, allow_blank=True, required=False, default=""
    )


class RetailerSerializer(serializers.ModelSerializer):
    """A retailer's archive. `phone` and `license_no` come masked for roles that don't see
    them in full; sending such a masked value back unchanged leaves the stored value alone."""

    license_no = MaskedCharField(mask=license_no_for, max_length=32)
    phone = MaskedCharField(mask=phone_for, max_length=20)
    territory = serializers.PrimaryKeyRelatedField(
        # Any territory parses; whether the caller may assign it is the service's decision
        # (403), not a 400 that would hide the reason.
        queryset=Territory.objects.all()
    )
    territory_code = serializers.CharField(source="territory.code", read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    customer_manager = serializers.IntegerField(
        source="territory.customer_manager_id", read_only=True, allow_null=True
    )
    customer_manager_name = serializers.SerializerMethodField()
    important_dates = ImportantDateSerializer(many=True, required=False)
    daily_hours = serializers.FloatField(read_only=True, allow_null=True)
    business_format_display = choice_label("business_format")
    market_type_display = choice_label("market_type")
    scale_display = choice_label("scale")
    business_district_display = choice_label("business_district")
    chain_type_display = choice_label("chain_type")
    status_display = choice_label("status")
    business_scale_display = choice_label("business_scale")
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=100,
        help_text="Why the change is made; recorded in the history.",
    )  # fmt: skip

    class Meta:
        model = Retailer
        fields = [
            "id", "license_no", "shop_name", "owner_name", "phone", "address", "latitude",
            "longitude", "business_format", "business_format_display", "market_type",
            "market_type_display", "scale", "scale_display", "class_code", "business_district",
            "business_district_display", "chain_type", "chain_type_display", "opens_at",
            "closes_at", "daily_hours", "licensed", "status", "status_display", "birthday",
            "important_dates", "e_settlement", "business_scale", "business_scale_display",
            "territory", "territory_code", "territory_name", "customer_manager",
            "customer_manager_name", "created_at", "updated_at", "reason",
        ]  # fmt: skip
        read_only_fields = ["class_code", "created_at", "updated_at"]

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        # The serializer parses types; the archive's rules (phone, license, coordinates,
        # uniqueness) are the model's validators, run once by the service's full_clean, so
        # a 400 names every broken rule at once whatever the field.
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        kwargs.pop("validators", None)
        return field_class, kwargs

    def get_customer_manager_name(self, retailer: Retailer) -> str | None:
        manager = retailer.territory.customer_manager
        return str(manager) if manager else None

    def validate_important_dates(self, value: list[dict[str, Any]]) -> list[dict[str, str]]:
        # Stored as JSON: dates as ISO strings.
        return [{"date": item["date"].isoformat(), "label": item["label"]} for item in value]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A masked value sent back unchanged means "unchanged", never "store the stars"."""
        if self.instance is not None:
            for name in MASKED_FIELDS:
                field = self.fields[name]
                assert isinstance(field, MaskedCharField)
                if name in attrs and attrs[name] == field.masked_for(getattr(self.instance, name)):
                    del attrs[name]
        return attrs


class FieldChangeSerializer(serializers.Serializer):
    """One field's change in a history entry (masked by `retailers.selectors.retailer_history`)."""

    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    old = serializers.CharField()
    new = serializers.CharField()


class RetailerChangeSerializer(serializers.Serializer):
    """One entry of a retailer's history: who changed what, when and why."""

    when = serializers.DateTimeField()
    who = serializers.CharField()
    kind = serializers.ChoiceField(choices=list(KIND_LABELS.items()))
    kind_label = serializers.CharField()
    reason = serializers.CharField()
    changes = FieldChangeSerializer(many=True)
