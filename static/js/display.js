// Display mode for a public screen: shows one slide at a time, and reloads its content
// every few minutes. When the network is gone it keeps showing what it has.
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) return;
  var slideSeconds = Number(root.dataset.slideSeconds) || 15;
  var refreshSeconds = Number(root.dataset.refreshSeconds) || 300;
  var current = 0;
  document.documentElement.classList.add("js");

  function slides() {
    return root.querySelectorAll("[data-slides] > .display__slide");
  }

  function show(index) {
    var all = slides();
    if (!all.length) return;
    current = index % all.length;
    for (var i = 0; i < all.length; i++) all[i].hidden = i !== current;
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
        show(0);
        root.classList.remove("display--offline");
      })
      .catch(function () {
        // Offline or server away: keep the last content, try again at the next refresh.
        root.classList.add("display--offline");
      });
  }

  show(0);
  tickClock();
  setInterval(function () { show(current + 1); }, slideSeconds * 1000);
  setInterval(tickClock, 30 * 1000);
  setInterval(refresh, refreshSeconds * 1000);
})();
