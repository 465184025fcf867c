"""Scenario files: YAML in ``scenarios/``, resolved into a validated :class:`~simulation.inputs.params.Config`.

A scenario file holds top-level sections of ``Config`` (``portfolio:``,
``lockin:`` ...), plus two optional keys of its own:

- ``extends: <scenario name or path>``: start from another scenario;
- ``overrides:``: a mapping of dotted keys (``portfolio.mission.ambition: 0.9``);
- ``observed:`` and ``assumptions:``: what happened in a real case and which values may be fitted
  (:mod:`simulation.inputs.evidence`); a file's own section replaces its parent's.

Resolution: the schema's defaults, deep-merged with each file of the
``extends`` chain from the root parent down (mappings merge key by key, lists
and scalars are replaced), each file's dotted ``overrides`` applied after its
own sections, then the caller's overrides (CLI ``--set``), then one
``Config.model_validate``. Every default and bound lives in ``params.py``;
this module only routes values to it and turns its verdicts into messages of
the form ``<file>: <key.path>: <what was expected> (got <value>)``.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_origin

from pydantic import ValidationError

from simulation.inputs import evidence, locations
from simulation.inputs.limits import MAX_EXTENDS, MAX_INDEX_DIGITS
from simulation.inputs.locations import SUFFIXES
from simulation.inputs.messages import ScenarioError, _show, _unknown, capped, expected, kind_of
from simulation.inputs.params import Config, _inner_model, retired, set_dotted
from simulation.inputs.safe_yaml import YAMLProblem, load_file

SCENARIO_DIR = locations.shipped("scenarios")
"""The shipped scenario files; names are looked up in the user's directories first (``simulation.inputs.locations``)."""
OWN_KEYS = ("extends", "overrides", *evidence.SECTIONS)
"""Top-level keys of a scenario file that are not sections of ``Config``."""


@dataclass(frozen=True)
class Source:
    """One input file of a resolved scenario and the sha256 of the bytes that were parsed."""

    path: Path
    sha256: str


@dataclass(frozen=True)
class Resolved:
    """A validated scenario and where it came from."""

    config: Config
    sources: tuple[Source, ...] = ()  # the scenario file first, then its parents
    overrides: dict[str, Any] = field(default_factory=dict)  # the caller's dotted overrides
    evidence: evidence.Evidence = field(default_factory=evidence.Evidence)  # the file's observations and assumptions


# ------------------------------------------------------------------ public API
def list_scenarios(directory: Path | None = None) -> list[tuple[str, str]]:
    """(name, one-line description) of every scenario file, by name; broken files say why."""
    out = []
    for path in scenario_files(directory):
        try:
            out.append((path.stem, resolve(path).config.description))
        except ScenarioError as exc:
            out.append((path.stem, f"INVALID: {exc.problems[0]}"))
    return out


def scenario_files(directory: Path | None = None) -> list[Path]:
    """The scenario files in ``directory`` (default: the search path, user's first, then the shipped), by name."""
    return locations.files("scenarios", directory)


def load_scenario(name_or_path: str | Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """The validated config of a scenario (by name in ``scenarios/`` or by path), with dotted overrides.

    ``overrides`` maps dotted keys to values (``{"portfolio.mission.ambition": 0.9}``).
    Raises :class:`ScenarioError` on bad input.
    """
    return resolve(name_or_path, overrides).config


def resolve(scenario: str | Path | Config, overrides: Mapping[str, Any] | None = None, *,
            origin: str = "overrides", layers: list[tuple[str, Mapping[str, Any]]] | None = None) -> Resolved:
    """Resolve a scenario (name, path or ``Config``): its ``extends`` chain, its overrides, then the caller's.

    ``overrides`` are reported in error messages as coming from ``origin``;
    ``layers`` adds further (origin, overrides) pairs applied after them, so
    the CLI can name the flag behind each value (``--set``, ``--steps``).
    Raises :class:`ScenarioError` naming the file or flag and key path of
    every problem found.
    """
    own: dict[str, tuple[str, Any]] = {}  # observed / assumptions: (the file that set it, its data)
    if isinstance(scenario, Config):
        builder, sources = _Builder(scenario.model_dump(mode="json"), default_origin=origin), ()
    else:
        path = locate(scenario)
        chain = _read_chain(path, ())
        builder = _Builder(Config().model_dump(mode="json"), default_origin=str(path))
        for source, data in chain:
            data = dict(data)
            own_overrides = data.pop("overrides", None) or {}
            own.update({key: (str(source.path), data.pop(key)) for key in evidence.SECTIONS if key in data})
            builder.merge(data, str(source.path))
            builder.override(own_overrides, f"{source.path}: overrides")
        if "name" not in chain[-1][1]:
            builder.data["name"] = path.stem
        sources = tuple(source for source, _ in reversed(chain))
    applied: dict[str, Any] = {}
    layers = [(origin, overrides or {}), *(layers or [])]
    # observations are checked against the file as written, so that --steps or --set may cut a run short
    written = builder.validate() if own and any(values for _, values in layers) else None
    for label, values in layers:
        builder.override(values, label)
        applied.update(values)
    config = builder.validate()
    return Resolved(config, sources, applied, evidence.read(own, written or config, str(sources[0].path) if sources else ""))


def locate(name_or_path: str | Path, near: Path | None = None) -> Path:
    """The file behind a scenario name or path; names are looked up next to ``near``, then on the search path."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(SUFFIXES):
        path = Path(name_or_path)
        if not path.is_absolute() and near is not None:
            path = near / path
        if not path.is_file():
            raise ScenarioError(f"{path}: file not found")
        if path.suffix not in SUFFIXES:
            raise ScenarioError(f"{path}: expected a scenario name or a .yaml or .yml file")
        return path
    if near is not None:
        for suffix in SUFFIXES:
            if (near / f"{text}{suffix}").is_file():
                return near / f"{text}{suffix}"
    found = locations.find("scenarios", text)
    if found is not None:
        return found
    available = ", ".join(p.stem for p in scenario_files()) or "none"
    raise ScenarioError(f"{text}: unknown scenario; available: {available}")


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings and lists as one level of dotted keys (``portfolio.missions.0.name``)."""
    items = data.items() if isinstance(data, Mapping) else enumerate(data) if isinstance(data, list) else None
    if items is None or not data:
        return {prefix: data} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in items:
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def parameters(config: Config) -> dict[str, Any]:
    """Every parameter by dotted key (name, description and seed left out, and optional values left unset)."""
    values = flatten(config.model_dump(mode="json", exclude={"name", "description", "seed"}))
    return {key: value for key, value in values.items() if value is not None and value != []}


def changed_parameters(config: Config) -> dict[str, Any]:
    """Dotted keys whose values differ from the schema's defaults (name, description and seed left out)."""
    ours = flatten(config.model_dump(mode="json", exclude={"name", "description", "seed"}))
    defaults = flatten(Config().model_dump(mode="json", exclude={"name", "description", "seed"}))
    return {key: value for key, value in ours.items()
            if (key not in defaults or defaults[key] != value) and value is not None}


# ------------------------------------------------------------------ reading files
def _read_chain(path: Path, seen: tuple[Path, ...]) -> list[tuple[Source, dict]]:
    """The file at ``path`` and its ``extends`` ancestors, root ancestor first (read in a loop, not recursion)."""
    chain: list[tuple[Source, dict]] = []
    child: Path | None = None  # the file whose ``extends`` named ``path``
    while True:
        key = path.resolve()
        if key in seen:
            cycle = " -> ".join(str(p.name) for p in (*seen, key))
            raise ScenarioError(f"{path}: extends: cycle {cycle}; a scenario may not extend itself")
        if len(seen) >= MAX_EXTENDS:
            raise ScenarioError(f"{child}: extends: a chain of more than {MAX_EXTENDS} files")
        try:
            source, data = _read_file(path)
        except ScenarioError as exc:
            raise ScenarioError(f"{child}: extends: {exc}" if child else str(exc)) from None
        chain.insert(0, (source, data))
        parent = data.pop("extends", None)
        if parent is None:
            return chain
        if not isinstance(parent, str) or not parent:
            raise ScenarioError(f"{path}: extends: expected the name or path of another scenario "
                                f"(got {_show(parent)})")
        try:
            parent_path = locate(parent, near=path.parent)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: extends: {exc}") from None
        seen, child, path = (*seen, key), path, parent_path


def _read_file(path: Path) -> tuple[Source, dict]:
    try:
        raw, data = load_file(path)
    except YAMLProblem as exc:
        raise ScenarioError(str(exc)) from None
    data = {} if data is None else data
    if not isinstance(data, dict):  # the type only: never echo the content of a file that is not a scenario
        raise ScenarioError(f"{path}: expected a mapping of schema sections at the top level "
                            f"(got {kind_of(data)})")
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise ScenarioError(f"{path}: {_show(bad[0])}: expected a text key")
    if not isinstance(data.get("overrides", {}) or {}, dict):
        raise ScenarioError(f"{path}: overrides: expected a mapping of dotted keys to values "
                            f"(got {_show(data['overrides'])})")
    return Source(path, hashlib.sha256(raw).hexdigest()), data


# ------------------------------------------------------------------ merging
class _Builder:
    """Accumulates a scenario's data, remembering which file or flag set each key."""

    def __init__(self, data: dict, default_origin: str) -> None:
        self.data = data
        self.origins: dict[str, tuple[int, str]] = {}  # dotted key -> (when it was set, by whom)
        self.below: dict[str, tuple[int, str]] = {}  # dotted key -> the latest (when, who) of a key below it
        self.count = 0
        self.default_origin = default_origin

    def merge(self, layer: Mapping[str, Any], origin: str) -> None:
        self.data = _deep_merge(self.data, layer)
        self._note(_all_paths(layer), origin)

    def override(self, overrides: Mapping[str, Any], origin: str) -> None:
        for key, value in overrides.items():
            if not isinstance(key, str) or not key:
                raise ScenarioError(f"{origin}: {_show(key)}: expected a dotted key such as portfolio.mission.ambition")
            _check_known(key, origin)
            try:
                self.data = set_dotted(_grow_list(self.data, key), key, value)
            except KeyError as exc:
                raise ScenarioError(f"{origin}: {exc.args[0]}") from None
            self._note([key, *(f"{key}.{sub}" for sub in _all_paths(value))], origin)

    def validate(self) -> Config:
        try:
            return Config.model_validate(self.data)
        except ValidationError as exc:
            raise ScenarioError(capped(exc.errors(), self._describe, self.default_origin)) from None

    def _describe(self, error: dict) -> str:
        loc = ".".join(str(part) for part in error["loc"])
        if not loc:  # a cross-field rule: its message names the keys
            named = re.search(r"\b[a-z_]+(?:\.[a-z_0-9]+)+\b", error["msg"])
            loc = named.group(0) if named else ""
        origin = self._origin_of(loc)
        where = f"{loc}: " if loc else ""
        return f"{origin}: {where}{expected(error)}"

    def _note(self, keys: list[str], origin: str) -> None:
        for key in keys:
            self.count += 1
            entry = self.origins[key] = (self.count, origin)
            self.below[""] = entry
            for parent in _parents(key):
                self.below[parent] = entry

    def _origin_of(self, loc: str) -> str:
        """Who last set ``loc``, one of its parents or (for errors about a whole section) a key below it."""
        related = [self.origins.get(loc), self.below.get(loc), *(self.origins.get(p) for p in _parents(loc))]
        related = [when_who for when_who in related if when_who is not None]
        return max(related)[1] if related else self.default_origin


def _parents(key: str) -> list[str]:
    """``a.b.c`` -> ``a``, ``a.b``."""
    parts = key.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _deep_merge(base: Any, layer: Any) -> Any:
    """``layer`` over ``base``: mappings merge key by key; anything else replaces."""
    if not (isinstance(base, dict) and isinstance(layer, Mapping)):
        return layer
    out = dict(base)
    for key, value in layer.items():
        out[key] = _deep_merge(base[key], value) if key in base else value
    return out


def _all_paths(data: Any, prefix: str = "") -> list[str]:
    """Every dotted path in nested ``data``, parents before children."""
    items = data.items() if isinstance(data, Mapping) else enumerate(data) if isinstance(data, list) else ()
    out = []
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        out += [path, *_all_paths(value, path)]
    return out


def _grow_list(data: dict, key: str) -> dict:
    """Lets an override append one item to a list by naming the next index (``portfolio.missions.3.name``)."""
    out = copy.deepcopy(data)
    node: Any = out
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) == len(node):
            node.append({})
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            break
    return out


def _check_known(key: str, label: str) -> None:
    """An unknown dotted key fails before any value is set, listing what was possible."""
    model: Any = Config
    in_list = False
    parts = key.split(".")
    for i, part in enumerate(parts):
        where = ".".join(parts[: i + 1])
        if in_list:
            if not part.isdigit() or len(part) > MAX_INDEX_DIGITS:
                raise ScenarioError(f"{label}: {where}: expected a list index 0, 1, ... (got {_show(part)})")
            in_list = False
            continue
        if model is None:
            raise ScenarioError(f"{label}: {'.'.join(parts[:i])}: has no keys below it (got {key!r})")
        if part not in model.model_fields:
            raise ScenarioError(f"{label}: {where}: {retired(where) or _unknown(part, model.model_fields)}")
        annotation = model.model_fields[part].annotation
        in_list = get_origin(annotation) is list
        model = _inner_model(annotation)
