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
  function septets(text) {
    var n = 0;
    for (var ch of text) n += ext.indexOf(ch) >= 0 ? 2 : 1;
    return n;
  }
  function count(text) {
    if (Array.from(text).every(isGsm)) {
      var units = septets(text);
      return units <= 160 ? 1 : Math.ceil(units / 153);
    }
    var utf16 = text.length;
    return utf16 <= 70 ? 1 : Math.ceil(utf16 / 67);
  }
  // flows/gsm.py dropped: what folding leaves out (emoji and the like), each once, shown
  // (joiners, variation selectors and combining marks go too, but show nothing alone).
  function dropped(text) {
    var seen = [];
    Array.from(text).forEach(function (ch) {
      if (!(ch in fold) && !isGsm(ch) && !foldChar(ch) && !/[\p{Cf}\p{M}]/u.test(ch) &&
          seen.indexOf(ch) < 0) seen.push(ch);
    });
    return seen;
  }
  // flows/gsm.py without_dropped: the text with what folding drops taken out.
  function withoutDropped(text) {
    return Array.from(text).filter(function (ch) {
      return ch in fold || isGsm(ch) || foldChar(ch);
    }).join("");
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  // The server's words (flows/texts broadcast_too_long, console wording.dropped_note): the
  // count is of characters as sent, { } [ ] ~ \ | ^ € counting 2 each, as carriers count them.
  document.querySelectorAll("textarea[data-segments]").forEach(function (area) {
    var out = document.getElementById(area.id + "-count");
    var folds = area.getAttribute("data-fold") === "gsm";
    var prefix = area.getAttribute("data-prefix") || "";
    var suffix = area.getAttribute("data-suffix") || "";
    var max = parseInt(area.getAttribute("data-segments"), 10);
    function show() {
      var words = area.value.trim();
      if (!words) { out.textContent = "0 characters, about 0 of " + max + " texts"; return; }
      if (!folds) {
        var n = count(words);
        out.textContent = plural(Array.from(words).length, "character", "characters") +
          ", about " + n + " of " + max + " texts" + (n > max ? ": too long" : "");
        return;
      }
      // The server takes out what folding drops (flows/gsm.py without_dropped), joins the
      // words with single spaces, then folds the whole text.
      var gone = dropped(words);
      words = withoutDropped(words).trim().split(/\s+/).join(" ");
      var sent = toGsm(prefix + words + suffix);
      var segs = count(sent);
      var doubles = Array.from(new Set(Array.from(sent).filter(function (ch) { return ext.indexOf(ch) >= 0; })));
      var said = plural(septets(sent), "character", "characters") + " as sent" +
        (doubles.length ? " (counting " + doubles.join(" ") + " as 2 each)" : "") +
        ", about " + segs + " of " + max + " texts" + (segs > max ? ": too long" : "") + ".";
      if (gone.length) {
        said += " Text messages cannot carry " + gone.slice(0, 8).join(" ") +
          (gone.length > 8 ? " and others" : "") + ", so " + (gone.length === 1 ? "it is" : "they are") +
          " left out when sent.";
      }
      out.textContent = said;
    }
    area.addEventListener("input", show);
    show();
  });
})();
