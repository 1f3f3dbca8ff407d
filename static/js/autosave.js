// Autosave of the apprentice's liaison sheet: the text is sent as it is typed, and also kept in this
// browser (localStorage) until the server confirms it, so a dropped connection on a phone loses
// nothing. A save from a stale copy (another tab) gets a 409: the text stays here and the person
// chooses to keep it or to look at the other version.
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) return;
  var status = form.querySelector("[data-autosave-status]");
  var conflict = form.querySelector("[data-autosave-conflict]");
  var revision = form.querySelector("input[name=revision]");
  var fields = Array.prototype.slice.call(form.querySelectorAll("textarea"));
  var key = "livret-fiche-" + form.dataset.sheet;
  var timer = null;
  var inFlight = false;
  var dirty = false;

  function say(text) { if (status) status.textContent = text; }
  function snapshot() {
    var data = {};
    fields.forEach(function (f) { data[f.name] = f.value; });
    return data;
  }
  function remember() {
    try { localStorage.setItem(key, JSON.stringify({ revision: revision.value, values: snapshot() })); } catch (e) {}
  }
  function forget() { try { localStorage.removeItem(key); } catch (e) {} }

  // Text kept from a previous visit that never reached the server comes back.
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    if (kept && kept.values) {
      var differs = fields.some(function (f) { return (kept.values[f.name] || "") !== f.value; });
      if (differs) {
        fields.forEach(function (f) { if (kept.values[f.name] !== undefined) f.value = kept.values[f.name]; });
        // Saved against the revision it was written on: if the sheet moved on since, the server says so.
        if (kept.revision) revision.value = kept.revision;
        dirty = true;
        say("Texte non enregistré retrouvé sur cet appareil : il va être enregistré.");
        schedule(500);
      }
    }
  } catch (e) {}

  function save() {
    if (inFlight) { schedule(1000); return; }
    if (!dirty) return;
    inFlight = true;
    dirty = false;
    var body = new FormData(form);
    body.set("action", "save");
    say("Enregistrement…");
    fetch(form.getAttribute("action"), { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (result.status === 200) {
          revision.value = result.data.revision;
          forget();
          if (!dirty) say("Enregistré à " + result.data.saved_at + ".");
        } else if (result.status === 409) {
          conflict.hidden = false;
          conflict.dataset.revision = result.data.revision;
          say("Non enregistré : la fiche a changé ailleurs.");
        } else {
          dirty = true;
          say("Non enregistré : vérifiez la longueur des textes.");
        }
      })
      .catch(function () {
        dirty = true;
        say("Hors connexion : votre texte est gardé sur cet appareil et sera enregistré au retour du réseau.");
        schedule(5000);
      })
      .finally(function () { inFlight = false; });
  }
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }
  fields.forEach(function (f) {
    f.addEventListener("input", function () { dirty = true; remember(); schedule(1500); });
  });
  window.addEventListener("online", function () { if (dirty) schedule(200); });
  form.querySelector("[data-autosave-keep]").addEventListener("click", function () {
    revision.value = conflict.dataset.revision;
    conflict.hidden = true;
    dirty = true;
    remember();
    save();
  });
  form.querySelector("[data-autosave-reload]").addEventListener("click", function () {
    remember();
    window.open(window.location.href, "_blank", "noopener");
  });
  form.addEventListener("submit", function () { clearTimeout(timer); remember(); });
})();
