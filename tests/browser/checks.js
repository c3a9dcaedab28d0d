// Checks run inside each page of the built website by tests/browser/test_site.py (Playwright).
// `checkPage(options)` returns a list of problems, each a short sentence naming what to look at;
// an empty list means the page passed. Kept free of any framework so that it reads as plain DOM code.
async function checkPage({ phone, allowScrollTag }) {
  const problems = [];
  const describe = (el) => {
    const cell = el.closest(".cell");
    const heading = [...document.querySelectorAll("h1, h2, h3")].filter(
      (h) => h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
    const text = (el.innerText || el.getAttribute("alt") || el.outerHTML).trim().replace(/\s+/g, " ").slice(0, 70);
    return `"${text}"${cell ? ` (cell ${[...document.querySelectorAll(".cell")].indexOf(cell)})` : ""}` +
      (heading ? ` under "${heading.innerText.replace(/[#¶\s]+$/, "").trim()}"` : "");
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  };

  // Math: MathJax 3 must have turned every math element into rendered output, without errors.
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  for (const el of document.querySelectorAll(".math")) {
    if (!el.querySelector("mjx-container")) problems.push(`math not rendered: ${describe(el)}`);
    else if (el.querySelector("mjx-merror")) problems.push(`math with a TeX error: ${describe(el)}`);
  }

  // Widgets: every saved widget view must have been drawn by the widget manager.
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  for (const script of views) {
    const area = script.previousElementSibling;
    if (!area || !area.classList.contains("widget-subarea") || !area.firstElementChild ||
        area.getBoundingClientRect().height < 5) problems.push(`widget not rendered: ${describe(script.parentElement)}`);
    // ... and one a reader can operate says, right below it, that it is frozen here and where it works.
    const operable = area?.querySelector("button, select, input, textarea");
    if (operable && !script.nextElementSibling?.classList.contains("frozen-widget-note"))
      problems.push(`widget without the note that it is frozen on the website: ${describe(script.parentElement)}`);
  }

  // Images: loaded, and described by a caption or a meaningful alt text (not a file name).
  for (const img of document.querySelectorAll("img")) {
    if (!img.complete || img.naturalWidth === 0) problems.push(`image not loaded: ${img.getAttribute("src")}`);
    const caption = img.closest("figure")?.querySelector("figcaption")?.innerText.trim();
    const alt = (img.getAttribute("alt") || "").trim();
    const pathLike = alt.length < 8 || /\.(png|jpe?g|svg|gif)$/i.test(alt) || /^(\.\.?\/|\/|data:|https?:)/.test(alt);
    if (!caption && pathLike) problems.push(`image without caption or alt text (alt="${alt}"): ${describe(img)}`);
  }

  // A link in the text must say where it goes: not just the book's title (the logo already links home).
  const bookTitle = document.querySelector(".logo__title")?.innerText.trim();
  for (const a of document.querySelectorAll("article a")) {
    if (bookTitle && a.innerText.trim() === bookTitle) problems.push(`link whose text is the book's title: ${describe(a)}`);
  }

  // Ids must be unique (links and assistive technology jump to the first one).
  const seen = new Map();
  for (const el of document.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  for (const [id, n] of seen) if (n > 1) problems.push(`id "${id}" used ${n} times`);

  // Inline code must stay readable (WCAG AA contrast 4.5:1) in light and dark mode.
  const rgba = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return rgba(getComputedStyle(document.body).backgroundColor).slice(0, 3);
  };
  for (const code of document.querySelectorAll("code")) {
    if (!visible(code) || code.closest("pre")) continue;
    const [l1, l2] = [luminance(rgba(getComputedStyle(code).color)), luminance(background(code))];
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) problems.push(`inline code hard to read (contrast ${ratio.toFixed(1)}:1): ${describe(code)}`);
  }

  const width = document.documentElement.clientWidth;
  if (phone) {
    // Widget controls must fit on the screen, not overlap each other, and show their whole text.
    for (const area of document.querySelectorAll(".widget-subarea")) {
      const controls = [...area.querySelectorAll(
        "button, select, input, textarea, .widget-readout, .widget-label, .widget-slider, .widget-html-content")]
        .filter(visible);
      for (const el of controls) {
        const r = el.getBoundingClientRect();
        if (r.left < -1 || r.right > width + 1) problems.push(`widget control outside the screen: ${describe(el)}`);
        const cut = el.tagName === "SELECT"
          ? textWidth(el.options[el.selectedIndex]?.text || "", el) + 24 > el.clientWidth
          : el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "auto";
        if (cut) problems.push(`widget text cut off: ${describe(el)}`);
      }
      const leaves = controls.filter((el) => !controls.some((o) => o !== el && el.contains(o)));
      for (let i = 0; i < leaves.length; i++) {
        for (let j = i + 1; j < leaves.length; j++) {
          const [a, b] = [leaves[i].getBoundingClientRect(), leaves[j].getBoundingClientRect()];
          const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (dx > 2 && dy > 2) problems.push(`widget controls overlap: ${describe(leaves[i])} and ${describe(leaves[j])}`);
        }
      }
    }
  } else {
    // Code and printed output must not hide the end of a line at desktop width (or be tagged to scroll).
    for (const pre of document.querySelectorAll("pre")) {
      if (!visible(pre) || pre.closest(`.tag_${allowScrollTag}`) || pre.closest(".widget-subarea")) continue;
      if (pre.scrollWidth > pre.clientWidth + 1) {
        const longest = pre.innerText.split("\n").reduce((a, b) => (b.length > a.length ? b : a), "");
        problems.push(`line cut off at desktop width (${pre.scrollWidth} px in ${pre.clientWidth} px): ` +
          `"${longest.trim().slice(0, 60)}…" ${describe(pre).replace(/^"[^"]*"/, "")}`);
      }
    }
  }
  return problems;
}

function textWidth(text, el) {
  const canvas = textWidth.canvas || (textWidth.canvas = document.createElement("canvas"));
  const ctx = canvas.getContext("2d");
  ctx.font = getComputedStyle(el).font;
  return ctx.measureText(text).width;
}
