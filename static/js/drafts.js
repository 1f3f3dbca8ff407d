// Drafts that survive the network: a liaison sheet, a mission description or a visit report is saved
// as it is typed, and kept in this browser (localStorage) until the server has it. Without network
// the copy waits here, the page says so (and the service worker, core/offline.py, opens the page
// again); when the network is back the copy is sent once, with the revision it was written on. A
// draft saved elsewhere since (another tab, another device) is a conflict (409): it is shown, the text
// stays here, and the person chooses; it is never overwritten silently.
//
// A form takes part with data-draft="<key>" (and data-draft-label, the name of what it is). It holds
// an input named "revision", a status line [data-draft-status], a conflict notice [data-draft-conflict]
// with its two buttons [data-draft-keep] and [data-draft-reload]; a formset can grow with
// [data-draft-rows] (its rows), template[data-draft-row] (a row, __prefix__ and __number__ inside) and
// [data-draft-add-row]. The form's state is in its data-draft-state: saved, pending, offline,
// conflict, invalid or refused (the browser tests wait on it).
(function () {
  "use strict";
  var PREFIX = "livret-brouillon:";
  var body = document.body;
  var user = body.getAttribute("data-user") || "";
  // The offline page knows no session: it lists the copies of the last person signed in here.
  try {
    if (body.hasAttribute("data-offline-page")) user = localStorage.getItem("livret-utilisateur") || "";
    else if (user) localStorage.setItem("livret-utilisateur", user);
    else localStorage.removeItem("livret-utilisateur");
  } catch (e) {}
  var banner = document.querySelector("[data-offline-banner]");

  // The service worker: from the root, for the whole platform.
  if ("serviceWorker" in navigator && body.hasAttribute("data-service-worker")) {
    navigator.serviceWorker.register(body.getAttribute("data-service-worker"), { scope: "/" }).catch(function () {});
  }

  // The copies kept in this browser ------------------------------------------------------------------

  function read(key) {
    try { return JSON.parse(localStorage.getItem(PREFIX + key) || "null"); } catch (e) { return null; }
  }
  function write(record) {
    try { localStorage.setItem(PREFIX + record.key, JSON.stringify(record)); } catch (e) {}
  }
  function forget(key) {
    try { localStorage.removeItem(PREFIX + key); } catch (e) {}
  }
  function waiting() {
    var records = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var name = localStorage.key(i);
        if (name && name.indexOf(PREFIX) === 0) {
          var record = JSON.parse(localStorage.getItem(name) || "null");
          // Someone else's copy on a shared device is neither listed nor sent under this session.
          if (record && record.user === user) records.push(record);
        }
      }
    } catch (e) {}
    return records;
  }
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Sending a copy: the form's values as pairs, with the revision they were written on.
  function send(record) {
    var data = new FormData();
    record.fields.forEach(function (pair) {
      if (pair[0] !== "csrfmiddlewaretoken" && pair[0] !== "action" && pair[0] !== "revision") data.append(pair[0], pair[1]);
    });
    data.set("csrfmiddlewaretoken", csrfToken());
    data.set("revision", record.revision);
    data.set("action", "save");
    return fetch(record.url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { status: response.status, data: answer };
      });
    });
  }

  // The banner: offline, and what waits to be sent ---------------------------------------------------

  function showBanner() {
    if (!banner) return;
    var records = waiting();
    var offline = navigator.onLine === false;
    var list = banner.querySelector("[data-offline-waiting]");
    var title = banner.querySelector("[data-offline-title]");
    list.textContent = "";
    records.forEach(function (record) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = record.page;
      link.textContent = record.label;
      item.appendChild(link);
      var when = record.state === "conflict"
        ? " — modifié ailleurs entre-temps : à revoir"
        : record.state === "refused"
          ? " — n'est plus modifiable : à revoir"
          : " — gardé sur cet appareil" + (record.savedAt ? " à " + record.savedAt : "") + ", en attente d'envoi";
      item.appendChild(document.createTextNode(when));
      list.appendChild(item);
    });
    if (offline) {
      title.textContent = records.length
        ? "Vous êtes hors connexion. Ce que vous écrivez est gardé sur cet appareil et sera envoyé au retour du réseau. En attente d'envoi :"
        : "Vous êtes hors connexion. Ce que vous écrivez dans un brouillon est gardé sur cet appareil et sera envoyé au retour du réseau.";
    } else {
      title.textContent = "Brouillons gardés sur cet appareil, pas encore enregistrés :";
    }
    banner.hidden = !offline && records.length === 0;
    banner.setAttribute("data-state", offline ? "offline" : "online");
  }

  // Copies of other pages are sent from any page once the network is back (the page's own form sends
  // its own copy, below).
  var flushing = false;
  function flush() {
    if (flushing || navigator.onLine === false || !csrfToken()) return;
    var own = document.querySelector("form[data-draft]");
    var ownKey = own ? own.getAttribute("data-draft") : null;
    var records = waiting().filter(function (r) { return r.key !== ownKey && !r.state.match(/conflict|refused/); });
    if (!records.length) return;
    flushing = true;
    records.reduce(function (chain, record) {
      return chain.then(function () {
        return send(record).then(function (result) {
          if (result.status === 200) {
            var now = read(record.key);
            // Typed again meanwhile (another tab): that newer copy waits for its own turn.
            if (now && now.stamp === record.stamp) forget(record.key);
          } else if (result.status === 409) {
            record.state = "conflict";
            write(record);
          } else if (result.status === 403 || result.status === 404) {
            // No longer writable (shared, transmitted, not this person's): kept, shown, never sent again.
            record.state = "refused";
            write(record);
          }
        }, function () {});
      });
    }, Promise.resolve()).then(function () {
      flushing = false;
      showBanner();
    });
  }

  window.addEventListener("online", function () { showBanner(); flush(); });
  window.addEventListener("offline", showBanner);
  showBanner();
  flush();

  // The draft's form on this page -----------------------------------------------------------------------

  var form = document.querySelector("form[data-draft]");
  if (!form || !window.fetch) return;
  var key = form.getAttribute("data-draft");
  var label = form.getAttribute("data-draft-label") || document.title;
  var status = form.querySelector("[data-draft-status]");
  var conflict = form.querySelector("[data-draft-conflict]");
  var revision = form.querySelector("input[name=revision]");
  var timer = null;
  var inFlight = false;
  var dirty = false;
  var stamp = 0;

  function say(text, state) {
    if (status && text !== null) status.textContent = text;
    if (state) form.setAttribute("data-draft-state", state);
  }
  function pairs() {
    var result = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "action" && typeof value === "string") result.push([name, value]);
    });
    return result;
  }
  function now() {
    var date = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(date.getHours()) + ":" + two(date.getMinutes());
  }
  function remember(state) {
    stamp = Date.now();
    write({
      key: key,
      user: user,
      url: form.getAttribute("action") || window.location.pathname,
      page: window.location.pathname,
      label: label,
      revision: revision.value,
      fields: pairs(),
      savedAt: now(),
      stamp: stamp,
      state: state || "pending",
    });
  }

  // Rows of a formset (the visit's new actions): added here, or by the button without JavaScript.
  var rows = form.querySelector("[data-draft-rows]");
  var rowTemplate = form.querySelector("template[data-draft-row]");
  var addRow = form.querySelector("[data-draft-add-row]");
  function totalInput() {
    return rows ? form.querySelector("input[name='" + rows.getAttribute("data-draft-prefix") + "-TOTAL_FORMS']") : null;
  }
  function appendRow() {
    var total = totalInput();
    var count = parseInt(total.value, 10) || 0;
    var max = parseInt(rows.getAttribute("data-draft-max"), 10) || 1000;
    if (count >= max) return null;
    var html = rowTemplate.innerHTML.replace(/__prefix__/g, String(count)).replace(/__number__/g, String(count + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = count + 1;
    if (count + 1 >= max && addRow) addRow.hidden = true;
    return row;
  }
  if (rows && rowTemplate && addRow) {
    addRow.addEventListener("click", function (event) {
      event.preventDefault();
      var row = appendRow();
      if (row) {
        var first = row.querySelector("input, select, textarea");
        if (first) first.focus();
        say("Ligne d'action " + (totalInput().value) + " ajoutée.", null);
      }
    });
  }

  // Put a kept copy back in the form (growing the formset if it had more rows).
  function restore(fields) {
    var total = totalInput();
    if (total) {
      fields.forEach(function (pair) {
        if (pair[0] === total.name) {
          while ((parseInt(total.value, 10) || 0) < (parseInt(pair[1], 10) || 0) && appendRow()) { /* grow */ }
        }
      });
    }
    var values = {};
    fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.name === "csrfmiddlewaretoken" || element.name === "revision" || element.type === "submit" || element.type === "button") return;
      var kept = values[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = !!kept && kept.indexOf(element.value) !== -1;
      } else if (kept) {
        element.value = kept[0];
      }
    });
  }
  function differs(fields) {
    var here = JSON.stringify(pairs());
    return JSON.stringify(fields) !== here;
  }

  function save() {
    if (inFlight) { schedule(1000); return; }
    if (!dirty) return;
    if (navigator.onLine === false) {
      say("Hors connexion : votre texte est gardé sur cet appareil (" + now() + ") et sera enregistré au retour du réseau.", "offline");
      showBanner();
      return;
    }
    inFlight = true;
    dirty = false;
    var sent = stamp;
    var record = read(key);
    say("Enregistrement…", "pending");
    send(record || { url: form.getAttribute("action") || window.location.pathname, fields: pairs(), revision: revision.value })
      .then(function (result) {
        if (result.status === 200) {
          revision.value = result.data.revision;
          if (stamp === sent) {
            forget(key);
            say("Enregistré à " + result.data.saved_at + ".", "saved");
          } else {
            // Typed meanwhile: the newer text is sent next, on the new revision.
            remember();
            dirty = true;
            schedule(300);
          }
          form.dispatchEvent(new CustomEvent("draft:saved", { bubbles: true }));
        } else if (result.status === 409) {
          remember("conflict");
          conflict.hidden = false;
          conflict.setAttribute("data-revision", result.data.revision);
          say("Non enregistré : ce brouillon a changé ailleurs. Votre texte est gardé sur cet appareil.", "conflict");
        } else if (result.status === 400) {
          dirty = true;
          var errors = result.data.errors || {};
          var first = Object.keys(errors).map(function (name) { return errors[name][0] && errors[name][0].message; }).filter(Boolean)[0];
          say("Non enregistré : " + (first || "vérifiez la longueur des textes."), "invalid");
        } else {
          say("Non enregistré : " + ((result.data && result.data.error) || "ce brouillon n'est plus modifiable.") + " Votre texte est gardé sur cet appareil.", "refused");
        }
        showBanner();
      }, function () {
        dirty = true;
        say("Hors connexion : votre texte est gardé sur cet appareil et sera enregistré au retour du réseau.", "offline");
        showBanner();
      })
      .then(function () { inFlight = false; });
  }
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }
  function changed() {
    dirty = true;
    remember();
    if (navigator.onLine === false) {
      say("Hors connexion : votre texte est gardé sur cet appareil (" + now() + ") et sera enregistré au retour du réseau.", "offline");
      showBanner();
    } else {
      form.setAttribute("data-draft-state", "pending");
    }
    schedule(1200);
  }

  // A copy kept from an earlier visit of the page, never received by the server, comes back.
  var kept = read(key);
  if (kept && kept.user === user && kept.fields) {
    if (differs(kept.fields)) {
      restore(kept.fields);
      if (kept.revision) revision.value = kept.revision;
      dirty = true;
      stamp = kept.stamp || 0;
    } else {
      forget(key);
      kept = null;
    }
  }
  if (kept && kept.state === "conflict") {
    conflict.hidden = false;
    say("Non enregistré : ce brouillon a changé ailleurs. Votre texte est gardé sur cet appareil.", "conflict");
    dirty = false;
  } else if (kept) {
    if (navigator.onLine === false) {
      say("Texte non enregistré retrouvé sur cet appareil : il sera enregistré au retour du réseau.", "offline");
    } else {
      say("Texte non enregistré retrouvé sur cet appareil : il va être enregistré.", "pending");
      schedule(300);
    }
  } else {
    form.setAttribute("data-draft-state", "saved");
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("online", function () { if (dirty) schedule(200); });
  window.addEventListener("offline", function () {
    if (dirty) say("Hors connexion : votre texte est gardé sur cet appareil et sera enregistré au retour du réseau.", "offline");
  });

  // Enter in a one-line field does not submit (the first button of the form adds a row, the last
  // one shares and signs): it saves the draft.
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit" && target.type !== "button" && target.type !== "checkbox" && target.type !== "radio") {
      event.preventDefault();
      dirty = true;
      remember();
      schedule(0);
    }
  });

  if (conflict) {
    conflict.querySelector("[data-draft-keep]").addEventListener("click", function () {
      revision.value = conflict.getAttribute("data-revision") || revision.value;
      conflict.hidden = true;
      dirty = true;
      remember();
      save();
    });
    conflict.querySelector("[data-draft-reload]").addEventListener("click", function () {
      window.open(window.location.href, "_blank", "noopener");
    });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine === false) {
      // Sharing signs: it waits for the network. The text stays here.
      event.preventDefault();
      remember();
      say("Hors connexion : rien n'est partagé sans réseau. Votre brouillon est gardé sur cet appareil ; partagez-le au retour de la connexion.", "offline");
      showBanner();
      return;
    }
    clearTimeout(timer);
    // The form carries the text to the server now: no copy is left to send again later.
    forget(key);
  });

  // The page itself is kept for offline use once the service worker runs (it was loaded before).
  if ("serviceWorker" in navigator && !navigator.serviceWorker.controller && body.hasAttribute("data-service-worker")) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "keep-page", url: window.location.href });
    });
  }
})();
