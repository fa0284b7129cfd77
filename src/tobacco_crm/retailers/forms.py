"""Forms of the retailer archive: validation of input only; writes go through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tobacco_crm.accounts.models import Territory, User

from .models import Retailer
from .services import WRITABLE_FIELDS


class RetailerForm(forms.ModelForm):
    """The edit form. Phone and license number are left out for roles that only see them
    masked, so a masked value can never be written back."""

    class Meta:
        model = Retailer
        fields = list(WRITABLE_FIELDS)
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "important_dates": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.visible_to(user)  # type: ignore[attr-defined]
        if not user.sees_full_phone:
            del self.fields["phone"]
        if not user.sees_full_license:
            del self.fields["license_no"]

    def _post_clean(self) -> None:
        # Model validation runs in the service (with the derived class code); here only the
        # form fields are cleaned.
        pass


class RetailerImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件 (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(label=_("仅检查，不写入（试导入）"), required=False, initial=True)
