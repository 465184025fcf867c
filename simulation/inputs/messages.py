"""Problems in input files, in words: the error the CLI maps to exit 2 and the one-line messages it carries.

Shared by the scenario reader and the readers of its extra sections (``evidence``), so neither imports the other.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from simulation.inputs.limits import MAX_PROBLEMS
from simulation.inputs.params import Config, _inner_model, retired


class ScenarioError(ValueError):
    """Bad scenario input. One line per problem, each naming its file (or flag) and key path.

    The CLI maps it to exit code 2.
    """

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


def expected(error: dict) -> str:
    """What the schema expected, in words, and what it got."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "extra_forbidden":
        why = retired(".".join(str(part) for part in error["loc"]))
        return why or f"{_unknown(str(error['loc'][-1]), _fields_at(error['loc'][:-1]))} (got {_show(value)})"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    words = {
        "greater_than_equal": f"expected a number >= {ctx.get('ge')}",
        "less_than_equal": f"expected a number <= {ctx.get('le')}",
        "greater_than": f"expected a number > {ctx.get('gt')}",
        "less_than": f"expected a number < {ctx.get('lt')}",
        "int_parsing": "expected a whole number", "int_type": "expected a whole number",
        "int_from_float": "expected a whole number",
        "float_parsing": "expected a number", "float_type": "expected a number",
        "bool_parsing": "expected true or false", "bool_type": "expected true or false",
        "string_type": "expected text",
        "string_pattern_mismatch": "expected a name that can name a folder: no '/', '\\' or control characters, "
                                   "not starting with '.'",
        "string_too_long": f"expected at most {ctx.get('max_length')} characters",
        "string_too_short": "expected a name, not empty text",
        "enum": f"expected one of {ctx.get('expected')}",
        "model_type": "expected a mapping of keys", "dict_type": "expected a mapping of keys",
        "model_attributes_type": "expected a mapping of keys",
        "list_type": "expected a list",
    }
    expected = words.get(kind, error["msg"][:1].lower() + error["msg"][1:])
    return f"{expected} (got {_show(value)})"


def _fields_at(loc: tuple) -> dict:
    model: Any = Config
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        model = _inner_model(info.annotation) if info is not None else None
    return model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}


def _unknown(name: str, fields: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(fields), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key {name!r}; {hint}expected one of: {', '.join(fields)}"


def capped(errors: list[dict], describe: Any, origin: str) -> list[str]:
    """The first MAX_PROBLEMS pydantic ``errors`` described, and a line counting the rest."""
    shown = [describe(error) for error in errors[:MAX_PROBLEMS]]
    hidden = len(errors) - len(shown)
    return [*shown, f"{origin}: and {hidden} more problems"] if hidden else shown


def kind_of(value: Any) -> str:
    """What a value is, in words, without its content."""
    return {dict: "a mapping", list: "a list", str: "text", bool: "true or false", type(None): "nothing"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


_SHORT = reprlib.Repr(maxlevel=3, maxdict=4, maxlist=4, maxtuple=4, maxset=4, maxstring=60, maxother=60)


def _show(value: Any, limit: int = 60) -> str:
    """A short rendering of a bad value for a message, at a cost bounded whatever its size."""
    text = _SHORT.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
