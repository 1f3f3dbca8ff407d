// The main menu is a <details> so that it works without JavaScript on a phone; on a wide screen it
// is always open, which only a script can tell a closed <details> to be.
(function () {
  var menu = document.querySelector(".main-nav__menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 75rem)");  // as in app.css
  function sync() { menu.open = wide.matches; }
  sync();
  wide.addEventListener("change", sync);
})();

// « Plus » and the account, inside the menu: one open at a time, closed by Escape (focus back on its
// summary) or by a click elsewhere, as a drop-down is.
(function () {
  var groups = document.querySelectorAll(".main-nav__group > details");
  if (!groups.length) return;
  function closeAll(except) {
    groups.forEach(function (group) { if (group !== except) group.open = false; });
  }
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () { if (group.open) closeAll(group); });
    group.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && group.open) {
        group.open = false;
        group.querySelector("summary").focus();
      }
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".main-nav__group")) closeAll(null);
  });
})();

// A list's results region that htmx refreshes (components/list_results.html) is busy while it
// loads. When the control that asked went away with the old results (a link of the pagination),
// focus goes to the region, where reading goes on, rather than back to the top of the page.
(function () {
  function region(event) {
    var target = event.detail && event.detail.target;
    return target && target.id === "resultats" ? target : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var results = region(event);
    if (results) results.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var results = region(event);
    if (results) results.removeAttribute("aria-busy");
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var results = region(event);
    var active = document.activeElement;
    if (results && (!active || active === document.body || !active.isConnected)) {
      results.focus({ preventScroll: true });
    }
  });
})();

// An answer that htmx got through a redirect is another page (the login form, once the session has
// run out): it is loaded whole, rather than put in the place of a list's results or a progress text.
document.addEventListener("htmx:beforeSwap", function (event) {
  var info = event.detail.pathInfo;
  if (!info || !info.responsePath) return;
  var asked = new URL(info.finalRequestPath || info.requestPath, window.location.href);
  var got = new URL(info.responsePath, window.location.href);
  if (asked.pathname !== got.pathname) {
    event.detail.shouldSwap = false;
    window.location.assign(got.href);
  }
});

// The same query asked twice (a filter changed, then the "Appliquer" button) is one step back in the
// history, not two.
document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
  var history = event.detail.history;
  if (history && history.type === "push" && new URL(history.path, window.location.href).href === window.location.href) {
    history.type = "replace";
  }
});

// A form that changes something is sent once: its submit buttons are disabled once it leaves (after
// the browser took the clicked button's name and value), and enabled again when the page comes back
// from the history. The server holds the same rule with the form's one-time token (core.submissions).
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
    var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        button.disabled = true;
        button.setAttribute("data-sent", "");
      });
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-sent]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-sent");
    });
  });
})();

// A form sent back with errors starts with their summary (components/form_errors.html): it takes the
// focus, so that it is read and in view even when the form is far down the page (autofocus does the
// same without this script). Each of its links leads to a field: the field takes the focus, with its
// label or its group's legend in view above it.
(function () {
  // A field in error inside a folded section (a level of the quality trajectory, a correction form) is
  // unfolded: its message is seen, and the summary's link to it leads somewhere.
  function unfold(element) {
    for (var section = element.closest("details"); section; section = section.parentElement.closest("details")) {
      section.open = true;
    }
  }
  document.querySelectorAll("[aria-invalid='true']").forEach(unfold);
  var summary = document.querySelector("[data-error-summary]");
  if (summary && document.activeElement !== summary) summary.focus();
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) return;
    event.preventDefault();
    unfold(field);
    var group = field.type === "radio" ? field.closest("fieldset") : null;
    var label = field.labels && field.labels.length ? field.labels[0] : null;
    var shown = (group && group.querySelector("legend")) || label || field;
    shown.scrollIntoView({ block: "start" });
    // In a table that scrolls sideways (a row's fields, on a phone) the field may still be out of view.
    field.scrollIntoView({ block: "nearest", inline: "nearest" });
    field.focus({ preventScroll: true });
  });
})();

// A filter's search field (core.filters.SearchableSelect) suggests, as one types, the names that the
// server finds among those the person may see: its <datalist> is filled with them. The last answer
// wins; a failed request leaves the suggestions as they were, the typed text still filters the list.
(function () {
  var timers = new WeakMap();
  var asked = new WeakMap();
  function suggest(input) {
    var text = input.value.trim();
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || text === asked.get(input)) return;
    asked.set(input, text);
    if (!text) { list.replaceChildren(); return; }
    var url = new URL(input.getAttribute("data-suggestions"), window.location.href);
    url.searchParams.set("q", text);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || asked.get(input) !== text) return;
        list.replaceChildren.apply(list, data.suggestions.map(function (label) {
          var option = document.createElement("option");
          option.value = label;
          return option;
        }));
      })
      .catch(function () {});
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-suggestions")) return;
    window.clearTimeout(timers.get(input));
    timers.set(input, window.setTimeout(function () { suggest(input); }, 200));
  });
})();
