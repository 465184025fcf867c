"""YAML input at a bounded cost: PyYAML's safe loader with caps, for scenario, experiment and ``--set`` input.

``yaml.safe_load`` builds no objects but trusts the input's size: a 600-byte
alias bomb expands to gigabytes, a 50,000-deep list overflows the stack, and a
repeated key silently replaces the first. This loader refuses, with one line
naming the place: files over MAX_FILE_BYTES, text that is not UTF-8, more
than MAX_ALIASES aliases, a recursive alias, more than MAX_NODES values once
aliases are expanded, nesting deeper than MAX_DEPTH, and duplicate keys. It
uses libyaml's parser where PyYAML has it (six times faster; it caps nesting
at 1,000 levels itself), so even a file at the size cap loads in about a second.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from simulation.inputs.limits import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES


class YAMLProblem(ValueError):
    """Input that is not acceptable YAML; the message is one line that starts with where it came from."""


def load_file(path: Path) -> tuple[bytes, Any]:
    """The bytes of ``path`` (for hashing) and the data they hold."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise YAMLProblem(f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise YAMLProblem(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB; a scenario or experiment file is "
                          f"a few KiB of settings")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YAMLProblem(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                          f"save the file as UTF-8") from None
    return raw, load_text(text, str(path))


def load_text(text: str, origin: str) -> Any:
    """The data in YAML ``text``; problems are reported as coming from ``origin`` (a file or a flag)."""
    loader = None
    try:
        loader = _Loader(text)  # the reader checks every character here
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, origin)
        return loader.construct_document(node)
    except YAMLProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "unreadable"
        raise YAMLProblem(_one_line(f"{origin}: malformed YAML{where}: {problem}")) from None
    except yaml.reader.ReaderError as exc:
        raise YAMLProblem(f"{origin}: malformed YAML: unacceptable character #x{exc.character:04x} at offset "
                          f"{exc.position}") from None
    except (yaml.YAMLError, ValueError) as exc:  # e.g. a date that does not exist
        if "integer string conversion" in str(exc):
            exc = f"a whole number of more than {sys.get_int_max_str_digits():,} digits"
        raise YAMLProblem(_one_line(f"{origin}: unreadable value: {exc}")) from None
    except RecursionError:  # the pure-Python parser, where libyaml is missing
        raise YAMLProblem(f"{origin}: malformed YAML: nested more than {MAX_DEPTH} levels deep") from None
    finally:
        if loader is not None:
            loader.dispose()


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser is 6x faster and caps nesting
    """The safe loader, rejecting duplicate keys while it builds mappings."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:  # an unhashable key: the base class says so
                continue
            if first is not key_node:
                raise _marked(f"duplicate key {key!r} (first at line {first.start_mark.line + 1}); "
                              f"a second value would silently replace the first", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _check_graph(root: Node, origin: str) -> None:
    """Refuse more than MAX_ALIASES aliases, a recursive alias, or more than MAX_NODES values or MAX_DEPTH
    levels once aliases are expanded.

    Walks the composed node graph once, iteratively, each shared node once, so the check costs what the
    file holds, not what its aliases expand to. An alias is a second reference to a node.
    """
    size: dict[int, tuple[int, int]] = {}  # id(node) -> (values below it, levels below it), aliases expanded
    on_path: set[int] = set()
    referenced = {id(root)}
    aliases = 0
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            on_path.discard(id(node))
            below = [size[id(c)] for c in children]
            total = 1 + sum(n for n, _ in below)
            depth = 1 + max((d for _, d in below), default=0)
            if total > MAX_NODES or depth > MAX_DEPTH:
                what = f"more than {MAX_NODES:,} values" if total > MAX_NODES else f"more than {MAX_DEPTH} levels"
                raise YAMLProblem(f"{origin}: malformed YAML at line {node.start_mark.line + 1}: nested or "
                                  f"aliased to {what}")
            size[id(node)] = (total, depth)
            continue
        if id(node) in size:  # a shared node, reached again
            continue
        on_path.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                raise YAMLProblem(f"{origin}: malformed YAML at line {child.start_mark.line + 1}: an alias "
                                  f"refers to a collection that contains it")
            if id(child) in referenced:
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise YAMLProblem(f"{origin}: malformed YAML at line {child.start_mark.line + 1}: more than "
                                      f"{MAX_ALIASES} aliases")
            referenced.add(id(child))
            if id(child) not in size:
                stack.append((child, False))


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _marked(problem: str, mark: Any) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=problem, problem_mark=mark)


def _one_line(text: str) -> str:
    return " ".join(text.split())
