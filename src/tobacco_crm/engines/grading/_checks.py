"""Validation and dict-building helpers of the grading policy (private to ``policy``).

Every error is a ``ValueError`` whose message starts with the dotted path of the bad field.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar


def fail(path: str, message: str) -> NoReturn:
    raise ValueError(f"{path}: {message}")


def check_number(
    path: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        fail(path, f"must be a finite number, got {value!r}")
    if low is not None and (value <= low if low_open else value < low):
        fail(path, f"must be {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and value > high:
        fail(path, f"must be <= {high}, got {value!r}")


def check_int(path: str, value: Any, *, low: int | None = None, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        fail(path, f"must be an integer, got {value!r}")
    if low is not None and value < low:
        fail(path, f"must be >= {low}, got {value!r}")
    if high is not None and value > high:
        fail(path, f"must be <= {high}, got {value!r}")


def check_choice(path: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        fail(path, f"must be one of {', '.join(choices)}, got {value!r}")


def check_key(path: str, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        fail(path, f"must be a non-empty string, got {value!r}")


def check_unique(path: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            fail(path, f"duplicate key {key!r}")
        seen.add(key)


def check_items(path: str, items: Any, cls: type, key: str) -> tuple[Any, ...]:
    """A tuple of ``cls`` instances with unique ``key`` attributes."""
    items = tuple(items)
    for item in items:
        if not isinstance(item, cls):
            fail(path, f"must hold {cls.__name__}, got {item!r}")
    check_unique(path, [getattr(item, key) for item in items])
    return items


def check_sequence(
    path: str,
    values: Any,
    length: int,
    label: Any,
    *,
    ascending: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> tuple[float, ...]:
    """A tuple of ``length`` finite numbers; ``label(k)`` names entry k in the messages."""
    values = tuple(values)
    if len(values) != length:
        fail(path, f"must hold {length} values, got {len(values)}")
    for k, value in enumerate(values):
        check_number(f"{path}[{k}] ({label(k)})", value, low=low, high=high)
        if ascending and k and value < values[k - 1]:
            fail(f"{path}[{k}] ({label(k)})", f"must be >= {values[k - 1]} (the one before)")
    return values


def check_types(obj: Any, expected: Mapping[str, type]) -> None:
    """Each named attribute of ``obj`` is an instance of its class."""
    for name, cls in expected.items():
        value = getattr(obj, name)
        if not isinstance(value, cls):
            fail(name, f"must be a {cls.__name__}, got {type(value).__name__}")


def to_plain(value: Any) -> Any:
    """Tuples to lists and mappings to dicts, recursively (JSON types)."""
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    return value


_T = TypeVar("_T")


def build(cls: type[_T], data: Any, path: str, nested: Mapping[str, Any] | None = None) -> _T:
    """Build a dataclass from a mapping: unknown keys are errors, missing keys get defaults."""
    if not isinstance(data, Mapping):
        fail(path, f"must be an object, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        fail(f"{path}.{unknown[0]}" if path else unknown[0], "unknown field")
    missing = [
        f.name
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name not in data
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        fail(f"{path}.{missing[0]}" if path else missing[0], "is required")
    kwargs = dict(data)
    for name, make in (nested or {}).items():
        if name in kwargs and kwargs[name] is not None:
            kwargs[name] = make(kwargs[name], f"{path}.{name}" if path else name)
    for name, value in kwargs.items():
        if isinstance(value, list):
            kwargs[name] = tuple(value)
    return cls(**kwargs)


def build_list(cls: type[_T]) -> Any:
    """A ``(list, path) -> tuple[cls, ...]`` function for ``build``'s ``nested`` argument."""

    def build_items(items: Any, path: str) -> tuple[_T, ...]:
        if not isinstance(items, list | tuple):
            fail(path, f"must be a list, got {type(items).__name__}")
        return tuple(build(cls, item, f"{path}[{k}]") for k, item in enumerate(items))

    return build_items


def builder(cls: type[_T], nested: Mapping[str, Any] | None = None) -> Any:
    """A ``(data, path) -> cls`` function for ``build``'s ``nested`` argument."""
    return lambda data, path: build(cls, data, path, nested)
