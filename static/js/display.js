// Display mode for a public screen: shows one slide at a time, and reloads its content
// every few minutes. When the network is gone it keeps showing what it has.
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) return;
  var slideSeconds = Number(root.dataset.slideSeconds) || 15;
  var refreshSeconds = Number(root.dataset.refreshSeconds) || 300;
  // Official notices (Amtliche Bekanntmachungen) are what the screen must make known: the
  // server puts them first, and the cycle shows them again, one in turn, after every two
  // other slides: at least every third slide is an official one, however many others there are.
  var OTHERS_BETWEEN_OFFICIAL = 2;
  var cycle = [];
  var position = 0;
  document.documentElement.classList.add("js");

  function slides() {
    return root.querySelectorAll("[data-slides] > .display__slide");
  }

  // The order of the slides' indexes in one round, e.g. O1 O2 A B O1 C D O2 E.
  function cycleOf(all) {
    var officials = [];
    var others = [];
    for (var i = 0; i < all.length; i++) {
      (all[i].hasAttribute("data-official") ? officials : others).push(i);
    }
    var order = officials.slice();
    var nextOfficial = 0;
    for (var j = 0; j < others.length; j++) {
      order.push(others[j]);
      var isLastOfRound = j === others.length - 1; // the round starts with the officials
      if (officials.length && (j + 1) % OTHERS_BETWEEN_OFFICIAL === 0 && !isLastOfRound) {
        order.push(officials[nextOfficial++ % officials.length]);
      }
    }
    return order;
  }

  function show(index) {
    var all = slides();
    for (var i = 0; i < all.length; i++) all[i].hidden = i !== index;
  }

  function start() {
    cycle = cycleOf(slides());
    position = 0;
    if (cycle.length) show(cycle[0]);
  }

  function next() {
    if (!cycle.length) return;
    position = (position + 1) % cycle.length;
    show(cycle[position]);
  }

  function tickClock() {
    var clock = root.querySelector("[data-clock]");
    if (!clock) return;
    // The municipality's time, whatever time zone the screen's computer is set to.
    clock.textContent = new Intl.DateTimeFormat("de-DE", {
      timeZone: root.dataset.timeZone || "Europe/Berlin", hour: "2-digit", minute: "2-digit"
    }).format(new Date());
  }

  function refresh() {
    fetch(window.location.href, { cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-slides]");
        if (!fresh) return;
        root.querySelector("[data-slides]").replaceWith(fresh);
        start();
        root.classList.remove("display--offline");
      })
      .catch(function () {
        // Offline or server away: keep the last content, try again at the next refresh.
        root.classList.add("display--offline");
      });
  }

  start();
  tickClock();
  setInterval(next, slideSeconds * 1000);
  setInterval(tickClock, 30 * 1000);
  setInterval(refresh, refreshSeconds * 1000);
})();
