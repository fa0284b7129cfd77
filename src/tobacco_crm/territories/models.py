"""A proposed re-division of the territories (片区重新划分), kept so that it can be reviewed on
the preview screen and then applied (or left unapplied)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tobacco_crm.accounts.models import Company


class RedivisionProposal(models.Model):
    """One run of the territory engine over the company's active retailers.

    ``territory_ids[j]`` is the territory that label ``j`` stands for. ``rows`` holds one
    compact row per retailer: ``[retailer_id, old_territory_id, new_territory_id, x_km, y_km,
    workload]`` (planar kilometres around the retailers' mean position, weekly visit
    minutes). ``figures`` holds ``evaluate`` of the current (``before``) and the proposed
    (``after``) division. ``fingerprint`` is a digest of the retailers the proposal was
    computed from (id, territory, position, status): applying refuses when it has changed.
    """

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="redivisions", verbose_name=_("公司")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提出人"),
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    k = models.PositiveSmallIntegerField(_("片区数"))
    parameters = models.JSONField(_("参数"), default=dict)
    territory_ids = models.JSONField(_("片区"), default=list)
    rows = models.JSONField(_("零售户划分"), default=list)
    figures = models.JSONField(_("指标"), default=dict)
    fingerprint = models.CharField(_("数据指纹"), max_length=64)
    moved_count = models.PositiveIntegerField(_("调整零售户数"), default=0)
    applied_at = models.DateTimeField(_("应用时间"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("应用人"),
    )
    history = HistoricalRecords(excluded_fields=["rows", "figures"])

    class Meta:
        verbose_name = _("片区划分方案")
        verbose_name_plural = _("片区划分方案")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} k={self.k}"

    @property
    def applied(self) -> bool:
        return self.applied_at is not None
