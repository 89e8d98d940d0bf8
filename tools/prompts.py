"""The one loader of `prompts/`: tool settings, system prompts, messages and templates.

Operators edit the files under `prompts/` without touching Python:

    tools.yaml                      per tool: enabled, label, help_example, description,
                                    examples {ko, en}, keywords {ko, en}
    system.<lang>.md                the agent's system prompt (a Jinja2 template)
    phrase.<lang>.md                the short system prompt of a request that phrases tool results (tools.agent)
    messages.<lang>.yaml            user-facing messages (each value a Jinja2 template)
    answers/<tool>.<lang>.j2        answer templates, one per tool
    alerts/<kind>.<lang>.j2         alert templates, one per alert kind
    samples/<template>.yaml         sample contexts `check()` renders each template with
    keyword_synonyms.yaml           interchangeable search-keyword words (`keyword_synonyms()`)
    product_words.yaml              interchangeable product words (`data()`, `cached()`)
    inquiry.<lang>.yaml             inquiry-draft sentences and topic words (`inquiry_texts()`)
    unsupported.yaml                topics the store data does not hold (`unsupported_topics()`)
    knowledge/<slug>.<lang>.md      playbook articles, plain Markdown (`knowledge()`)

This is the only module that reads these files: the rest of the code asks the store
and receives data (analytics/ never reads a file; tools/ passes what it needs in).

Hot reload: every access stats the files it reads (cheap) and re-reads a file
whose mtime, size or inode changed. A file an operator saves broken is reported
in the log and the last good version keeps serving; `check()` shows the error.
`reload()` (the operators' /reload) re-reads every file on its next access even when
its stamp did not change; a file that is broken by then keeps its last good version.
Whatever is derived from a file (`tools()`, `keyword_synonyms()`, `cached()`) is
derived again after it was re-read.

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
import sys
import threading
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import yaml

from analytics.korean import Synonyms, parse_synonyms
from storage.importing.values import minor_unit_exponent

log = logging.getLogger(__name__)

LANGS: tuple[str, ...] = ("ko", "en")
FALLBACK_LANG = "en"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "prompts"

TOOLS_FILE = "tools.yaml"
SAMPLES_DIR = "samples"
KNOWLEDGE_DIR = "knowledge"  # playbook articles: plain Markdown, not templates
KEYWORD_SYNONYMS_FILE = "keyword_synonyms.yaml"
INQUIRY_FILE = "inquiry.{lang}.yaml"
UNSUPPORTED_FILE = "unsupported.yaml"
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
    "errors.unresolved_period",
    "errors.unknown_product",
    "errors.ambiguous_product",
    "errors.product_needed",
    "errors.unknown_campaign",
    "errors.ambiguous_campaign",
    "errors.tool_disabled",
    "errors.thanks",
    "errors.unsupported",
    "errors.unknown_category",
    "errors.unplaced",
    "errors.not_in_list",
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


# Currencies written with their symbol before the amount; every other one with its
# ISO code after it ("1,234.56 CHF"), and KRW as the sellers write it ("1,234,500원")
# unless the text is for an English reader ("₩1,234,500").
CURRENCY_SYMBOLS: dict[str, str] = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥", "KRW": "₩"}


def money(value: Any, currency: str | None = "KRW", lang: str = "ko") -> str:
    """An amount stored in `currency`'s minor unit, written in that currency, in full
    with separators and the currency's own decimals (ISO 4217: KRW and JPY none, GBP,
    USD and EUR two): 1234500 KRW -> "1,234,500원" ("₩1,234,500" with lang "en", for
    text a customer reads in English), 150949633 GBP -> "£1,509,496.33", -1250 USD ->
    "-$12.50", 98000 JPY -> "¥98,000", 123456 CHF -> "1,234.56 CHF"; None -> "-". A
    fractional value (a mean) is rounded to the minor unit first, halves away from zero."""
    if value is None:
        return "-"
    code = (currency or "KRW").upper()
    if code == "KRW" and normalize_lang(lang) == "ko":
        return won(value)
    digits = minor_unit_exponent(code)
    amount = Decimal(value).quantize(Decimal(1), ROUND_HALF_UP).scaleb(-digits)
    text = f"{abs(amount):,.{digits}f}"
    sign = "-" if amount < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {code}"


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
    "money": money,
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
class UnsupportedTopic:
    """A topic the store data does not hold (prompts/unsupported.yaml): the words
    that name it (every language), words that contain one but mean something else,
    how the answer names it, the closest thing the advisor can do, and the tools
    offered instead."""

    name: str
    words: tuple[str, ...]
    exceptions: tuple[str, ...] = ()
    label: Mapping[str, str] = field(default_factory=dict)
    instead: Mapping[str, str] = field(default_factory=dict)
    offer: tuple[str, ...] = ()

    def label_for(self, lang: str) -> str:
        return _in_lang(self.label, lang) or self.name

    def instead_for(self, lang: str) -> str:
        return _in_lang(self.instead, lang)


def _in_lang(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(normalize_lang(lang)) or texts.get(FALLBACK_LANG) or ""


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


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The files under knowledge/ as read: `files` maps each path relative to the
    root ("knowledge/ad_ctr.ko.md"), in name order, to its text; `fingerprint`
    changes exactly when a file's text, name or the set of files changes."""

    fingerprint: str
    files: Mapping[str, str]


class PromptError(ValueError):
    """A prompts/ file that cannot be used (missing or broken on first load)."""

    def __init__(self, issue: PromptIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


# -- the store -----------------------------------------------------------------------

_Stamp = tuple[int, int, int]
_STALE: _Stamp = (-1, -1, -1)  # what `reload()` sets: matches no file on disk
T = TypeVar("T")


@dataclass
class _Cached:
    stamp: _Stamp | None = None
    failed: _Stamp | None = None
    data: Any = None
    derived: dict[Any, Any] = field(default_factory=dict)
    serial: int = 0  # which load this data came from (changes on every re-read)


@dataclass(frozen=True, slots=True)
class _Failure:
    """A `cached()` build that raised: raised again until the file is re-read."""

    error: Exception


# libyaml's safe loader when PyYAML was built with it: ten times faster than the Python one
# (tools.yaml and the messages load on every start), and the same data from every file here
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_SAFE_LOADER)


def _as_text(text: str) -> str:
    return text


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
        self._loads = 0
        self._knowledge: tuple[tuple[tuple[str, int], ...], Knowledge] | None = None
        self._env = _make_env(self.root, filters)

    # -- reloading ---------------------------------------------------------------

    def reload(self) -> None:
        """Re-read every file on its next access, changed on disk or not (what the
        operators' /reload does). Nothing is dropped: a file that is broken or gone
        by then keeps serving its last good version, as on any other access."""
        with self._lock:
            for cached in self._files.values():
                if cached.stamp is not None:
                    cached.stamp, cached.failed = _STALE, None
            self._knowledge = None
            if self._env.cache is not None:
                self._env.cache.clear()
        log.info("prompts: reload requested for %s", self.root)

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
        return self._load(rel, _parse_yaml, required=required, data_file=True)

    def _load(
        self,
        rel: str,
        parse: Callable[[str], Any],
        *,
        required: bool = True,
        data_file: bool = False,
    ) -> _Cached:
        """The file `rel` read through `parse`, re-read when it changed on disk (or
        after `reload()`); a data file's re-read counts in `version`."""
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
                data = parse(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                issue = _yaml_issue(path, exc)
                if cached.stamp is None:
                    raise PromptError(issue) from exc
                log.error("prompts: %s; keeping the last good version", issue)
                cached.failed = stamp
                return cached
            cached.stamp, cached.failed, cached.data = stamp, None, data
            cached.derived = {}
            self._loads += 1
            cached.serial = self._loads
            if data_file:
                self._version += 1
            log.info("prompts: loaded %s", path)
            return cached

    def data(self, rel: str) -> Any:
        """Any other YAML file under the root (e.g. "product_words.yaml"), parsed and
        kept fresh like the rest; None when the file does not exist."""
        with self._lock:
            return self._load_yaml(rel, required=False).data

    def cached(self, rel: str, build: Callable[[Any], T]) -> T:
        """`build(data(rel))`, kept until the file is re-read: how a caller keeps
        what it derives from a YAML file (e.g. the product lexicon). `build` is
        the cache key, so pass a module-level function, not a new lambda each
        time. An exception from `build` is raised again until the file changes."""
        with self._lock:
            cached = self._load_yaml(rel, required=False)
            key = ("cached", build)
            if key not in cached.derived:
                try:
                    cached.derived[key] = build(cached.data)
                except Exception as exc:
                    cached.derived[key] = _Failure(exc)
            value = cached.derived[key]
        if isinstance(value, _Failure):
            raise value.error
        result: T = value
        return result

    def keyword_synonyms(self) -> Synonyms:
        """prompts/keyword_synonyms.yaml as `analytics.korean.Synonyms` (no file: no
        synonyms), parsed once per version of the file; what analytics' keyword
        matching takes as data."""
        return self.cached(KEYWORD_SYNONYMS_FILE, _keyword_synonyms)

    def unsupported_topics(self) -> tuple[UnsupportedTopic, ...]:
        """prompts/unsupported.yaml as topics, in file order (no file: none), parsed
        once per version of the file."""
        return self.cached(UNSUPPORTED_FILE, _unsupported_topics)

    def inquiry_texts(self, lang: str) -> dict[str, Any]:
        """prompts/inquiry.<lang>.yaml (English when the language has none), parsed:
        the sentences and topic words of inquiry drafts. FileNotFoundError when
        neither exists; ValueError when the file is not a mapping."""
        with self._lock:
            for candidate in dict.fromkeys((normalize_lang(lang), FALLBACK_LANG)):
                rel = INQUIRY_FILE.format(lang=candidate)
                cached = self._load_yaml(rel, required=False)
                if cached.stamp is None:
                    continue
                data = cached.data or {}
                if not isinstance(data, dict):
                    raise ValueError(f"{self.root / rel}: expected a mapping")
                return data
        raise FileNotFoundError(self.root / INQUIRY_FILE.format(lang=FALLBACK_LANG))

    def knowledge(self) -> Knowledge:
        """The playbook articles' files (knowledge/*.md, README.md included: which
        file is an article is the playbook's business), each re-read when it
        changed; the same object while nothing changed."""
        folder = self.root / KNOWLEDGE_DIR
        with self._lock:
            rels = (
                [f"{KNOWLEDGE_DIR}/{path.name}" for path in sorted(folder.glob("*.md"))]
                if folder.is_dir()
                else []
            )
            loaded = [(rel, self._load(rel, _as_text, required=False)) for rel in rels]
            loaded = [(rel, cached) for rel, cached in loaded if cached.stamp is not None]
            key = tuple((rel, cached.serial) for rel, cached in loaded)
            if self._knowledge is None or self._knowledge[0] != key:
                files = {rel: str(cached.data) for rel, cached in loaded}
                digest = zlib.crc32(
                    "\x00".join(f"{rel}\x00{text}" for rel, text in files.items()).encode("utf-8")
                )
                self._knowledge = (key, Knowledge(f"{digest:08x}-{len(files)}", files))
            return self._knowledge[1]

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
        from tools.prompts_check import Checker

        return Checker(self.root, self._env, known_tools).run()


def _keyword_synonyms(data: Any) -> Synonyms:
    return parse_synonyms(data, KEYWORD_SYNONYMS_FILE)


def _unsupported_topics(data: Any) -> tuple[UnsupportedTopic, ...]:
    topics = data.get("topics") if isinstance(data, Mapping) else None
    if not isinstance(topics, Mapping):
        return ()
    found = []
    for name, entry in topics.items():
        if not isinstance(entry, Mapping):
            continue
        words = entry.get("words")
        per_lang = words.values() if isinstance(words, Mapping) else [words]
        found.append(
            UnsupportedTopic(
                name=str(name),
                words=tuple(word for group in per_lang for word in _strings(group)),
                exceptions=_strings(entry.get("not")),
                label=_per_lang(entry.get("label"), lambda v: str(v or "").strip()),
                instead=_per_lang(entry.get("instead"), lambda v: str(v or "").strip()),
                offer=_strings(entry.get("offer")),
            )
        )
    return tuple(found)


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled template files kept between processes, as Python keeps its bytecode:
    compiling an answer template and its macros costs a cold `advisor ask` about 80 ms.
    Entries are keyed by the file's path and checked against its source's checksum, so
    an edited template is compiled afresh. The folder is PYTHONPYCACHEPREFIX/jinja2
    when Python's bytecode has a prefix, else Jinja's own per-user temporary folder. A
    cache that cannot be written only costs the compile again."""

    def __init__(self) -> None:
        prefix = sys.pycache_prefix
        super().__init__(str(Path(prefix) / "jinja2") if prefix else None)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("template bytecode not cached in %s: %s", self.directory, exc)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return _BytecodeCache()
    except (OSError, RuntimeError) as exc:  # no private temporary folder: compile each time
        log.debug("no template bytecode cache: %s", exc)
        return None


def _make_env(root: Path, filters: Mapping[str, Callable[..., Any]] | None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        bytecode_cache=_bytecode_cache(),
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
