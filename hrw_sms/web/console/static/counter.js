// Live segment counter for textareas marked data-segments (GSM-7 or UCS-2, as carriers count).
// The server's preview is the exact word; this only helps while typing.
(function () {
  var basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var ext = "^{}\\[~]|€\f";
  function count(text) {
    var units = 0, gsm = true;
    for (var ch of text) {
      if (basic.indexOf(ch) >= 0) units += 1;
      else if (ext.indexOf(ch) >= 0) units += 2;
      else { gsm = false; break; }
    }
    if (!gsm) {
      units = 0;
      for (var i = 0; i < text.length; i++) units += 1;
      return units <= 70 ? 1 : Math.ceil(units / 67);
    }
    return units <= 160 ? 1 : Math.ceil(units / 153);
  }
  document.querySelectorAll("textarea[data-segments]").forEach(function (area) {
    var out = document.getElementById(area.id + "-count");
    var extra = parseInt(area.getAttribute("data-extra") || "0", 10);
    var max = parseInt(area.getAttribute("data-segments"), 10);
    function show() {
      var padding = extra > 0 ? new Array(extra + 1).join("x") : "";
      var n = area.value.trim() ? count(padding + area.value) : 0;
      out.textContent = area.value.length + " characters, about " + n + " of " + max + " texts" + (n > max ? ": too long" : "");
    }
    area.addEventListener("input", show);
    show();
  });
})();
