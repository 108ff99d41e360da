"""“Vorlesen”: a notice's and a page's main text read by the browser's own speech synthesis,
by keyboard; stopped on request and on leaving; not offered where the browser cannot read
the page's language.

Headless Chromium here has the Web Speech API but no voice (no speech service on the
machine), so the browser's `speechSynthesis` is replaced, before the page's script runs, by
a stand-in with the voices a test chooses that records what it is asked to speak (in
localStorage, so that what happens on leaving a page is seen on the next). How the real
voices sound is in the issue's closing note."""

import json

import pytest
from playwright.sync_api import expect

from notices.models import NoticePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STAND_IN = """(voices) => {
  const record = (entry) => {
    const log = JSON.parse(localStorage.getItem('speech') || '[]');
    log.push(entry);
    localStorage.setItem('speech', JSON.stringify(log));
  };
  const listeners = [];
  const synthesis = {
    getVoices: () => voices.map((lang) => ({ lang, name: `Stimme ${lang}`, default: false })),
    speak: (utterance) => record({ speak: utterance.text, lang: utterance.lang }),
    cancel: () => record({ cancel: true }),
    addEventListener: (name, listener) => listeners.push(listener),
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synthesis, configurable: true });
  // the browser's own utterance takes none but its own voices
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; }
  };
}"""


def _with_voices(page, voices: list[str]) -> None:
    page.add_init_script(f"({STAND_IN})({json.dumps(voices)})")


def _spoken(page) -> list[dict]:
    return page.evaluate("() => JSON.parse(localStorage.getItem('speech') || '[]')")


def _notice() -> NoticePage:
    return NoticePage.objects.live().filter(title="Öffentliche Sitzung des Gemeinderates").get()


def test_a_notice_is_read_aloud_by_keyboard_and_stops_on_request(page, demo, tab_to, audit):
    # given a browser with a German voice, on a notice
    _with_voices(page, ["de-DE", "en-GB"])
    notice = _notice()
    page.goto(notice.url)
    button = page.get_by_role("button", name="Vorlesen")
    expect(button).to_be_visible()
    audit(page, "offered")

    # when the citizen tabs to the control and presses Enter
    tab_to(page, ".read-aloud button")
    page.keyboard.press("Enter")

    # then the title and the notice's text are spoken in German, block by block
    spoken = _spoken(page)
    texts = [entry["speak"] for entry in spoken if "speak" in entry]
    assert texts[0] == notice.title
    assert any(notice.teaser in text for text in texts) or any("Ratssaal" in text for text in texts)
    assert {entry["lang"] for entry in spoken if "speak" in entry} == {"de-DE"}
    assert not any("Vorlesen" in text for text in texts)
    expect(page.get_by_role("button", name="Vorlesen beenden")).to_be_focused()

    # when they press Enter again
    page.keyboard.press("Enter")

    # then reading stops, and the control offers it again
    assert _spoken(page)[-1] == {"cancel": True}
    expect(page.get_by_role("button", name="Vorlesen", exact=True)).to_be_visible()


def test_reading_stops_when_the_citizen_leaves_the_page(page, demo):
    # given a page being read aloud
    _with_voices(page, ["de-DE"])
    page.goto("/impressum/")
    page.get_by_role("button", name="Vorlesen").click()
    assert any("speak" in entry for entry in _spoken(page))

    # when the citizen follows a link away
    with page.expect_navigation():
        page.get_by_role("link", name="Startseite").first.click()

    # then the speech was cancelled as the page was left
    assert _spoken(page)[-1] == {"cancel": True}


@pytest.mark.parametrize(
    "voices", [[], ["en-GB", "fr-FR"], None], ids=["no-voice", "no-german-voice", "no-api"]
)
def test_the_control_is_not_offered_where_the_browser_cannot_read_german(page, demo, voices):
    # given a browser without voices, without a German one, or without the API at all
    if voices is None:
        page.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesis;")
    else:
        _with_voices(page, voices)

    # when a notice is opened
    page.goto(_notice().url)

    # then there is no control to find
    expect(page.locator(".read-aloud")).to_be_hidden()
    expect(page.get_by_role("button", name="Vorlesen")).to_have_count(0)


def test_a_service_page_is_read_without_what_it_folds_away(page, demo):
    # given a service page, whose offices' weekly opening hours are folded
    from services.models import Service

    _with_voices(page, ["de-DE"])
    page.goto(Service.objects.get(leika_key="99102013001000").get_absolute_url())

    # when it is read aloud
    page.get_by_role("button", name="Vorlesen").click()

    # then the button, the offices and today's hours are read, the folded week is not
    texts = [entry["speak"] for entry in _spoken(page) if "speak" in entry]
    assert texts[0] == "Personalausweis beantragen"
    assert any(text.startswith("Heute:") for text in texts)
    assert "Öffnungszeiten der Woche" not in texts
    assert not {"Dienstag", "Donnerstag"} & set(texts)
