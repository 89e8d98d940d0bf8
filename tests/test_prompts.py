"""prompts/: the shipped files validate, broken files are reported with file and line,
edits are picked up on the next access, and `advisor prompts check` exits accordingly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from tools.catalog import ARG_SCHEMAS
from tools.prompts import DEFAULT_DIR, PromptStore, normalize_lang, won

SYSTEM_CONTEXT = {
    "store_name": "Shop",
    "today": "2026-11-27",
    "weekday": "Friday",
    "timezone": "Asia/Seoul",
    "currency": "KRW",
}


# The files this suite edits; copied alone so other prompts/ work in progress
# (answer templates and their samples) does not change what these tests see.
CORE_FILES = (
    "tools.yaml",
    "system.ko.md",
    "system.en.md",
    "messages.ko.yaml",
    "messages.en.yaml",
    "samples/system.yaml",
    "samples/messages.yaml",
)


@pytest.fixture
def prompts_dir(tmp_path: Path) -> Path:
    target = tmp_path / "prompts"
    for name in CORE_FILES:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEFAULT_DIR / name, target / name)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _touch(path)


def _touch(path: Path) -> None:
    # a later mtime even on filesystems with coarse timestamps
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def _issues(root: Path) -> list[str]:
    return [str(issue) for issue in PromptStore(root).check(known_tools=set(ARG_SCHEMAS)).issues]


# -- the shipped prompts -----------------------------------------------------------


def test_shipped_prompts_pass_the_check() -> None:
    report = PromptStore().check(known_tools=set(ARG_SCHEMAS))
    assert [str(issue) for issue in report.issues] == []
    assert report.files >= 7


def test_every_contract_tool_is_described_with_8_to_20_examples_per_language() -> None:
    tools = PromptStore().tools()
    assert list(tools) == list(ARG_SCHEMAS)
    for spec in tools.values():
        assert spec.enabled, spec.name
        assert len(spec.description) > 80, spec.name
        for lang in ("ko", "en"):
            assert 8 <= len(spec.examples[lang]) <= 20, (spec.name, lang)
            assert spec.label[lang] and spec.help_example[lang], (spec.name, lang)


def test_messages_render_in_both_languages_with_fallback() -> None:
    store = PromptStore()
    assert store.message("errors.text_too_long", "en", length=10000, limit=2000) == (
        "That message is too long (10,000 characters). Please keep it under 2,000 characters."
    )
    assert store.message("errors.text_too_long", "ko", length=2500, limit=2000) == (
        "질문이 너무 길어요(2,500자). 2,000자 이내로 줄여서 다시 보내 주세요."
    )
    # an unsupported language falls back to English
    assert store.message("errors.empty", "fr").startswith("Please type a question")
    help_ko = store.help_text("ko")
    assert help_ko.splitlines()[0] == "이런 걸 물어보실 수 있어요:"
    assert '• 매출 현황: "오늘 매출 어때?"' in help_ko.splitlines()
    assert len([line for line in help_ko.splitlines() if line.startswith("• ")]) == len(ARG_SCHEMAS)
    with pytest.raises(KeyError):
        store.message("no.such.key", "ko")


def test_system_prompt_renders_and_unknown_language_falls_back_to_english() -> None:
    store = PromptStore()
    ko = store.system_prompt("ko", **SYSTEM_CONTEXT)
    assert "오늘은 2026-11-27(Friday)" in ko
    assert "1,234,500원" in ko
    assert store.system_prompt("de-DE", **SYSTEM_CONTEXT).startswith('You are "Store Advisor"')


def test_language_normalisation_and_money_filter() -> None:
    assert [normalize_lang(x) for x in ("ko", "ko-KR", "KO_kr", "en-US", "ja", None, "")] == [
        "ko",
        "ko",
        "ko",
        "en",
        "en",
        "en",
        "en",
    ]
    assert won(1234500) == "1,234,500원"
    assert won(0) == "0원"


# -- broken files are reported with path and line ----------------------------------


def test_bad_template_syntax_is_reported_with_file_and_line(prompts_dir: Path) -> None:
    path = prompts_dir / "system.ko.md"
    line = _line_of(path, "규칙:")
    _edit(path, "규칙:", "규칙: {% if today %}")
    issues = _issues(prompts_dir)
    assert len(issues) == 1, issues
    assert issues[0].startswith(f"{path}:")
    # Jinja reports an unclosed block at the end of the template
    reported = int(issues[0].split(":")[1])
    assert reported >= line
    assert "template syntax error" in issues[0]


def test_bad_expression_syntax_is_reported_on_its_line(prompts_dir: Path) -> None:
    path = prompts_dir / "system.en.md"
    line = _line_of(path, "Be brief")
    _edit(path, "Be brief", "Be {{ brief ) }}")
    assert _issues(prompts_dir) == [
        f"{path}:{line}: template syntax error: unexpected ')'",
    ]


def test_unknown_variable_in_a_template_is_reported_with_file_and_line(prompts_dir: Path) -> None:
    path = prompts_dir / "system.en.md"
    line = _line_of(path, "Today is {{ today }}")
    _edit(path, "Today is {{ today }}", "Today is {{ todya }}")
    assert _issues(prompts_dir) == [
        f"{path}:{line}: 'todya' is undefined (not in prompts/samples/system.yaml)"
    ]


def test_unknown_variable_in_a_message_is_reported_on_the_yaml_line(prompts_dir: Path) -> None:
    path = prompts_dir / "messages.ko.yaml"
    line = _line_of(path, "text_too_long:")
    _edit(path, "{{ limit | number }}자 이내", "{{ limt | number }}자 이내")
    issues = _issues(prompts_dir)
    assert len(issues) == 1, issues
    assert issues[0].startswith(
        f"{path}:{line}: message 'errors.text_too_long': 'limt' is undefined"
    )


def test_unknown_variable_inside_a_block_message_counts_lines_from_the_block(
    prompts_dir: Path,
) -> None:
    path = prompts_dir / "messages.en.yaml"
    line = _line_of(path, "Please check the product name or SKU.")
    _edit(path, "Please check the product name or SKU.", "Please check {{ sku }}.")
    issues = _issues(prompts_dir)
    assert len(issues) == 1, issues
    assert issues[0].startswith(f"{path}:{line}: message 'errors.unknown_product': 'sku'")


def test_yaml_syntax_error_is_reported_with_line(prompts_dir: Path) -> None:
    path = prompts_dir / "tools.yaml"
    line = _line_of(path, "  enabled: true")
    _edit(path, "  enabled: true", "  enabled: [true")
    issues = _issues(prompts_dir)
    assert len(issues) == 1, issues
    assert issues[0].startswith(f"{path}:")
    assert "YAML error" in issues[0]
    assert int(issues[0].split(":")[1]) in (line, line + 1)


def test_tool_without_description_or_examples_fails_the_check(prompts_dir: Path) -> None:
    path = prompts_dir / "tools.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("alerts_report:")
    end = text.index("inquiry_draft:")
    path.write_text(
        text[:start]
        + "alerts_report:\n  enabled: true\n  label: {ko: 알림, en: Alerts}\n"
        + "  help_example: {ko: 알림, en: Alerts}\n  examples:\n    ko: [알림 있어]\n\n"
        + text[end:],
        encoding="utf-8",
    )
    line = _line_of(path, "alerts_report:")
    assert _issues(prompts_dir) == [
        f"{path}:{line}: tool 'alerts_report': no description",
        f"{path}:{line + 4}: tool 'alerts_report': no examples in en",
    ]


def test_disabled_tool_needs_nothing_and_misspelt_tool_is_reported(prompts_dir: Path) -> None:
    path = prompts_dir / "tools.yaml"
    with path.open("a", encoding="utf-8") as file:
        file.write("\nsales_reprot:\n  enabled: false\n")
    line = _line_of(path, "sales_reprot:")
    issues = _issues(prompts_dir)
    assert len(issues) == 1, issues
    assert issues[0].startswith(f"{path}:{line}: unknown tool 'sales_reprot'")


def test_answer_templates_render_against_their_samples(prompts_dir: Path) -> None:
    (prompts_dir / "answers").mkdir(exist_ok=True)
    (prompts_dir / "samples" / "answers").mkdir(parents=True, exist_ok=True)
    ko = prompts_dir / "answers" / "sales_report.ko.j2"
    en = prompts_dir / "answers" / "sales_report.en.j2"
    ko.write_text("매출 {{ result.revenue | won }}\n주문 {{ result.orders }}건\n", encoding="utf-8")
    en.write_text("Revenue KRW {{ result.revenue | number }}\n", encoding="utf-8")
    samples = prompts_dir / "samples" / "answers" / "sales_report.yaml"
    samples.write_text(
        "- result: {revenue: 1234500, orders: 12}\n- result: {revenue: 0, orders: 0}\n",
        encoding="utf-8",
    )
    assert _issues(prompts_dir) == []
    store = PromptStore(prompts_dir)
    assert store.render("answers/sales_report", "ko", result={"revenue": 1234500, "orders": 3}) == (
        "매출 1,234,500원\n주문 3건"
    )
    # a name missing from one of the samples is an error on its line
    samples.write_text("- result: {revenue: 1234500, orders: 12}\n- result: {revenue: 0}\n")
    assert _issues(prompts_dir) == [
        f"{ko}:2: 'dict object' has no attribute 'orders' "
        "(not in prompts/samples/answers/sales_report.yaml)"
    ]
    # a template with no sample file, and a language missing
    samples.unlink()
    en.unlink()
    assert _issues(prompts_dir) == [
        f"{ko}:1: no sample context to render it with "
        "(add prompts/samples/answers/sales_report.yaml)",
        f"{ko}:1: no en version of 'answers/sales_report' (add answers/sales_report.en.j2)",
    ]


# -- hot reload --------------------------------------------------------------------


def test_edits_are_picked_up_on_the_next_access(prompts_dir: Path) -> None:
    store = PromptStore(prompts_dir)
    assert store.message("errors.empty", "en").startswith("Please type a question")
    assert store.is_enabled("ad_report")
    version = store.version

    _edit(prompts_dir / "messages.en.yaml", "Please type a question", "Ask me anything")
    assert store.message("errors.empty", "en").startswith("Ask me anything")

    _edit(
        prompts_dir / "tools.yaml",
        "ad_report:\n  enabled: true",
        "ad_report:\n  enabled: false",
    )
    assert not store.is_enabled("ad_report")
    assert "ad_report" not in [spec.name for spec in store.enabled_tools()]
    assert "광고 효율" not in store.help_text("ko")
    assert store.version > version

    system = prompts_dir / "system.en.md"
    system.write_text("Hello {{ store_name }}.\n", encoding="utf-8")
    _touch(system)
    assert store.system_prompt("en", **SYSTEM_CONTEXT) == "Hello Shop."


def test_a_broken_edit_keeps_the_last_good_version(prompts_dir: Path) -> None:
    store = PromptStore(prompts_dir)
    assert store.is_enabled("advice")
    version = store.version
    path = prompts_dir / "tools.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  broken: [\n", encoding="utf-8")
    _touch(path)
    assert store.is_enabled("advice")
    assert len(store.enabled_tools()) == len(ARG_SCHEMAS)
    assert store.version == version


def test_nothing_changed_means_nothing_reread(prompts_dir: Path) -> None:
    store = PromptStore(prompts_dir)
    first = store.tool("sales_report")
    assert store.tool("sales_report") is first
    version = store.version
    store.message("help", "ko", tools=[])
    assert store.version == version


# -- the CLI -----------------------------------------------------------------------


def test_cli_check_ok(prompts_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "check", "--dir", str(prompts_dir)]) == 0
    assert capsys.readouterr().out == f"ok: {len(CORE_FILES)} files\n"


def test_cli_check_reports_errors_and_exits_1(
    prompts_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = prompts_dir / "system.en.md"
    line = _line_of(path, "Today is {{ today }}")
    _edit(path, "Today is {{ today }}", "Today is {{ todya }}")
    assert main(["prompts", "check", "--dir", str(prompts_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}:{line}: 'todya' is undefined (not in prompts/samples/system.yaml)",
        f"1 error(s) in {prompts_dir}",
    ]


def test_partials_need_no_samples_but_their_users_do(prompts_dir: Path) -> None:
    (prompts_dir / "answers").mkdir()
    (prompts_dir / "samples" / "answers").mkdir()
    for lang in ("ko", "en"):
        (prompts_dir / "answers" / f"_macros.{lang}.j2").write_text(
            "{% macro money(v) %}{{ v | won }}{% endmacro %}\n", encoding="utf-8"
        )
        (prompts_dir / "answers" / f"advice.{lang}.j2").write_text(
            '{% import "answers/_macros.' + lang + '.j2" as m %}\n{{ m.money(result.amount) }}\n',
            encoding="utf-8",
        )
    (prompts_dir / "samples" / "answers" / "advice.yaml").write_text(
        "result: {amount: 1200}\n", encoding="utf-8"
    )
    assert _issues(prompts_dir) == []
    store = PromptStore(prompts_dir)
    assert store.render("answers/advice", "ko", result={"amount": 1234500}) == "1,234,500원"


def test_other_yaml_data_is_read_through_the_store(prompts_dir: Path) -> None:
    store = PromptStore(prompts_dir)
    assert store.data("product_words.yaml") is None
    path = prompts_dir / "product_words.yaml"
    path.write_text("same:\n  - [스텐, 스테인리스]\n", encoding="utf-8")
    assert store.data("product_words.yaml") == {"same": [["스텐", "스테인리스"]]}
    path.write_text("same:\n  - [블루, blue]\n", encoding="utf-8")
    _touch(path)
    assert store.data("product_words.yaml") == {"same": [["블루", "blue"]]}
