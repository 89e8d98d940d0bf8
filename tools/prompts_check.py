"""`PromptStore.check()`: every file under `prompts/` validated, each problem with its
file and line (YAML syntax, Jinja2 syntax, templates rendered against the sample
contexts under `samples/` with StrictUndefined, tools without a description or
examples, required messages missing in a language, playbook articles without a title,
keyword synonyms and inquiry sentences not in the shape the loader parses).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml

from analytics.korean import parse_synonyms
from tools.prompts import (
    INQUIRY_FILE,
    KEYWORD_SYNONYMS_FILE,
    KNOWLEDGE_DIR,
    LANGS,
    REQUIRED_MESSAGES,
    SAMPLES_DIR,
    TEMPLATE_SUFFIXES,
    TOOLS_FILE,
    CheckReport,
    PromptIssue,
    _lookup,
    _strings,
    _yaml_issue,
)


def _node_lines(
    node: yaml.Node, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], yaml.Node, yaml.Node]]:
    """(key path, key node, value node) for every mapping entry under `node`."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*prefix, str(key_node.value))
            yield path, key_node, value_node
            yield from _node_lines(value_node, path)


def _first_content_line(node: yaml.Node) -> int:
    """1-based file line where a scalar's text starts (block scalars start below `|`)."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        line += 1
    return line


_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def _template_error_line(exc: BaseException, filename: str | None, source: str) -> int | None:
    """The template line an exception was raised at: from Jinja's rewritten
    traceback, else by scanning the source for the undefined name."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if frame.filename == filename or (filename is None and frame.filename == "<template>"):
            return frame.lineno
    found = _UNDEFINED.search(str(exc))
    if found:
        name = found.group(1) or found.group(2)
        for number_, text in enumerate(source.splitlines(), start=1):
            if re.search(rf"\b{re.escape(name)}\b", text):
                return number_
    return None


class Checker:
    def __init__(
        self, root: Path, env: jinja2.Environment, known_tools: Collection[str] | None
    ) -> None:
        self.root = root
        self.env = env
        self.known_tools = known_tools
        self.issues: list[PromptIssue] = []
        self.files = 0
        self.yaml: dict[str, Any] = {}
        self.nodes: dict[str, yaml.Node] = {}

    def add(self, rel: str, line: int | None, message: str) -> None:
        self.issues.append(PromptIssue(self.root / rel, line, message))

    def run(self) -> CheckReport:
        if not self.root.is_dir():
            self.add("", None, "prompts directory not found")
            return CheckReport(0, tuple(self.issues))
        templates: list[str] = []
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or any(
                p.startswith(".") for p in path.relative_to(self.root).parts
            ):
                continue
            rel = path.relative_to(self.root).as_posix()
            if path.suffix in (".yaml", ".yml"):
                self.files += 1
                self._read_yaml(rel)
            elif rel.startswith(f"{KNOWLEDGE_DIR}/"):
                self.files += 1
                self._check_article(rel)
            elif path.suffix in TEMPLATE_SUFFIXES:
                self.files += 1
                templates.append(rel)
        self._check_tools()
        self._check_messages()
        self._check_data()
        self._check_templates(templates)
        return CheckReport(self.files, tuple(self.issues))

    def _check_article(self, rel: str) -> None:
        """Playbook articles are plain Markdown (not templates): a title line and a body."""
        if rel.endswith("README.md") or not rel.endswith(".md"):
            return
        text = (self.root / rel).read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines or not lines[0].startswith("# "):
            self.add(rel, 1, "a playbook article starts with a '# Title' line")
        elif len(lines) < 2:
            self.add(rel, 1, "a playbook article needs a body under its title")

    def _read_yaml(self, rel: str) -> None:
        path = self.root / rel
        try:
            text = path.read_text(encoding="utf-8")
            self.yaml[rel] = yaml.safe_load(text)
            node = yaml.compose(text)
            if node is not None:
                self.nodes[rel] = node
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            self.issues.append(_yaml_issue(path, exc))

    def _line(self, rel: str, key_path: tuple[str, ...]) -> int | None:
        node = self.nodes.get(rel)
        if node is None:
            return None
        best: int | None = None
        for path, key_node, _value in _node_lines(node):
            if path == key_path:
                return int(key_node.start_mark.line) + 1
            if key_path[: len(path)] == path:
                best = int(key_node.start_mark.line) + 1
        return best

    # data files the store parses for others

    def _check_data(self) -> None:
        if self.yaml.get(KEYWORD_SYNONYMS_FILE) is not None:
            try:
                parse_synonyms(self.yaml[KEYWORD_SYNONYMS_FILE], KEYWORD_SYNONYMS_FILE)
            except ValueError as exc:
                message = str(exc).removeprefix(f"{KEYWORD_SYNONYMS_FILE}: ")
                self.add(
                    KEYWORD_SYNONYMS_FILE, self._line(KEYWORD_SYNONYMS_FILE, ("groups",)), message
                )
        for lang in LANGS:
            rel = INQUIRY_FILE.format(lang=lang)
            if self.yaml.get(rel) is not None and not isinstance(self.yaml[rel], dict):
                self.add(rel, 1, "expected a mapping")

    # tools.yaml

    def _check_tools(self) -> None:
        rel = TOOLS_FILE
        if not (self.root / rel).is_file():
            self.add(rel, None, "file not found")
            return
        if rel not in self.yaml:
            return  # YAML error already reported
        data = self.yaml[rel]
        if not isinstance(data, Mapping) or not data:
            self.add(rel, 1, "expected a mapping of tool name -> settings")
            return
        for name, entry in data.items():
            where = self._line(rel, (str(name),))
            if self.known_tools is not None and str(name) not in self.known_tools:
                self.add(
                    rel,
                    where,
                    f"unknown tool {name!r} (known: {', '.join(sorted(self.known_tools))})",
                )
            if not isinstance(entry, Mapping):
                self.add(rel, where, f"tool {name!r}: expected a mapping of settings")
                continue
            enabled = entry.get("enabled", True)
            if not isinstance(enabled, bool):
                self.add(
                    rel,
                    self._line(rel, (str(name), "enabled")),
                    f"tool {name!r}: enabled must be true or false",
                )
            if enabled is False:
                continue
            if not str(entry.get("description") or "").strip():
                self.add(rel, where, f"tool {name!r}: no description")
            for field_name in ("examples", "label", "help_example", "keywords"):
                self._check_per_lang(rel, str(name), entry, field_name)

    def _check_per_lang(
        self, rel: str, name: str, entry: Mapping[str, Any], field_name: str
    ) -> None:
        value = entry.get(field_name)
        optional = field_name == "keywords"
        where = self._line(rel, (name, field_name)) or self._line(rel, (name,))
        if value is None and optional:
            return
        if not isinstance(value, Mapping):
            self.add(
                rel,
                where,
                f"tool {name!r}: {field_name} must map each language ({', '.join(LANGS)})",
            )
            return
        listed = field_name in ("examples", "keywords")
        for lang in LANGS:
            line = self._line(rel, (name, field_name, lang)) or where
            item = value.get(lang)
            if listed and item is not None and not isinstance(item, list):
                self.add(rel, line, f"tool {name!r}: {field_name}.{lang} must be a list")
            elif not _strings(item) and not optional:
                self.add(rel, line, f"tool {name!r}: no {field_name} in {lang}")

    # messages.<lang>.yaml

    def _check_messages(self) -> None:
        samples_rel = f"{SAMPLES_DIR}/messages.yaml"
        samples = self.yaml.get(samples_rel)
        if samples is not None and not isinstance(samples, Mapping):
            self.add(samples_rel, 1, "expected a mapping of message key -> parameters")
            samples = None
        for lang in LANGS:
            rel = f"messages.{lang}.yaml"
            if not (self.root / rel).is_file():
                self.add(rel, None, "file not found")
                continue
            if rel not in self.yaml:
                continue
            data = self.yaml[rel]
            if not isinstance(data, Mapping):
                self.add(rel, 1, "expected a mapping of message key -> text")
                continue
            for key in REQUIRED_MESSAGES:
                if _lookup(data, key) is None:
                    self.add(rel, None, f"missing message {key!r}")
            for key_path, _key, node in _node_lines(self.nodes[rel]):
                if not isinstance(node, yaml.ScalarNode):
                    continue
                key = ".".join(key_path)
                contexts = _contexts((samples or {}).get(key, {}))
                if contexts is None:
                    self.add(
                        samples_rel,
                        self._line(samples_rel, (key,)),
                        f"samples for {key!r} must be a mapping or a list of mappings",
                    )
                    contexts = [{}]
                self._check_source(
                    rel,
                    str(_lookup(data, key)),
                    contexts,
                    base_line=_first_content_line(node),
                    what=f"message {key!r}",
                    sample_hint=f"add its parameters under {key!r} in prompts/{samples_rel}",
                )

    def _check_source(
        self,
        rel: str,
        source: str,
        contexts: list[dict[str, Any]],
        *,
        base_line: int,
        what: str,
        sample_hint: str,
    ) -> None:
        """Compile and render a message template; lines are offset to the file."""
        try:
            template = self.env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            self.add(
                rel,
                base_line + (exc.lineno or 1) - 1,
                f"{what}: template syntax error: {exc.message}",
            )
            return
        for context in contexts:
            try:
                template.render(**context)
            except jinja2.UndefinedError as exc:
                line = _template_error_line(exc, None, source)
                self.add(
                    rel,
                    base_line + (line or 1) - 1,
                    f"{what}: {exc.message} ({sample_hint} if it is a real parameter)",
                )
                return
            except Exception as exc:  # noqa: BLE001 - any render failure is a finding
                line = _template_error_line(exc, None, source)
                self.add(
                    rel, base_line + (line or 1) - 1, f"{what}: {exc.__class__.__name__}: {exc}"
                )
                return

    # answers/, alerts/, system.<lang>.md

    def _check_templates(self, templates: list[str]) -> None:
        names: dict[str, set[str]] = {}
        for rel in templates:
            parts = rel.rsplit(".", 2)
            if len(parts) != 3 or parts[1] not in LANGS:
                self.add(
                    rel,
                    None,
                    f"template names end in .<lang>{Path(rel).suffix} with lang one of {', '.join(LANGS)}",
                )
                continue
            names.setdefault(parts[0], set()).add(parts[1])
            self._check_template(rel, parts[0])
        if "system" not in names:
            self.add("system.en.md", None, "file not found")
        for name, langs in sorted(names.items()):
            for lang in LANGS:
                if lang not in langs:
                    present = sorted(langs)[0]
                    self.add(
                        f"{name}.{present}{self._suffix(name, present)}",
                        None,
                        f"no {lang} version of {name!r} (add {name}.{lang}{self._suffix(name, present)})",
                    )

    def _suffix(self, name: str, lang: str) -> str:
        for suffix in TEMPLATE_SUFFIXES:
            if (self.root / f"{name}.{lang}{suffix}").is_file():
                return suffix
        return ".j2"

    def _check_template(self, rel: str, name: str) -> None:
        path = self.root / rel
        try:
            source = path.read_text(encoding="utf-8")
            template = self.env.get_template(rel)
        except jinja2.TemplateSyntaxError as exc:
            self.add(rel, exc.lineno, f"template syntax error: {exc.message}")
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.add(rel, None, f"cannot read: {exc}")
            return
        samples_rel = f"{SAMPLES_DIR}/{name}.yaml"
        partial = Path(name).name.startswith("_")
        if not (self.root / samples_rel).is_file():
            if not partial:
                self.add(rel, 1, f"no sample context to render it with (add prompts/{samples_rel})")
                return
            contexts: list[dict[str, Any]] | None = [{}]
        elif samples_rel not in self.yaml:
            return  # YAML error already reported
        else:
            contexts = _contexts(self.yaml[samples_rel])
        if contexts is None:
            self.add(samples_rel, 1, "expected a mapping or a list of mappings")
            return
        filename = template.filename
        for context in contexts:
            try:
                template.render(**context)
            except jinja2.UndefinedError as exc:
                line = _template_error_line(exc, filename, source)
                self.add(rel, line, f"{exc.message} (not in prompts/{samples_rel})")
                return
            except Exception as exc:  # noqa: BLE001 - any render failure is a finding
                line = _template_error_line(exc, filename, source)
                self.add(rel, line, f"{exc.__class__.__name__}: {exc}")
                return


def _contexts(value: Any) -> list[dict[str, Any]] | None:
    if value is None:
        return [{}]
    if isinstance(value, Mapping):
        return [dict(value)]
    if isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
        return [dict(item) for item in value] or [{}]
    return None
