"""prompts/ has one loader: keyword synonyms, product words, inquiry sentences and
playbook articles are read by `PromptStore`, handed out as data, fresh after an edit,
and re-read by `reload()` even when the file's stamp did not change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from analytics.korean import Synonyms, parse_synonyms
from tools.prompts import DEFAULT_DIR, PromptStore
from tools.retrieval._text import lexicon_of, load_lexicon
from tools.retrieval.inquiries import InquiryTexts
from tools.retrieval.playbook import Library

TIP_FILE = "knowledge/break_even_roas.ko.md"
TIP = (
    "손익분기 ROAS(1 ÷ 마진율)보다 낮은 캠페인은 팔수록 손해예요. "
    "그 캠페인의 예산부터 줄이고, 손익분기를 넘는 캠페인으로 옮기세요."
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "prompts"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def _rewrite_in_place(path: Path, old: str, new: str) -> None:
    """Replace `old` with `new` (same length in bytes) and put the file's times
    back: its stamp (mtime, size, inode) is what it was, so only `reload()` can
    tell the store the file changed."""
    assert len(old.encode("utf-8")) == len(new.encode("utf-8"))
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size


def _touch(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


# -- keyword synonyms ----------------------------------------------------------------


def _parsed(path: Path) -> Synonyms:
    return parse_synonyms(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_keyword_synonyms_are_the_parsed_file(root: Path) -> None:
    store = PromptStore(root)
    synonyms = store.keyword_synonyms()
    assert synonyms == _parsed(root / "keyword_synonyms.yaml")
    assert synonyms.variants("소포장") >= {"소포장", "소용량", "smallpack"}
    assert store.keyword_synonyms() is synonyms  # parsed once per version of the file


def test_no_synonym_file_means_no_synonyms(tmp_path: Path) -> None:
    assert PromptStore(tmp_path).keyword_synonyms() == Synonyms()


def test_parse_synonyms_takes_data() -> None:
    assert parse_synonyms(None) == Synonyms()
    assert parse_synonyms({"groups": [["미니", "작은"]]}).variants("미니컵") == {
        "미니컵",
        "작은컵",
    }
    with pytest.raises(ValueError, match="'groups' must be a list"):
        parse_synonyms({"groups": "미니"})


def test_reload_rereads_keyword_synonyms(root: Path) -> None:
    store = PromptStore(root)
    path = root / "keyword_synonyms.yaml"
    assert "오가닉" in store.keyword_synonyms().variants("유기농")

    _rewrite_in_place(path, "[유기농, 오가닉, organic]", "[유기농, 친환경, organic]")
    assert "오가닉" in store.keyword_synonyms().variants("유기농")  # stamp unchanged
    store.reload()
    variants = store.keyword_synonyms().variants("유기농")
    assert "친환경" in variants and "오가닉" not in variants
    assert store.keyword_synonyms() == _parsed(path)


def test_an_edited_synonym_file_is_used_on_the_next_access(root: Path) -> None:
    store = PromptStore(root)
    path = root / "keyword_synonyms.yaml"
    assert store.keyword_synonyms().variants("미니컵") == {"미니컵"}
    path.write_text("groups:\n  - [미니, 작은]\n", encoding="utf-8")
    _touch(path)
    assert store.keyword_synonyms().variants("미니컵") == {"미니컵", "작은컵"}


def test_a_broken_synonym_file_keeps_the_last_good_version_across_reload(root: Path) -> None:
    store = PromptStore(root)
    path = root / "keyword_synonyms.yaml"
    good = store.keyword_synonyms()
    path.write_text("groups:\n  - [미니, 작은\n", encoding="utf-8")  # YAML syntax error
    _touch(path)
    store.reload()
    assert store.keyword_synonyms() == good
    path.write_text("groups: 미니\n", encoding="utf-8")  # parses, but not groups
    _touch(path)
    with pytest.raises(ValueError, match="'groups' must be a list"):
        store.keyword_synonyms()


# -- playbook articles ---------------------------------------------------------------


def test_reload_rereads_playbook_articles(root: Path) -> None:
    store = PromptStore(root)
    library = Library(store)
    tip = library.tip_for("ad_low_roas", "ko")
    assert tip is not None and tip.text == TIP
    fingerprint = store.knowledge().fingerprint
    assert store.knowledge() is store.knowledge()  # nothing changed: the same files

    _rewrite_in_place(root / TIP_FILE, "팔수록 손해예요", "팔수록 적자예요")
    assert library.tip_for("ad_low_roas", "ko") == tip  # stamp unchanged
    store.reload()
    edited = library.tip_for("ad_low_roas", "ko")
    assert edited is not None and edited.text == TIP.replace("손해", "적자")
    assert store.knowledge().fingerprint != fingerprint
    assert [a.tip for a in library.articles("ko") if a.source_file == TIP_FILE] == [edited.text]


def test_reload_without_a_change_keeps_the_fingerprint(root: Path) -> None:
    store = PromptStore(root)
    before = store.knowledge()
    store.reload()
    after = store.knowledge()
    assert after.fingerprint == before.fingerprint  # no needless re-indexing
    assert dict(after.files) == dict(before.files)
    assert "knowledge/README.md" in after.files


def test_a_new_or_removed_article_changes_the_files(root: Path) -> None:
    store = PromptStore(root)
    library = Library(store)
    count = len(library.articles("ko"))
    added = root / "knowledge" / "live_commerce.ko.md"
    added.write_text("# 라이브 커머스\n\n## 준비\n조명을 확인하세요.\n", encoding="utf-8")
    assert len(library.articles("ko")) == count + 1
    added.unlink()
    assert len(library.articles("ko")) == count


# -- product words and inquiry sentences ---------------------------------------------


def test_reload_rereads_product_words(root: Path) -> None:
    store = PromptStore(root)
    path = root / "product_words.yaml"
    assert lexicon_of(store).groups == load_lexicon(path).groups
    assert lexicon_of(store) is lexicon_of(store)
    path.write_text("same:\n  - [블루, blue]\n", encoding="utf-8")
    _touch(path)
    store.reload()
    assert lexicon_of(store).variants("블루") == {"blue"}


def test_inquiry_texts_come_from_the_store(root: Path) -> None:
    store = PromptStore(root)
    texts = InquiryTexts(store)
    greeting = texts.say("ko", "greeting")
    assert greeting == InquiryTexts(root).say("ko", "greeting")
    assert texts.data("fr") == store.inquiry_texts("en")  # English fallback

    path = root / "inquiry.ko.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(greeting, "반갑습니다.", 1), encoding="utf-8")
    _touch(path)
    store.reload()
    assert texts.say("ko", "greeting") == "반갑습니다."


def test_no_inquiry_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        PromptStore(tmp_path).inquiry_texts("ko")
    assert InquiryTexts(tmp_path).topics("재고 있나요") == ()


def test_check_reports_synonym_groups_that_are_not_a_list(root: Path) -> None:
    assert PromptStore(root).check().ok
    path = root / "keyword_synonyms.yaml"
    path.write_text("# synonyms\ngroups: 미니\n", encoding="utf-8")
    issues = [str(issue) for issue in PromptStore(root).check().issues]
    assert issues == [f"{path}:2: 'groups' must be a list of lists of words"]
