// civscore 评审工作台: clicking a quote shows it in the text; selecting text offers
// to add it as evidence. Plain JS, no build step; the pages work without it.
(function () {
  "use strict";
  var doc = document.getElementById("doc");
  if (!doc) return;

  function showSpan(key) {
    var marks = doc.querySelectorAll("mark.active");
    for (var i = 0; i < marks.length; i++) marks[i].classList.remove("active");
    var hits = doc.querySelectorAll("mark[data-q]");
    var first = null;
    for (var j = 0; j < hits.length; j++) {
      if ((" " + hits[j].getAttribute("data-q") + " ").indexOf(" " + key + " ") >= 0) {
        hits[j].classList.add("active");
        if (!first) first = hits[j];
      }
    }
    if (first) first.scrollIntoView({ block: "center" });
    return first;
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.quote") : null;
    if (!a) return;
    ev.preventDefault();
    showSpan(a.getAttribute("data-span"));
  });

  // A selection inside the text → offsets into the normalized text (each piece carries data-o).
  function offsetOf(node, off) {
    var el = node.nodeType === 3 ? node.parentElement : node;
    while (el && el !== doc && !el.hasAttribute("data-o")) el = el.parentElement;
    if (!el || el === doc) return null;
    return parseInt(el.getAttribute("data-o"), 10) + (node.nodeType === 3 ? off : 0);
  }
  var form = document.getElementById("add-quote");
  doc.addEventListener("mouseup", function () {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !form) return;
    var r = sel.getRangeAt(0);
    if (!doc.contains(r.startContainer) || !doc.contains(r.endContainer)) return;
    var s = offsetOf(r.startContainer, r.startOffset), e = offsetOf(r.endContainer, r.endOffset);
    if (s === null || e === null || e <= s) return;
    form.elements.start.value = s;
    form.elements.end.value = e;
    var text = sel.toString();
    form.querySelector(".sel-preview").textContent = "所选文字：" + (text.length > 80 ? text.slice(0, 79) + "…" : text);
    form.hidden = false;
  });
  if (form) form.querySelector(".cancel").addEventListener("click", function () { form.hidden = true; });

  if (location.hash.indexOf("#c-") === 0) {
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (el) el.scrollIntoView({ block: "start" });
  }
})();
