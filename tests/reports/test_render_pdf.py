"""The PDF report: real Chinese text, page numbers, long timelines; samples for people to see.

Text is read back with ``pdftotext`` (poppler-utils) when it is installed, otherwise with
pypdf. The first page of each language is also rendered to PNG with ``pdftoppm`` when present;
the PDFs and PNGs are kept under ``test-artifacts/reports/`` so a person can check that the
Chinese glyphs are real characters, not boxes.
"""

from __future__ import annotations

import logging
import math
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest

from garrison.reports.render import refusing_fetcher, render_pdf
from tests.reports.samples import ID_NUMBER, PHONE, sample

pypdf = pytest.importorskip("pypdf")

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
LONG_TIMELINE = 150


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page."""
    if shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        )
        # pdftotext ends every page with a form feed.
        return result.stdout.decode("utf-8").split("\f")[:-1]
    reader = pypdf.PdfReader(BytesIO(pdf))
    return [page.extract_text() for page in reader.pages]


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(BytesIO(pdf)).pages)


def font_names(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in pypdf.PdfReader(BytesIO(pdf)).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    made = {}
    for language in ("zh-CN", "en"):
        pdf = render_pdf(sample(), language, "Asia/Shanghai")
        (ARTEFACTS / f"report-{language}.pdf").write_bytes(pdf)
        made[language] = pdf
    return made


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_pdf(sample(timeline_entries=LONG_TIMELINE), "zh-CN", "Asia/Shanghai")


def test_pdf_is_a_pdf_with_chinese_text(pdfs: dict[str, bytes]) -> None:
    for language, pdf in pdfs.items():
        assert pdf.startswith(b"%PDF-")
        text = "".join(page_texts(pdf))
        # The Chinese title is the cover title in zh-CN and the subtitle in en.
        assert "安全事件处置报告" in text, language
        assert "生产堡垒机" in text
        assert PHONE not in text and ID_NUMBER not in text
        assert "138****5678" in text
    zh = "".join(page_texts(pdfs["zh-CN"]))
    assert "网络攻击" in zh and "事件概要" in zh and "II 级（重大）" in zh
    en = "".join(page_texts(pdfs["en"]))
    assert "Network attack" in en and "Security Incident Handling Report" in en


def test_pdf_embeds_cjk_fonts(pdfs: dict[str, bytes]) -> None:
    # A CJK font must be chosen for the Chinese text; without one it would render as boxes.
    for pdf in pdfs.values():
        names = font_names(pdf)
        assert any("Noto-Sans-CJK-SC" in name for name in names), names
        assert any("Noto-Serif-CJK-SC" in name for name in names), names


def test_every_page_is_numbered_with_the_total(pdfs: dict[str, bytes], long_pdf: bytes) -> None:
    for pdf, template in (
        (pdfs["zh-CN"], "第 {page} 页，共 {pages} 页"),
        (pdfs["en"], "Page {page} of {pages}"),
        (long_pdf, "第 {page} 页，共 {pages} 页"),
    ):
        pages = page_count(pdf)
        texts = page_texts(pdf)
        assert len(texts) == pages
        for number, text in enumerate(texts, start=1):
            assert template.format(page=number, pages=pages) in text


def test_long_timeline_runs_over_pages_and_loses_no_row(
    pdfs: dict[str, bytes], long_pdf: bytes
) -> None:
    pages = page_count(long_pdf)
    texts = page_texts(long_pdf)
    # A row is at least one 9 pt line plus padding (> 6 mm), the page body is < 260 mm: at
    # most 43 rows fit on a page, so the timeline alone needs this many pages.
    assert pages >= page_count(pdfs["zh-CN"]) - 1 + math.ceil(LONG_TIMELINE / 43)
    everything = "".join(texts)
    for index in range(LONG_TIMELINE):
        assert everything.count(f"event {index:06d}") == 1, index
    timeline_pages = [text for text in texts if "event 0" in text]
    assert len(timeline_pages) >= 3
    for text in timeline_pages:
        # The table header is repeated on every page the timeline spans.
        assert "执行者" in text and "内容" in text
        assert "安全事件处置报告" in text  # running header


def test_pdf_renders_without_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        # Terminal colour codes and a NUL from a log line would otherwise be missing glyphs.
        render_pdf(sample(grade="III", category="malware", title="\x1b[31mred\x00"), "en")
    assert [record.getMessage() for record in caplog.records] == []


def test_pdf_renderer_fetches_nothing() -> None:
    with pytest.raises(ValueError, match="reports load no external resources"):
        refusing_fetcher()("file:///etc/hostname")
    with pytest.raises(ValueError, match="refused"):
        refusing_fetcher()("http://127.0.0.1/")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_first_page_as_png_for_people(pdfs: dict[str, bytes], tmp_path: Path) -> None:
    for language, pdf in pdfs.items():
        source = tmp_path / f"{language}.pdf"
        source.write_bytes(pdf)
        prefix = ARTEFACTS / f"report-{language}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", source, prefix],
            check=True,
        )
        png = prefix.with_suffix(".png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        # A4 (210 x 297 mm) at 60 dpi, give or take pdftoppm's rounding.
        assert abs(width - 496) <= 1 and abs(height - 702) <= 1, (width, height)
