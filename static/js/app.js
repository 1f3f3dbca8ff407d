// The main menu is a <details> so that it works without JavaScript on a phone; on a wide screen it
// is always open, which only a script can tell a closed <details> to be.
(function () {
  var menu = document.querySelector(".main-nav__menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 62rem)");
  function sync() { menu.open = wide.matches; }
  sync();
  wide.addEventListener("change", sync);
})();
