"""The one loader of `prompts/`: tool settings, system prompts, messages and templates.

Operators edit the files under `prompts/` without touching Python:

    tools.yaml                      per tool: enabled, label, help_example, description,
                                    examples {ko, en}, keywords {ko, en}
    system.<lang>.md                the agent's system prompt (a Jinja2 template)
    messages.<lang>.yaml            user-facing messages (each value a Jinja2 template)
    answers/<tool>.<lang>.j2        answer templates, one per tool
    alerts/<kind>.<lang>.j2         alert templates, one per alert kind
    samples/<template>.yaml         sample contexts `check()` renders each template with

Hot reload: every access stats the files it reads (cheap) and re-reads a file
whose mtime, size or inode changed. A file an operator saves broken is reported
in the log and the last good version keeps serving; `check()` shows the error.

Sample contexts (the registry `check()` renders templates against) are data:
`samples/<name>.yaml` holds one context (a mapping) or a list of contexts for the
template `<name>.<lang>.j2` of every language; e.g. `samples/answers/sales_report.yaml`
for `answers/sales_report.ko.j2` and `.en.j2`, `samples/system.yaml` for
`system.<lang>.md`. A partial (a file whose name starts with "_", e.g. `answers/_macros.ko.j2`, imported
by other templates) needs no samples: it is rendered with an empty context unless it
has some. `samples/messages.yaml` maps a message key (`errors.too_long`)
to the parameters (or a list of parameter sets) its messages are rendered with.
Every template variable must be present in the samples: under StrictUndefined an
unknown name is an error with the file and line.

Languages are "ko" and "en"; anything else falls back to "en".
"""

from __future__ import annotations

import logging
import os
import re
import threading
import traceback
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

log = logging.getLogger(__name__)

LANGS: tuple[str, ...] = ("ko", "en")
FALLBACK_LANG = "en"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "prompts"

TOOLS_FILE = "tools.yaml"
SAMPLES_DIR = "samples"
KNOWLEDGE_DIR = "knowledge"  # playbook articles: plain Markdown, not templates
TEMPLATE_SUFFIXES = (".j2", ".md")

# Messages the advisor relies on: `check()` fails when one is missing in a language.
REQUIRED_MESSAGES: tuple[str, ...] = (
    "help",
    "unknown",
    "did_you_mean",
    "errors.empty",
    "errors.text_too_long",
    "errors.invalid_date",
    "errors.future",
    "errors.range_reversed",
    "errors.too_long",
    "errors.unknown_product",
    "errors.ambiguous_product",
    "errors.product_needed",
    "errors.unknown_campaign",
    "errors.tool_disabled",
    "errors.timeout_fallback",
    "errors.failure",
)


def normalize_lang(lang: str | None) -> str:
    """ "ko", "ko-KR", "ko_KR" -> "ko"; "en-US" -> "en"; anything else -> "en"."""
    if not lang:
        return FALLBACK_LANG
    base = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
    return base if base in LANGS else FALLBACK_LANG


# -- filters shared by every template -------------------------------------------------


def number(value: Any, digits: int = 0) -> str:
    """1234500 -> "1,234,500"; with digits, a float keeps that many decimals."""
    if value is None:
        return "-"
    if digits:
        return f"{float(value):,.{digits}f}"
    if isinstance(value, float):
        value = round(value)
    return f"{int(value):,}"


def won(value: Any) -> str:
    """1234500 -> "1,234,500원" (amounts always in full with separators)."""
    return f"{number(value)}원"


def percent(value: Any, digits: int = 1) -> str:
    """A ratio as a percentage: 0.1234 -> "12.3%"."""
    if value is None:
        return "-"
    return f"{float(value) * 100:.{digits}f}%"


def signed_percent(value: Any, digits: int = 1) -> str:
    """A change ratio with its sign: 0.1234 -> "+12.3%", -0.05 -> "-5.0%"."""
    if value is None:
        return "-"
    return f"{float(value) * 100:+.{digits}f}%"


DEFAULT_FILTERS: dict[str, Callable[..., str]] = {
    "number": number,
    "won": won,
    "percent": percent,
    "signed_percent": signed_percent,
}


# -- data types ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool's settings from tools.yaml."""

    name: str
    enabled: bool
    description: str
    label: Mapping[str, str] = field(default_factory=dict)
    help_example: Mapping[str, str] = field(default_factory=dict)
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def label_for(self, lang: str) -> str:
        lang = normalize_lang(lang)
        return self.label.get(lang) or self.label.get(FALLBACK_LANG) or self.name

    def example_for(self, lang: str) -> str:
        lang = normalize_lang(lang)
        if self.help_example.get(lang):
            return self.help_example[lang]
        examples = self.examples.get(lang) or ()
        return examples[0] if examples else ""


@dataclass(frozen=True, slots=True)
class PromptIssue:
    """One problem `check()` found: printed as `path:line: message`."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.message}"


@dataclass(frozen=True, slots=True)
class CheckReport:
    files: int
    issues: tuple[PromptIssue, ...]

    @property
    def ok(self) -> bool:
        return not self.issues


class PromptError(ValueError):
    """A prompts/ file that cannot be used (missing or broken on first load)."""

    def __init__(self, issue: PromptIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


# -- the store -----------------------------------------------------------------------

_Stamp = tuple[int, int, int]


@dataclass
class _Cached:
    stamp: _Stamp | None = None
    failed: _Stamp | None = None
    data: Any = None
    derived: dict[str, Any] = field(default_factory=dict)


def _stamp(path: Path) -> _Stamp | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class PromptStore:
    """Reads `prompts/` and keeps it fresh: edits are used on the next access.

    `version` increases whenever a data file (tools.yaml, messages) was re-read,
    so callers can cache what they derive from it (the router's index).
    """

    def __init__(
        self,
        root: Path | str = DEFAULT_DIR,
        *,
        filters: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.root = Path(root)
        self._lock = threading.RLock()
        self._files: dict[str, _Cached] = {}
        self._version = 0
        self._env = _make_env(self.root, filters)

    # -- reloading ---------------------------------------------------------------

    @property
    def tools_version(self) -> int:
        """Changes whenever tools.yaml was re-read (what the router derives from)."""
        with self._lock:
            cached = self._load_yaml(TOOLS_FILE)
            version: int = cached.derived.setdefault("version", self._version)
            return version

    @property
    def version(self) -> int:
        with self._lock:
            self._load_yaml(TOOLS_FILE)
            for lang in LANGS:
                self._load_yaml(f"messages.{lang}.yaml", required=False)
            return self._version

    def _load_yaml(self, rel: str, *, required: bool = True) -> _Cached:
        """The parsed file `rel`, re-read when it changed on disk."""
        with self._lock:
            cached = self._files.setdefault(rel, _Cached())
            path = self.root / rel
            stamp = _stamp(path)
            if stamp == cached.stamp or (stamp is not None and stamp == cached.failed):
                return cached
            if stamp is None:
                if cached.stamp is not None:
                    log.error("prompts: %s was removed; keeping the last version", path)
                    cached.failed = None
                    return cached
                if required:
                    raise PromptError(PromptIssue(path, None, "file not found"))
                return cached
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                issue = _yaml_issue(path, exc)
                if cached.stamp is None:
                    raise PromptError(issue) from exc
                log.error("prompts: %s; keeping the last good version", issue)
                cached.failed = stamp
                return cached
            cached.stamp, cached.failed, cached.data = stamp, None, data
            cached.derived = {}
            self._version += 1
            log.info("prompts: loaded %s", path)
            return cached

    def data(self, rel: str) -> Any:
        """Any other YAML file under the root (e.g. "product_words.yaml"), parsed and
        kept fresh like the rest; None when the file does not exist."""
        with self._lock:
            return self._load_yaml(rel, required=False).data

    # -- tools -------------------------------------------------------------------

    def tools(self) -> dict[str, ToolSpec]:
        """Every tool in tools.yaml (enabled or not), in file order."""
        with self._lock:
            cached = self._load_yaml(TOOLS_FILE)
            specs = cached.derived.get("specs")
            if specs is None:
                specs = _tool_specs(cached.data)
                cached.derived["specs"] = specs
            return dict(specs)

    def tool(self, name: str) -> ToolSpec | None:
        return self.tools().get(name)

    def enabled_tools(self) -> list[ToolSpec]:
        return [spec for spec in self.tools().values() if spec.enabled]

    def is_enabled(self, name: str) -> bool:
        spec = self.tool(name)
        return spec is not None and spec.enabled

    def help_tools(self, lang: str) -> list[dict[str, str]]:
        """What the help list shows: label and one example per enabled tool."""
        return [
            {"name": spec.name, "label": spec.label_for(lang), "example": spec.example_for(lang)}
            for spec in self.enabled_tools()
        ]

    # -- messages ----------------------------------------------------------------

    def message(self, key: str, lang: str, **params: Any) -> str:
        """The message `key` (dotted, e.g. "errors.too_long") in `lang`, rendered with
        `params`; falls back to English when the language lacks it."""
        for candidate in dict.fromkeys((normalize_lang(lang), FALLBACK_LANG)):
            template = self._message_template(key, candidate)
            if template is not None:
                return template.render(**params).strip()
        raise KeyError(f"no message {key!r} in {self.root}")

    def has_message(self, key: str, lang: str) -> bool:
        return self._message_template(key, normalize_lang(lang)) is not None

    def help_text(self, lang: str) -> str:
        return self.message("help", lang, tools=self.help_tools(lang))

    def _message_template(self, key: str, lang: str) -> jinja2.Template | None:
        with self._lock:
            cached = self._load_yaml(f"messages.{lang}.yaml", required=False)
            if cached.data is None:
                return None
            compiled = cached.derived.setdefault("templates", {})
            if key not in compiled:
                source = _lookup(cached.data, key)
                compiled[key] = (
                    self._env.from_string(str(source))
                    if isinstance(source, (str, int, float))
                    else None
                )
            template: jinja2.Template | None = compiled[key]
            return template

    # -- templates ---------------------------------------------------------------

    def template_name(self, name: str, lang: str) -> str | None:
        """The file (relative to the root) for template `name` in `lang`, with the
        English fallback; None when there is none."""
        for candidate in dict.fromkeys((normalize_lang(lang), FALLBACK_LANG)):
            for suffix in TEMPLATE_SUFFIXES:
                rel = f"{name}.{candidate}{suffix}"
                if (self.root / rel).is_file():
                    return rel
        return None

    def has_template(self, name: str, lang: str) -> bool:
        return self.template_name(name, lang) is not None

    def render(self, name: str, lang: str, **context: Any) -> str:
        """Render `<name>.<lang>.j2` (or `.md`), e.g. "answers/sales_report", "system".
        Jinja re-reads a template whose file changed."""
        rel = self.template_name(name, lang)
        if rel is None:
            raise KeyError(f"no template {name!r} for {lang!r} in {self.root}")
        return self._env.get_template(rel).render(**context).strip()

    def system_prompt(self, lang: str, **context: Any) -> str:
        return self.render("system", lang, **context)

    # -- validation --------------------------------------------------------------

    def check(self, *, known_tools: Collection[str] | None = None) -> CheckReport:
        """Validate every file under the root; see module docstring."""
        return _Checker(self.root, self._env, known_tools).run()


def _make_env(root: Path, filters: Mapping[str, Callable[..., Any]] | None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=True,
    )
    env.filters.update(DEFAULT_FILTERS)
    if filters:
        env.filters.update(filters)
    return env


def _lookup(data: Any, key: str) -> Any:
    node = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(item) for item in value if item is not None and str(item).strip())
    return ()


def _per_lang(value: Any, convert: Callable[[Any], Any]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    return {str(lang): convert(item) for lang, item in value.items()}


def _tool_specs(data: Any) -> dict[str, ToolSpec]:
    specs: dict[str, ToolSpec] = {}
    if not isinstance(data, Mapping):
        return specs
    for name, entry in data.items():
        if not isinstance(entry, Mapping):
            continue
        specs[str(name)] = ToolSpec(
            name=str(name),
            enabled=entry.get("enabled", True) is True,
            description=str(entry.get("description") or "").strip(),
            label=_per_lang(entry.get("label"), lambda v: str(v or "").strip()),
            help_example=_per_lang(entry.get("help_example"), lambda v: str(v or "").strip()),
            examples=_per_lang(entry.get("examples"), _strings),
            keywords=_per_lang(entry.get("keywords"), _strings),
        )
    return specs


# -- check() -------------------------------------------------------------------------


def _yaml_issue(path: Path, exc: Exception) -> PromptIssue:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None)
    text = f"YAML error: {problem}" if problem else f"cannot read: {exc}"
    return PromptIssue(path, line, text)


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


class _Checker:
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
