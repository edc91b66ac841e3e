// The one signature pad, for the field app and the desktop inspection page:
// a finger (or a mouse) draws on a canvas whose background is white, so the
// PNG reads on paper too.

/* A pad on the canvas. onEnd(pad) runs when a stroke ends; a locked pad
   takes no strokes (a record already sent). */
export function signaturePad(canvas, { onEnd } = {}) {
  const ctx = canvas.getContext("2d");
  let last = null;
  const pad = {
    drawn: false,
    locked: false,
    clear() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      pad.drawn = false;
    },
    /* Shows a kept signature (an image or bitmap), or a blank pad. */
    show(image) {
      pad.clear();
      if (image) { ctx.drawImage(image, 0, 0); pad.drawn = true; }
    },
    toBlob() { return new Promise((resolve) => canvas.toBlob(resolve, "image/png")); },
    toDataURL() { return canvas.toDataURL("image/png"); },
  };
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * canvas.width / box.width, (e.clientY - box.top) * canvas.height / box.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    if (pad.locked) return;
    last = at(e);
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = at(e);
    ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
    last = p;
    pad.drawn = true;
  });
  const end = () => {
    if (!last) return;
    last = null;
    if (onEnd) onEnd(pad);
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  pad.clear();
  return pad;
}
