"""Pydantic at the file edge: TOML parsing and validation errors turned into ConfigError.

Models are declared with ``extra="forbid"``; an unknown key gets a did-you-mean hint and every
error names its key path (``[allocation].budget``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from optimizer.errors import ConfigError, did_you_mean

__all__ = ["StrictModel", "load_toml", "validate"]

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of every file-edge model: unknown keys are errors, values are immutable."""

    # inf/nan are valid TOML floats but never a valid budget, cap, rate or price here
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning syntax errors into :class:`ConfigError`.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    dict
        Parsed content.
    """
    path = Path(path)
    try:
        if not path.is_file():
            raise ConfigError(f"{path}: file not found. Check the path.")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:  # e.g. a name longer than the file system allows, no permission
        raise ConfigError(
            f"{path.name}: cannot read the file ({exc.strerror or exc}). Check the path."
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text; save the file as UTF-8.") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: invalid TOML: {exc}. Fix the syntax.") from None


def _key_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if not parts:
        return "top level"
    if len(parts) == 1:
        return f"'{parts[0]}' at top level"
    return f"[{'.'.join(parts[:-1])}].{parts[-1]}"


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    cls: Any = model
    in_container = False
    for part in loc[:-1]:
        if isinstance(part, int) or cls is None:
            continue
        field = cls.model_fields.get(str(part)) if hasattr(cls, "model_fields") else None
        if field is None:
            if in_container:  # a key of dict[str, Model]: stay on the model
                in_container = False
                continue
            return []
        in_container = getattr(field.annotation, "__origin__", None) in (dict, list)
        ann = field.annotation
        candidates = [ann, *getattr(ann, "__args__", ())]
        cls = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if cls is None:
            # dict[str, Model] and list[Model]
            for c in candidates:
                for a in getattr(c, "__args__", ()):
                    if isinstance(a, type) and issubclass(a, BaseModel):
                        cls = a
    return list(cls.model_fields) if cls is not None and hasattr(cls, "model_fields") else []


def validate(model: type[M], data: dict[str, Any], source: str) -> M:
    """Validate ``data`` with ``model``; raise :class:`ConfigError` naming key paths.

    Parameters
    ----------
    model : type of StrictModel
        The pydantic model.
    data : dict
        Parsed file content.
    source : str
        File name for messages.

    Returns
    -------
    StrictModel
        The validated model.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                key = str(loc[-1])
                section = f"in [{'.'.join(map(str, loc[:-1]))}]" if len(loc) > 1 else "at top level"
                hint = did_you_mean(key, _allowed_keys(model, loc))
                lines.append(f"Unknown key '{key}' {section}.{hint}")
            elif err["type"] == "missing":
                lines.append(f"Missing required key {_key_path(loc)}; add it.")
            else:
                got = err.get("input")
                if isinstance(got, dict):  # a whole section failed a cross-field check
                    where = f"[{'.'.join(map(str, loc))}]" if loc else "top level"
                    msg = str(err["msg"]).removeprefix("Value error, ")
                    lines.append(f"{where}: {msg}.")
                    continue
                shown = f" (got {got!r})" if not isinstance(got, list) else ""
                msg = str(err["msg"]).removeprefix("Value error, ").rstrip(".")
                lines.append(f"{_key_path(loc)}: {msg}{shown}.")
        raise ConfigError(f"{source}: " + " ".join(lines)) from None
