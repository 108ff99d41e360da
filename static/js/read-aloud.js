/* "Vorlesen": the page's main text read by the browser's own speech synthesis, nothing
   sent anywhere. Progressive enhancement: the control stays hidden where the browser has
   no voice for the page's language; a button, so keyboards and screen readers reach it;
   reading stops when the page is left. */
(function () {
  "use strict";

  var control = document.querySelector("[data-read-aloud]");
  if (!control || !("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
    return;
  }
  var synth = window.speechSynthesis;
  var button = control.querySelector("button");
  var target = document.querySelector(control.getAttribute("data-read-aloud"));
  var language = (document.documentElement.lang || "de").slice(0, 2).toLowerCase();
  // Each block on its own: some browsers stop a long utterance after a few seconds.
  var BLOCKS = "h1, h2, h3, h4, p, li, dt, dd, th, td, address, figcaption";
  var isReading = false;

  function voice() {
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang.slice(0, 2).toLowerCase() === language) {
        return voices[i];
      }
    }
    return null;
  }

  function offer() {
    if (target && voice()) {
      control.hidden = false;
    }
  }

  function show(reading) {
    isReading = reading;
    button.querySelector("[data-read-aloud-label]").textContent =
      button.getAttribute(reading ? "data-label-stop" : "data-label-start");
  }

  function texts() {
    var found = [];
    var blocks = target.querySelectorAll(BLOCKS);
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      // the innermost blocks only (a list item's paragraph, not both); not the control, and
      // nothing the page does not show (a folded week of opening hours)
      if (
        block.querySelector(BLOCKS) ||
        block.closest("[data-read-aloud], [hidden], details:not([open]) > :not(summary)")
      ) {
        continue;
      }
      var text = block.innerText.replace(/\s+/g, " ").trim();
      if (text) {
        found.push(text);
      }
    }
    return found;
  }

  function stop() {
    synth.cancel();
    show(false);
  }

  function start() {
    var chosen = voice();
    var parts = texts();
    synth.cancel();
    parts.forEach(function (text, index) {
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = chosen.lang;
      utterance.voice = chosen;
      utterance.rate = 0.95;
      if (index === parts.length - 1) {
        utterance.onend = function () { show(false); };
      }
      synth.speak(utterance);
    });
    show(parts.length > 0);
  }

  button.addEventListener("click", function () {
    if (isReading) {
      stop();
    } else {
      start();
    }
  });
  window.addEventListener("pagehide", function () { synth.cancel(); });
  offer();
  if (typeof synth.addEventListener === "function") {
    synth.addEventListener("voiceschanged", offer);
  }
})();
