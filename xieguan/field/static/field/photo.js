// Photos are shrunk on the phone before they wait in the outbox: the long
// side at most 1600 px and at most 300 KB, so a weak signal can carry them.
// Our own 40 lines rather than browser-image-compression: they fit the
// field app's first-load budget and do all we need.
const MAX_SIDE = 1600;
const MAX_BYTES = 300 * 1024;

/* A decoded image, turned upright as the camera meant it. */
export function loadImage(file) {
  if (window.createImageBitmap) {
    return createImageBitmap(file, { imageOrientation: "from-image" }).catch(() => viaImg(file));
  }
  return viaImg(file);
}

function viaImg(file) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(file);
    img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("image")); };
    img.src = url;
  });
}

const toBlob = (canvas, q) => new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", q));

/* A JPEG within the limits: lower the quality first, then the size. */
export async function compress(file) {
  const img = await loadImage(file);
  let scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
  const canvas = document.createElement("canvas");
  let blob = null;
  for (let round = 0; round < 6; round++) {
    canvas.width = Math.max(1, Math.round(img.width * scale));
    canvas.height = Math.max(1, Math.round(img.height * scale));
    canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
    for (let q = 0.85; q >= 0.45; q -= 0.1) {
      blob = await toBlob(canvas, q);
      if (blob && blob.size <= MAX_BYTES) return blob;
    }
    scale *= 0.75;
  }
  return blob;
}
