"""Follow the teacher in Chromium: a teacher's tab leads a class, students' tabs (other
browser contexts, so other sessions) follow its lesson, stage, learning rate and numbers
without a reload; a student who explores on their own is left alone until they follow
again; two classes do not mix; a wrong code says so and the app still works; served
without the news route (app.py alone), students follow by polling.

A following tab's script reruns on its own when the teacher moves on (or, polling, twice a
second): the students' pages are waited on with `expect` (what is on screen), not wait_idle.
How fast students follow under load is bench/follow_the_teacher.py's figure; here a student
has FOLLOW_MS (generous: the browser tests share two cores with everything else).
"""
import re

import pytest
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.e2e.conftest import alerts, exceptions, new_context, open_app, screenshot, table, \
    wait_for_torch, wait_idle
from tests.e2e.server import start_server, stop_server

pytestmark = pytest.mark.browser

PAGE, NEXT, CURRENT = "tiny_word2vec", ".st-key-tiny_next", ".st-key-tiny_current"
BAR, BANNER = ".st-key-class_bar", ".st-key-class_lead_banner"
FOLLOW_MS = 30_000
RUN_MS = 30_000      # a page's own click (the machine may be busy)
CODE = re.compile(r"Leading class ([A-Z2-9]{4,6})")


@pytest.fixture
def tabs(browser):
    """new(): a page in a browser context of its own (a session of its own); all closed at
    the end of the test."""
    made = []

    def new():
        ctx = new_context(browser)
        made.append(ctx)
        return ctx.new_page()

    yield new
    for ctx in made:
        ctx.close()


def lead(page, server, path=PAGE, ready=NEXT):
    """Open the lesson and switch "Lead the class" on; the class code."""
    open_app(page, server, path, ready)
    page.locator(".st-key-lead label").first.click()
    wait_idle(page)
    expect(page.locator(BANNER)).to_be_visible(timeout=RUN_MS)
    code = CODE.search(page.locator(BANNER).text_content()).group(1)
    assert not exceptions(page)
    return code


def join(page, server, code, path=PAGE):
    page.goto(f"{server}/{path}?class={code}", timeout=120_000)
    expect(page.locator(BAR)).to_contain_text(f"Following class {code}", timeout=120_000)
    expect(page.locator(NEXT)).to_be_visible(timeout=120_000)


def expect_stage(page, stage, n=5, timeout=FOLLOW_MS):
    expect(page.locator(f"{CURRENT} h3").first).to_contain_text(f"Stage {stage} of {n}",
                                                                timeout=timeout)


def click(page, selector):
    page.locator(f"{selector} button").first.click()
    wait_idle(page)


def next_stage(page, stage, prefix="tiny"):
    """The teacher clicks Next and is on `stage` (1-based)."""
    click(page, f".st-key-{prefix}_next")
    expect(page.locator(f".st-key-{prefix}_current h3").first).to_contain_text(
        f"Stage {stage} of", timeout=30_000)


def set_lr(page, text):
    box = page.locator(".st-key-tiny_lr input")
    box.fill(text)
    box.press("Enter")
    wait_idle(page)
    box.blur()  # else leaving the box later commits it again, in the same run as a click
    wait_idle(page, expect_run=False)
    expect(page.locator("h4").first).to_contain_text(f"α = {text}", timeout=RUN_MS)


def same_table(teacher, student, name):
    expect(student.locator(CURRENT)).to_contain_text(name, timeout=RUN_MS)
    assert table(student, name, CURRENT) == table(teacher, name, CURRENT), name


def test_students_follow_the_stage_the_learning_rate_and_the_numbers(tabs, server):
    teacher = tabs()
    code = lead(teacher, server)
    # The class's link (app address + lesson + ?class=CODE) and its QR code, in the sidebar.
    sidebar = teacher.locator("[data-testid='stSidebar']")
    assert f"{server}/{PAGE}?class={code}" in sidebar.locator("code").first.text_content()
    expect(sidebar.locator("img").first).to_be_visible(timeout=RUN_MS)
    students = [tabs(), tabs()]
    sent, waits = [], []  # the first student's messages to the server; its news requests
    students[0].on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(f)))
    students[0].on("request", lambda r: waits.append(r.url) if "/api/class/" in r.url else 0)
    for s in students:
        join(s, server, code)
        expect_stage(s, 1)

    next_stage(teacher, 2)
    next_stage(teacher, 3)
    for s in students:
        expect_stage(s, 3)
    # The student's browser waited on the news route and, told of the news, clicked the
    # page's hidden catch-up button: a rerun of the stepper's fragment alone.
    assert any(u.startswith(f"{server}/api/class/{code}?after=") for u in waits), waits
    clicks = [BackMsg.FromString(f) for f in sent if isinstance(f, bytes) and b"class_news_go" in f]
    assert clicks and all(m.rerun_script.fragment_id for m in clicks)
    for s in students:
        # The bar names the class's lesson (the stage is the stepper's: a stage-only change
        # reruns the stepper alone).
        expect(s.locator(BAR)).to_contain_text(f"Following class {code}: Tiny word2vec",
                                               timeout=RUN_MS)
        assert f"class={code}" in s.url  # the link stays in the address bar

    set_lr(teacher, "0.5")
    next_stage(teacher, 4)
    next_stage(teacher, 5)   # the update, where the learning rate shows
    for s in students:
        expect_stage(s, 5)
        expect(s.locator("h4").first).to_contain_text("α = 0.5", timeout=FOLLOW_MS)
        assert not s.locator(".st-key-tiny_lr input").count()  # the teacher's to choose
        for name in ("E_new", "W_new", "b_new"):
            same_table(teacher, s, name)
    # A follower's own run with no news from the class (Prev) keeps the teacher's settings,
    # which a follower's page shows without their widgets.
    click(students[0], ".st-key-tiny_prev")
    expect_stage(students[0], 4)
    expect(students[0].locator("h4").first).to_contain_text("α = 0.5", timeout=RUN_MS)

    click(teacher, ".st-key-tiny_take")   # the step is taken: new parameters, stage 1
    expect_stage(teacher, 1)
    for s in students:
        expect(s.locator("body")).to_contain_text("Steps taken: 1", timeout=FOLLOW_MS)
        expect_stage(s, 1)
        for name in ("v", "logits"):
            same_table(teacher, s, name)
    for s in students + [teacher]:
        assert not exceptions(s), exceptions(s)
        assert not alerts(s, ("error", "warning")), alerts(s)
    screenshot(teacher, "follow_teacher")
    screenshot(students[0], "follow_student")


def test_a_student_exploring_alone_is_not_moved_and_catches_up_on_follow_again(tabs, server):
    teacher = tabs()
    code = lead(teacher, server)
    alone, follower = tabs(), tabs()
    join(alone, server, code)
    join(follower, server, code)

    alone.locator(".st-key-class_detach button").first.click()
    expect(alone.locator(BAR)).to_contain_text("Exploring on your own", timeout=RUN_MS)
    alone.locator(f"{NEXT} button").first.click()        # their own step through the lesson
    expect_stage(alone, 2)

    next_stage(teacher, 2)
    next_stage(teacher, 3)
    next_stage(teacher, 4)
    set_lr(teacher, "0.25")
    expect_stage(follower, 4)
    expect(follower.locator("h4").first).to_contain_text("α = 0.25", timeout=FOLLOW_MS)
    alone.wait_for_timeout(2000)                    # four polls' worth: nothing may come
    expect_stage(alone, 2, timeout=1)
    assert alone.locator(".st-key-tiny_lr input").input_value() == "0.1"
    expect(alone.locator(BAR)).to_contain_text("Exploring on your own", timeout=RUN_MS)

    alone.locator(".st-key-class_rejoin button").first.click()
    expect_stage(alone, 4)
    expect(alone.locator("h4").first).to_contain_text("α = 0.25", timeout=FOLLOW_MS)
    expect(alone.locator(BAR)).to_contain_text(f"Following class {code}", timeout=RUN_MS)
    next_stage(teacher, 5)
    expect_stage(alone, 5)                          # and follows again from there
    same_table(teacher, alone, "W_new")
    assert not exceptions(alone) and not exceptions(follower)


def test_two_classes_do_not_mix(tabs, server):
    t1, t2 = tabs(), tabs()
    c1, c2 = lead(t1, server), lead(t2, server)
    assert c1 != c2
    s1, s2 = tabs(), tabs()
    join(s1, server, c1)
    join(s2, server, c2)

    next_stage(t1, 2)
    next_stage(t1, 3)
    set_lr(t2, "0.3")
    next_stage(t2, 2)
    expect_stage(s1, 3)
    expect_stage(s2, 2)
    expect(s2.locator("h4").first).to_contain_text("α = 0.3", timeout=FOLLOW_MS)
    s1.wait_for_timeout(1500)
    expect_stage(s1, 3, timeout=1)
    expect_stage(s2, 2, timeout=1)
    expect(s1.locator("h4").first).to_contain_text("α = 0.1", timeout=1)  # not class 2's 0.3
    expect(s1.locator(BAR)).to_contain_text(f"Following class {c1}", timeout=RUN_MS)
    expect(s2.locator(BAR)).to_contain_text(f"Following class {c2}", timeout=RUN_MS)


def test_students_follow_the_teacher_to_another_lesson(tabs, server):
    teacher = tabs()
    code = lead(teacher, server)
    student = tabs()
    join(student, server, code)
    teacher.locator("[data-testid='stSidebarNav'] a[href$='/manual_backprop']").click()
    teacher.wait_for_selector(".st-key-mb_next", timeout=120_000)
    wait_idle(teacher, expect_run=False)
    next_stage(teacher, 2, "mb")
    expect(student.locator(".st-key-mb_next")).to_be_visible(timeout=60_000)
    expect(student.locator(".st-key-mb_current h3").first).to_contain_text("Stage 2 of",
                                                                           timeout=FOLLOW_MS)
    expect(student).to_have_url(re.compile(rf"/manual_backprop\?.*class={code}"), timeout=RUN_MS)
    assert not exceptions(student)


def test_a_wrong_code_says_so_and_the_app_still_works(tabs, server):
    page = tabs()
    for code in ("ZZZZZ", "not-a-code!"):
        page.goto(f"{server}/{PAGE}?class={code}", timeout=120_000)
        expect(page.locator("[data-testid='stAlertContentWarning']").first).to_contain_text(
            "There is no class with the code", timeout=120_000)
        expect(page.locator(NEXT)).to_be_visible(timeout=120_000)
        assert page.locator(BAR).count() == 0
    wait_idle(page, expect_run=False)
    click(page, NEXT)
    expect_stage(page, 2, timeout=RUN_MS)
    assert "class=" not in page.url
    assert not exceptions(page)


def test_a_class_ends_when_its_teacher_stops_leading(tabs, server):
    teacher = tabs()
    code = lead(teacher, server)
    student = tabs()
    join(student, server, code)
    next_stage(teacher, 2)
    expect_stage(student, 2)
    teacher.locator(".st-key-lead label").first.click()   # Lead the class: off
    wait_idle(teacher)
    expect(student.locator("[data-testid='stAlertContentInfo']").first).to_contain_text(
        f"Class {code} has ended", timeout=FOLLOW_MS)
    expect(student.locator(BAR)).to_have_count(0, timeout=RUN_MS)
    expect_stage(student, 2, timeout=1)                     # the lesson stays as it was
    student.locator(f"{NEXT} button").first.click()
    expect_stage(student, 3, timeout=RUN_MS)
    # The old link now gives the message.
    late = tabs()
    late.goto(f"{server}/{PAGE}?class={code}", timeout=120_000)
    expect(late.locator("[data-testid='stAlertContentWarning']").first).to_contain_text(
        "There is no class with the code", timeout=120_000)


def class_on_a_fresh_server(tabs, base, event):
    """A teacher leads a class on a server just started (torch loaded first: the rerun that
    comes with it is not what is tested here) and a student joins, recording the Playwright
    `event`s ("request" or "response") of the news route. Returns (teacher, student, class
    code, those)."""
    teacher = tabs()
    code = lead(teacher, base)
    wait_for_torch(teacher)
    student = tabs()
    news = []
    student.on(event, lambda r: news.append(r) if "/api/class/" in r.url else 0)
    join(student, base, code)
    return teacher, student, code, news


def test_served_without_the_news_route_students_follow_by_polling(tabs):
    """`streamlit run app.py` (no serve.py, so no news route): a follower's page polls
    instead, and still follows the teacher's stage and learning rate."""
    proc, base = start_server("app.py")
    try:
        teacher, student, _, asked = class_on_a_fresh_server(tabs, base, "request")
        next_stage(teacher, 2)
        expect_stage(student, 2)
        set_lr(teacher, "0.5")
        next_stage(teacher, 3)
        expect_stage(student, 3)
        expect(student.locator("h4").first).to_contain_text("α = 0.5", timeout=FOLLOW_MS)
        assert not asked  # no news box, so no request to a route that is not there
        assert student.locator(".st-key-class_news").count() == 0
        assert not exceptions(student) and not exceptions(teacher)
    finally:
        stop_server(proc)


def test_served_under_a_base_path_students_still_follow_through_the_news_route(tabs):
    """With server.baseUrlPath set (an app behind a proxy at /cls/), the browser asks for
    the news route and the lessons' pages under it: serve.py's routes must be there too
    (st.App does not move them). Before, a follower's news requests got Streamlit's page,
    not news, and the student never followed."""
    from ui import serving
    proc, base = start_server(base_path="cls")
    try:
        teacher, student, code, answers = class_on_a_fresh_server(tabs, base, "response")
        next_stage(teacher, 2)
        expect_stage(student, 2)
        assert any(r.url.startswith(f"{base}/api/class/{code}?after=") and r.status == 200
                   and "json" in (r.headers.get("content-type") or "") for r in answers), [
                       (r.url, r.status) for r in answers]
        # A lesson's link under the base path gets the page with the preloads.
        assert student.request.get(f"{base}/{PAGE}").text() == serving.preloading_index()
        assert not exceptions(student) and not exceptions(teacher)
    finally:
        stop_server(proc)
