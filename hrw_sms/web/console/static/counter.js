// Live segment counter for textareas marked data-segments (GSM-7 or UCS-2, as carriers count).
// The server's preview is the exact word; this only helps while typing. With data-fold="gsm"
// it folds the text as the server does before sending (flows/gsm.py to_gsm: curly quotes,
// dashes, ellipsis, no-break spaces, accents GSM-7 lacks; what has no equivalent is dropped)
// and counts it between data-prefix and data-suffix, the exact words the server adds.
(function () {
  var basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var ext = "^{}\\[~]|€\f";
  // flows/gsm.py _FOLD, the same characters.
  var fold = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"',
    "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-",
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2026": "...", "\u00a0": " ", "\u2009": " ",
    "\u200b": "", "\u2022": "-", "\u00b4": "'", "`": "'"};
  function isGsm(ch) { return basic.indexOf(ch) >= 0 || ext.indexOf(ch) >= 0; }
  function bare(ch) { return ch.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }
  function foldChar(ch) {
    if (isGsm(ch)) return ch;
    var b = bare(ch);
    return b && Array.from(b).every(isGsm) ? b : "";
  }
  function toGsm(text) {
    var out = Array.from(text).map(function (ch) { return ch in fold ? fold[ch] : ch; }).join("");
    var chars = Array.from(out);
    if (chars.every(isGsm)) return out;
    // A text that loses one accent loses é too, so it is not half-accented (as the server).
    var loses = chars.some(function (ch) { return !isGsm(ch) && /\p{L}/u.test(foldChar(ch)); });
    if (loses) out = out.replace(/é/g, "e").replace(/É/g, "E");
    return Array.from(out).map(foldChar).join("");
  }
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
    var folds = area.getAttribute("data-fold") === "gsm";
    var prefix = area.getAttribute("data-prefix") || "";
    var suffix = area.getAttribute("data-suffix") || "";
    var max = parseInt(area.getAttribute("data-segments"), 10);
    function show() {
      var n = 0;
      if (area.value.trim()) {
        // The server joins the words with single spaces, then folds the whole text.
        var words = folds ? area.value.trim().split(/\s+/).join(" ") : area.value.trim();
        n = count(folds ? toGsm(prefix + words + suffix) : words);
      }
      out.textContent = area.value.length + " characters, about " + n + " of " + max + " texts" + (n > max ? ": too long" : "");
    }
    area.addEventListener("input", show);
    show();
  });
})();
