"""Every write of grading: keyword-only, atomic, audited.

A run is fetch → compute → store in one transaction (`grading_run_start`): if anything fails
half-way, nothing of the run is stored. Publishing is all-or-nothing and locks the run and its
period; a published run is never changed, only superseded by a later published run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tobacco_crm.core.history import stamp_history
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.engines.grading import grade
from tobacco_crm.retailers.models import Retailer

from . import adapters
from .choices import AppealStatus, RunStatus
from .models import (
    Appeal,
    Deduction,
    GradeAdjustment,
    GradingPeriod,
    GradingPolicy,
    GradingRun,
    ManualIndicator,
    RetailerGrade,
)

if TYPE_CHECKING:
    import datetime as dt

    from tobacco_crm.accounts.models import User


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def engine_policy(policy: GradingPolicy) -> EnginePolicy:
    """The stored policy version as the engine's policy object."""
    return EnginePolicy.from_dict(policy.data)


# Policies ------------------------------------------------------------------------------


@transaction.atomic
def grading_policy_save(
    *, name: str, data: dict[str, Any], actor: User, note: str = ""
) -> GradingPolicy:
    """Save `data` as the next version of the policy `name` (versions are never edited).
    Raises ValidationError naming the bad field of the policy."""
    _require(actor.manages_grading, _("您的角色不能修改分级政策。"))
    try:
        normalized = EnginePolicy.from_dict(data).to_dict()
    except (ValueError, TypeError, KeyError) as error:
        raise ValidationError({"data": str(error)}) from error
    latest = GradingPolicy.objects.select_for_update().filter(name=name).aggregate(v=Max("version"))
    policy = GradingPolicy(
        name=name, version=(latest["v"] or 0) + 1, data=normalized, note=note, created_by=actor
    )
    policy.full_clean()
    policy.save()
    return policy


# Periods -------------------------------------------------------------------------------


@transaction.atomic
def grading_period_create(
    *, code: str, name: str, start_date: dt.date, end_date: dt.date, actor: User
) -> GradingPeriod:
    _require(actor.manages_grading, _("您的角色不能设置评定周期。"))
    period = GradingPeriod(code=code, name=name, start_date=start_date, end_date=end_date)
    period.full_clean()
    stamp_history(period, actor=actor, reason="创建评定周期")
    period.save()
    return period


# Deductions ----------------------------------------------------------------------------


def _visible_retailer(actor: User, retailer: Retailer) -> Retailer:
    found = Retailer.objects.visible_to(actor).filter(pk=retailer.pk).first()
    if found is None:
        raise PermissionDenied(_("您不能为这个零售户录入数据。"))
    return found


def _item(period: GradingPeriod, policy: GradingPolicy, item_code: str) -> Any:
    items = {item.code: item for item in engine_policy(policy).compliance.items}
    if item_code not in items:
        raise ValidationError({"item_code": _("政策中没有这个扣分项目。")})
    return items[item_code]


@transaction.atomic
def deduction_record(
    *,
    retailer: Retailer,
    period: GradingPeriod,
    policy: GradingPolicy,
    item_code: str,
    points: Decimal | None,
    reason: str,
    occurred_on: dt.date,
    actor: User,
    note: str = "",
    explained: bool = False,
) -> Deduction:
    """Record a deduction (扣分). `points` None takes the item's default points."""
    _require(actor.records_deductions, _("只有市管员可以录入扣分。"))
    _visible_retailer(actor, retailer)
    if period.locked:
        raise ValidationError({"period": _("该评定周期已锁定，不能再录入扣分。")})
    item = _item(period, policy, item_code)
    deduction = Deduction(
        retailer=retailer, period=period, occurred_on=occurred_on, item_code=item.code,
        item_label=item.label,
        points=Decimal(str(item.default_points)) if points is None else points,
        reason=reason, note=note, explained=explained, inspector=actor,
    )  # fmt: skip
    deduction.full_clean()
    stamp_history(deduction, actor=actor, reason="录入扣分")
    deduction.save()
    return deduction


@transaction.atomic
def deduction_correct(
    *, deduction: Deduction, points: Decimal, reason: str, actor: User, cleared: bool = False
) -> Deduction:
    """Correct a deduction by a new record that replaces it (points 0 cancels it). Allowed in
    locked periods too: the correction is audited and counts from the next run on."""
    _require(actor.records_deductions, _("只有市管员可以更正扣分。"))
    original = Deduction.objects.select_for_update().get(pk=deduction.pk)
    _visible_retailer(actor, original.retailer)
    if Deduction.objects.filter(corrects=original).exists():
        raise ValidationError({"deduction": _("这条记录已被更正过，请更正最新的记录。")})
    correction = Deduction(
        retailer=original.retailer, period=original.period, occurred_on=original.occurred_on,
        item_code=original.item_code, item_label=original.item_label, points=points,
        reason=reason, note=original.note, explained=original.explained, cleared=cleared,
        corrects=original, inspector=actor,
    )  # fmt: skip
    correction.full_clean()
    stamp_history(correction, actor=actor, reason="更正扣分")
    correction.save()
    return correction


# Manual indicators ---------------------------------------------------------------------


@transaction.atomic
def manual_indicator_set(
    *, retailer: Retailer, period: GradingPeriod, key: str, value: float, actor: User
) -> ManualIndicator:
    """Enter (or change) a manual indicator of one of the actor's retailers."""
    _require(actor.enters_indicators, _("只有客户经理可以录入经营指标。"))
    if not Retailer.objects.editable_by(actor).filter(pk=retailer.pk).exists():
        raise PermissionDenied(_("您不能为这个零售户录入数据。"))
    if period.locked:
        raise ValidationError({"period": _("该评定周期已锁定，不能再修改指标。")})
    entry = ManualIndicator.objects.filter(retailer=retailer, period=period, key=key).first()
    if entry is None:
        entry = ManualIndicator(retailer=retailer, period=period, key=key)
    entry.value = value
    entry.entered_by = actor
    entry.full_clean()
    stamp_history(entry, actor=actor, reason="录入经营指标")
    entry.save()
    return entry


# Runs ----------------------------------------------------------------------------------


@transaction.atomic
def grading_run_start(*, period: GradingPeriod, policy: GradingPolicy, actor: User) -> GradingRun:
    """A dry run: grade every retailer of the period with the policy version and store the
    grades (fetch, compute, store in one transaction)."""
    _require(actor.manages_grading, _("您的角色不能发起分级评定。"))
    engine = engine_policy(policy)
    loaded = adapters.load_inputs(period=period, policy=engine)
    result = grade(loaded.inputs, engine)
    run = GradingRun(period=period, policy=policy, created_by=actor)
    stamp_history(run, actor=actor, reason="试算")
    run.save()
    adapters.store_results(run=run, result=result)
    return run


@transaction.atomic
def grading_run_publish(*, run: GradingRun, actor: User) -> GradingRun:
    """Publish a dry run: it becomes the period's grades in force, the period is locked, and
    the run published before it (if any) is superseded. All or nothing."""
    _require(actor.manages_grading, _("您的角色不能发布分级结果。"))
    run = GradingRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.DRY_RUN:
        raise ValidationError({"status": _("只有试算批次可以发布；已发布的批次不能再改变。")})
    for old in GradingRun.objects.select_for_update().filter(
        period=run.period, status=RunStatus.PUBLISHED
    ):
        old.status = RunStatus.SUPERSEDED
        stamp_history(old, actor=actor, reason=f"被批次 #{run.pk} 替代")
        old.save(update_fields=["status"])
    run.status = RunStatus.PUBLISHED
    run.published_by = actor
    run.published_at = timezone.now()
    stamp_history(run, actor=actor, reason="发布")
    run.save(update_fields=["status", "published_by", "published_at"])
    period = GradingPeriod.objects.select_for_update().get(pk=run.period_id)
    if not period.locked:
        period.locked = True
        stamp_history(period, actor=actor, reason=f"发布批次 #{run.pk} 时锁定")
        period.save(update_fields=["locked"])
    return run


@transaction.atomic
def grading_run_discard(*, run: GradingRun, actor: User) -> None:
    """Delete a dry run and its grades (a published run can't be deleted)."""
    _require(actor.manages_grading, _("您的角色不能删除试算批次。"))
    run = GradingRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.DRY_RUN:
        raise ValidationError({"status": _("已发布的批次不能删除。")})
    run.delete()


# Appeals -------------------------------------------------------------------------------


@transaction.atomic
def appeal_raise(
    *, grade: RetailerGrade, reason: str, actor: User, requested_tier: int | None = None
) -> Appeal:
    """A customer manager asks for a review (复核) of one of his retailers' published grade."""
    _require(actor.enters_indicators, _("只有客户经理可以申请复核。"))
    if not Retailer.objects.editable_by(actor).filter(pk=grade.retailer_id).exists():
        raise PermissionDenied(_("您不能为这个零售户申请复核。"))
    # The run's status as stored now (the caller's instance may be older than a publish).
    status = GradingRun.objects.filter(pk=grade.run_id).values_list("status", flat=True).first()
    if status != RunStatus.PUBLISHED:
        raise ValidationError({"grade": _("只能对生效中的发布结果申请复核。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写复核理由。")})
    appeal = Appeal(grade=grade, reason=reason, requested_tier=requested_tier, raised_by=actor)
    appeal.full_clean()
    stamp_history(appeal, actor=actor, reason="申请复核")
    appeal.save()
    return appeal


@transaction.atomic
def appeal_review(
    *, appeal: Appeal, accept: bool, note: str, actor: User, new_tier: int | None = None
) -> Appeal:
    """The marketing manager decides an appeal; accepting it with a new tier records an
    audited `GradeAdjustment` (the run's grade row itself never changes)."""
    _require(actor.manages_grading, _("只有营销经理可以复核。"))
    appeal = Appeal.objects.select_for_update().select_related("grade__run").get(pk=appeal.pk)
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError({"status": _("这个复核申请已处理。")})
    if not note.strip():
        raise ValidationError({"review_note": _("请填写复核意见。")})
    grade_row = appeal.grade
    if accept:
        tier = new_tier if new_tier is not None else appeal.requested_tier
        count = engine_policy(grade_row.run.policy).tiers.count
        if tier is None or not 1 <= tier <= count:
            message = _("调整后档位必须在 1 到 %(n)s 之间。") % {"n": count}
            raise ValidationError({"new_tier": message})
        GradeAdjustment.objects.create(
            grade=grade_row, appeal=appeal, old_tier=effective_tier(grade_row), new_tier=tier,
            reason=note, made_by=actor,
        )  # fmt: skip
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.reviewed_by = actor
    appeal.reviewed_at = timezone.now()
    appeal.review_note = note
    stamp_history(appeal, actor=actor, reason="复核")
    appeal.save()
    return appeal


def effective_tier(grade_row: RetailerGrade) -> int:
    """The tier in force: the latest accepted adjustment's, else the run's."""
    latest = grade_row.adjustments.order_by("-made_at", "-id").first()
    return latest.new_tier if latest else grade_row.tier
