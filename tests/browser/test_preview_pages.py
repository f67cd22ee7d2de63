"""The preview's own pages at phone width, as a new author first sees them: a long Swedish unit title
in the outline keeps its number on its first line, a unit shows its title once, the course page
reads as text, and the facilitator's session list shows each session whole."""
import shutil

import png
import pytest

from course_export.commands.new import TEMPLATE
from course_export.preview import views
from tests.course_export.conftest import edit

from .conftest import PHONE_WIDTH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = "Fördjupning i näringslivsutvecklingens kommunövergripande samverkansstrukturer och förvaltningsorganisation"


@pytest.fixture
def source(tmp_path, monkeypatch):
    folder = tmp_path / "kurs"
    shutil.copytree(TEMPLATE, folder)
    edit(folder / "modules/01-forsta-modulen/module.yaml", "    title: Fördjupning", f"    title: {LONG_TITLE}")
    monkeypatch.setenv("KKN_PREVIEW_SOURCE", str(folder))
    monkeypatch.setitem(views._state, "loaded", None)  # pylint: disable=protected-access
    return folder


def phone_width(page):
    driver = page.driver
    chrome = driver.get_window_size()["width"] - driver.execute_script("return window.innerWidth")
    driver.set_window_size(PHONE_WIDTH + chrome, 900)


def dark_pixels(image, left, top, right, bottom):
    """How many clearly dark pixels the screenshot has in the box (CSS pixels, device ratio 1)."""
    width, height, rows, info = png.Reader(bytes=image).asRGBA8()
    count = 0
    for y, row in enumerate(rows):
        if not top <= y < min(bottom, height):
            continue
        for x in range(max(0, left), min(right, width)):
            red, green, blue, _alpha = row[4 * x:4 * x + 4]
            count += red + green + blue < 300
    return count


def test_a_wrapped_outline_title_keeps_its_number_on_the_first_line(browsers, source):
    page = browsers("outline")
    page.open("/kurs/")
    phone_width(page)
    assert page.driver.execute_script("return window.devicePixelRatio") == 1
    box = page.driver.execute_script("""
        const link = Array.from(document.querySelectorAll('.kkn-outline a')).find(a => a.textContent.includes(arguments[0]));
        link.scrollIntoView({block: 'center'});
        const range = document.createRange();
        range.selectNodeContents(link);
        const lines = Array.from(range.getClientRects()).filter(r => r.width > 0);
        const item = link.closest('li').getBoundingClientRect();
        return {left: Math.round(item.left), lines: lines.map(r => [Math.round(r.top), Math.round(r.bottom)]),
                height: link.getBoundingClientRect().height};""", LONG_TITLE)
    tops = sorted({top for top, _bottom in box["lines"]})
    assert len(tops) >= 2, box  # the title wraps at 375 px
    assert box["height"] >= 44  # still a full touch target
    image = page.driver.get_screenshot_as_png()
    first = [line for line in box["lines"] if line[0] == tops[0]][0]
    last = [line for line in box["lines"] if line[0] == tops[-1]][0]
    marker = (box["left"] - 30, box["left"] - 2)
    assert dark_pixels(image, marker[0], first[0], marker[1], first[1]) > 0, "no number beside the first line"
    assert dark_pixels(image, marker[0], last[0], marker[1], last[1]) == 0, "a number beside the last line"
    page.step("outline at phone width")


def test_a_unit_shows_its_title_once(browsers, source):
    page = browsers("unit")
    page.open("/kurs/u-modul-1/")
    visible = page.driver.execute_script("""
        const title = document.querySelector('h1').textContent.trim();
        const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_ELEMENT);
        let count = 0;
        for (let el = walker.nextNode(); el; el = walker.nextNode()) {
          const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
          const box = el.getBoundingClientRect();
          // The programme progress lists every module, this one too: a list entry, not a title.
          if (el.closest('.kkn-progress__list')) continue;
          if (own === title && box.width > 1 && box.height > 1) count++;
        }
        return [title, count];""")
    assert visible == ["Den första modulen", 1]
    page.open("/kurs/modul-1-fordjupning/")
    headings = [h.text for h in page.find_all("main h1, main h2") if h.text == LONG_TITLE]
    assert headings == [LONG_TITLE]


def test_the_course_page_reads_as_text(browsers, source):
    page = browsers("course")
    page.open("/kurs/")
    details = page.find("main dl").text
    assert "Arbetsinsats\n4 timmar per vecka" in details and "4:00" not in details
    assert "course-v1:" not in page.body_text() and "KURS101" in details
    options = [o.text for o in page.find_all("#kkn-preview-student option")]
    assert "Karin Berg (kursledare)" in options and not any(o.count("(") > 1 for o in options)
    page.step("course page")


def test_the_session_select_shows_each_session_whole_at_phone_width(browsers, source):
    page = browsers("karin")
    page.open("/kurs/u-starttraff/?student=staff")
    phone_width(page)
    cut = page.driver.execute_script("""
        const select = document.querySelector('[data-role=session-select]');
        const style = getComputedStyle(select);
        const context = document.createElement('canvas').getContext('2d');
        context.font = style.font;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;
        return Array.from(select.options).map(o => [o.text, Math.ceil(context.measureText(o.text).width), room])
          .filter(([_text, width, space]) => width > space);""")
    assert cut == []
